"""Resolving references against the sources: by DOI when the author gave one, by PMID or PMCID
when that is what the author gave, by search (or citation matching) otherwise.

Sources are asked in order (local snapshots first, then the network sources in the order the
user chose); the first confident answer wins. Before references are resolved one by one, the
network sources that can batch (Crossref's DOI filter, PubMed's citation matcher and EFetch)
fetch what they will be asked in as few requests as their services allow.

Each source's answer counts for what it is (see `sources.base`):

* a source that fails is recorded, never taken for "not found": a reference is could-not-verify
  when a source failed and no other source settled it;
* "not held" is evidence only from a source that holds its whole registry
  (`Coverage.complete`: the live registries, a snapshot of the whole public data file) and
  covers the question; a partial source's silence, and a registry not asked (`NotAsked`: offline
  with nothing cached), leave the reference NOT_CHECKED, never "may not exist";
* a source that does not cover the question at all (`NotCovered`: another agency's DOI, no such
  lookup) is neither evidence for nor against: when no source asked covers a reference, it is
  SKIPPED, with the reasons;
* a reference is NOT_FOUND only when a complete source that covers it answered and none holds
  it, and none failed. `Resolution.decided_by` names the sources whose answers decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

from citecheck.resolve.matching import MatchDecision, bibliographic_query, decide, same_work
from citecheck.model import CslItem, Reference, Resolution, ResolutionStatus, Work
from citecheck.references.identifiers import reference_doi, reference_pubmed_id
from citecheck.sources.base import NotAsked, NotCovered, SourceUnavailable, WorkSource, coverage_of, is_remote

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as (done, total) after each reference is resolved."""


@dataclass
class _Answers:
    """What the sources said to one question, as they were asked (mutable scratch, never shared)."""

    asked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    """Complete sources that cover the question and answered that they hold nothing."""
    absent_as_of: list[str] = field(default_factory=list)
    """Their dates (`Coverage.as_of`; "" for a live source)."""
    unchecked: list[str] = field(default_factory=list)
    """Sources whose silence is no evidence: partial sources, and registries not asked offline."""
    not_covered: list[str] = field(default_factory=list)

    def nothing(self, source: WorkSource) -> None:
        """A source answered that it holds nothing: evidence only if it holds its whole registry."""
        coverage = coverage_of(source)
        if coverage.complete:
            self.absent.append(source.name)
            self.absent_as_of.append(coverage.as_of)
        else:
            self.unchecked.append(source.name)

    def declined(self, why: NotCovered) -> None:
        """A source could not speak to the question (a registry not asked offline: unchecked)."""
        self.not_covered.append(str(why))
        if isinstance(why, NotAsked):
            self.unchecked.append(str(why).split(":", 1)[0])

    def as_of(self) -> str:
        """The date absence is known as of: "" (now) when a live source said so, else the newest
        date of the complete snapshots that did."""
        return "" if not self.absent_as_of or "" in self.absent_as_of else max(self.absent_as_of)

    def settled(self, reference_id: str, method: str, evidence: tuple[str, ...] = ()) -> Resolution:
        """The resolution when nothing held the work and nothing failed: NOT_FOUND from complete
        sources, else NOT_CHECKED (partial sources, not asked), else SKIPPED (not covered)."""
        common = {"method": method, "sources": tuple(self.asked), "not_covered": tuple(self.not_covered)}
        if self.absent:
            return Resolution(reference_id, ResolutionStatus.NOT_FOUND, evidence=evidence,
                              decided_by=", ".join(dict.fromkeys(self.absent)), absent_as_of=self.as_of(), **common)
        if self.unchecked:
            only = (f"not checked: {', '.join(dict.fromkeys(self.unchecked))} hold only part of the registry "
                    "or were not asked (offline), so their silence is no evidence")
            return Resolution(reference_id, ResolutionStatus.NOT_CHECKED, evidence=(*evidence, only), **common)
        return Resolution(reference_id, ResolutionStatus.SKIPPED,
                          evidence=(*evidence, "no source asked covers this reference", *self.not_covered), **common)


