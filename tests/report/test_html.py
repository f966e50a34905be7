"""The HTML page: self-contained, escaped, statuses in words, citations in context, citation map."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from citecheck.model import Reference
from citecheck.report.html import citation_map, render, sentence_around
from citecheck.report.markdown import ReferenceStatus
from citecheck.results import DocumentResult
from tests.report.conftest import build_empty_report, build_sample_report


class _Collector(HTMLParser):
    """Collects tags and the attributes that could load something from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "srcset") or (tag == "link" and name == "href"):
                self.loads.append(f"{tag} {name}={value}")


def _parse(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


@pytest.mark.parametrize(
    "build",
    [pytest.param(build_sample_report, id="sample"), pytest.param(build_empty_report, id="empty")],
)
def test_self_contained(build: object) -> None:
    out = render(build())  # type: ignore[operator]
    parsed = _parse(out)
    assert parsed.loads == []
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert "@import" not in out and "url(" not in out
    assert "<style>" in out


def test_user_text_is_escaped() -> None:
    out = render(build_sample_report())
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; synthetic &amp; unsafe title" in out


@pytest.mark.parametrize(
    ("reference", "label"),
    [
        pytest.param("1", "verified", id="verified"),
        pytest.param("2", "corrected", id="corrected"),
        pytest.param("3", "retracted", id="retracted"),
        pytest.param("4", "not found", id="not-found"),
    ],
)
def test_status_is_a_word_not_only_a_colour(reference: str, label: str) -> None:
    out = render(build_sample_report())
    row = re.search(rf'<tr id="doc-1-ref-{reference}">.*?</tr>', out, re.S)
    assert row is not None
    assert re.search(rf'<span class="status [a-z-]+"><span aria-hidden="true">[^<]+</span> {label}</span>',
                     row.group())


def test_could_not_verify_label() -> None:
    assert "</span> could not verify</span>" in render(build_sample_report())


def test_citations_in_their_sentences() -> None:
    out = render(build_sample_report())
    assert "<q>Some claims rest on two sources <mark>[2, 3]</mark>.</q>" in out
    assert "<q>A retracted trial is still cited here <mark>[3]</mark>!</q>" in out
    assert "<mark>\\cite{smith2019}</mark>, the method works.</q>" in out


TEXT = ("First sentence here. The claim holds [1] in most cases. Last one!\n\nNew paragraph [2] ends\n\n"
        "Marked after its stop.¹ Next sentence.² A third.")


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        pytest.param("[1]", ("The claim holds ", "[1]", " in most cases."), id="middle-sentence"),
        pytest.param("[2]", ("New paragraph ", "[2]", " ends"), id="paragraph-no-full-stop"),
        pytest.param("First", ("", "First", " sentence here."), id="at-start"),
        pytest.param("¹", ("Marked after its stop.", "¹", ""), id="superscript-after-the-full-stop"),
        pytest.param("²", ("Next sentence.", "²", ""), id="superscript-ends-the-sentence-before"),
    ],
)
def test_sentence_around(marker: str, expected: tuple[str, str, str]) -> None:
    start = TEXT.index(marker)
    assert sentence_around(TEXT, start, start + len(marker)) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(0, 0, id="no-offsets"),
        pytest.param(5, 400, id="past-the-end"),
        pytest.param(-1, 3, id="negative"),
    ],
)
def test_sentence_around_bad_offsets(start: int, end: int) -> None:
    assert sentence_around(TEXT, start, end) == ("", "", "")


def test_sentence_around_long_text_is_cut() -> None:
    text = "word " * 200 + "[1]" + " more" * 200
    before, marker, after = sentence_around(text, 1000, 1003, limit=50)
    assert marker == "[1]"
    assert before.startswith("…") and after.endswith("…")
    assert len(before) < 60 and len(after) < 60


def test_citation_map() -> None:
    report = build_sample_report()
    document = report.documents[0]
    statuses = {"1": ReferenceStatus.VERIFIED, "2": ReferenceStatus.CORRECTED,
                "3": ReferenceStatus.RETRACTED, "4": ReferenceStatus.NOT_FOUND}
    svg = citation_map(document, statuses, "m")
    assert svg.startswith("<svg") and 'role="img"' in svg
    # Four citations: one dot each for 1, 2 and 5, two for 3 (cited twice).
    assert svg.count("<circle") == 5
    assert svg.count("cited nowhere") == 1  # entry 4
    assert "no entry in the list" in svg  # [5]
    xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg)]
    assert min(xs) >= 170 and max(xs) <= 740


def test_citation_map_positions_follow_offsets() -> None:
    text = "a" * 100
    from citecheck.model import Citation, Span

    citations = (Citation(Span("d.md", 1, 1, 0, 1), "[1]", ("1",)),
                 Citation(Span("d.md", 1, 51, 50, 51), "[1]", ("1",)),
                 Citation(Span("d.md", 1, 100, 99, 100), "[1]", ("1",)))
    document = DocumentResult("d.md", citations, (Reference("1", "r", {}),), text=text)
    svg = citation_map(document, {"1": ReferenceStatus.VERIFIED})
    xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg)]
    assert xs == [170.0, 455.0, 734.3]
    assert "cited nowhere" not in svg


def test_no_timestamp() -> None:
    out = render(build_sample_report())
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", out)
