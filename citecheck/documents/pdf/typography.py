"""Raised characters, and which of them may be citation marks.

A character is **raised** when it is drawn smaller than its row (below nine tenths of its size)
with its baseline lifted by more than an eighth of that size, or when it is a Unicode
superscript digit. A run of raised characters is a possible citation (`metastases¹`,
`trials²,³`, `⁴⁻⁶`, `disease.⁷`) when it holds only digits, commas and dashes and starts with
a digit. Digits are raised for other reasons too, and the run is then marked as not a citation,
with the reason:

- `letters`: it holds letters or symbols: ordinals (`1st`, `2nd`), footnote symbols (`*`, `†`),
  affiliation letters;
- `title block`: it stands in the title block of the first page (author affiliations and
  footnote marks: `Ann Smith¹`): below a title set larger than the text, up to the abstract or
  introduction heading, else the first paragraph of running text (`title_block_end`);
- `exponent`: it starts with a minus sign, follows a digit (`10⁻³`, `2³`), follows a character
  in a mathematical font (`x²`, `e^{...}` set by TeX's math fonts), or follows a word of one or
  two letters (`m²`, `cm³`: a unit);
- `note label`: it opens its row (the label of a footnote, or of a reference-list entry);
- `footnote mark`: its number labels a footnote on the same page.

Everything else is left to the numeric reader, which still applies its own rules (glued to a
word of three letters or more, or after sentence punctuation; the number within the reference
list's numbering).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from citecheck.documents.pdf.glyphs import Glyph
from citecheck.documents.pdf.rows import Row

__all__ = ["Raised", "raised_runs", "classify", "title_block_end", "footnote_labels", "MATH_FONT"]

_RISE = 0.125
"""Least baseline rise, as a share of the row's size, of a raised character."""
_SMALLER = 0.9
"""A raised character is drawn below this share of its row's size."""
UNICODE_SUPERSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
"""Characters that are superscripts whatever their position."""
_NUMERIC_CHARS = frozenset("0123456789,;-–—‒−+[]()⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_NUMBERS = re.compile(r"[\[(]?[-−–+]?\d[\d,\-–—‒−]*[\])]?")
MATH_FONT = re.compile(r"math|cmmi|cmsy|cmex|msam|msbm|symbol|mtextra|stixmath|stix.*italic|rsfs|eufm", re.I)
"""Font names of mathematical fonts (TeX's, STIX, Cambria Math, Symbol)."""
_SENTENCE_END = re.compile(r"[.?!][\d,\-–]*$")
_TITLE_END = re.compile(
    r"(?:(?:\d{1,2}|[ivx]{1,4})\.?\s*)?(?:abstract|summary|background|introduction|keywords?|key\s+words)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Raised:
    """A run of raised characters in a row."""

    start: int
    """Index of its first character in `Row.glyphs`."""
    end: int
    """Index just past its last character."""
    text: str
    """Its characters as drawn (`2,3`, `−3`, `st`)."""
    reason: str = ""
    """Why it is not a citation (see the module docs); empty when it may be one."""

    @property
    def numeric(self) -> bool:
        """Digits, commas and dashes (in brackets or not), starting with a digit or a sign."""
        return bool(_NUMBERS.fullmatch(self.text))


def is_raised(glyph: Glyph, row: Row) -> bool:
    """Whether `glyph` is drawn as a superscript in `row`."""
    if glyph.char in UNICODE_SUPERSCRIPTS:
        return True
    return row.baseline - glyph.baseline > _RISE * row.size and glyph.size < _SMALLER * row.size


def raised_runs(row: Row) -> list[Raised]:
    """The runs of raised characters in a row, left to right (not yet classified)."""
    runs: list[Raised] = []
    start = -1
    glyphs = row.glyphs
    if row.smallest >= _SMALLER * row.size and not any(g.char in UNICODE_SUPERSCRIPTS for g in glyphs):
        return runs  # nothing drawn smaller, no superscript character: most rows
    kind = ""
    for index, glyph in enumerate(glyphs + [None]):  # type: ignore[operator]
        raised = glyph is not None and is_raised(glyph, row)
        if raised and start < 0 and glyph is not None and glyph.char in ",.;:":
            raised = False  # punctuation raised with the mark that follows belongs to the sentence
        # Numbers and symbols raised side by side (`2∗`, `1,a`) are two runs: the number is
        # judged on its own.
        glyph_kind = "" if glyph is None else ("n" if glyph.char in _NUMERIC_CHARS else "o")
        if start >= 0 and (not raised or glyph_kind != kind):
            runs.append(Raised(start, index, "".join(g.char for g in glyphs[start:index])))
            start = -1
        if raised and start < 0:
            start, kind = index, glyph_kind
    return runs


def _word_before(glyphs: list[Glyph], index: int) -> str:
    """The letters glued to the left of glyph `index` (no space between), nearest last."""
    letters: list[str] = []
    probe = index - 1
    while probe >= 0 and glyphs[probe].char.isalpha():
        letters.append(glyphs[probe].char)
        if glyphs[probe].space_before:
            break
        probe -= 1
    return "".join(reversed(letters))


def classify(row: Row, run: Raised, font: Callable[[Glyph], str], title_block: bool,
             footnote_marks: frozenset[str]) -> Raised:
    """The run with the reason it is not a citation, if there is one (see the module docs)."""
    reason = ""
    text = run.text
    before = row.glyphs[run.start - 1] if run.start > 0 else None
    if not run.numeric:
        reason = "letters"
    elif run.start == 0:
        reason = "note label"
    elif title_block:
        reason = "title block"
    elif text.lstrip("[(")[0] in "-–—‒−+":
        reason = "exponent"
    elif before is not None and before.char.isdigit() and not run.text.startswith(("[", "(")):
        reason = "exponent"
    elif before is not None and MATH_FONT.search(font(before) or ""):
        reason = "exponent"
    elif before is not None and before.char.isalpha() and len(_word_before(row.glyphs, run.start)) <= 2:
        reason = "exponent"
    elif text.strip("[]()") in footnote_marks:
        reason = "footnote mark"
    return Raised(run.start, run.end, text, reason)


def title_block_end(rows: list[Row], body_size: float) -> int:
    """How many rows of the first page (in reading order) form its title block.

    A page whose first row is not set larger than the body text has no title block. Otherwise
    the block ends at the row that opens the abstract, summary, background, introduction or
    keywords; failing that, at the first of: a row of running text that ends a sentence (the
    body's size, eight words or more, ending with `.`, `?` or `!` and any raised mark); the
    first of two consecutive rows of running text (the body's size, at least three fifths as
    wide as the widest row of their column, five words or more); failing all these, at the
    first row of the body's size.
    """
    if not rows or rows[0].size <= 1.1 * body_size:
        return 0
    widest: dict[int, float] = {}
    for row in rows:
        widest[row.column] = max(widest.get(row.column, 0.0), row.x1 - row.x0)

    def body(row: Row) -> bool:
        """Set in the body text's size."""
        return abs(row.size - body_size) <= 0.05 * body_size

    def prose(row: Row) -> bool:
        """A row of running text."""
        return body(row) and row.x1 - row.x0 >= 0.6 * widest[row.column] and len(row.text().split()) >= 5

    for index, row in enumerate(rows):
        text = row.text().strip()
        heading = _TITLE_END.match(text)
        # A heading (`Abstract`, `1 Introduction`) or a run-in one (`Abstract—We`, `Summary:`),
        # not a sentence that starts with the word (`Background radiation was ...`).
        if heading and (len(text.split()) <= 4 or text[heading.end():heading.end() + 1] in ".:—–-"):
            return index  # looked for first: an author line may end with a full stop
    for index, row in enumerate(rows):
        text = row.text().strip()
        if body(row) and len(text.split()) >= 8 and _SENTENCE_END.search(text):
            return index
        if index + 1 < len(rows) and prose(row) and prose(rows[index + 1]):
            return index
    return next((index for index, row in enumerate(rows) if body(row)), 0)


def footnote_labels(rows: list[Row], page_height: float) -> frozenset[str]:
    """The numbers labelling footnotes on a page: a raised number opening a row in the lower
    half of the page, followed by the note's text."""
    labels: set[str] = set()
    for row in rows:
        if row.baseline < page_height / 2 or len(row.glyphs) < 4:
            continue
        runs = raised_runs(row)
        if runs and runs[0].start == 0 and runs[0].end < len(row.glyphs) and runs[0].text.isdigit():
            labels.add(runs[0].text)
    return frozenset(labels)
