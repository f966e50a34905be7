"""The Markdown summary: headline, escaped tables, reference statuses, rule details."""

from __future__ import annotations

import pytest

from citecheck.model import Span
from citecheck.report.markdown import (
    ReferenceStatus,
    escape_cell,
    findings_about,
    headline,
    reference_status,
    render,
)
from citecheck.results import Report
from citecheck.rules import rule
from tests.report.conftest import build_empty_report, build_sample_report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain text", "plain text", id="plain"),
        pytest.param("a | b", "a \\| b", id="pipe"),
        pytest.param("one\ntwo", "one<br>two", id="newline"),
        pytest.param("one\r\ntwo\rthree", "one<br>two<br>three", id="crlf-and-cr"),
        pytest.param("<script>", "\\<script\\>", id="html"),
        pytest.param("*x* _y_ `z`", "\\*x\\* \\_y\\_ \\`z\\`", id="emphasis-and-code"),
        pytest.param("[a](b)", "\\[a\\](b)", id="link"),
        pytest.param("back\\slash", "back\\\\slash", id="backslash"),
        pytest.param("100% : ,", "100% : ,", id="harmless"),
        pytest.param("&amp;", "\\&amp;", id="entity"),
    ],
)
def test_escape_cell(text: str, expected: str) -> None:
    assert escape_cell(text) == expected


def test_table_rows_stay_one_line_each() -> None:
    out = render(build_sample_report())
    # Every row has exactly its table header's number of unescaped cell separators.
    separators = 0
    for line in out.splitlines():
        if not line.startswith("| "):
            separators = 0
            continue
        count = line.replace("\\|", "").count("|")
        separators = separators or count  # the first line of a table is its header
        assert count == separators, line
    assert "2019 registered (100% sure),<br>see the registry record" in out
    assert "\\<script\\>" in out and "<script>" not in out


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        pytest.param(build_sample_report(), "❌ citecheck: 2 errors, 4 warnings", id="errors"),
        pytest.param(build_empty_report(), "✅ citecheck: no findings", id="empty"),
        pytest.param(Report((), (rule("R001").finding("x", span=Span("a.md", 1, 1)),)),
                     "⚠️ citecheck: 1 warning —", id="one-warning"),
        pytest.param(Report((), (rule("U003").finding("x", span=Span("a.md", 1, 1)),)),
                     "✅ citecheck: 1 info —", id="info-only"),
    ],
)
def test_headline(report: Report, expected: str) -> None:
    assert headline(report).startswith(expected)


@pytest.mark.parametrize(
    ("document", "reference", "status"),
    [
        pytest.param(0, "1", ReferenceStatus.VERIFIED, id="verified"),
        pytest.param(0, "2", ReferenceStatus.CORRECTED, id="corrected"),
        pytest.param(0, "3", ReferenceStatus.RETRACTED, id="retracted"),
        pytest.param(0, "4", ReferenceStatus.NOT_FOUND, id="not-found"),
        pytest.param(1, "smith2019", ReferenceStatus.UNVERIFIED, id="could-not-verify"),
    ],
)
def test_reference_status(document: int, reference: str, status: ReferenceStatus) -> None:
    report = build_sample_report()
    doc = report.documents[document]
    ref = next(r for r in doc.references if r.id == reference)
    assert reference_status(doc, ref, findings_about(report, doc, ref)) is status


def test_unresolved_reference_is_not_checked() -> None:
    report = build_sample_report()
    doc = report.documents[0]
    bare = type(doc)(doc.path, doc.citations, doc.references)  # no resolutions
    assert reference_status(bare, doc.references[0], []) is ReferenceStatus.NOT_CHECKED


def test_sections_and_details() -> None:
    out = render(build_sample_report())
    assert out.index("### Findings") < out.index("### References") < out.index("<details>")
    assert "| paper.md | 3 | A synthetic retracted trial | 10.5555/synthetic.3 | ⛔ retracted |" in out
    # Only the rules that fired are documented, in rule order.
    assert "**C001 citation-without-entry**" in out and "**D001" not in out
    assert "<details>" not in render(build_empty_report())


@pytest.mark.parametrize(
    ("severity", "status"),
    [
        pytest.param("info", ReferenceStatus.NOT_COVERED, id="book-without-doi-not-covered"),
        pytest.param("warning", ReferenceStatus.NOT_FOUND, id="article-nowhere-not-found"),
    ],
)
def test_no_registry_match_status_follows_its_severity(severity: str, status: ReferenceStatus) -> None:
    from dataclasses import replace

    from citecheck.findings import Severity
    from citecheck.rules import rule

    report = build_sample_report()
    doc = report.documents[0]
    ref = next(r for r in doc.references if r.id == "4")
    finding = replace(rule("S002").finding("not found", span=ref.span, reference="4"), severity=Severity.parse(severity))
    assert reference_status(doc, ref, [finding]) is status
