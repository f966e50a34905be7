"""The values that flow through an audit: where things are, what was cited, what was listed,
what the registry holds, and how each reference was resolved.

Every class here is a frozen, slotted dataclass: the pipeline passes values, never shared
mutable state, so readers, sources and checks can be tested in isolation.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

#: A CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html), the
#: ecosystem's exchange format for one bibliographic item.
CslItem = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a source file."""

    path: str
    """The file, as the user named it (relative paths stay relative)."""
    line: int
    """1-based line number of the first character."""
    column: int
    """1-based column (in characters) of the first character."""
    start: int = 0
    """Offset of the first character in the file's decoded text."""
    end: int = 0
    """Offset just past the last character."""
    page: int | None = None
    """1-based page of a paged document (PDF), else None. `line` is then the line on that page,
    counted in reading order (both columns, running header and page number not counted), and
    `start`/`end` are offsets in the text citecheck extracted from the PDF."""

    def __str__(self) -> str:
        return f"{self.path}:{self.position}"

    @property
    def position(self) -> str:
        """Where in the file, without the path: `12:5` (line and column), or `p3:l12` (page and
        line on the page) in a PDF."""
        if self.page is not None:
            return f"p{self.page}:l{self.line}"
        return f"{self.line}:{self.column}"


class CitationStyle(str, Enum):
    """How a citation points at its entries."""

    NUMERIC = "numeric"
    """By the entry's number: `[1]`, `.1`, `¹`."""
    KEY = "key"
    """By a key into a bibliography database: `\\cite{key}`, `[@key]`."""
    AUTHOR_YEAR = "author-year"
    """By names and year in running text: `(Smith, 2019)`."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One in-text citation marker, which may point at several entries."""

    span: Span
    """Where the marker stands."""
    text: str
    """The marker exactly as written (`.2,3`, `[2-4]`, `¹⁻³`)."""
    targets: tuple[str, ...]
    """Ids of the entries it points to, ranges expanded, in the order written."""
    style: CitationStyle = CitationStyle.NUMERIC
    """How it points at them."""
    names: tuple[str, ...] = ()
    """Author-year style: the names as written (`("Smith", "Jones")`, `("American Cancer
    Society",)`), without `et al.`; empty for other styles."""
    year: str = ""
    """Author-year style: the year as written, with its suffix (`2020a`, `n.d.`, `in press`)."""
    et_al: bool = False
    """Author-year style: the names end in `et al.`."""
    form: str = ""
    """Numeric style: how the marker is written, `bracket` (`[12]`), `paren` (`(12)`),
    `superscript` (`¹²`, `^12^`, `<sup>12</sup>`, or digits closing a sentence, `cancer.12 The`,
    as a superscript reads once pasted), `glued` (digits glued to a word or inside a sentence,
    `trials12`, `shown,12`) or `bare` (a range standing alone, `fixation 17–20.`, at most an
    uncertain citation); author-year style: `weak` for shapes kept only when they fit an entry.
    Empty when the reader does not say."""
    uncertain: bool = False
    """In a form the document does not cite in and naming only entries nothing else cites:
    taken as their citation, with an `uncertain-citation` finding (`citecheck.checks.style`)."""
    tagged: tuple[str, ...] = ()
    """JATS: the ids the markup (`<xref rid>`) points at, ranges expanded, when they differ
    from `targets` because the printed citation names other entries (a mis-tagged xref);
    empty otherwise."""


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry of a reference list as it stands in the document, before parsing."""

    text: str
    """The entry's text without its label, wrapped lines joined by single spaces."""
    span: Span
    """Where the entry (label included) starts."""
    number: int | None = None
    """The entry's number when the list is numbered (`1`, `[1]`, `1.`, `1)`)."""
    label: str = ""
    """The label exactly as written (`1`, `[1]`, `1.`)."""
    id: str = ""
    """The id the document itself gives the entry, which its citations use (JATS `<ref id>`);
    empty when entries are known by number or by a key made from their fields."""
    fields: CslItem | None = None
    """Fields the document tags (JATS `<element-citation>`, tagged parts of a
    `<mixed-citation>`), as CSL-JSON; they win over what the parser reads from `text`."""
    structured: bool = False
    """True when `fields` are the whole entry (JATS `<element-citation>`): `text` is a rendering
    of them and is not parsed."""
    et_al: bool = False
    """The document marks the author list as truncated (JATS `<etal/>`)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a reference list or bibliography database."""

    id: str
    """The id citations use: the number as a string (`"2"`) or the database key."""
    raw: str
    """The entry's text as written, wrapped lines joined by single spaces."""
    csl: CslItem
    """The entry parsed into CSL-JSON fields (empty fields are absent)."""
    span: Span | None = None
    """Where the entry stands, when it comes from the document itself."""
    number: int | None = None
    """Its number in a numbered list."""
    key: str = ""
    """A stable, readable BibTeX key (`robert2011ribbon`)."""
    parsed: bool = True
    """False when the parser could not make sense of the string; `raw` is then all there is."""
    et_al: bool = False
    """The author list is truncated (`et al.`, `and others`); CSL-JSON has no field for it."""


