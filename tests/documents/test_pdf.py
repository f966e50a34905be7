"""The PDF reader against PDFs made here from the project's own documents (tests/fixtures/pdf):
citations and links exactly as the sources say, raised non-citations told apart and why, the
text (columns, hyphenation, headers) and the positions a person can find."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
import pytest

from benchmarks.pdf import FIXTURES, score_pdf
from citecheck.config.options import AuditOptions
from citecheck.documents.pdf import extract_text
from citecheck.engine import read

GOLDS = sorted(FIXTURES.glob("*.gold.json"))


@pytest.mark.parametrize("gold", [pytest.param(p, id=p.name.removesuffix(".gold.json")) for p in GOLDS])
def test_citations_and_links_match_the_source(gold: Path) -> None:
    counts = score_pdf(gold)
    assert counts["errors"] == []
    assert counts["found"] == counts["found_correct"] == counts["gold_found"] == counts["gold"]
    assert counts["links_predicted"] == counts["links_correct"] == counts["links_gold"]
    assert counts["trap_hits"] == 0
    assert counts["entries_read"] == counts["entries_expected"]


def _text(name: str) -> tuple[str, list]:
    pdf, _ = extract_text(FIXTURES / name, name)
    return pdf.text, list(pdf.raised)


def _reason_after(name: str, anchor: str) -> str | None:
    """The reason given for the raised numeric run that follows `anchor` (None: no such run)."""
    text, raised = _text(name)
    found = re.search(r"\s+".join(map(re.escape, anchor.split())), text)
    assert found is not None, anchor
    position = found.end()
    while position < len(text) and text[position].isspace():
        position += 1
    for mark in raised:
        if mark.start == position:
            return mark.reason
    return None


@pytest.mark.parametrize(
    ("name", "anchor", "reason"),
    [
        pytest.param("twocolumn.pdf", "Ann Example", "title block", id="affiliation-mark"),
        pytest.param("twocolumn.pdf", "Nowhere", "title block", id="affiliation-mark-before-name"),
        pytest.param("twocolumn.pdf", "a dose of 10", "exponent", id="exponent-minus"),
        pytest.param("twocolumn.pdf", "40 mg per m", "exponent", id="unit"),
        pytest.param("twocolumn.pdf", "model used x", "exponent", id="math"),
        pytest.param("twocolumn.pdf", "terms and 2", "exponent", id="after-digit"),
        pytest.param("twocolumn.pdf", "belongs in a footnote.", "footnote mark", id="footnote-mark"),
        pytest.param("twocolumn.pdf", "first described in 1998.", "", id="citation-same-number-as-footnote"),
        pytest.param("twocolumn.pdf", "cohorts followed,", "", id="citation-range"),
        pytest.param("superscript.pdf", "The dose was 10", "exponent", id="word-exponent-after-digit"),
        pytest.param("superscript.pdf", "cells per m", "exponent", id="word-unit"),
        pytest.param("superscript.pdf", "HER2-positive patients.", "", id="word-citation-list"),
    ],
)
def test_raised_numbers_are_told_apart(name: str, anchor: str, reason: str) -> None:
    assert _reason_after(name, anchor) == reason


def test_ordinals_are_letters_not_numbers() -> None:
    text, raised = _text("twocolumn.pdf")
    assert "on the 1st and the 2nd day" in " ".join(text.split())
    assert not any(mark.text in ("st", "nd") for mark in raised)


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        pytest.param("twocolumn.pdf", "enrolled HER2-negative patients", "HER2negative", id="hyphen-kept-digit"),
        pytest.param("twocolumn.pdf", "as the synthetic reanalysis showed", "re-analysis", id="hyphen-dropped"),
        pytest.param("authoryear.pdf", "Journal of Synthetic Audits", "Syn-thetic", id="hyphen-dropped-capital"),
        pytest.param("authoryear.pdf", "scale is HER2-independent", "HER2independent", id="hyphen-kept-latex"),
        pytest.param("twocolumn.pdf", "The persisting synthetic effect", "Synthetic Journal of Invented Results",
                     id="running-header-dropped"),
        pytest.param("long.pdf", "with the", "Synthetic Journal of Long Papers", id="header-split-by-gutter-dropped"),
        pytest.param("twocolumn.pdf", "the same invented schedule", "\ufb01", id="ligatures-spelled-out"),
    ],
)
def test_text(name: str, present: str, absent: str) -> None:
    text, _ = _text(name)
    flowing = " ".join(text.split())
    assert present in flowing
    assert absent not in text


def test_page_numbers_dropped() -> None:
    text, _ = _text("long.pdf")
    assert not re.search(r"^\d+$", text, re.MULTILINE)


def test_two_columns_read_left_then_right() -> None:
    # Page 2 of the long paper: the words pdfium finds in the lower half of the left column come
    # before those of the lower half of the right one.
    text, _ = _text("long.pdf")
    document = pypdfium2.PdfDocument(FIXTURES / "long.pdf")
    page = document[1]
    width, height = page.get_size()
    textpage = page.get_textpage()
    left = textpage.get_text_bounded(0, 0, width / 2 - 5, height / 2).split()
    right = textpage.get_text_bounded(width / 2 + 5, 0, width, height / 2).split()
    document.close()
    whole = [w for w in left if w.isalpha()][-3:]
    first = [w for w in right if w.isalpha()][1:4]  # the first word may end a hyphenated one
    flowing = " ".join(text.split())
    assert 0 <= flowing.find(" ".join(whole)) < flowing.find(" ".join(first))


def test_positions_name_the_page_and_line() -> None:
    result = read(FIXTURES / "twocolumn.pdf", AuditOptions())
    layout = result.document.layout
    assert layout is not None
    document = pypdfium2.PdfDocument(FIXTURES / "twocolumn.pdf")
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    width, height = document[0].get_size()
    document.close()
    previous = (0, 0)
    for citation in result.document.citations:
        span = citation.span
        assert span.page is not None and 1 <= span.page <= len(pages)
        assert str(span) == f"{span.path}:p{span.page}:l{span.line}"
        assert (span.page, span.line) >= previous  # reading order
        previous = (span.page, span.line)
        # The words before the marker are on the page the span names (pdfium's own text of it).
        words = [w.strip(".,") for w in result.document.source.text[max(0, span.start - 40):span.start].split()]
        word = [w for w in words if w.isalpha() and len(w) > 3][-1]
        assert word in pages[span.page - 1]
        for box in layout.boxes(span.start, span.end):
            assert box.page == span.page
            assert 0 <= box.x0 < box.x1 <= width and 0 <= box.top < box.bottom <= height
    assert result.document.reference_list is not None and result.document.reference_list.page == 3


def test_scanned_pages_are_reported_not_skipped(tmp_path: Path) -> None:
    from tests.pdf_builder import image_page, text_page, write_pdf

    pdf = write_pdf(tmp_path / "mixed.pdf", [
        text_page(["A claim [1].", "", "References", "", "1. Smith J. A synthetic title. J Test. 2019;1:1-2."]),
        image_page(),
    ])
    result = read(pdf, AuditOptions())
    assert [c.targets for c in result.document.citations] == [("1",)]
    assert [f.code for f in result.findings] == ["R009"]
    assert "page 2" in result.findings[0].message and "OCR" in result.findings[0].message


def test_a_citations_sentence_can_be_highlighted_on_its_page() -> None:
    from citecheck.report.html import sentence_bounds

    result = read(FIXTURES / "twocolumn.pdf", AuditOptions())
    text, layout = result.document.source.text, result.document.layout
    assert layout is not None
    citation = next(c for c in result.document.citations if c.targets == ("4", "5"))
    lo, hi = sentence_bounds(text, citation.span.start, citation.span.end)
    assert " ".join(text[lo:hi].split()).startswith("Larger synthetic cohorts followed,")
    boxes = layout.boxes(lo, hi)
    assert len(boxes) >= 2 and {box.page for box in boxes} == {citation.span.page}


@pytest.mark.parametrize(
    ("chars", "share"),
    [
        pytest.param(list("Metastases¹ and trials."), 0.0, id="text"),
        pytest.param(["\ue001", "\ue002", "a", "\ufffd"], 0.75, id="private-use-and-replacement"),
        pytest.param(["\x03", "\x04", "b", "c"], 0.5, id="control-characters"),
        pytest.param(["\x02", "a"], 0.0, id="pdfium-line-end-hyphen-is-text"),
        pytest.param([], 0.0, id="nothing"),
    ],
)
def test_unreadable_share(chars: list[str], share: float) -> None:
    from citecheck.documents.pdf.reader import unreadable_share

    assert unreadable_share(chars) == share
