"""The citation map's left pane: the document's text with every citation highlighted and linked
to its entries, citations without an entry marked where they stand, and the sentence each
uncited entry may support (the placement hint of `R001`) marked with the entry's name.

The text is shown line by line with its line number (for a PDF: the page and the line on the
page, as findings name them, and a rule at each new page). The reference list itself is not
repeated: its entries are the right pane. Citations citecheck found in other files (an
`\\input` chapter, a Word document's footnotes) are listed under the text with their place.

Ids: section `d{n}`; citation `d{n}-c{k}` (k counts `DocumentResult.citations` from 1); entry
`d{n}-e{i}` (i counts `DocumentResult.references` from 1); a cited id with no entry
`d{n}-m{j}`; a hinted sentence `d{n}-s{j}`. Citations carry `data-e` / `data-m`: the entry
numbers they point at, so the page's script needs no lookup table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from citecheck.findings import Finding
from citecheck.model import Citation, TextLayout
from citecheck.report.html_assets import esc
from citecheck.results import DocumentResult

UNCITED = "R001"
"""The rule whose findings carry placement hints (`details["suggestions"]`)."""
CITATION_WITHOUT_ENTRY = "C001"
"""The rule of a citation that points at no entry."""


@dataclass(frozen=True, slots=True)
class Hint:
    """One sentence an uncited entry may support, placed in the text."""

    entry: int
    """The entry's number in the list (1-based index into `DocumentResult.references`)."""
    rank: int
    """1 for the best suggestion."""
    start: int
    """Offset of the sentence in the document's text."""
    end: int
    """Offset just past it."""
    where: str
    """`line 9`, or `page 3, line 12`."""
    sentence: str
    """The sentence as the hint quotes it."""
    score: float
    """Its similarity score."""


@dataclass(frozen=True)
class DocumentMap:
    """Who cites whom in one document, worked out once for both panes."""

    number: int
    """The document's place in the report (1-based): the `d{n}` of every id."""
    entries: dict[str, tuple[int, ...]]
    """Reference id → the entries (1-based) with that id (a repeated .bib key has several)."""
    missing: tuple[str, ...]
    """Ids that citations name and no entry has, in order of first citation."""
    cited_by: dict[int, list[int]]
    """Entry → the citations (1-based) that point at it, in document order."""
    missing_cited_by: dict[int, list[int]]
    """Missing id (1-based index into `missing`) → the citations that name it."""
    hints: tuple[Hint, ...]
    """Placement hints that could be placed in the text, best first per entry."""
    sentence_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    """(start, end) of a hinted sentence → its number (the `d{n}-s{j}` id)."""
    missing_of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Citation (1-based) → the missing ids (1-based into `missing`) it names. A citation that
    names no entry at all (an author-year citation nothing fits) is missing under its own text."""
    flags: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Citation (1-based) → the citation findings about it (`C003 citation-year-mismatch: …`),
    shown on the citation itself."""

    def prefix(self) -> str:
        """`d{n}`: the start of every id in this document's section."""
        return f"d{self.number}"


def build_map(document: DocumentResult, findings: Sequence[Finding], number: int) -> DocumentMap:
    """Link the document's citations to its entries, and place its placement hints."""
    entries: dict[str, list[int]] = {}
    for index, reference in enumerate(document.references, 1):
        entries.setdefault(reference.id, []).append(index)
    at = {(c.span.path, c.span.start, c.span.end): k for k, c in enumerate(document.citations, 1)}
    flags: dict[int, list[str]] = {}
    for finding in findings:
        span = finding.span
        k = at.get((span.path, span.start, span.end)) if span is not None and finding.code.startswith("C") else None
        if k is not None:
            flags.setdefault(k, []).append(f"{finding.code} {finding.name}: {finding.message}")
    missing: dict[str, int] = {}
    cited_by: dict[int, list[int]] = {}
    missing_cited_by: dict[int, list[int]] = {}
    missing_of: dict[int, list[int]] = {}
    for k, citation in enumerate(document.citations, 1):
        targets = citation.targets
        if not targets and any(flag.startswith(CITATION_WITHOUT_ENTRY) for flag in flags.get(k, ())):
            targets = (citation.text,)  # names nothing the list has (an author-year citation nothing fits)
        for target in targets:
            if target in entries and citation.targets:
                for index in entries[target]:
                    places = cited_by.setdefault(index, [])
                    if not places or places[-1] != k:
                        places.append(k)
            else:
                j = missing.setdefault(target, len(missing) + 1)
                missing_of.setdefault(k, []).append(j)
                places = missing_cited_by.setdefault(j, [])
                if not places or places[-1] != k:
                    places.append(k)
    hints = tuple(_place_hints(document, findings, entries))
    sentence_ids: dict[tuple[int, int], int] = {}
    for hint in hints:
        sentence_ids.setdefault((hint.start, hint.end), len(sentence_ids) + 1)
    return DocumentMap(number, {k: tuple(v) for k, v in entries.items()}, tuple(missing), cited_by,
                       missing_cited_by, hints, sentence_ids, {k: tuple(v) for k, v in missing_of.items()},
                       {k: tuple(v) for k, v in flags.items()})


