"""GitHub workflow commands: escaping by the runner's rules, and one command per finding."""

from __future__ import annotations

import pytest

from citecheck.findings import Severity
from citecheck.model import Span
from citecheck.report.github import command, escape_data, escape_property, finding_command, render
from citecheck.rules import rule
from tests.report.conftest import MULTILINE_MESSAGE, PAPER, build_sample_report


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        pytest.param("plain", "plain", "plain", id="plain"),
        pytest.param("100%", "100%25", "100%25", id="percent"),
        pytest.param("a\nb", "a%0Ab", "a%0Ab", id="newline"),
        pytest.param("a\r\nb", "a%0D%0Ab", "a%0D%0Ab", id="crlf"),
        pytest.param("a: b", "a: b", "a%3A b", id="colon"),
        pytest.param("a, b", "a, b", "a%2C b", id="comma"),
        # `%` first: the `%` that escapes a newline must not be escaped again.
        pytest.param("%0A", "%250A", "%250A", id="literal-escape"),
        pytest.param("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax", id="command-injection"),
        pytest.param("C:\\dir,x", "C:\\dir,x", "C%3A\\dir%2Cx", id="windows-path"),
        pytest.param("", "", "", id="empty"),
    ],
)
def test_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        pytest.param(
            rule("R001").finding("Entry 4 is cited nowhere.", span=Span("paper.md", 11, 3)),
            "::warning file=paper.md,line=11,col=3,title=R001 uncited-reference::Entry 4 is cited nowhere.",
            id="warning-with-span",
        ),
        pytest.param(
            rule("C001").finding("Citation [5]: no entry, see list", span=Span("a,b:c.md", 2, 1)),
            "::error file=a%2Cb%3Ac.md,line=2,col=1,title=C001 citation-without-entry"
            "::Citation [5]: no entry, see list",
            id="error-escaped-path",
        ),
        pytest.param(
            rule("U003").finding("Corrected.\nSee notice.", details={"path": "p.md"}),
            "::notice file=p.md,title=U003 corrected-work::Corrected.%0ASee notice.",
            id="info-without-span",
        ),
        pytest.param(
            rule("R005").finding("No reference list."),
            "::warning title=R005 missing-reference-list::No reference list.",
            id="no-file-at-all",
        ),
    ],
)
def test_finding_command(finding: object, expected: str) -> None:
    assert finding_command(finding) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("severity", "name"),
    [
        pytest.param(Severity.ERROR, "::error ", id="error"),
        pytest.param(Severity.WARNING, "::warning ", id="warning"),
        pytest.param(Severity.INFO, "::notice ", id="info"),
    ],
)
def test_severity_maps_to_command(severity: Severity, name: str) -> None:
    from dataclasses import replace

    finding = replace(rule("R001").finding("m", span=Span("f.md", 1, 1)), severity=severity)
    assert finding_command(finding).startswith(name)


def test_sample_lines() -> None:
    lines = render(build_sample_report()).splitlines()
    # One line per finding plus one notice per note; a newline in a message never splits a line.
    assert len(lines) == 6 + 1
    assert all(line.startswith("::") for line in lines)
    escaped = escape_data(MULTILINE_MESSAGE)
    assert f"::warning file={PAPER},line=9,col=1,title=M002 year-mismatch::{escaped}" in lines
    assert "::warning file=notes/chapter two.tex,title=S001 could-not-verify::" in lines[0]


def test_command_leaves_out_empty_properties() -> None:
    assert command("notice", {"file": "", "title": "t"}, "m") == "::notice title=t::m"
    assert command("notice", {}, "m") == "::notice::m"
