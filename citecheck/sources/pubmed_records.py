"""PubMed's XML (EFetch `PubmedArticleSet`) turned into `Work` values, and the other small NCBI
replies (ECitMatch lines, the PMC ID converter's JSON) read.

The only module that knows PubMed's element names. What a record becomes:

* the journal: `Journal/Title` as `container_title`; MEDLINE's abbreviations (`ISOAbbreviation`,
  `MedlineJournalInfo/MedlineTA`, e.g. `J Clin Oncol`) as `short_container_titles`, which the
  metadata checks accept as the same journal;
* retractions, corrections and expressions of concern, from `CommentsCorrections` (`RetractionIn`,
  `ErratumIn`, `ExpressionOfConcernIn`: this record is updated by a notice; `RetractionOf`,
  `ErratumFor`, `ExpressionOfConcernFor`: this record is the notice) and from the publication
  type `Retracted Publication`: the same `Update` values as Crossref's `updated-by`, so the same
  rules (U001–U004) report them.

Only the article's own identifiers are read: `PubmedData/ArticleIdList` directly, never the
identifiers of the works in its `ReferenceList`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from citecheck.model import Name, Reference, Update, Work
from citecheck.references.doi import find_dois, normalize_doi
from citecheck.references.normalize import first_page
from citecheck.sources.base import Malformed, Refused

SOURCE = "pubmed"
"""The source name PubMed's works carry."""

#: CommentsCorrections types saying a notice updates this record → Crossref's update types.
UPDATED_BY = {"RetractionIn": "retraction", "ErratumIn": "correction", "ExpressionOfConcernIn": "expression_of_concern"}
#: CommentsCorrections types saying this record is itself the notice for another.
UPDATE_TO = {"RetractionOf": "retraction", "ErratumFor": "correction", "ExpressionOfConcernFor": "expression_of_concern"}
#: Publication types that mark a retracted record even where no RetractionIn names the notice.
RETRACTED_TYPES = frozenset({"Retracted Publication"})

_SPACES = re.compile(r"\s+")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")  # NLM's "(San Diego, Calif. : 1997)", "(New York, N.Y.)"
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


@dataclass(frozen=True, slots=True)
class ArticleSet:
    """What one EFetch reply held."""

    works: dict[str, Work]
    """Journal articles by PMID."""
    books: frozenset[str]
    """PMIDs of book records (`PubmedBookArticle`), which are not read."""


def _text(element: ET.Element | None) -> str:
    """All text inside an element (inline markup such as <i> kept as text), whitespace collapsed."""
    if element is None:
        return ""
    return _SPACES.sub(" ", "".join(element.itertext())).strip()


def _title(text: str) -> str:
    """MEDLINE titles end with a period, and translated titles stand in brackets: drop both."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]."):
        text = text[1:-2]
    elif text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _year(date: ET.Element | None) -> int | None:
    if date is None:
        return None
    match = _YEAR.search(_text(date.find("Year")) or _text(date.find("MedlineDate")))
    return int(match.group(1)) if match else None


def _authors(article: ET.Element) -> tuple[Name, ...]:
    names: list[Name] = []
    for author in article.findall("AuthorList/Author"):
        if author.get("ValidYN", "Y") != "Y":
            continue
        collective = _text(author.find("CollectiveName"))
        family = _text(author.find("LastName"))
        if family:
            given = _text(author.find("ForeName")) or _text(author.find("Initials"))
            names.append(Name(family=family, given=given))
        elif collective:
            names.append(Name(literal=collective))
    return tuple(names)


def _pages(article: ET.Element) -> str:
    medline = _text(article.find("Pagination/MedlinePgn"))
    if medline:
        return medline
    start, end = _text(article.find("Pagination/StartPage")), _text(article.find("Pagination/EndPage"))
    return f"{start}-{end}" if start and end else start


def _own_ids(record: ET.Element) -> dict[str, str]:
    """The article's own identifiers (PubmedData/ArticleIdList), first of each type."""
    ids: dict[str, str] = {}
    for item in record.findall("PubmedData/ArticleIdList/ArticleId"):
        kind, value = item.get("IdType", ""), _text(item)
        if kind and value and kind not in ids:
            ids[kind] = value
    return ids