_SOFT_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def _place_hints(document: DocumentResult, findings: Sequence[Finding],
                 entries: dict[str, list[int]]) -> list[Hint]:
    """The R001 suggestions as offsets in the text: found where their line and column say, else
    by their sentence (a PDF's hints read line breaks inside a paragraph as spaces)."""
    text = document.text
    searchable = _SOFT_BREAK.sub(" ", text) if document.layout is not None else text
    line_starts: list[int] | None = None
    placed: list[Hint] = []
    for finding in findings:
        if finding.code != UNCITED or finding.reference not in entries:
            continue
        for rank, suggestion in enumerate(finding.details.get("suggestions") or (), 1):
            sentence = str(suggestion.get("sentence") or "")
            if not sentence:
                continue
            start = -1
            if document.layout is None and isinstance(suggestion.get("line"), int):
                line_starts = line_starts or _line_starts(text)
                line, column = suggestion["line"], int(suggestion.get("column") or 1)
                if 0 < line <= len(line_starts):
                    guess = line_starts[line - 1] + column - 1
                    if searchable.startswith(sentence, guess):
                        start = guess
            if start < 0:
                start = _find_on_page(searchable, sentence, suggestion, document.layout)
            if start < 0:
                continue
            page = suggestion.get("page")
            where = (f"page {page}, line {suggestion.get('line')}" if page is not None
                     else f"line {suggestion.get('line')}")
            for entry in entries[finding.reference or ""]:
                placed.append(Hint(entry, rank, start, start + len(sentence), where, sentence,
                                   float(suggestion.get("score") or 0.0)))
    return placed


def _find_on_page(text: str, sentence: str, suggestion: dict, layout: TextLayout | None) -> int:
    """The offset of `sentence` in `text`: the occurrence on the suggestion's page and line when
    the layout can tell, else the first one; -1 when it is not there."""
    first = text.find(sentence)
    if first < 0 or layout is None:
        return first
    at = first
    while at >= 0:
        span = layout.span("", at, at + 1)
        if span.page == suggestion.get("page") and span.line == suggestion.get("line"):
            return at
        at = text.find(sentence, at + 1)
    return first


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _hidden_list(document: DocumentResult) -> tuple[int, int] | None:
    """The stretch of the text that is the reference list, when its entries stand in the text:
    (start, end). Shown as the right pane instead."""
    heading = document.reference_list
    if heading is None or heading.path != document.path:
        return None
    ends = [r.span.end for r in document.references
            if r.span is not None and r.span.path == document.path and r.span.end > heading.start]
    if not ends or not 0 <= heading.start < len(document.text):
        return None
    return heading.start, min(max(ends), len(document.text))


def placed_citations(document: DocumentResult) -> tuple[list[int], list[int]]:
    """Citations (1-based) that stand in the shown text, and the others (in another file, in the
    reference list, or without usable offsets)."""
    hidden = _hidden_list(document)
    inside, elsewhere = [], []
    length = len(document.text)
    for k, citation in enumerate(document.citations, 1):
        span = citation.span
        ok = span.path == document.path and 0 <= span.start < span.end <= length
        if ok and hidden is not None and hidden[0] <= span.start < hidden[1]:
            ok = False
        (inside if ok else elsewhere).append(k)
    return inside, elsewhere