@dataclass(frozen=True, slots=True)
class Name:
    """A person or organisation named as author or editor."""

    family: str = ""
    """Family name, with particles (`van der Berg`)."""
    given: str = ""
    """Given names or initials as written (`N. J.`, `Nicholas J.`)."""
    literal: str = ""
    """An organisation or any name that cannot be split (`American Cancer Society`)."""

    def display(self) -> str:
        """The name as a person would write it in a message."""
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True, slots=True)
class Update:
    """A notice that changes the standing of a work: retraction, correction, concern, withdrawal."""

    kind: str
    """Crossref's update type: `retraction`, `correction`, `expression_of_concern`, `withdrawal`, …"""
    doi: str
    """The notice's DOI (normalised); empty when the notice is known only by its PMID."""
    date: str = ""
    """ISO date of the notice, where known."""
    source: str = ""
    """Who asserted it: `publisher`, `retraction-watch`, `pubmed`, …"""
    pmid: str = ""
    """The notice's PubMed identifier, where the notice is known by it (PubMed's comments and
    corrections name notices by PMID, not always with a DOI)."""


@dataclass(frozen=True, slots=True)
class Work:
    """A registry record, reduced to what citecheck compares and reports.

    Raw registry JSON never travels further than the source that fetched it; this is what it
    becomes.
    """

    doi: str
    """Normalised DOI (lower case, no resolver prefix); empty for a record without one (an older
    PubMed record)."""
    title: str = ""
    """Main title (subtitle appended after a colon where the registry keeps it apart)."""
    authors: tuple[Name, ...] = ()
    """Authors in order."""
    container_title: str = ""
    """Journal or book title, in full."""
    short_container_titles: tuple[str, ...] = ()
    """Abbreviated journal titles (`J Clin Oncol`)."""
    year: int | None = None
    """Year of the earliest publication date (`issued`)."""
    other_years: tuple[int, ...] = ()
    """Years of the other publication dates (print, online) where they differ from `year`."""
    volume: str = ""
    """Volume."""
    issue: str = ""
    """Issue."""
    page: str = ""
    """Page range as the registry writes it (`1252-1260`), or the first page."""
    type: str = ""
    """Crossref work type (`journal-article`, `book`, `book-chapter`, …)."""
    publisher: str = ""
    """Publisher."""
    issn: tuple[str, ...] = ()
    """ISSNs."""
    isbn: tuple[str, ...] = ()
    """ISBNs."""
    abstract: str = ""
    """Abstract as plain text, where the record has one."""
    updated_by: tuple[Update, ...] = ()
    """Notices that update this work (from its `updated-by`)."""
    update_to: tuple[Update, ...] = ()
    """Works that this record is itself a notice for (from its `update-to`)."""
    source: str = ""
    """Which source answered: `crossref`, `pubmed`, `datacite`, `snapshot:NAME`."""
    provenance: str = ""
    """Where the record came from when it is not a live registry answer (kept from `_provenance`)."""
    unverified_fields: tuple[str, ...] = ()
    """Fields the record's provenance marks as unverified or single-source."""
    pmid: str = ""
    """PubMed identifier, where the record carries one."""
    pmcid: str = ""
    """PubMed Central identifier (`PMC1234567`), where the record carries one."""
    cached_on: str = ""
    """ISO date the answer was stored in the answer cache, when it came from there (empty for an
    answer asked this run)."""


class ResolutionStatus(str, Enum):
    """How resolving a reference ended. Failures of the tool are kept apart from absences."""

    MATCHED = "matched"
    """One registry record is, with confidence, the work the reference describes."""
    AMBIGUOUS = "ambiguous"
    """More than one candidate fits, or one fits only in part."""
    NOT_FOUND = "not-found"
    """Every source answered, and none holds the work."""
    UNVERIFIED = "could-not-verify"
    """A source failed (network, rate limit, server error): nothing is known either way."""
    NOT_CHECKED = "not-checked"
    """Every source asked answered, but none of them holds the whole registry (the shipped
    snapshot, a partial one) and none holds the work: its absence there is no evidence."""
    SKIPPED = "skipped"
    """Resolution was not attempted (offline linking only, or the reference could not be parsed)."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the sources said about one reference."""

    reference_id: str
    """The `Reference.id` this is about."""
    status: ResolutionStatus
    """How it ended."""
    work: Work | None = None
    """The matched record, when `status` is MATCHED."""
    confidence: float = 0.0
    """0..1: how sure the matcher is that `work` is the referenced work."""
    method: str = ""
    """`doi` (looked up by the DOI the author gave) or `search` (matched by bibliographic search)."""
    evidence: tuple[str, ...] = ()
    """Human-readable reasons for the decision (`title 0.98`, `first author Robert`, …)."""
    candidates: tuple[Work, ...] = ()
    """Other records considered, best first (for ambiguous matches and DOI mismatches)."""
    doi_work: Work | None = None
    """The record of the DOI the author gave, when it turned out to be another work."""
    sources: tuple[str, ...] = ()
    """The sources asked, in order."""
    failures: tuple[str, ...] = ()
    """One line per source that failed (without credentials)."""
    absent_as_of: str = ""
    """For NOT_FOUND decided by complete snapshots alone (offline): the date (YYYY-MM-DD) they
    hold the registry as of, so the work is known absent as of then, not as of now."""
    decided_by: str = ""
    """The source whose answer decided the status: the one that held the matched record, or those
    that answered "not held" for a not-found reference (`crossref`, `pubmed`, `crossref, pubmed`);
    empty when nothing decided (could not verify, not checked)."""
    not_covered: tuple[str, ...] = ()
    """One line per source asked that could not speak to the reference (another agency's DOI, no
    such lookup, offline with nothing cached, a partial source's silence): neither evidence for
    nor against it."""