def _notice(item: ET.Element, kind: str) -> Update:
    source_text = _text(item.find("RefSource"))
    dois = find_dois(source_text)
    return Update(kind=kind, doi=dois[0] if dois else "", source=SOURCE, pmid=_text(item.find("PMID")))


def _updates(citation: ET.Element, types: tuple[str, ...]) -> tuple[tuple[Update, ...], tuple[Update, ...]]:
    updated_by: list[Update] = []
    update_to: list[Update] = []
    for item in citation.findall("CommentsCorrectionsList/CommentsCorrections"):
        ref_type = item.get("RefType", "")
        if ref_type in UPDATED_BY:
            updated_by.append(_notice(item, UPDATED_BY[ref_type]))
        elif ref_type in UPDATE_TO:
            update_to.append(_notice(item, UPDATE_TO[ref_type]))
    if RETRACTED_TYPES.intersection(types) and not any(u.kind == "retraction" for u in updated_by):
        # Marked retracted, the notice not named: still a retraction.
        updated_by.append(Update(kind="retraction", doi="", source=SOURCE))
    return tuple(updated_by), tuple(update_to)


def work_from_article(record: ET.Element) -> Work | None:
    """A `Work` from one `PubmedArticle` element; None when it has no PMID."""
    citation = record.find("MedlineCitation")
    if citation is None:
        return None
    pmid = _text(citation.find("PMID"))
    article = citation.find("Article")
    if not pmid or article is None:
        return None
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    ids = _own_ids(record)
    doi = ids.get("doi", "")
    if not doi:
        for location in article.findall("ELocationID"):
            if location.get("EIdType") == "doi" and location.get("ValidYN", "Y") == "Y":
                doi = _text(location)
                break
    year = _year(issue.find("PubDate")) if issue is not None else None
    electronic = {_year(date) for date in article.findall("ArticleDate")} - {None, year}
    short = [_text(journal.find("ISOAbbreviation")) if journal is not None else "",
             _text(citation.find("MedlineJournalInfo/MedlineTA"))]
    types = tuple(_text(t) for t in article.findall("PublicationTypeList/PublicationType"))
    updated_by, update_to = _updates(citation, types)
    return Work(
        doi=normalize_doi(doi) if doi else "",
        title=_title(_text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))),
        authors=_authors(article),
        # NLM tells journals of one name apart by place and year: not part of the name as cited.
        container_title=_QUALIFIER.sub("", _text(journal.find("Title"))) if journal is not None else "",
        short_container_titles=tuple(dict.fromkeys(s for s in short if s)),
        year=year,
        other_years=tuple(sorted(y for y in electronic if y is not None)),
        volume=_text(issue.find("Volume")) if issue is not None else "",
        issue=_text(issue.find("Issue")) if issue is not None else "",
        page=_pages(article),
        type="journal-article",
        issn=tuple(_text(i) for i in journal.findall("ISSN")) if journal is not None else (),
        abstract=" ".join(_text(a) for a in article.findall("Abstract/AbstractText")),
        updated_by=updated_by,
        update_to=update_to,
        source=SOURCE,
        pmid=pmid,
        pmcid=ids.get("pmc", "").upper(),
    )