def citation_anchor(view: DocumentMap, citation: Citation, k: int, body: str, first: bool) -> str:
    """The `<a class="cite">` for (a piece of) citation `k`: its id on the first piece only."""
    entries = [str(i) for target in citation.targets for i in view.entries.get(target, ())]
    missing = [str(j) for j in view.missing_of.get(k, ())]
    kind = "cite" + (" missing" if missing and not entries else " partial" if missing else "")
    flagged = view.flags.get(k, ())
    if flagged and not missing:
        kind += " flagged"  # the citation itself has a finding (year or names differ, ambiguous, …)
    if not first:
        kind += " cont"
    prefix = view.prefix()
    href = f"#{prefix}-e{entries[0]}" if entries else f"#{prefix}-m{missing[0]}" if missing else "#"
    attributes = [f'class="{kind}"']
    if first:
        attributes.append(f'id="{prefix}-c{k}"')
    attributes.append(f'href="{href}"')
    if entries:
        attributes.append(f'data-e="{" ".join(dict.fromkeys(entries))}"')
    if missing:
        attributes.append(f'data-m="{" ".join(dict.fromkeys(missing))}"')
    cites = "cites " + ", ".join(citation.targets) if citation.targets else "names no entry of the list"
    attributes.append(f'title="{esc("; ".join((cites, *flagged)))}"')
    return f"<a {' '.join(attributes)}>{body}</a>"


def _no_entry_badge(view: DocumentMap, k: int) -> str:
    absent = [view.missing[j - 1] for j in view.missing_of.get(k, ())]
    if not absent:
        return ""
    return (f'<span class="nomatch" title="{esc("no entry " + ", ".join(absent) + " in the reference list")}">'
            "no entry</span>")


class _TextWriter:
    """Writes the shown text line by line, with citations and hinted sentences marked."""

    def __init__(self, document: DocumentResult, view: DocumentMap, placed: list[int]) -> None:
        self.document = document
        self.text = document.text
        self.view = view
        # (start, end, k) of every citation in the shown text, by start
        self.cites = sorted((document.citations[k - 1].span.start, document.citations[k - 1].span.end, k)
                            for k in placed)
        groups: dict[tuple[int, int], list[Hint]] = {}
        for hint in view.hints:
            groups.setdefault((hint.start, hint.end), []).append(hint)
        self.hints: list[tuple[int, int, list[Hint]]] = []
        last_end = -1
        for (start, end), hints in sorted(groups.items()):
            if start >= last_end:  # sentences do not overlap; if they ever did, keep the first
                self.hints.append((start, end, hints))
                last_end = end
        self.cursor = 0
        self.hint_cursor = 0

    def lines(self, start: int, end: int) -> list[str]:
        """HTML of the lines of text[start:end] (empty lines become the spacing of the next)."""
        out: list[str] = []
        layout = self.document.layout
        page = None
        number = self.text.count("\n", 0, start) + 1
        gap = False
        at = start
        while at < end:
            stop = self.text.find("\n", at, end)
            stop = end if stop < 0 else stop
            content = self.text[at:stop]
            if content.strip():
                label = str(number)
                if layout is not None:
                    first = at + len(content) - len(content.lstrip())
                    index = layout.line_index(first)
                    if index >= 0:
                        line = layout.lines[index]
                        if line.page != page:
                            page = line.page
                            out.append(f'<div class="page">Page {page}</div>')
                        label = f"p{line.page} l{line.line}"
                    else:
                        label = ""
                css = "l gap" if gap else "l"
                out.append(f'<div class="{css}" data-n="{label}">{self._line(at, stop)}</div>')
                gap = False
            else:
                gap = bool(out)
            number += 1
            at = stop + 1
        return out

    def _line(self, start: int, end: int) -> str:
        # Lines come in order: citations and hinted sentences that end before this one are done.
        while self.cursor < len(self.cites) and self.cites[self.cursor][1] <= start:
            self.cursor += 1
        # Hinted sentences of this line, widened so that no citation is cut by their edges.
        while self.hint_cursor < len(self.hints) and self.hints[self.hint_cursor][1] <= start:
            self.hint_cursor += 1
        pieces: list[str] = []
        pos = start
        index = self.hint_cursor
        while index < len(self.hints) and self.hints[index][0] < end:
            h_start, h_end, group = self.hints[index]
            lo, hi = max(h_start, start), min(h_end, end)
            for c_start, c_end, _ in self._cites_in(lo, hi):
                if c_start < lo < c_end:
                    lo = min(c_end, end)
                if c_start < hi < c_end:
                    hi = min(c_end, end)
            lo = max(lo, pos)
            if hi > lo:
                pieces.append(self._segment(pos, lo))
                alt = "" if any(h.rank == 1 for h in group) else " hint-alt"
                number = self.view.sentence_ids[(h_start, h_end)]
                ident = f' id="{self.view.prefix()}-s{number}"' if h_start >= start else ""
                pieces.append(f'<span class="hint{alt}"{ident}>{self._segment(lo, hi)}</span>')
                if h_end <= end:
                    pieces.append(self._tags(group))
                pos = hi
            index += 1
        pieces.append(self._segment(pos, end))
        return "".join(pieces)

    def _cites_in(self, start: int, end: int) -> list[tuple[int, int, int]]:
        found = []
        index = self.cursor
        while index < len(self.cites) and self.cites[index][0] < end:
            if self.cites[index][1] > start:
                found.append(self.cites[index])
            index += 1
        return found

    def _segment(self, start: int, end: int) -> str:
        if end <= start:
            return ""
        out: list[str] = []
        pos = start
        for c_start, c_end, k in self._cites_in(start, end):
            lo, hi = max(c_start, start), min(c_end, end)
            citation = self.document.citations[k - 1]
            if lo < pos:  # overlaps the citation before it: an empty anchor keeps its place
                lo = pos
            out.append(esc(self.text[pos:lo]))
            out.append(citation_anchor(self.view, citation, k, esc(self.text[lo:hi]), first=lo == c_start))
            if hi == c_end:
                out.append(_no_entry_badge(self.view, k))
            pos = max(pos, hi)
        out.append(esc(self.text[pos:end]))
        return "".join(out)

    def _tags(self, group: list[Hint]) -> str:
        tags = []
        for hint in group:
            if hint.rank != 1:
                continue
            label = self.document.references[hint.entry - 1].id
            tags.append(f'<a class="hint-tag" href="#{self.view.prefix()}-e{hint.entry}" '
                        f'title="{esc(f"placement hint for uncited entry {label} (score {hint.score:.2f})")}">'
                        f"uncited {esc(label)} may belong here</a>")
        return "".join(tags)


