"""The text of a PDF, built from its rows, and the layout that maps every character back.

The text is what the plain-text readers expect: one line per row in reading order (running
headers, footers and page numbers left out), a blank line where a paragraph or a reference-list
entry ends, and

- words hyphenated across lines joined: the hyphen is dropped when it splits a word
  (`metas-` + `tases`, `Syn-` + `thetic`), unless the document writes the same compound with
  its hyphen elsewhere (`well-known`); it is kept when the part before it holds a digit or is
  in capitals (`HER2-` + `negative`, `RIBBON-`); either way the two rows become one line. A
  compound broken at its own hyphen and written nowhere else (`well-` + `known`) cannot be told
  from a hyphenated word without a dictionary, and loses its hyphen;
- ligatures (`ﬁ`, `ﬂ`, `ﬀ`, ...) spelled out, soft and non-breaking hyphens as `-`, non-breaking
  spaces as spaces;
- a space wherever pdfium saw one or the gap between two characters is wider than a thin space;
- raised numbers written as Unicode superscripts (`metastases¹`, `trials²,³`, `⁴⁻⁶`, with any
  brackets and inner spaces dropped and no space before them), so the numeric reader finds
  them as it does in Word and Markdown; raised letters (`1st`) as plain letters; the raised
  label that opens a footnote or a reference-list entry as a plain number. Each raised numeric
  run is remembered with the reason it is not a citation, if it has one (`typography`).

The layout (`citecheck.model.TextLayout`) holds, per character, the row it was drawn in and its
left and right edges; characters added here (spaces, breaks) stand nowhere.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from statistics import median

from citecheck.documents.pdf.glyphs import Glyph, PageGlyphs
from citecheck.documents.pdf.rows import Row
from citecheck.documents.pdf.typography import Raised, classify, footnote_labels, raised_runs, title_block_end
from citecheck.documents.reference_list import reference_heading
from citecheck.model import ADDED, LINE_BREAK, PageBox, PageLine, TextLayout

__all__ = ["PdfText", "RaisedMark", "build_text"]

_PARAGRAPH_GAP = 1.6
"""A baseline step over this many times the page's usual line pitch ends a paragraph."""
_SPACE_GAP = 0.3
"""A gap over this share of the row's size is a space even where pdfium saw none."""
_HANGING = 0.5
"""Reference lists: a row indented by over this share of its size continues an entry."""
_SUPERSCRIPT = {**{str(d): "⁰¹²³⁴⁵⁶⁷⁸⁹"[d] for d in range(10)}, ",": ",", ";": ",",
                "-": "⁻", "+": "⁺", "–": "⁻", "—": "⁻", "‒": "⁻", "−": "⁻", "⁻": "⁻"}
