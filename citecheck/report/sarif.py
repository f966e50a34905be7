"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run; the driver lists every rule citecheck has (so a viewer can show the documentation of a
rule even when this run did not report it); each finding becomes a result whose location is
relative to `%SRCROOT%`, the checkout. Results carry a `partialFingerprints` entry that does not
depend on line numbers, so an alert survives text being inserted above it.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from citecheck.version import __version__
from citecheck.findings import Finding, Severity
from citecheck.report.markdown import document_of, finding_path
from citecheck.results import Report
from citecheck.rules import RULES, Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
"""The official schema of SARIF 2.1.0 (errata 01), as GitHub's documentation cites it."""
INFORMATION_URI = "https://github.com/citecheck/citecheck"
"""The project's home, shown by viewers next to the tool's name (as in sources/crossref.py)."""
FINGERPRINT_KEY = "citecheck/v1"
"""Key of the fingerprint in `partialFingerprints`; a new version if its recipe ever changes."""
SRCROOT = "%SRCROOT%"
"""The base id GitHub code scanning resolves to the repository root."""

LEVELS: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}
"""SARIF `level` for each severity."""

_RULE_INDEX: dict[str, int] = {item.code: index for index, item in enumerate(RULES)}

# Positions a message may mention ("line 12", "lines 3-4", "paper.md:12:5"): removed before
# fingerprinting so that moving text does not make a new alert of an old one.
_POSITIONS = re.compile(r"\blines? \d+(?:\s*[-–]\s*\d+)?|:\d+(?::\d+)?\b", re.IGNORECASE)


def artifact_uri(path: str) -> tuple[str, bool]:
    """The URI of a file and whether it is relative to `%SRCROOT%`.

    Relative paths become relative URI references with `/` separators and percent-encoded
    characters (a space is `%20`); absolute paths become `file:` URIs, since they cannot be
    relative to the checkout.
    """
    windows = PureWindowsPath(path)
    if windows.drive or path.startswith(("/", "\\")):
        posix = windows.as_posix() if windows.drive else path.replace("\\", "/")
        return "file://" + ("/" if windows.drive else "") + quote(posix, safe="/:"), False
    posix_path = PurePosixPath(path.replace("\\", "/"))
    return quote(str(posix_path), safe="/"), True


def normalised_message(message: str) -> str:
    """The message without positions, whitespace collapsed: the part of a fingerprint that
    stays the same when the finding moves."""
    return " ".join(_POSITIONS.sub("", message).split()).lower()


def fingerprint(finding: Finding, path: str) -> str:
    """A stable id of one finding: sha256 over code, path, reference and normalised message."""
    parts = (finding.code, path, finding.reference or "", normalised_message(finding.message))
    # A separator that cannot occur in the parts keeps ("a", "bc") and ("ab", "c") apart.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _rule_help_markdown(item: Rule) -> str:
    lines = [
        f"**{item.code} {item.name}**: {item.summary}",
        "",
        f"*Why it matters*: {item.why}",
        "",
        f"*Example*: {item.example}",
    ]
    if item.fix:
        lines += ["", f"*Fix*: citecheck can fix this ({item.fix} fix)."]
    return "\n".join(lines)


def rule_descriptor(item: Rule) -> dict[str, Any]:
    """The `reportingDescriptor` of one rule."""
    help_text = f"{item.summary} Why it matters: {item.why} Example: {item.example}"
    if item.fix:
        help_text += f" citecheck can fix this ({item.fix} fix)."
    return {
        "id": item.code,
        "name": item.name,
        "shortDescription": {"text": item.summary},
        "fullDescription": {"text": f"{item.summary} {item.why}"},
        "help": {"text": help_text, "markdown": _rule_help_markdown(item)},
        "defaultConfiguration": {"level": LEVELS[item.severity]},
        "properties": {"tags": ["citations"], "fix": item.fix or "none"},
    }


def _location(uri: str, relative: bool, line: int, column: int | None, page: int | None = None) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    region: dict[str, Any] = {"startLine": max(line, 1)}
    if column is not None:
        region["startColumn"] = max(column, 1)
    if page is not None:
        # A PDF: the line is the line on this page. SARIF has no page, so it goes in the
        # region's property bag (every SARIF object may carry one).
        region["properties"] = {"page": page}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def result(report: Report, finding: Finding) -> dict[str, Any]:
    """The SARIF `result` of one finding."""
    out: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in _RULE_INDEX:
        out["ruleIndex"] = _RULE_INDEX[finding.code]
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": finding.message}
    path = finding_path(finding)
    if path is None:
        document = document_of(report, finding)
        path = document.path if document else None
    if path is not None:
        uri, relative = artifact_uri(path)
        span = finding.span
        # Code scanning needs a line for every alert: a finding about a whole file points at
        # its first line.
        location = _location(uri, relative, span.line if span else 1, span.column if span else None,
                             span.page if span else None)
        out["locations"] = [location]
    out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(finding, path or "")}
    properties: dict[str, Any] = {}
    if finding.reference is not None:
        properties["reference"] = finding.reference
    if finding.fixes:
        properties["fixes"] = [
            {"field": f.field, "value": f.value, "old": f.old, "safe": f.safe, "source": f.source}
            for f in finding.fixes
        ]
    if properties:
        out["properties"] = properties
    return out


def report_to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF log (plain JSON-ready data)."""
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "citecheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(item) for item in RULES],
            }
        },
        # Span columns count characters, not UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
        "results": [result(report, f) for f in report.findings],
    }
    if report.notes:
        run["invocations"] = [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "note", "message": {"text": note}} for note in report.notes
            ],
        }]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    """The SARIF log as indented JSON, ending with a newline."""
    return json.dumps(report_to_sarif(report), indent=2, ensure_ascii=False) + "\n"
