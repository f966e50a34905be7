"""Running headers, running footers and page numbers: on the page, but not part of the text.

A row is furniture when it is one of the two highest or two lowest rows of its page, stands in
the top or bottom fifth of the page, is set off from the text below or above it by a gap wider
than the page's line pitch, and either reads as a page number (`7`, `- 7 -`, `Page 7`,
`7 of 12`, `vii`) or repeats: with its digits masked (`Journal of Tests 12 (2020) 7` and `... 8`
are one header), it stands in the same place on at least three pages, or on every page of a
two-page document. A heading or a sentence that happens to stand at the top of one page is
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


def _edge_rows(rows: list[Row], height: float) -> list[tuple[str, Row]]:
    """(edge, row) for the rows at the top and bottom of one page that may be furniture: at most
    two at each edge, set off from the rest of the text by a gap wider than its line pitch."""
    by_height = sorted(rows, key=lambda r: r.baseline)
    baselines = sorted({round(r.baseline, 1) for r in rows})
    steps = sorted(b - a for a, b in zip(baselines, baselines[1:]) if b - a > 0.5)
    if len(by_height) < 3 or not steps:
        return []
    pitch = steps[len(steps) // 2]
    out: list[tuple[str, Row]] = []
    for count in range(1, _CANDIDATES + 1):
        edge = by_height[:count]
        if by_height[count].baseline - edge[-1].baseline > _SET_OFF * pitch:
            out += [("top", r) for r in edge if r.bottom <= _EDGE_SHARE * height]
            break
    for count in range(1, _CANDIDATES + 1):
        edge = by_height[-count:]
        if edge[0].baseline - by_height[-count - 1].baseline > _SET_OFF * pitch:
            out += [("bottom", r) for r in edge if r.top >= (1 - _EDGE_SHARE) * height
                    and all(r is not other for _, other in out)]
            break
    return out


def mark_furniture(pages: list[tuple[list[Row], float]]) -> None:
    """Set `Row.furniture` on the running headers, footers and page numbers of a document.

    `pages` holds each page's rows and its height.
    """
    candidates = [_edge_rows(rows, height) for rows, height in pages]
    seen: Counter[tuple[str, str]] = Counter()
    for page in candidates:
        for key in {(edge, _masked(row.text())) for edge, row in page}:
            seen[key] += 1
    needed = 3 if len(pages) > 2 else len(pages)
    for page in candidates:
        for edge, row in page:
            text = row.text().strip()
            repeated = len(pages) > 1 and seen[(edge, _masked(text))] >= needed
            if repeated or _PAGE_NUMBER.fullmatch(text):
                row.furniture = True
