"""Values of the model that carry behaviour: a span's position, and the layout that maps a PDF's
extracted text back to its pages."""

from __future__ import annotations

from array import array

import pytest

from citecheck.model import ADDED, LINE_BREAK, PageBox, PageLine, Span, TextLayout

# Text "ab cd\nef": "ab cd" is line 3 of page 1 (x from 10), "ef" line 1 of page 2.
TEXT = "ab cd\nef"
LAYOUT = TextLayout(
    lines=(PageLine(1, 3, PageBox(1, 10, 100, 60, 110), 1), PageLine(2, 1, PageBox(2, 20, 50, 40, 60), 0)),
    char_lines=array("i", [0, 0, ADDED, 0, 0, LINE_BREAK, 1, 1]),
    char_x0=array("f", [10, 20, 0, 40, 50, 0, 20, 30]),
    char_x1=array("f", [20, 30, 0, 50, 60, 0, 30, 40]),
    page_sizes=((595.0, 842.0), (595.0, 842.0)),
)


@pytest.mark.parametrize(
    ("span", "shown"),
    [
        pytest.param(Span("paper.md", 12, 5), "paper.md:12:5", id="text"),
        pytest.param(Span("paper.pdf", 12, 5, page=3), "paper.pdf:p3:l12", id="pdf"),
    ],
)
def test_span_shows_its_position(span: Span, shown: str) -> None:
    assert str(span) == shown


@pytest.mark.parametrize(
    ("start", "end", "page", "line", "column"),
    [
        pytest.param(0, 2, 1, 3, 1, id="first-word"),
        pytest.param(3, 5, 1, 3, 4, id="after-an-added-space"),
        pytest.param(2, 5, 1, 3, 3, id="starting-on-an-added-space"),
        pytest.param(6, 8, 2, 1, 1, id="next-page"),
    ],
)
def test_layout_span(start: int, end: int, page: int, line: int, column: int) -> None:
    span = LAYOUT.span("paper.pdf", start, end)
    assert (span.page, span.line, span.column, span.start, span.end) == (page, line, column, start, end)


def test_layout_boxes_cover_the_characters_per_line() -> None:
    assert LAYOUT.boxes(3, 8) == (PageBox(1, 40, 100, 60, 110), PageBox(2, 20, 50, 40, 60))
    assert LAYOUT.boxes(2, 3) == ()  # an added space stands nowhere
