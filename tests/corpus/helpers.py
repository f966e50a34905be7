"""What the corpus tests compare: findings as the single-machine audit gives them, and as a
corpus run wrote them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from citecheck.config.options import AuditOptions
from citecheck.engine import audit_read, read
from citecheck.resolve.resolver import Resolver

Row = tuple[Any, ...]


def single_machine(paths: list[str], snapshot: Path, default_snapshot: bool = True) -> list[Row]:
    """The findings of `citecheck audit --offline --snapshot SNAP PATHS`.

    TEMPORARY until issue 13's snapshot lands on main: main's snapshot module cannot read the
    new snapshot format yet, so the audit's resolver is given the sources `--offline
    --snapshot SNAP` assembles (the shipped snapshot, then SNAP) by hand; the engine, the
    resolver and the checks are the audit's own.
    """
    from citecheck.sources.snapshot import default_snapshot as shipped
    from citecheck.sources.snapshot_preview import SnapshotSource

    options = AuditOptions(network=False, use_cache=False, default_snapshot=default_snapshot)
    sources = ([shipped()] if default_snapshot else []) + [SnapshotSource(snapshot)]
    report = audit_read([(p, read(p, options)) for p in paths], options, resolver=Resolver(sources, jobs=1))
    return sorted(((f.span.path if f.span else None, f.span.line if f.span else None,
                    f.span.column if f.span else None, f.code, f.message, f.reference) for f in report.findings),
                  key=_order)


def corpus_findings(output: Path | str) -> list[Row]:
    """The findings a corpus run wrote, in the same shape."""
    rows = ds.dataset(str(Path(output) / "findings")).to_table().to_pylist()
    return sorted(((r["path"], r["line"], r["column"], r["code"], r["message"], r["reference"]) for r in rows),
                  key=_order)


def _order(row: Row) -> tuple[Any, ...]:
    """Rows sorted with their empty fields (a finding without a place) first."""
    return tuple((value is not None, value if value is not None else "") for value in row)


def table(output: Path | str, name: str) -> list[dict[str, Any]]:
    """A dataset of a run, as rows sorted by document (and reference id)."""
    rows = ds.dataset(str(Path(output) / name)).to_table().to_pylist()
    return sorted(rows, key=lambda r: (r["document"], str(r.get("id") or ""), str(r.get("code") or ""),
                                       r.get("line") or 0, r.get("column") or 0, str(r.get("message") or "")))
