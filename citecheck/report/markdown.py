"""The Markdown report: a summary fit for a pull-request comment or a GitHub job summary.

A headline with the counts by severity, a table of findings, a table of references with their
status, and the documentation of the rules that fired folded into a `<details>` block. The
output is GitHub-flavoured Markdown and deterministic, so a bot can update a comment in place.

This module also holds two helpers the other reporters share: which document a finding belongs
to, and the one-word status of a reference (`verified`, `corrected`, …).
"""

from __future__ import annotations

import re
from enum import Enum

from citecheck.findings import Finding, Severity
from citecheck.model import Reference, ResolutionStatus
from citecheck.results import DocumentResult, Report
from citecheck.rules import RULES, Rule

MAX_ROWS = 200
"""Rows per table before the rest is summarised: a PR comment holds at most 65,536 characters."""


class ReferenceStatus(str, Enum):
    """What became of one reference, in the words a reader of a report understands."""

    VERIFIED = "verified"
    """Matched to a registry record, and nothing about it needs changing."""
    CORRECTED = "corrected"
    """Matched, but the registry corrects what was written (DOI or metadata findings)."""
    NOT_FOUND = "not found"
    """Every source answered and none holds the work."""
    NOT_COVERED = "not covered"
    """A book, report or web page without a DOI, which Crossref is not expected to know."""
    RETRACTED = "retracted"
    """Matched to a work that has been retracted or withdrawn."""
    UNVERIFIED = "could not verify"
    """A source failed, or several records fit and none stands out: nothing is certain."""
    NOT_CHECKED = "not checked"
    """Resolution was not attempted, or only sources holding part of the registry were asked."""


STATUS_ICONS: dict[ReferenceStatus, str] = {
    ReferenceStatus.VERIFIED: "✅",
    ReferenceStatus.CORRECTED: "✏️",
    ReferenceStatus.NOT_FOUND: "❌",
    ReferenceStatus.NOT_COVERED: "ℹ️",
    ReferenceStatus.RETRACTED: "⛔",
    ReferenceStatus.UNVERIFIED: "❔",
    ReferenceStatus.NOT_CHECKED: "➖",
}
"""An icon per status, always shown next to its text label (never colour or icon alone)."""

# Families whose findings mean "the registry has better data than the reference": D (DOIs) and
# M (metadata). A matched reference with one of these is shown as corrected, not verified.
_CORRECTING_PREFIXES = ("D", "M")
_RETRACTING = {"U001", "U004"}
_RETRACTION_KINDS = {"retraction", "withdrawal", "removal"}


def finding_path(finding: Finding) -> str | None:
    """The file a finding names: its span's, else the `path` its details carry, else None."""
    if finding.span is not None:
        return finding.span.path
    path = finding.details.get("path") if finding.details else None
    return str(path) if path else None


def document_of(report: Report, finding: Finding) -> DocumentResult | None:
    """The document a finding belongs to, or None when it concerns no document in particular.

    A finding's span may lie in a bibliography file (`refs.bib`) rather than in the document,
    so the match goes by document path, then by reference id, then by any file the document's
    citations or references come from.
    """
    path = finding_path(finding)
    for document in report.documents:
        if path is not None and path == document.path:
            return document
    if finding.reference is not None:
        for document in report.documents:
            for reference in document.references:
                if reference.id != finding.reference:
                    continue
                if path is None or reference.span is None or reference.span.path == path:
                    return document
    if path is not None:
        for document in report.documents:
            paths = {r.span.path for r in document.references if r.span is not None}
            paths.update(c.span.path for c in document.citations)
            if path in paths:
                return document
    if len(report.documents) == 1:
        return report.documents[0]
    return None


def findings_about(report: Report, document: DocumentResult, reference: Reference) -> list[Finding]:
    """The findings about one reference of one document, in report order."""
    return [
        f for f in report.findings
        if f.reference == reference.id and document_of(report, f) is document
    ]


def reference_status(
    document: DocumentResult, reference: Reference, findings: list[Finding]
) -> ReferenceStatus:
    """The status of a reference from its resolution and the findings about it."""
    resolution = document.resolution(reference.id)
    codes = {f.code for f in findings}
    if codes & _RETRACTING:
        return ReferenceStatus.RETRACTED
    if resolution is None or resolution.status in (ResolutionStatus.SKIPPED, ResolutionStatus.NOT_CHECKED):
        if any(f.code == "S002" and f.severity is Severity.INFO for f in findings):
            return ReferenceStatus.NOT_COVERED  # a book without a DOI: outside the registry anyway
        return ReferenceStatus.NOT_CHECKED
    if any(f.code == "S002" and f.severity is Severity.INFO for f in findings):
        return ReferenceStatus.NOT_COVERED  # outside the registry's coverage, not a suspect
    if resolution.status is ResolutionStatus.NOT_FOUND:
        return ReferenceStatus.NOT_FOUND
    if resolution.status is not ResolutionStatus.MATCHED:
        return ReferenceStatus.UNVERIFIED
    work = resolution.work
    if work is not None and any(u.kind in _RETRACTION_KINDS for u in work.updated_by):
        return ReferenceStatus.RETRACTED
    if any(code.startswith(_CORRECTING_PREFIXES) for code in codes):
        return ReferenceStatus.CORRECTED
    return ReferenceStatus.VERIFIED