_SUPERSCRIPT.update({c: c for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"})
# pdfium reports a hyphen that ends a line as U+FFFE (or U+0002 in older builds).
_REPLACE = {"\ufffe": "-", "\u00ad": "-", "\x02": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u2009": " "}
_COMPOUND = re.compile(r"(?<![^\W\d_])([^\W\d_]+-[^\W\d_]+)")


@dataclass(frozen=True, slots=True)
class RaisedMark:
    """A raised numeric run, where it stands in the text, and why it is not a citation."""

    start: int
    """Offset of its first character in the text."""
    end: int
    """Offset just past it."""
    text: str
    """As drawn (`2,3`, `−3`)."""
    reason: str
    """Why it is not a citation (`typography` module docs); empty when it may be one."""


@dataclass(frozen=True, slots=True)
class PdfText:
    """A PDF's text and where each character stands."""

    text: str
    """The text (see the module docs)."""
    layout: TextLayout
    """Where its characters stand on the pages."""
    raised: tuple[RaisedMark, ...]
    """Every raised numeric run, in text order."""


class _Builder:
    """The text and its per-character layout, grown together."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.owners = array("i")
        self.x0 = array("f")
        self.x1 = array("f")

    @property
    def offset(self) -> int:
        """Length of the text so far: the offset of the next character."""
        return len(self.chars)

    def put(self, text: str, owner: int, x0: float = 0.0, x1: float = 0.0) -> None:
        """Append `text` drawn by row `owner` between x0 and x1 (split evenly among its characters)."""
        step = (x1 - x0) / len(text) if text else 0.0
        for index, char in enumerate(text):
            self.chars.append(char)
            self.owners.append(owner)
            self.x0.append(x0 + index * step)
            self.x1.append(x0 + (index + 1) * step if owner >= 0 else 0.0)

    def last(self) -> str:
        """The last character (a line break at the very start)."""
        return self.chars[-1] if self.chars else "\n"

    def drop_last(self) -> None:
        """Remove the last character (a hyphen that only broke a word across lines)."""
        self.chars.pop()
        self.owners.pop()
        self.x0.pop()
        self.x1.pop()

    def trailing_word(self) -> str:
        """The letters just before the end (before a final hyphen)."""
        probe = len(self.chars) - 2
        letters: list[str] = []
        while probe >= 0 and self.chars[probe].isalpha() and len(letters) < 40:
            letters.append(self.chars[probe])
            probe -= 1
        return "".join(reversed(letters))


def _normalise(char: str) -> str:
    """One drawn character as text: ligatures spelled out, hyphen and space variants unified."""
    if char in _REPLACE:
        return _REPLACE[char]
    if "\ufb00" <= char <= "\ufb06":
        return unicodedata.normalize("NFKC", char)
    return char


def _body_size(rows: list[Row]) -> float:
    sizes = [r.size for r in rows if len(r.glyphs) >= 10] or [r.size for r in rows] or [10.0]
    return median(sizes)


def _pitch(rows: list[Row], body: float) -> float:
    """The usual baseline step between consecutive body rows of one column."""
    steps = [b.baseline - a.baseline for a, b in zip(rows, rows[1:])
             if a.column == b.column and a.page == b.page and abs(a.size - body) < 0.1 * body
             and abs(b.size - body) < 0.1 * body and b.baseline > a.baseline]
    return median(steps) if steps else 1.2 * body


def _compounds(rows: list[Row]) -> set[str]:
    """Hyphenated words written within a row (`well-known`), lowercased."""
    found: set[str] = set()
    for row in rows:
        found.update(m.lower() for m in _COMPOUND.findall(row.text()))
    return found


def _reference_rows(rows: list[Row]) -> int | None:
    """Index of the reference-list heading row: the last strong heading, else the last weak one."""
    strong = weak = None
    for index, row in enumerate(rows):
        if len(row.glyphs) > 40:
            continue
        kind = reference_heading(row.text())
        if kind == "strong":
            strong = index
        elif kind == "weak":
            weak = index
    return strong if strong is not None else weak


def _entry_starts(rows: list[Row], first: int) -> set[int]:
    """Rows of the reference list that start an entry by their indentation (hanging indents,
    outdented labels), per page and column; empty when the list has no such indentation."""
    starts: set[int] = set()
    groups: dict[tuple[int, int], list[int]] = {}
    for index in range(first, len(rows)):
        groups.setdefault((rows[index].page, rows[index].column), []).append(index)
    for members in groups.values():
        margin = min(rows[i].x0 for i in members)
        indented = [i for i in members if rows[i].x0 > margin + _HANGING * rows[i].size]
        if len(indented) < 0.2 * len(members):
            continue
        starts.update(i for i in members if rows[i].x0 <= margin + 0.3 * rows[i].size)
    return starts


def build_text(pages: list[PageGlyphs], page_rows: list[list[Row]]) -> PdfText:
    """The document's text and layout from its pages' rows (furniture already marked)."""
    rows = [row for page in page_rows for row in page if not row.furniture]
    body = _body_size(rows)
    pitch = _pitch(rows, body)
    compounds = _compounds(rows)
    heading = _reference_rows(rows)
    entry_starts = _entry_starts(rows, heading + 1) if heading is not None else set()
    first_page = [r for r in rows if r.page == (rows[0].page if rows else 1)]
    title_rows = {id(r) for r in first_page[: title_block_end(first_page, body)]}
    fonts = {page.number: page for page in pages}
    heights = {page.number: page.height for page in pages}
    body_rows = rows[:heading] if heading is not None else rows
    marks = {n: footnote_labels([r for r in body_rows if r.page == n], heights[n]) for n in heights}

    runs_of = [[classify(row, run, fonts[row.page].font, id(row) in title_rows, marks.get(row.page, frozenset()))
                for run in raised_runs(row)] for row in rows]
    _one_mark_per_footnote(rows, runs_of)

    out = _Builder()
    lines: list[PageLine] = []
    raised: list[RaisedMark] = []
    counters: dict[int, int] = {}
    previous: Row | None = None
    for index, row in enumerate(rows):
        counters[row.page] = counters.get(row.page, 0) + 1
        row.line = counters[row.page]
        if previous is not None:
            _separate(out, previous, row, pitch, compounds, index in entry_starts or index == heading)
        lines.append(PageLine(row.page, row.line, PageBox(row.page, row.x0, row.top, row.x1, row.bottom),
                              row.column))
        raised += _emit_row(out, row, len(lines) - 1, runs_of[index])
        previous = row
    layout = TextLayout(tuple(lines), out.owners, out.x0, out.x1,
                        tuple((page.width, page.height) for page in pages))
    return PdfText("".join(out.chars), layout, tuple(raised))


def _one_mark_per_footnote(rows: list[Row], runs_of: list[list[Raised]]) -> None:
    """A footnote has one mark: where its number is raised several times on its page (a
    citation of entry 1 and footnote 1), only the last is taken for the mark, the others stay
    possible citations. Footnotes are set at the foot of the page their mark is on."""
    last: dict[tuple[int, str], tuple[int, int]] = {}
    for row_index, runs in enumerate(runs_of):
        for run_index, run in enumerate(runs):
            if run.reason == "footnote mark":
                last[(rows[row_index].page, run.text)] = (row_index, run_index)
    keep = set(last.values())
    for row_index, runs in enumerate(runs_of):
        for run_index, run in enumerate(runs):
            if run.reason == "footnote mark" and (row_index, run_index) not in keep:
                runs[run_index] = Raised(run.start, run.end, run.text, "")


def _separate(out: _Builder, previous: Row, row: Row, pitch: float, compounds: set[str], new_entry: bool) -> None:
    """What goes between two consecutive rows: nothing (a hyphenated word joined), a line break,
    or a blank line (a paragraph or a reference-list entry ends)."""
    first = _normalise(row.glyphs[0].char)[:1]
    if out.last() == "-" and first.islower() and not new_entry:
        fragment = out.trailing_word()
        word = "".join(g.char for g in row.glyphs[:40]).split(" ")[0]
        follow = re.match(r"[^\W\d_]+", word)
        compound = f"{fragment}-{follow.group() if follow else ''}".lower()
        # `metas-tases`, `Syn-thetic`: a line-break artefact. `HER2-negative` (a digit),
        # `RIBBON-` (capitals), and a compound the document writes whole elsewhere keep theirs.
        acronym = sum(c.isupper() for c in fragment) > 1
        if fragment and not acronym and compound not in compounds:
            out.drop_last()
        return
    same_flow = row.page == previous.page and row.column == previous.column and row.baseline > previous.baseline
    step = row.baseline - previous.baseline
    if new_entry or (same_flow and step > _PARAGRAPH_GAP * pitch):
        out.put("\n\n", LINE_BREAK)
    else:
        out.put("\n", LINE_BREAK)


def _emit_row(out: _Builder, row: Row, owner: int, runs: list[Raised]) -> list[RaisedMark]:
    """Append one row's characters; return its raised numeric runs with their text offsets."""
    by_start = {run.start: run for run in runs}
    chars, owners, lefts, rights = out.chars.append, out.owners.append, out.x0.append, out.x1.append
    marks: list[RaisedMark] = []
    glyphs = row.glyphs
    index = 0
    previous: Glyph | None = None
    after_label = False
    while index < len(glyphs):
        run = by_start.get(index)
        glyph = glyphs[index]
        if previous is not None and run is None:
            if previous.char == glyph.char and abs(glyph.x0 - previous.x0) < 0.05 * row.size \
                    and abs(glyph.index - previous.index) > 1:
                index += 1  # the same character drawn twice (fake bold, shadows)
                continue
            gap = glyph.x0 - previous.x1
            if after_label or (glyph.space_before and gap > 0.05 * row.size) or gap > _SPACE_GAP * row.size:
                out.put(" ", ADDED)
        after_label = False
        if run is None:
            char = glyph.char
            if char in _REPLACE or "\ufb00" <= char <= "\ufb06":
                out.put(_normalise(char), owner, glyph.x0, glyph.x1)
            else:  # the common case, inlined: one character, one owner, its own edges
                chars(char)
                owners(owner)
                lefts(glyph.x0)
                rights(glyph.x1)
            previous = glyph
            index += 1
            continue
        members = glyphs[run.start:run.end]
        if run.reason == "letters" or (run.reason == "note label" and not run.text.isdigit()):
            if previous is not None and members[0].space_before:
                out.put(" ", ADDED)
            for member in members:
                out.put(_normalise(member.char), owner, member.x0, member.x1)
        elif run.reason == "note label":
            for member in members:
                out.put(member.char, owner, member.x0, member.x1)
            after_label = True
        else:
            if run.reason and previous is not None and members[0].x0 - previous.x1 > _SPACE_GAP * row.size:
                out.put(" ", ADDED)  # an exponent set apart keeps its space; a citation mark is glued
            start = out.offset
            for member in members:
                converted = _SUPERSCRIPT.get(member.char)
                if converted:
                    out.put(converted, owner, member.x0, member.x1)
            marks.append(RaisedMark(start, out.offset, run.text, run.reason))
        previous = members[-1]
        index = run.end
    return marks
