"""The Parquet datasets of a corpus run: one row per finding, per reference, per document.

Every table carries `partition` and `document` (the name the document is reported under), so
the three join on `document` and a reader can load one partition or all of them:

    import pyarrow.dataset as ds
    findings = ds.dataset("OUTDIR/findings").to_table().to_pandas()

- `findings`: `code`, `name`, `severity`, `message`, `path`, `line`, `column`, `reference`,
  and `fixes` and `details` as JSON text — the fields of `citecheck audit --format json`.
- `references`: the entry (`id`, `number`, `key`, `line`, `raw`, and the parsed `title`,
  `first_author`, `year`, `container_title`, `volume`, `page`, `doi_given`), how often it is
  cited, and its resolution (`status`, `doi`, `confidence`, `method`, `source`, `evidence`).
- `documents`: `status` (`ok`, or `unreadable` with `error`), counts of citations,
  references and findings (by severity), and of references by resolution status
  (`refs_matched`, `refs_not_found`, …, one column per status).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from citecheck.findings import Finding, Severity
from citecheck.model import Reference, ResolutionStatus
from citecheck.results import Report

__all__ = ["DocumentOutcome", "STATUS_COLUMNS", "partition_tables", "table_bytes"]

STATUS_COLUMNS = {status: "refs_" + status.value.replace("-", "_") for status in ResolutionStatus}
"""Resolution status → its count column in `documents`."""

FINDINGS = pa.schema([
    ("partition", pa.int32()), ("document", pa.string()), ("code", pa.string()), ("name", pa.string()),
    ("severity", pa.string()), ("message", pa.string()), ("path", pa.string()), ("line", pa.int32()),
    ("column", pa.int32()), ("reference", pa.string()), ("fixes", pa.string()), ("details", pa.string()),
])
REFERENCES = pa.schema([
    ("partition", pa.int32()), ("document", pa.string()), ("id", pa.string()), ("number", pa.int32()),
    ("key", pa.string()), ("line", pa.int32()), ("raw", pa.string()), ("title", pa.string()),
    ("first_author", pa.string()), ("year", pa.int32()), ("container_title", pa.string()), ("volume", pa.string()),
    ("page", pa.string()), ("doi_given", pa.string()), ("citations", pa.int32()), ("status", pa.string()),
    ("doi", pa.string()), ("confidence", pa.float64()), ("method", pa.string()), ("source", pa.string()),
    ("evidence", pa.string()),
])
DOCUMENTS = pa.schema([
    ("partition", pa.int32()), ("document", pa.string()), ("status", pa.string()), ("error", pa.string()),
    ("citations", pa.int32()), ("references", pa.int32()), ("findings", pa.int32()), ("errors", pa.int32()),
    ("warnings", pa.int32()), ("infos", pa.int32()),
    *[(column, pa.int32()) for column in STATUS_COLUMNS.values()],
])


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    """One document of a partition: its report, or why it could not be read."""

    name: str
    report: Report | None = None
    error: str = ""


def partition_tables(partition: int, outcomes: Sequence[DocumentOutcome]) -> dict[str, pa.Table]:
    """The three tables of one partition."""
    findings: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    for outcome in outcomes:
        row: dict[str, Any] = {"partition": partition, "document": outcome.name, "status": "ok", "error": None}
        if outcome.report is None:
            row.update(status="unreadable", error=outcome.error)
            documents.append(row)
            continue
        report = outcome.report
        cited = Counter(t for d in report.documents for c in d.citations for t in c.targets)
        statuses: Counter[ResolutionStatus] = Counter()
        for document in report.documents:
            by_id = {r.reference_id: r for r in reversed(document.resolutions)}  # the first, as `resolution()`
            for reference in document.references:
                resolution = by_id.get(reference.id)
                if resolution is not None:
                    statuses[resolution.status] += 1
                references.append(_reference_row(partition, outcome.name, reference, resolution, cited))
        for finding in report.findings:
            findings.append(_finding_row(partition, outcome.name, finding))
        severities = Counter(f.severity for f in report.findings)
        row.update(
            citations=sum(len(d.citations) for d in report.documents),
            references=sum(len(d.references) for d in report.documents),
            findings=len(report.findings),
            errors=severities[Severity.ERROR], warnings=severities[Severity.WARNING], infos=severities[Severity.INFO],
            **{column: statuses[status] for status, column in STATUS_COLUMNS.items()},
        )
        documents.append(row)
    return {
        "findings": pa.Table.from_pylist(findings, schema=FINDINGS),
        "references": pa.Table.from_pylist(references, schema=REFERENCES),
        "documents": pa.Table.from_pylist(documents, schema=DOCUMENTS),
    }


def _finding_row(partition: int, document: str, finding: Finding) -> dict[str, Any]:
    span = finding.span
    fixes = [{"field": f.field, "value": f.value, "old": f.old, "safe": f.safe, "source": f.source}
             for f in finding.fixes]
    return {
        "partition": partition, "document": document, "code": finding.code, "name": finding.name,
        "severity": finding.severity.label, "message": finding.message, "path": span.path if span else None,
        "line": span.line if span else None, "column": span.column if span else None, "reference": finding.reference,
        "fixes": json.dumps(fixes, ensure_ascii=False, default=str) if fixes else None,
        "details": json.dumps(finding.details, ensure_ascii=False, default=str) if finding.details else None,
    }


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return str(value) if value not in (None, "") else None


def _year(csl: dict[str, Any]) -> int | None:
    issued = csl.get("issued")
    try:
        return int(issued["date-parts"][0][0]) if isinstance(issued, dict) else None
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _reference_row(partition: int, document: str, reference: Reference, resolution: Any,
                   cited: Counter[str]) -> dict[str, Any]:
    csl = reference.csl
    people = csl.get("author") or csl.get("editor") or []
    first = people[0] if people and isinstance(people[0], dict) else {}
    work = resolution.work if resolution is not None else None
    return {
        "partition": partition, "document": document, "id": reference.id, "number": reference.number,
        "key": reference.key, "line": reference.span.line if reference.span else None, "raw": reference.raw,
        "title": _text(csl.get("title")), "first_author": _text(first.get("family") or first.get("literal")),
        "year": _year(csl), "container_title": _text(csl.get("container-title")), "volume": _text(csl.get("volume")),
        "page": _text(csl.get("page")), "doi_given": _text(csl.get("DOI")), "citations": cited[reference.id],
        "status": resolution.status.value if resolution is not None else None,
        "doi": work.doi if work is not None else None,
        "confidence": round(resolution.confidence, 3) if resolution is not None else None,
        "method": (resolution.method or None) if resolution is not None else None,
        "source": work.source if work is not None else None,
        "evidence": " | ".join(resolution.evidence) if resolution is not None and resolution.evidence else None,
    }


def table_bytes(table: pa.Table) -> bytes:
    """A table as one Parquet file's bytes (zstd), to be written atomically."""
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()
