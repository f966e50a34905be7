"""Running headers, running footers and page numbers: on the page, but not part of the text.

A row is furniture when it is one of the two highest or two lowest rows of its page, stands in
the top or bottom fifth of the page, is set off from the text below or above it by a gap wider
than the page's line pitch, and either reads as a page number (`7`, `- 7 -`, `Page 7`,
`7 of 12`, `vii`) or repeats: with its digits masked (`Journal of Tests 12 (2020) 7` and `... 8`
are one header), it stands at the same edge on at least three pages, or on every page but the
first (a first page often has its own header), or on both pages of a two-page document. A heading or a sentence that happens to stand at the top of one page is
never dropped.
"""

from __future__ import annotations

import re
from collections import Counter

from citecheck.documents.pdf.rows import Row

__all__ = ["mark_furniture"]

_EDGE_SHARE = 0.2
"""Share of the page height at the top and bottom where furniture stands."""
_CANDIDATES = 2
"""Rows examined at each edge of a page."""
_SET_OFF = 1.4
"""Furniture is set off from the text by a gap over this many line pitches."""
_PAGE_NUMBER = re.compile(
    r"(?:page|p\.|seite|pág\.?)?\s*[-–—(]?\s*(?:\d{1,4}|[ivxlc]{1,7})\s*[-–—)]?"
    r"(?:\s*(?:of|/|de|von)\s*\d{1,4})?",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


def _masked(text: str) -> str:
    return " ".join(_DIGITS.sub("#", text.lower()).split())


def _edge_rows(rows: list[Row], height: float) -> list[tuple[str, list[Row]]]:
    """(edge, rows) for the lines at the top and bottom of one page that may be furniture: at
    most two lines at each edge, set off from the rest of the text by a gap wider than the
    page's line pitch. A line is the rows on one baseline (a header split at the gutter is one
    line, as on a page with one column)."""
    lines: list[list[Row]] = []
    for row in sorted(rows, key=lambda r: r.baseline):
        if lines and abs(row.baseline - lines[-1][0].baseline) < 1.0:
            lines[-1].append(row)
        else:
            lines.append([row])
    steps = sorted(b[0].baseline - a[0].baseline for a, b in zip(lines, lines[1:]))
    if len(lines) < 3 or not steps:
        return []
    pitch = steps[len(steps) // 2]
    out: list[tuple[str, list[Row]]] = []
    for count in range(1, _CANDIDATES + 1):
        if lines[count][0].baseline - lines[count - 1][0].baseline > _SET_OFF * pitch:
            out += [("top", line) for line in lines[:count] if max(r.bottom for r in line) <= _EDGE_SHARE * height]
            break
    for count in range(1, _CANDIDATES + 1):
        if lines[-count][0].baseline - lines[-count - 1][0].baseline > _SET_OFF * pitch:
            out += [("bottom", line) for line in lines[-count:]
                    if min(r.top for r in line) >= (1 - _EDGE_SHARE) * height and len(lines) - count >= count]
            break
    return out


def _text(line: list[Row]) -> str:
    return " ".join(r.text().strip() for r in sorted(line, key=lambda r: r.x0))


def mark_furniture(pages: list[tuple[list[Row], float]]) -> None:
    """Set `Row.furniture` on the running headers, footers and page numbers of a document.

    `pages` holds each page's rows and its height.
    """
    candidates = [_edge_rows(rows, height) for rows, height in pages]
    seen: Counter[tuple[str, str]] = Counter()
    for page in candidates:
        for key in {(edge, _masked(_text(line))) for edge, line in page}:
            seen[key] += 1
    # Three pages, or every page but the first (whose header often differs), or both of two.
    needed = min(3, max(2, len(pages) - 1))
    for page in candidates:
        for edge, line in page:
            text = _text(line)
            repeated = len(pages) > 1 and seen[(edge, _masked(text))] >= needed
            if repeated or _PAGE_NUMBER.fullmatch(text):
                for row in line:
                    row.furniture = True