class Resolver:
    """Resolves references against an ordered list of sources."""

    def __init__(
        self, sources: Sequence[WorkSource], jobs: int = 1, note: Callable[[str], None] | None = None
    ) -> None:
        self.sources = list(sources)
        self.jobs = max(1, jobs)
        self._note = note
        self._unreachable_noted: set[str] = set()

    def _failed(self, source: WorkSource, error: SourceUnavailable, failures: list[str]) -> None:
        """Record a failure; say once per run when a source turned out to be unreachable."""
        failures.append(str(error))
        if getattr(source, "unreachable", False) and source.name not in self._unreachable_noted:
            self._unreachable_noted.add(source.name)
            if self._note:
                reason = str(error).split(" (", 1)[0]  # the cause, without the request that met it
                self._note(f"{source.name} could not be reached ({reason}); carrying on with the cache and snapshots")

    # --- many references ----------------------------------------------------------------------

    def prefetch(self, references: Sequence[Reference]) -> None:
        """Let each batching source fetch what resolving `references` will ask of it.

        References whose DOI a local source (snapshot) ahead of it already holds are left out, so
        no batch carries what need not leave the machine. The registries are asked at the same
        time (each keeps its own limits), so a bibliography of DOIs and of PubMed references
        waits for the slower of the two, not for both. A failed batch is no failure here: the
        one-by-one resolution asks again and reports honestly.
        """
        pending = [r for r in references if r.parsed or r.raw.strip()]
        batches: list[tuple[WorkSource, Callable[..., None], list[Reference]]] = []
        for source in self.sources:
            prefetch = getattr(source, "prefetch", None)
            if prefetch is not None:
                batches.append((source, prefetch, pending))
            elif not is_remote(source):
                pending = [r for r in pending if not _holds_doi(source, r)]
        batches = [b for b in batches if b[2]]
        if len(batches) == 1:
            self._prefetch_one(*batches[0])
            return
        pool = ThreadPoolExecutor(max_workers=max(1, len(batches)))
        try:
            for future in [pool.submit(self._prefetch_one, *batch) for batch in batches]:
                future.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # interrupted: do not wait for the rest
            raise
        pool.shutdown(wait=True)

    @staticmethod
    def _prefetch_one(source: WorkSource, prefetch: Callable[..., None], references: list[Reference]) -> None:
        try:
            prefetch(references, lambda key: False, lambda key, answer: None)
        except (SourceUnavailable, NotCovered) as error:
            log.debug("%s: prefetch gave up (%s); references are asked one by one", source.name, error)

    def resolve_all(self, references: Sequence[Reference], progress: Progress | None = None) -> list[Resolution]:
        """One resolution per reference, in the same order. Threads only wait on the network."""
        self.prefetch(references)
        if self.jobs == 1 or len(references) < 2:
            results = []
            for index, reference in enumerate(references, 1):
                results.append(self.resolve(reference))
                if progress:
                    progress(index, len(references))
            return results
        done = 0
        results_by_index: dict[int, Resolution] = {}
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {pool.submit(self.resolve, ref): i for i, ref in enumerate(references)}
            for future in as_completed(futures):
                results_by_index[futures[future]] = future.result()
                done += 1
                if progress:
                    progress(done, len(references))
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or failed: drop the references not yet started.
            # `with ThreadPoolExecutor` would wait for every queued one to be resolved first.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return [results_by_index[i] for i in range(len(references))]

    # --- one reference ------------------------------------------------------------------------

    def resolve(self, reference: Reference) -> Resolution:
        """Resolve one reference: its DOI first when it has a valid one, else its PMID or PMCID,
        then a bibliographic search."""
        if not reference.parsed and not reference.raw.strip():
            return Resolution(reference.id, ResolutionStatus.SKIPPED)
        doi = reference_doi(reference)
        if doi:
            return self._resolve_by_doi(reference, doi)
        kind, identifier = reference_pubmed_id(reference)
        if kind and any(_offers(s, f"lookup_{kind}") for s in self.sources):
            return self._resolve_by_pubmed_id(reference, kind, identifier)
        return self._resolve_by_search(reference)

    def _ask(self, answers: _Answers, source: WorkSource, ask: Callable[[], Work | None]) -> Work | None:
        answers.asked.append(source.name)
        try:
            found = ask()
        except NotCovered as why:
            answers.declined(why)
            return None
        except SourceUnavailable as error:
            self._failed(source, error, answers.failures)
            return None
        if found is None:
            answers.nothing(source)
        return found

    def _resolve_by_doi(self, reference: Reference, doi: str) -> Resolution:
        answers = _Answers()
        found: Work | None = None
        decider = ""
        for source in self.sources:
            found = self._ask(answers, source, lambda s=source: s.lookup_doi(doi))  # type: ignore[misc]
            if found is not None:
                decider = source.name
                break
        if found is not None:
            if same_work(reference.csl, reference.raw, found):
                return Resolution(
                    reference.id, ResolutionStatus.MATCHED, work=found, confidence=1.0, method="doi",
                    evidence=(f"DOI {doi} found in {decider}", "record agrees with the reference"),
                    sources=tuple(answers.asked), decided_by=decider, not_covered=tuple(answers.not_covered),
                )
            # The DOI belongs to another work: find the one the reference describes, if any.
            return _searched_instead(
                self._resolve_by_search(reference), "doi-mismatch",
                f"DOI {doi} belongs to another work: {found.title[:80]}", answers, decider, doi_work=found,
            )
        if answers.failures:
            # The DOI may well exist: a failed source cannot say it does not.
            searched = self._resolve_by_search(reference)
            if searched.status is ResolutionStatus.MATCHED:
                return searched
            return Resolution(
                reference.id, ResolutionStatus.UNVERIFIED, method="doi",
                sources=tuple(answers.asked), failures=tuple(answers.failures) + searched.failures,
                not_covered=tuple(answers.not_covered),
            )
        if not answers.absent:
            if answers.unchecked:
                # Only partial sources (or none, offline) were asked: the DOI may well be
                # registered. The work may still be found by search.
                searched = self._resolve_by_search(reference)
                if searched.status is ResolutionStatus.MATCHED:
                    return searched
                return replace(answers.settled(reference.id, "doi"),
                               sources=tuple(dict.fromkeys([*answers.asked, *searched.sources])))
            # No source asked covers this DOI (another agency's, one not among the sources).
            return answers.settled(reference.id, "doi", (f"no source asked can verify DOI {doi}",))
        # The sources that cover the DOI answered that it is not registered: find the work itself.
        deciders = ", ".join(dict.fromkeys(answers.absent))
        return _searched_instead(
            self._resolve_by_search(reference), "doi-unknown",
            f"DOI {doi} is registered nowhere ({deciders}: not found)", answers, deciders,
        )

    def _resolve_by_pubmed_id(self, reference: Reference, kind: str, identifier: str) -> Resolution:
        label = kind.upper()
        answers = _Answers()
        found: Work | None = None
        decider = ""
        for source in self.sources:
            if not _offers(source, f"lookup_{kind}"):
                continue
            look = getattr(source, f"lookup_{kind}")
            found = self._ask(answers, source, lambda look=look: look(identifier))  # type: ignore[misc]
            if found is not None:
                decider = source.name
                break
        if found is not None and same_work(reference.csl, reference.raw, found):
            return Resolution(
                reference.id, ResolutionStatus.MATCHED, work=found, confidence=1.0, method=kind,
                evidence=(f"{label} {identifier} found in {decider}", "record agrees with the reference"),
                sources=tuple(answers.asked), decided_by=decider, not_covered=tuple(answers.not_covered),
            )
        if found is not None:
            reason, method = f"{label} {identifier} belongs to another work: {found.title[:80]}", f"{kind}-mismatch"
        elif answers.failures:
            reason, method = f"{label} {identifier} could not be looked up", kind
        elif answers.absent:
            reason, method = f"{label} {identifier} is not in {', '.join(answers.absent)}", f"{kind}-unknown"
        else:
            reason, method = f"no source asked can look up {label} {identifier}", kind
        searched = _searched_instead(self._resolve_by_search(reference), method, reason, answers, decider)
        if answers.failures and searched.status is not ResolutionStatus.MATCHED:
            return replace(searched, status=ResolutionStatus.UNVERIFIED, work=None, decided_by="")
        return searched

    def _resolve_by_search(self, reference: Reference) -> Resolution:
        query = bibliographic_query(reference.csl, reference.raw)
        answers = _Answers()
        best: tuple[MatchDecision, str] | None = None
        if not query.strip():
            return Resolution(reference.id, ResolutionStatus.SKIPPED, method="search")
        for source in self.sources:
            answers.asked.append(source.name)
            try:
                decision = _decision(source, reference, query)
            except NotCovered as why:
                answers.declined(why)
                continue
            except SourceUnavailable as error:
                self._failed(source, error, answers.failures)
                continue
            if decision.status == "matched":
                return Resolution(
                    reference.id, ResolutionStatus.MATCHED, work=decision.work,
                    confidence=decision.confidence, method="search", evidence=decision.evidence,
                    candidates=tuple(c for c in decision.candidates if decision.work is None or c.doi != decision.work.doi),
                    sources=tuple(answers.asked), failures=tuple(answers.failures), decided_by=source.name,
                    not_covered=tuple(answers.not_covered),
                )
            if decision.status == "ambiguous":
                if best is None or decision.confidence > best[0].confidence:
                    best = (decision, source.name)
            else:
                answers.nothing(source)
        if best is not None:
            decision, decider = best
            return Resolution(
                reference.id, ResolutionStatus.AMBIGUOUS, work=None, confidence=decision.confidence,
                method="search", evidence=decision.evidence, candidates=decision.candidates,
                sources=tuple(answers.asked), failures=tuple(answers.failures), decided_by=decider,
                not_covered=tuple(answers.not_covered),
            )
        if answers.failures:
            return Resolution(reference.id, ResolutionStatus.UNVERIFIED, method="search",
                              sources=tuple(answers.asked), failures=tuple(answers.failures),
                              not_covered=tuple(answers.not_covered))
        return answers.settled(reference.id, "search")


