"""NCBI's services for the replay server (tests/replay_server.py): E-utilities EFetch and
ECitMatch, and the PMC ID converter, answered from the recorded replies in tests/fixtures/ncbi/.

* EFetch (`/entrez/eutils/efetch.fcgi?db=pubmed&id=…`): the recorded reply itself when the IDs
  asked are exactly a recorded request's; otherwise the recorded `<PubmedArticle>` elements of
  the IDs asked, in the order asked, inside the recorded reply's own `PubmedArticleSet` wrapper.
  IDs no recording holds are left out (an EFetch reply for an unknown PMID was not recorded; the
  set simply lacks it).
* ECitMatch (`/entrez/eutils/ecitmatch.cgi?…&bdata=…`): the recorded reply when `bdata` is exactly a
  recorded request's; otherwise each line is matched, as NCBI's matcher does, against the
  recorded articles (journal as title or MEDLINE abbreviation, year, volume, first page, first
  author when given) and answered in the recorded line format: the line echoed with the PMID,
  `NOT_FOUND`, or `NOT_FOUND;INVALID_JOURNAL` (author field emptied, as recorded) for a journal
  no recording has.
* The PMC ID converter (`/pmc/utils/idconv/v1.0/?ids=…&format=json`): the recorded reply for
  exactly its request; otherwise records for the IDs (PMCID, PMID or DOI) of the recorded
  articles, in the recorded reply's envelope. IDs no recording holds are left out (a "not in
  PMC" reply was not recorded).

Limits: 3 requests a second for all NCBI paths together, 10 with an `api_key` parameter.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.replay_server import ClassLimit, Handler

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ncbi"
"""The recorded NCBI replies copied into the test tree (see its README.md)."""

_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.DOTALL)
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


@dataclass(frozen=True)
class Article:
    """One recorded PubmedArticle: its bytes as recorded, the reply it came from, and what the
    matcher compares (read with ElementTree, independently of citecheck's own parser)."""

    pmid: str
    xml: bytes
    source: Path
    journals: frozenset[str]
    year: str
    volume: str
    first_page: str
    authors: tuple[str, ...]
    pmcid: str
    doi: str
    title: str = ""
    """ArticleTitle as recorded."""
    abbreviation: str = ""
    """The journal's ISO abbreviation."""
    issue: str = ""
    pages: str = ""
    """MedlinePgn as recorded (`244-55`)."""
    names: tuple[str, ...] = ()
    """Authors as a Vancouver list writes them: LastName and Initials (`Li YJ`)."""
    corrected: bool = False
    """The record names an erratum for it (CommentsCorrections RefType="ErratumIn")."""

    def reference(self, with_pmid: bool = False) -> str:
        """A Vancouver-style reference string made of the recorded fields (nothing typed by hand)."""
        names = ", ".join(self.names[:3]) + (", et al" if len(self.names) > 3 else "")
        pmid = f" PMID: {self.pmid}." if with_pmid else ""
        return f"{names}. {self.title} {self.abbreviation}. {self.year};{self.volume}({self.issue}):{self.pages}.{pmid}"


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _article(xml: bytes, source: Path) -> Article:
    root = ET.fromstring(xml)
    citation = root.find("MedlineCitation")
    journal = citation.find("Article/Journal")
    names = {_text(journal.find("Title")), _text(journal.find("ISOAbbreviation")),
             _text(citation.find("MedlineJournalInfo/MedlineTA"))}
    names |= {re.sub(r"\s*\([^()]*\)\s*$", "", n) for n in names}
    ids = {i.get("IdType"): _text(i) for i in reversed(root.findall("PubmedData/ArticleIdList/ArticleId"))}
    first_page = _text(citation.find("Article/Pagination/StartPage")) or \
        _text(citation.find("Article/Pagination/MedlinePgn")).split("-")[0]
    return Article(
        pmid=_text(citation.find("PMID")), xml=xml, source=source,
        journals=frozenset(_norm(n) for n in names if n),
        year=_text(journal.find("JournalIssue/PubDate/Year")) or _text(journal.find("JournalIssue/PubDate/MedlineDate"))[:4],
        volume=_text(journal.find("JournalIssue/Volume")), first_page=first_page,
        authors=tuple(_norm(_text(a.find("LastName"))) for a in citation.findall("Article/AuthorList/Author")),
        pmcid=ids.get("pmc", ""), doi=ids.get("doi", ""),
        title=_text(citation.find("Article/ArticleTitle")), abbreviation=_text(journal.find("ISOAbbreviation")),
        issue=_text(journal.find("JournalIssue/Issue")), pages=_text(citation.find("Article/Pagination/MedlinePgn")),
        names=tuple(f"{_text(a.find('LastName'))} {_text(a.find('Initials'))}".strip()
                    for a in citation.findall("Article/AuthorList/Author") if a.find("LastName") is not None),
        corrected=any(c.get("RefType") == "ErratumIn"
                      for c in citation.findall("CommentsCorrectionsList/CommentsCorrections")),
    )


def recorded_articles(directory: Path = FIXTURES) -> dict[str, Article]:
    """Every recorded PubmedArticle of the EFetch replies in `directory`, by PMID."""
    articles: dict[str, Article] = {}
    for path in sorted(directory.glob("efetch_*.xml")):
        for match in _ARTICLE.finditer(path.read_bytes()):
            article = _article(match.group(0), path)
            articles[article.pmid] = article
    return articles


def _recorded_requests(directory: Path, service: str) -> dict[str, Path]:
    """`bdata` or `ids` of each recorded request of the INDEX → its body file."""
    table: dict[str, Path] = {}
    index = directory / "INDEX.tsv"
    for line in index.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 3 or "[POST" in fields[2]:
            continue
        query = parse_qs(urlsplit(fields[2]).query.replace("+", "%2B"), keep_blank_values=True)
        param = "bdata" if service == "ecitmatch" else "ids"
        if param in query:
            value = query[param][0].replace("%2B", "+").replace("+", " ")
            table[value] = directory / Path(fields[1]).name
    return table


class NcbiService:
    """EFetch, ECitMatch and the PMC ID converter, from recorded replies."""

    name = "ncbi"

    def __init__(self, directory: Path = FIXTURES, enforce: bool = True) -> None:
        self.articles = recorded_articles(directory)
        """The recorded articles by PMID."""
        self._files = {path: path.read_bytes() for path in sorted(directory.glob("efetch_*.xml"))}
        self._sets = {tuple(a.pmid for a in self.articles.values() if a.source == path): path for path in self._files}
        self._citmatch = _recorded_requests(directory, "ecitmatch")
        self._idconv = _recorded_requests(directory, "idconv")
        self._envelope = json.loads((directory / "idconv_doi_10.1038_ng.590.json").read_text(encoding="utf-8"))
        self.limits: dict[str, ClassLimit] = {"ncbi": ClassLimit(3), "ncbi-key": ClassLimit(10)} if enforce else {}
        self.concurrency: int | None = None

    def kind(self, path: str, query: dict[str, list[str]]) -> str | None:
        """Every NCBI request is one class (`ncbi-key` with an API key, which allows 10/s)."""
        if path.startswith("/entrez/eutils/") or path.startswith("/pmc/utils/idconv/"):
            return "ncbi-key" if query.get("api_key") else "ncbi"
        return None

    def answer(self, handler: Handler, path: str, query: dict[str, list[str]], kind: str) -> None:
        """Route to the E-utility asked."""
        if path.endswith("/efetch.fcgi"):
            self._efetch(handler, query)
        elif path.endswith("/ecitmatch.cgi"):
            self._ecitmatch(handler, query)
        elif path.startswith("/pmc/utils/idconv/"):
            self._idconv_reply(handler, query)
        else:
            handler.send(404, b"Not Found", "text/plain")

    def _efetch(self, handler: Handler, query: dict[str, list[str]]) -> None:
        ids = [i.strip() for i in query.get("id", [""])[0].split(",") if i.strip()]
        exact = self._sets.get(tuple(ids))
        if exact is not None:
            handler.send(200, self._files[exact], "text/xml; charset=UTF-8")
            return
        known = [self.articles[i] for i in ids if i in self.articles]
        template = self._files[known[0].source] if known else next(iter(self._files.values()))
        head = template[: template.index(b"<PubmedArticle>")]
        tail = template[template.rindex(b"</PubmedArticle>") + len(b"</PubmedArticle>"):]
        handler.send(200, head + b"".join(a.xml for a in known) + tail, "text/xml; charset=UTF-8")

    def _ecitmatch(self, handler: Handler, query: dict[str, list[str]]) -> None:
        bdata = query.get("bdata", [""])[0]
        recorded = self._citmatch.get(bdata.replace("+", " "))
        if recorded is not None:
            handler.send(200, recorded.read_bytes(), "text/plain")
            return
        lines = [line for line in re.split(r"[\r\n]+", bdata) if line.strip()]
        handler.send(200, "".join(self._match(line) + "\n" for line in lines).encode(), "text/plain")

    def _match(self, line: str) -> str:
        fields = (line.split("|") + [""] * 6)[:6]
        journal, year, volume, page, author, key = (f.strip() for f in fields)
        wanted = _norm(journal)
        in_journal = [a for a in self.articles.values() if wanted in a.journals]
        if not in_journal:
            return f"{journal}|{year}|{volume}|{page}||{key}|NOT_FOUND;INVALID_JOURNAL"
        family = _norm(author).split(" ")[0] if author.strip() else ""
        hits = [a for a in in_journal if a.year == year and a.volume == volume and a.first_page.lower() == page.lower()
                and (not family or any(name.startswith(family) for name in a.authors[:1]))]
        verdict = hits[0].pmid if len(hits) == 1 else "NOT_FOUND"
        return f"{journal}|{year}|{volume}|{page}|{author}|{key}|{verdict}"

    def _idconv_reply(self, handler: Handler, query: dict[str, list[str]]) -> None:
        ids = query.get("ids", [""])[0]
        recorded = self._idconv.get(ids)
        if recorded is not None:
            status = 404 if b'"error"' in recorded.read_bytes() else 200
            handler.send(status, recorded.read_bytes(), "application/json; charset=ISO-8859-1")
            return
        records = []
        for wanted in (i.strip() for i in ids.split(",") if i.strip()):
            for article in self.articles.values():
                if wanted.upper() in (article.pmcid.upper(), article.pmid) or wanted.lower() == article.doi.lower():
                    if article.pmcid:
                        records.append({"pmcid": article.pmcid, "pmid": article.pmid, "doi": article.doi})
                    break
        reply = {**self._envelope, "records": records}
        handler.send(200, json.dumps(reply, indent=1).encode(), "application/json; charset=ISO-8859-1")
