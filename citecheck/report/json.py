"""The JSON report: a versioned document that other tools parse.

Shape (version 1): `{"version", "tool", "summary", "notes", "findings", "citations",
"references"}`; every list is sorted deterministically. Findings, citations and references in a
PDF also carry `page` (their `line` is then the line on that page). Changing a field's meaning needs a new
version; adding fields does not.
"""

from __future__ import annotations

import json
from typing import Any

from citecheck.version import __version__
from citecheck.findings import Finding
from citecheck.model import Citation, Reference, Resolution, Work
from citecheck.results import DocumentResult, Report

SCHEMA_VERSION = 1
"""The version of the JSON document's shape."""


def _finding(finding: Finding) -> dict[str, Any]:
    span = finding.span
    out: dict[str, Any] = {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": finding.message,
        "path": span.path if span else None,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "reference": finding.reference,
    }
    if span is not None and span.page is not None:
        out["page"] = span.page  # a PDF: `line` is the line on this page
    if finding.fixes:
        out["fixes"] = [
            {"field": f.field, "value": f.value, "old": f.old, "safe": f.safe, "source": f.source}
            for f in finding.fixes
        ]
    if finding.details:
        out["details"] = finding.details
    return out


def _citation(citation: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": citation.span.path,
        "line": citation.span.line,
        "column": citation.span.column,
        "text": citation.text,
        "style": citation.style.value,
        "references": list(citation.targets),
    }
    if citation.span.page is not None:
        out["page"] = citation.span.page
    return out


def work_summary(work: Work) -> dict[str, Any]:
    """The fields of a registry record that a report shows."""
    out: dict[str, Any] = {
        "doi": work.doi,
        "title": work.title,
        "authors": [a.display() for a in work.authors],
        "container_title": work.container_title,
        "year": work.year,
        "volume": work.volume,
        "issue": work.issue,
        "page": work.page,
        "type": work.type,
        "source": work.source,
    }
    if work.provenance:
        out["provenance"] = work.provenance
    if work.unverified_fields:
        out["unverified_fields"] = list(work.unverified_fields)
    if work.pmid:
        out["pmid"] = work.pmid
    if work.pmcid:
        out["pmcid"] = work.pmcid
    if work.cached_on:
        out["cached_on"] = work.cached_on
    return out


def _resolution(resolution: Resolution) -> dict[str, Any]:
    work = resolution.work
    out: dict[str, Any] = {
        "status": resolution.status.value,
        "doi": work.doi if work else None,
        "confidence": round(resolution.confidence, 3),
        "method": resolution.method or None,
        # The source that decided: the one holding the matched record, or those that answered
        # "not held" for a reference found nowhere.
        "source": resolution.decided_by or (work.source if work else None),
        "evidence": list(resolution.evidence),
        "sources": list(resolution.sources),
    }
    if work is not None:
        out["work"] = work_summary(work)
    if resolution.candidates:
        out["candidates"] = [work_summary(c) for c in resolution.candidates]
    if resolution.failures:
        out["failures"] = list(resolution.failures)
    if resolution.not_covered:
        out["not_covered"] = list(resolution.not_covered)
    return out


def _reference(document: DocumentResult, reference: Reference) -> dict[str, Any]:
    span = reference.span
    out: dict[str, Any] = {
        "id": reference.id,
        "number": reference.number,
        "key": reference.key,
        "path": span.path if span else document.path,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "raw": reference.raw,
        "parsed": reference.parsed,
        "et_al": reference.et_al,
        "csl": reference.csl,
    }
    if span is not None and span.page is not None:
        out["page"] = span.page
    resolution = document.resolution(reference.id)
    out["resolution"] = _resolution(resolution) if resolution else None
    return out


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (the other structured formats build on this)."""
    summary = report.summary
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "citecheck", "version": __version__},
        "summary": {
            "findings": summary.findings,
            "by_severity": summary.by_severity,
            "by_code": summary.by_code,
            "documents": len(report.documents),
            "citations": summary.citations,
            "references": summary.references,
            "resolved": summary.resolved,
            "resolved_by": summary.resolved_by,
            "unverified": summary.unverified,
            "unchecked": summary.unchecked,
            "complete": summary.complete,
        },
        "notes": list(report.notes),
        "findings": [_finding(f) for f in report.findings],
        "citations": [_citation(c) for d in report.documents for c in d.citations],
        "references": [_reference(d, r) for d in report.documents for r in d.references],
    }


def render(report: Report) -> str:
    """The report as indented JSON, keys in a stable order, ending with a newline."""
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