@dataclass(frozen=True, slots=True)
class PageBox:
    """A rectangle on a page of a paged document, in PDF points from the page's top-left corner."""

    page: int
    """1-based page number."""
    x0: float
    """Left edge."""
    top: float
    """Top edge (distance from the top of the page)."""
    x1: float
    """Right edge."""
    bottom: float
    """Bottom edge (distance from the top of the page)."""


@dataclass(frozen=True, slots=True)
class PageLine:
    """One line of text as it stands on a page: where a person finds it, and where it is drawn."""

    page: int
    """1-based page number."""
    line: int
    """1-based line on the page, in reading order (see `Span.page`)."""
    box: PageBox
    """The rectangle the line's glyphs cover."""
    column: int = 0
    """0 for a line across the page, 1 for the left column, 2 for the right one."""


ADDED = -1
"""`TextLayout.char_lines` value of a character citecheck added (a space between words)."""
LINE_BREAK = -2
"""`TextLayout.char_lines` value of a line or paragraph break citecheck added."""


@dataclass(frozen=True, slots=True)
class TextLayout:
    """Where every character of a paged document's extracted text stands on its pages.

    The PDF reader builds it; reports and viewers use it to turn any stretch of the text (a
    citation's `start`/`end`, the sentence around it) into a page, a line and rectangles to
    highlight. Characters citecheck added (spaces between words, line and paragraph breaks)
    stand nowhere and are skipped. The arrays are never changed after the reader builds them.
    """

    lines: tuple[PageLine, ...]
    """Every line of text, in reading order."""
    char_lines: array = field(compare=False, repr=False)
    """`array('i')`: for each character of the text, the index of its line in `lines`, or
    `ADDED` / `LINE_BREAK` for a character citecheck added."""
    char_x0: array = field(compare=False, repr=False)
    """`array('f')`: each character's left edge on the page (0 when added)."""
    char_x1: array = field(compare=False, repr=False)
    """`array('f')`: each character's right edge on the page (0 when added)."""
    page_sizes: tuple[tuple[float, float], ...] = ()
    """Width and height of each page, in points."""

    def line_index(self, offset: int) -> int:
        """Index in `lines` of the character at `offset`, or of the nearest placed character
        after it on the same text line (a marker may start with an added space); -1 if none."""
        owners = self.char_lines
        for probe in range(max(offset, 0), min(len(owners), offset + 64)):
            if owners[probe] >= 0:
                return owners[probe]
            if owners[probe] == LINE_BREAK:
                break
        for probe in range(min(offset, len(owners)) - 1, max(-1, offset - 64), -1):
            if owners[probe] >= 0:
                return owners[probe]
        return -1

    def span(self, path: str, start: int, end: int) -> Span:
        """The span of text[start:end] with its page and the line on the page; the column counts
        the characters of that line before `start`, plus one."""
        index = self.line_index(start)
        if index < 0:
            return Span(path, 1, 1, start, end)
        line = self.lines[index]
        owners = self.char_lines
        first = min(start, len(owners))
        while first > 0 and owners[first - 1] in (index, ADDED):
            first -= 1
        return Span(path, line.line, start - first + 1, start, end, page=line.page)

    def boxes(self, start: int, end: int) -> tuple[PageBox, ...]:
        """Rectangles covering text[start:end], one per line it runs over (for highlighting)."""
        found: dict[int, list[float]] = {}
        owners = self.char_lines
        for offset in range(max(start, 0), min(end, len(owners))):
            index = owners[offset]
            if index < 0:
                continue
            left, right = self.char_x0[offset], self.char_x1[offset]
            edges = found.setdefault(index, [left, right])
            edges[0], edges[1] = min(edges[0], left), max(edges[1], right)
        return tuple(
            PageBox(self.lines[i].box.page, left, self.lines[i].box.top, right, self.lines[i].box.bottom)
            for i, (left, right) in found.items()
        )