def short_title(reference: Reference, limit: int = 80) -> str:
    """A one-line label for a reference: its parsed title, else its raw text, shortened."""
    title = reference.csl.get("title") if reference.parsed else None
    text = " ".join(str(title or reference.raw or reference.key or reference.id).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Only what can change the meaning of a cell: code spans, emphasis, links, HTML, entities, the
# cell separator and strike-through. Escaping more would only clutter the raw comment.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def escape_cell(text: str) -> str:
    """Text made safe for one cell of a GitHub Markdown table.

    Markdown punctuation is backslash-escaped (so `|` cannot end the cell, `<` cannot open HTML
    and `*` cannot start emphasis), and line breaks become `<br>` because a raw newline would
    end the table row.
    """
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\r\n|\r|\n", "<br>", escaped)


def _location(report: Report, finding: Finding) -> str:
    span = finding.span
    if span is not None:
        return f"{span.path}:{span.position}" if span.page is not None else f"{span.path}:{span.line}"
    path = finding_path(finding)
    if path is None:
        document = document_of(report, finding)
        path = document.path if document else None
    return path or "—"


def headline(report: Report) -> str:
    """`❌ 2 errors, 1 warning` / `⚠️ 3 warnings` / `✅ no findings`, with the run's scope."""
    summary = report.summary
    worst = report.worst()
    icon = "✅" if worst is None or worst is Severity.INFO else (
        "❌" if worst is Severity.ERROR else "⚠️"
    )
    counts = [
        f"{n} {label}{'s' if n != 1 and label != 'info' else ''}"
        for label, n in summary.by_severity.items() if n
    ]
    documents = len(report.documents)
    scope = (
        f"{documents} document{'s' if documents != 1 else ''}, "
        f"{summary.citations} citation{'s' if summary.citations != 1 else ''}, "
        f"{summary.references} reference{'s' if summary.references != 1 else ''}"
        f" ({summary.resolved} verified"
        + (f", {summary.unverified} could not be verified" if summary.unverified else "")
        + (f", {summary.unchecked} not checked (partial sources only)" if summary.unchecked else "")
        + ")"
    )
    return f"{icon} citecheck: {', '.join(counts) if counts else 'no findings'} — {scope}"


def _findings_table(report: Report) -> list[str]:
    if not report.findings:
        return ["No findings."]
    lines = ["| Location | Code | Rule | Severity | Message |", "| --- | --- | --- | --- | --- |"]
    for finding in report.findings[:MAX_ROWS]:
        lines.append(
            f"| {escape_cell(_location(report, finding))} | {finding.code} "
            f"| {escape_cell(finding.name)} | {finding.severity.label} "
            f"| {escape_cell(finding.message)} |"
        )
    if len(report.findings) > MAX_ROWS:
        lines.append(f"\n… and {len(report.findings) - MAX_ROWS} more findings (see the full report).")
    return lines


def _references_table(report: Report) -> list[str]:
    rows: list[str] = []
    for document in report.documents:
        for reference in document.references:
            status = reference_status(document, reference, findings_about(report, document, reference))
            resolution = document.resolution(reference.id)
            work = resolution.work if resolution else None
            record = (work.doi or (f"PMID {work.pmid}" if work.pmid else "")) if work else ""
            decider = (resolution.decided_by or (work.source if work else "")) if resolution else ""
            rows.append(
                f"| {escape_cell(document.path)} | {escape_cell(reference.id)} "
                f"| {escape_cell(short_title(reference))} | {escape_cell(record)} "
                f"| {STATUS_ICONS[status]} {status.value} | {escape_cell(decider)} |"
            )
    if not rows:
        return ["No references."]
    head = ["| Document | Ref | Reference | Registry record | Status | Decided by |",
            "| --- | --- | --- | --- | --- | --- |"]
    more = [f"\n… and {len(rows) - MAX_ROWS} more references."] if len(rows) > MAX_ROWS else []
    return head + rows[:MAX_ROWS] + more


def _rules_details(report: Report) -> list[str]:
    codes = set(report.summary.by_code)
    fired: list[Rule] = [r for r in RULES if r.code in codes]
    if not fired:
        return []
    lines = ["<details><summary>Rules reported</summary>", ""]
    for item in fired:
        fix = f" Fix: {item.fix}." if item.fix else ""
        lines.append(
            f"- **{item.code} {item.name}** ({item.severity.label}): {escape_cell(item.summary)} "
            f"{escape_cell(item.why)} Example: {escape_cell(item.example)}{fix}"
        )
    lines += ["", "</details>"]
    return lines


def render(report: Report) -> str:
    """The whole Markdown summary, ending with a newline."""
    lines = [f"## {headline(report)}", ""]  # counts only: no user text to escape
    if report.notes:
        lines += [f"> {escape_cell(note)}  " for note in report.notes] + [""]
    lines += ["### Findings", ""] + _findings_table(report) + [""]
    lines += ["### References", ""] + _references_table(report) + [""]
    details = _rules_details(report)
    if details:
        lines += details + [""]
    return "\n".join(lines).rstrip("\n") + "\n"