def _offers(source: WorkSource, method: str) -> bool:
    """True when a source offers a kind of lookup (a cache wrapper offers what its source does)."""
    offers = getattr(source, "offers", None)
    return bool(offers(method)) if callable(offers) else hasattr(source, method)


def _decision(source: WorkSource, reference: Reference, query: str) -> MatchDecision:
    """The matcher's decision on one source's candidates: from its citation matcher (PubMed)
    when it has one, else its blocking keys and search (`match_in`)."""
    if _offers(source, "candidates_for"):
        return decide(reference.csl, reference.raw, list(source.candidates_for(reference)))  # type: ignore[attr-defined]
    return match_in(source, reference.csl, reference.raw, query)


def match_in(
    source: WorkSource, csl: CslItem, raw: str, query: str | None = None, examined: list[Work] | None = None
) -> MatchDecision:
    """The matcher's decision on a reference's candidates from one source.

    A source with blocking keys (`candidates(csl, raw)`, see `citecheck.references.blocking`)
    is asked for those first; only when none of them is a match is it searched as well
    (`search(query, rows=5)`), and the decision is made over both. `decide` judges every
    candidate either way. Every candidate judged is appended to `examined` when given.
    Raises SourceUnavailable when the source cannot answer.
    """
    query = bibliographic_query(csl, raw) if query is None else query
    keyed: list[Work] = []
    by_keys = getattr(source, "candidates", None)
    if callable(by_keys):
        keyed = by_keys(csl, raw)
        if keyed:
            decision = decide(csl, raw, keyed)
            if decision.status == "matched":
                if examined is not None:
                    examined.extend(keyed)
                return decision
    candidates = [*keyed, *source.search(query, rows=5)]
    if examined is not None:
        examined.extend(candidates)
    return decide(csl, raw, candidates)


