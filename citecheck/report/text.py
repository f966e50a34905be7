"""The text report: one line per finding, `path:line:col: CODE name message`, like ruff and flake8."""

from __future__ import annotations

from citecheck.findings import Finding
from citecheck.results import Report


def finding_line(finding: Finding) -> str:
    """One finding as a line; findings about the whole document name the file alone."""
    where = str(finding.span) if finding.span else (finding_path(finding) or "-")
    return f"{where}: {finding.code} {finding.name} {finding.message}"


def finding_path(finding: Finding) -> str:
    """The file a finding concerns, when it has no position."""
    return finding.details.get("path", "") if finding.details else ""


def render(report: Report) -> str:
    """Every finding, one per line, in report order (no summary: that goes to stderr)."""
    return "".join(finding_line(f) + "\n" for f in report.findings)


def summary_text(report: Report) -> str:
    """The closing summary, for stderr: counts by rule, by severity, and verification status."""
    summary = report.summary
    lines: list[str] = []
    names = {f.code: f.name for f in report.findings}
    for code, count in summary.by_code.items():
        lines.append(f"{count:>5}  {code} {names.get(code, '')}")
    severities = ", ".join(f"{n} {s}" for s, n in summary.by_severity.items() if n)
    noun = "finding" if summary.findings == 1 else "findings"
    lines.append(
        f"{summary.findings} {noun}" + (f" ({severities})" if severities else "")
        + f" in {len(report.documents)} document{'s' if len(report.documents) != 1 else ''}:"
        f" {summary.citations} citations, {summary.references} references"
        + (f", {summary.resolved} verified" if summary.resolved else "")
        + (f" ({', '.join(f'{n} by {source}' for source, n in summary.resolved_by.items())})"
           if summary.resolved_by else "")
        + (f", {summary.unverified} could not be verified" if summary.unverified else "")
        + (f", {summary.unchecked} not checked (partial sources only)" if summary.unchecked else "")
        + "."
    )
    return "\n".join(lines) + "\n"
