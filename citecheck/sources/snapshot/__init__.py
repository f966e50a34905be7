"""Local snapshots of Crossref: all of it on one machine, answering in milliseconds, offline.

A snapshot is one SQLite file (`store.py` describes its layout) built from Crossref's public
data file or any JSON Lines of Crossref works (`build.py`, reading them with `datafile.py`
in worker processes with `rows.py`, most records through `fastpath.py`, the writer's side in
`pipeline.py`), kept current with newer records (`update.py`), exported as Parquet
(`export.py`), and read by `SnapshotSource` (`source.py`): DOI lookups and blocking-key
candidates in B-trees, and a full-text fallback whose cost does not grow with the snapshot.
`default_snapshot()` is the small set shipped with citecheck.

What may import what: `store` and `datafile` import nothing of the snapshot; `fastpath`
imports both; `rows` imports those three; `pipeline`, `source`, `build`, `update` and `export`
import those; nothing here imports the resolver.
"""

from __future__ import annotations

import json
from importlib import resources

from citecheck.sources.snapshot.build import BuildResult, BuildStatus, build_snapshot
from citecheck.sources.snapshot.source import SnapshotSource, query_terms
from citecheck.sources.snapshot.store import Coverage, SnapshotError
from citecheck.sources.snapshot.update import UpdateResult, update_snapshot

__all__ = [
    "BuildResult",
    "BuildStatus",
    "Coverage",
    "SnapshotError",
    "SnapshotSource",
    "UpdateResult",
    "build_snapshot",
    "default_snapshot",
    "query_terms",
    "update_snapshot",
]

DEFAULT_COVERAGE = Coverage(
    complete=False,
    description="three hand-assembled records of trial papers shipped with citecheck",
)
"""What the shipped snapshot covers: a handful of works, so its silence says nothing."""


def default_snapshot() -> SnapshotSource:
    """The snapshot shipped with citecheck (`citecheck/data/trial-papers.jsonl`), in memory.

    Its records are hand-assembled (they carry `_provenance`, kept in `Work.provenance`), not
    live Crossref answers; it covers three works, so it is partial.
    """
    text = resources.files("citecheck").joinpath("data", "trial-papers.jsonl").read_text(encoding="utf-8")
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return SnapshotSource.from_records(records, name="citecheck-default", coverage=DEFAULT_COVERAGE)