def text_pane(document: DocumentResult, view: DocumentMap) -> str:
    """The left pane: the document's text as citecheck read it, citations and hints marked."""
    placed, elsewhere = placed_citations(document)
    writer = _TextWriter(document, view, placed)
    hidden = _hidden_list(document)
    text = document.text
    parts: list[str] = []
    if not text.strip():
        parts.append('<p class="listmark">The text of this document is not available to the report.</p>')
    elif hidden is None:
        parts.extend(writer.lines(0, len(text)))
    else:
        parts.extend(writer.lines(0, hidden[0]))
        count = sum(1 for r in document.references if r.span is not None and r.span.path == document.path)
        parts.append(f'<div class="listmark">The reference list ({count} entries) stands here; '
                     "its entries are on the right.</div>")
        if text[hidden[1]:].strip():
            parts.extend(writer.lines(hidden[1], len(text)))
    if elsewhere:
        parts.append(_elsewhere(document, view, elsewhere))
    kind = "as citecheck read it from the PDF (page and line on the left)" if document.layout is not None \
        else "line numbers on the left"
    return (f'<div class="pane text" id="{view.prefix()}-text">'
            f"<h3>Text <span class=\"sub\">({kind})</span></h3>\n" + "\n".join(parts) + "\n</div>")


def _elsewhere(document: DocumentResult, view: DocumentMap, numbers: list[int]) -> str:
    items = []
    for k in numbers:
        citation = document.citations[k - 1]
        anchor = citation_anchor(view, citation, k, esc(citation.text), first=True)
        items.append(f'<li><span class="loc">{esc(citation.span)}</span> {anchor}'
                     f"{_no_entry_badge(view, k)}</li>")
    return ('<div class="elsewhere"><p>Citations in other files, or where the text is not shown:</p><ul>'
            + "".join(items) + "</ul></div>")


__all__ = ["DocumentMap", "Hint", "build_map", "citation_anchor", "placed_citations", "text_pane"]