def _holds_doi(source: WorkSource, reference: Reference) -> bool:
    """True when a (local) source holds the reference's DOI; any failure counts as not held."""
    doi = reference_doi(reference)
    if not doi:
        return False
    try:
        return source.lookup_doi(doi) is not None
    except Exception:  # a local source failing is the one-by-one pass's business, not the batch's
        return False


def _searched_instead(
    searched: Resolution, method: str, reason: str, answers: _Answers, decider: str, doi_work: Work | None = None
) -> Resolution:
    """The outcome of searching for a reference whose identifier did not settle it (unknown, or
    another work's): the search's verdict, with why the identifier was set aside first in the
    evidence. Who decided: the search's source for a match, else the identifier's and the
    search's deciders together."""
    if searched.status is ResolutionStatus.MATCHED:
        decided_by = searched.decided_by
    else:
        names = [n.strip() for part in (decider, searched.decided_by) for n in part.split(",") if n.strip()]
        decided_by = ", ".join(dict.fromkeys(names))
    return Resolution(
        searched.reference_id,
        searched.status,
        work=searched.work,
        confidence=searched.confidence,
        method=method,
        evidence=(reason,) + searched.evidence,
        candidates=searched.candidates,
        doi_work=doi_work,
        sources=tuple(dict.fromkeys([*answers.asked, *searched.sources])),
        failures=tuple(answers.failures) + searched.failures,
        decided_by=decided_by,
        not_covered=tuple(dict.fromkeys([*answers.not_covered, *searched.not_covered])),
        absent_as_of=searched.absent_as_of if searched.status is ResolutionStatus.NOT_FOUND else "",
    )