def parse_article_set(body: bytes) -> ArticleSet:
    """Every journal article of an EFetch reply; Malformed for anything that is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise Malformed(f"not XML ({error})") from error
    if root.tag != "PubmedArticleSet":
        detail = _text(root.find("ERROR")) if root.find("ERROR") is not None else root.tag
        raise Malformed(f"not a PubmedArticleSet ({detail[:80]})")
    works: dict[str, Work] = {}
    books: set[str] = set()
    for record in root.findall("PubmedArticle"):
        work = work_from_article(record)
        if work is not None:
            works[work.pmid] = work
    for book in root.findall("PubmedBookArticle"):
        pmid = _text(book.find("BookDocument/PMID"))
        if pmid:
            books.add(pmid)
    return ArticleSet(works, frozenset(books))


# --- ECitMatch ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CitationLine:
    """One citation for ECitMatch: `journal|year|volume|first page|author|key|`."""

    journal: str
    year: str
    volume: str
    first_page: str
    author: str
    key: str

    def text(self) -> str:
        """The line as ECitMatch reads it."""
        return "|".join((self.journal, self.year, self.volume, self.first_page, self.author, self.key)) + "|"

    def question(self) -> str:
        """The line without its key: what is asked (and cached), whatever the key."""
        return "|".join((self.journal, self.year, self.volume, self.first_page, self.author))


_LINE_UNSAFE = re.compile(r"[^\w\s&'-]+")  # the separators (| and line breaks) and punctuation
#: CSL types ECitMatch can find (journal articles; an untyped reference is tried too).
_JOURNAL_TYPES = frozenset({"", "article-journal", "article"})


def _clean(text: Any) -> str:
    """A citation-line field: lower case, no separators or punctuation, single spaces."""
    if isinstance(text, list):
        text = text[0] if text else ""
    return _SPACES.sub(" ", _LINE_UNSAFE.sub(" ", str(text or ""))).strip().lower()


def citation_line(reference: Reference, key: str = "") -> CitationLine | None:
    """The ECitMatch line for a journal reference, or None when it lacks journal, year, volume
    or first page (the matcher needs them; the first author is sent when known)."""
    csl = reference.csl
    if str(csl.get("type", "") or "") not in _JOURNAL_TYPES:
        return None
    year = ""
    issued = csl.get("issued")
    if isinstance(issued, dict):
        try:
            year = str(int(issued["date-parts"][0][0]))
        except (KeyError, IndexError, TypeError, ValueError):
            year = ""
    page = first_page(str(csl.get("page", "") or ""))
    author = ""
    authors = csl.get("author")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        first = authors[0]
        family = _clean(first.get("family") or first.get("literal") or "")
        initials = "".join(part[0] for part in _clean(first.get("given", "")).replace("-", " ").split() if part)
        author = f"{family} {initials}".strip()
    line = CitationLine(_clean(csl.get("container-title")), year, _clean(csl.get("volume")), _clean(page), author,
                        _clean(key))
    if not (line.journal and line.year and line.volume and line.first_page):
        return None
    return line


def parse_citation_matches(body: bytes) -> dict[str, str]:
    """ECitMatch's reply: key → the PMID found, or the verdict (`NOT_FOUND`,
    `NOT_FOUND;INVALID_JOURNAL`, `AMBIGUOUS …`) for each line; Malformed when it is not that."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Malformed("not text") from error
    results: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < 7 or "<" in line:
            raise Malformed("not citation-matcher lines")
        results[fields[5]] = fields[6].strip()
    return results


# --- the PMC ID converter -----------------------------------------------------------------------


def parse_id_conversions(body: bytes) -> dict[str, str]:
    """The PMC ID converter's JSON: PMCID (upper case) → PMID, for every record that has both."""
    try:
        data: Any = json.loads(body)
    except ValueError as error:
        raise Malformed("not JSON") from error
    if not isinstance(data, dict):
        raise Malformed("not a JSON object")
    if data.get("status") == "error":
        raise Refused(str(data.get("message", "error"))[:120])
    records = data.get("records")
    if not isinstance(records, list):
        raise Malformed("no records")
    found: dict[str, str] = {}
    for record in records:
        if isinstance(record, dict) and record.get("pmcid") and record.get("pmid"):
            found[str(record["pmcid"]).upper()] = str(record["pmid"])
    return found
