"""PubMed (NCBI E-utilities) as a source: works by PMID or PMCID, and citation matching in batches.

What it answers, and how it asks:

* a PMID: EFetch (`efetch.fcgi?db=pubmed&id=…&retmode=xml`), up to 200 PMIDs per request;
* a PMCID: the PMC ID converter (`/pmc/utils/idconv/v1.0/?ids=…&format=json`, up to 200 per
  request) gives the PMID, then EFetch;
* a journal reference without identifiers: ECitMatch (`ecitmatch.cgi`), one request carrying
  many `journal|year|volume|first page|author|key|` lines; each PMID it finds is fetched and
  handed to the caller as a candidate, validated by `resolve.matching` like any other (the
  matcher's word is never taken alone);
* DOIs and free-text searches are not PubMed's to answer here (NotCovered): DOIs go to the
  agency that registered them.

NCBI's rules: at most 3 requests a second without an API key, 10 with one (`NCBI_API_KEY`,
sent as `api_key`, never printed); every request carries `tool` and, when given, `email`. One
pacer covers E-utilities and the ID converter together. Failures are SourceUnavailable, so a
PubMed outage leaves references "could not verify", never "not found".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import httpx2

from citecheck.model import Reference, Work
from citecheck.references.identifiers import reference_doi, reference_pubmed_id
from citecheck.sources.base import CacheKey, Fresh, Keep, NotCovered, SourceUnavailable
from citecheck.sources.cache import pmcid_key, pmid_key
from citecheck.sources.http import HttpService
from citecheck.sources.pacing import Limits, Pacer
from citecheck.sources.pubmed_records import (
    ArticleSet,
    CitationLine,
    citation_line,
    parse_article_set,
    parse_citation_matches,
    parse_id_conversions,
)

log = logging.getLogger(__name__)

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov"
"""Where E-utilities answer (`/entrez/eutils/…`)."""
PMC_URL = "https://www.ncbi.nlm.nih.gov"
"""Where the PMC ID converter answers (`/pmc/utils/idconv/v1.0/`)."""
NCBI_LIMITS = Limits(3, 3, 3)
"""NCBI's limit without an API key: 3 requests a second (every request is one class here)."""
NCBI_KEY_LIMITS = Limits(10, 10, 3)
"""NCBI's limit with an API key: 10 requests a second."""
EFETCH_BATCH = 200
"""PMIDs per EFetch request (NCBI: beyond about 200, use POST)."""
IDCONV_BATCH = 200
"""IDs per ID-converter request (its documented maximum)."""
URL_CHARS = 4000
"""Longest request URL sent (ECitMatch lines are batched to fit; see crossref.BATCH_URL_CHARS)."""

