"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

`::error file=paper.md,line=3,col=10,title=C001 citation-without-entry::Citation [5] …`

Severity maps to the command: error → `::error`, warning → `::warning`, info → `::notice`.
GitHub's runner parses these lines, so user text is escaped the way the runner unescapes it
(the rules of `@actions/core`'s `escapeData` and `escapeProperty`).
"""

from __future__ import annotations

from citecheck.findings import Finding, Severity
from citecheck.report.markdown import finding_path
from citecheck.results import Report

COMMANDS: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}
"""The workflow command for each severity."""


def escape_data(text: str) -> str:
    """Escape the message part (after `::`): `%`, carriage return and line feed.

    `%` goes first, or the `%` of every later escape would be escaped again.
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (`file=…`, `title=…`): as data, plus `:` and `,`.

    `:` would end the properties and `,` would start the next one.
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    """One workflow command line (without the newline); empty properties are left out."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def finding_command(finding: Finding) -> str:
    """The annotation for one finding; findings without a position annotate the whole file."""
    span = finding.span
    properties = {
        "file": finding_path(finding) or "",
        "line": str(max(span.line, 1)) if span else "",
        "col": str(max(span.column, 1)) if span else "",
        "title": f"{finding.code} {finding.name}" + (f" (page {span.page})" if span and span.page else ""),
    }
    return command(COMMANDS[finding.severity], properties, finding.message)


def render(report: Report) -> str:
    """One command per finding in report order, then the run's notes as notices."""
    lines = [finding_command(f) for f in report.findings]
    lines += [command("notice", {"title": "citecheck"}, note) for note in report.notes]
    return "".join(line + "\n" for line in lines)