_EFETCH = "/entrez/eutils/efetch.fcgi"
_ECITMATCH = "/entrez/eutils/ecitmatch.cgi"
_IDCONV = "/pmc/utils/idconv/v1.0/"
class PubMedSource:
    """PubMed through NCBI's E-utilities and the PMC ID converter. Thread-safe; one per run."""

    name = "pubmed"
    cache_namespace = "pubmed"
    """Its answers are kept apart from other sources' in the answer cache."""
    remote = True
    """A network source: batched, and asked after local sources."""

    def __init__(
        self,
        eutils_url: str = EUTILS_URL,
        pmc_url: str = PMC_URL,
        *,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "citecheck",
        timeout: float = 10.0,
        pacer: Pacer | None = None,
        user_agent: str = "",
        efetch_batch: int = EFETCH_BATCH,
        url_chars: int = URL_CHARS,
    ) -> None:
        pacer = pacer or Pacer(NCBI_KEY_LIMITS if api_key else NCBI_LIMITS)
        secrets = tuple(s for s in (api_key, email) if s)
        headers = {"User-Agent": user_agent} if user_agent else {}
        self._eutils = HttpService("pubmed", eutils_url, pacer, timeout=timeout, headers=headers, secrets=secrets)
        self._pmc = HttpService("pubmed", pmc_url, pacer, timeout=timeout, headers=headers, secrets=secrets)
        self._params: dict[str, str] = {"tool": tool}
        if email:
            self._params["email"] = email
        self._key = {"api_key": api_key} if api_key else {}  # E-utilities only
        self.efetch_batch = max(1, efetch_batch)
        self.url_chars = url_chars
        self._lock = threading.Lock()
        self._works: dict[str, Work | None] = {}
        self._books: set[str] = set()
        self._pmcids: dict[str, str | None] = {}
        self._matches: dict[str, str] = {}

    @property
    def pacer(self) -> Pacer:
        """The pacer every NCBI request goes through."""
        return self._eutils.pacer

    @property
    def unreachable(self) -> bool:
        """True once NCBI could not be connected to."""
        return self._eutils.unreachable or self._pmc.unreachable

    def close(self) -> None:
        """Close the pooled connections."""
        self._eutils.close()
        self._pmc.close()

    # --- the WorkSource port ------------------------------------------------------------------

    def lookup_doi(self, doi: str) -> Work | None:
        """Not PubMed's question: a DOI is verified at the agency that registered it."""
        raise NotCovered("pubmed: DOIs are verified at the agency that registered them")

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Not offered: PubMed matches references by their fields (`candidates_for`)."""
        raise NotCovered("pubmed: no free-text search; references are matched by journal, year, volume and page")

    # --- identifiers ----------------------------------------------------------------------------

    def lookup_pmid(self, pmid: str) -> Work | None:
        """The work with this PMID; None when PubMed has no such record."""
        pmid = pmid.strip().lstrip("0")
        with self._lock:
            known = pmid in self._works
            work = self._works.get(pmid)
            book = pmid in self._books
        if not known and not book:
            self._fetch([pmid])
            with self._lock:
                work = self._works.get(pmid)
                book = pmid in self._books
        if book:
            raise NotCovered(f"pubmed: PMID {pmid} is a book record, which citecheck does not read")
        return work

    def lookup_pmcid(self, pmcid: str) -> Work | None:
        """The work with this PMCID (through its PMID); None when the converter knows no PMID for it."""
        pmcid = pmcid.strip().upper()
        with self._lock:
            known = pmcid in self._pmcids
            pmid = self._pmcids.get(pmcid)
        if not known:
            self._convert([pmcid])
            with self._lock:
                pmid = self._pmcids.get(pmcid)
        return self.lookup_pmid(pmid) if pmid else None

    # --- citation matching ----------------------------------------------------------------------

    def candidates_key(self, reference: Reference) -> CacheKey | None:
        """The cache key of the reference's citation-matcher answer, None when it cannot be asked
        (`offline.OfflinePubMed` keys it the same way)."""
        line = citation_line(reference)
        return ("citation", line.question()) if line is not None else None

    def candidates_for(self, reference: Reference) -> list[Work]:
        """The record ECitMatch finds for the reference (fetched), as the only candidate; none when
        PubMed answers that nothing fits. NotCovered when it cannot be asked or cannot tell."""
        line = citation_line(reference, "c0")
        if line is None:
            raise NotCovered("pubmed: the citation matcher needs the journal, year, volume and first page")
        with self._lock:
            asked = line.question() in self._matches
        if not asked:
            self.match_citations([line])
        return self._candidates(line)

    def _candidates(self, line: CitationLine) -> list[Work]:
        """What the citation matcher's verdict on `line` means, the PMID's record fetched if need be."""
        with self._lock:
            verdict = self._matches.get(line.question(), "")
        if verdict.isdigit():
            work = self.lookup_pmid(verdict)
            return [work] if work is not None else []
        if "INVALID_JOURNAL" in verdict:
            raise NotCovered(f"pubmed: the journal {line.journal!r} is not one PubMed knows")
        if verdict.startswith("NOT_FOUND"):
            return []
        raise NotCovered(f"pubmed: the citation matcher could not tell ({verdict[:40] or 'no answer'})")

    def match_citations(self, lines: Sequence[CitationLine]) -> dict[str, str]:
        """Ask ECitMatch about `lines` (in as few requests as the URL bound allows): key → PMID or
        verdict, as PubMed answered. Also remembered per question for `candidates_for`."""
        results: dict[str, str] = {}
        by_key = {line.key: line for line in lines}
        for batch in self._line_batches(list(lines)):
            params = {"db": "pubmed", "retmode": "xml", "bdata": "\r".join(line.text() for line in batch)}
            answer = self._eutils.get(
                _ECITMATCH, {**params, **self._params, **self._key}, lambda r: parse_citation_matches(r.content),
                f"citation matcher, {len(batch)} citations", not_found_is_answer=False,
            )
            results.update(answer)
            with self._lock:
                for key, verdict in answer.items():
                    if key in by_key:
                        self._matches[by_key[key].question()] = verdict
        return results

    # --- batches --------------------------------------------------------------------------------

    def prefetch(self, references: Sequence[Reference], fresh: Fresh, keep: Keep) -> None:
        """Fetch in batches what resolving `references` will ask of PubMed: their PMIDs, the PMIDs
        of their PMCIDs, and citation-matcher answers for journal references without identifiers
        (then the records of the PMIDs found). References with a DOI are left to the DOI's agency.
        Every answer goes to `keep`."""
        pmids: list[str] = []
        pmcids: list[str] = []
        lines: dict[str, CitationLine] = {}
        for reference in references:
            if reference_doi(reference):
                continue
            kind, identifier = reference_pubmed_id(reference)
            if kind == "pmid":
                if not fresh(pmid_key(identifier)):
                    pmids.append(identifier)
            elif kind == "pmcid":
                if not fresh(pmcid_key(identifier)):
                    pmcids.append(identifier)
            else:
                line = citation_line(reference, f"c{len(lines)}")
                if line is not None and line.question() not in lines and not fresh(("citation", line.question())):
                    lines[line.question()] = line
        try:
            if pmcids:
                self._convert(pmcids)
                with self._lock:
                    pmids.extend(p for p in (self._pmcids.get(c) for c in pmcids) if p)
            if lines:
                self.match_citations(list(lines.values()))
                with self._lock:
                    pmids.extend(v for v in (self._matches.get(q, "") for q in lines) if v.isdigit())
            self._fetch(pmids)
        except SourceUnavailable as error:
            log.debug("pubmed: prefetch stopped (%s); references are asked one by one", error)
        self._keep_known(keep, pmids, pmcids, list(lines.values()))

    def _keep_known(self, keep: Keep, pmids: Sequence[str], pmcids: Sequence[str], lines: Sequence[CitationLine]) -> None:
        """Hand what the prefetch learnt to `keep` (only answers already in hand: nothing is asked)."""
        with self._lock:
            works = dict(self._works)
            books = set(self._books)
            conversions = dict(self._pmcids)
            matches = dict(self._matches)

        def answer(pmid: str) -> list[Work] | NotCovered | None:
            if pmid in books:
                return NotCovered(f"pubmed: PMID {pmid} is a book record, which citecheck does not read")
            if pmid not in works:
                return None  # not fetched (the prefetch stopped): nothing to keep
            work = works[pmid]
            return [work] if work is not None else []

        for pmid in pmids:
            if (found := answer(pmid)) is not None:
                keep(pmid_key(pmid), found)
        for pmcid in pmcids:
            if pmcid in conversions:
                pmid = conversions[pmcid]
                found = answer(pmid) if pmid else []
                if found is not None:
                    keep(pmcid_key(pmcid), found)
        for line in lines:
            verdict = matches.get(line.question())
            if verdict is None or (verdict.isdigit() and verdict not in works and verdict not in books):
                continue
            try:
                keep(("citation", line.question()), self._candidates(line))
            except NotCovered as why:
                keep(("citation", line.question()), why)

    def _line_batches(self, lines: list[CitationLine]) -> list[list[CitationLine]]:
        batches: list[list[CitationLine]] = []
        current: list[CitationLine] = []
        for line in lines:
            candidate = [*current, line]
            if current and self._ecitmatch_url_length(candidate) > self.url_chars:
                batches.append(current)
                candidate = [line]
            current = candidate
        if current:
            batches.append(current)
        return batches

    def _ecitmatch_url_length(self, lines: Sequence[CitationLine]) -> int:
        params = httpx2.QueryParams({"db": "pubmed", "retmode": "xml", "bdata": "\r".join(l.text() for l in lines),
                                     **self._params, **self._key})
        return len(f"{self._eutils.base_url}{_ECITMATCH}?{params}")

    def _fetch(self, pmids: Sequence[str]) -> None:
        """EFetch the PMIDs not yet known, in batches; remember what came back (and what did not)."""
        with self._lock:
            wanted = list(dict.fromkeys(p for p in pmids if p not in self._works and p not in self._books))
        for start in range(0, len(wanted), self.efetch_batch):
            batch = wanted[start : start + self.efetch_batch]
            found: ArticleSet = self._eutils.get(
                _EFETCH, {"db": "pubmed", "id": ",".join(batch), "retmode": "xml", **self._params, **self._key},
                lambda r: parse_article_set(r.content), f"EFetch of {len(batch)} PMIDs", not_found_is_answer=False,
            )
            with self._lock:
                self._books.update(found.books)
                for pmid in batch:
                    if pmid not in found.books:
                        self._works[pmid] = found.works.get(pmid)

    def _convert(self, pmcids: Sequence[str]) -> None:
        """Ask the PMC ID converter for the PMIDs of PMCIDs not yet known, in batches."""
        with self._lock:
            wanted = list(dict.fromkeys(c for c in pmcids if c not in self._pmcids))
        for start in range(0, len(wanted), IDCONV_BATCH):
            batch = wanted[start : start + IDCONV_BATCH]
            found: dict[str, str] = self._pmc.get(
                _IDCONV, {"ids": ",".join(batch), "format": "json", **self._params},
                _converted, f"PMC ID conversion of {len(batch)} IDs", not_found_is_answer=False,
            )
            with self._lock:
                for pmcid in batch:
                    self._pmcids[pmcid] = found.get(pmcid)


def _converted(response: httpx2.Response) -> dict[str, str]:
    return parse_id_conversions(response.content)
