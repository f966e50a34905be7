"""Exporting a snapshot as Parquet: its records and its blocking keys, for joins at scale.

    export_parquet(Path("crossref.sqlite3"), Path("crossref-parquet/"))

writes two datasets a distributed engine (Dask, Spark, DuckDB) joins without SQLite:

- `records/part-NNNNN.parquet`: `id` (int64), `doi`, `title`, `first_author`, `year`,
  `container_title`, `volume`, `page` (for reading and filtering), and `body` (binary: the
  work's fields as MessagePack, `store.work_from_fields(msgpack.decode(body), source)`
  gives the `Work` back, exactly as the snapshot answers it);
- `keys/part-NNNNN.parquet`: `key` (int64, `citecheck.references.blocking` hashes, the DOI's
  among them), `id` (int64).

A reference meets its candidates by `reference_keys(csl, raw)` hashes joined on `keys.key`;
`select_candidates` then picks what `citecheck.matching.decide` judges, as the snapshot does.
pyarrow is optional (`pip install 'citecheck[parquet]'`).
"""

from __future__ import annotations

from pathlib import Path

from citecheck.references.blocking import work_keys
from citecheck.sources.snapshot.source import SnapshotSource

__all__ = ["ExportUnavailable", "export_parquet"]

ROWS_PER_FILE = 1_000_000
"""Records per Parquet file (a few tens of MB each)."""


class ExportUnavailable(Exception):
    """pyarrow is not installed, or the output directory cannot be written."""


def export_parquet(snapshot: Path, output: Path, rows_per_file: int = ROWS_PER_FILE) -> tuple[int, int]:
    """Write the snapshot's records and keys under `output`; (records, keys) written.

    Raises SnapshotError for a file that is not a snapshot, ExportUnavailable without pyarrow.
    """
    try:
        import pyarrow as pa  # optional dependency
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportUnavailable("exporting to Parquet needs pyarrow: pip install 'citecheck[parquet]'") from None
    source = SnapshotSource(snapshot)
    try:
        (output / "records").mkdir(parents=True, exist_ok=True)
        (output / "keys").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        source.close()
        raise ExportUnavailable(f"{output}: {error.strerror or error}") from None
    records = keys = part = 0
    columns: dict[str, list[object]] = {}
    key_columns: dict[str, list[int]] = {"key": [], "id": []}

    def flush() -> None:
        nonlocal part
        if columns.get("id"):
            pq.write_table(pa.table(columns), output / "records" / f"part-{part:05}.parquet")
            pq.write_table(pa.table(key_columns, schema=pa.schema([("key", pa.int64()), ("id", pa.int64())])),
                           output / "keys" / f"part-{part:05}.parquet")
            part += 1
        columns.clear()
        columns.update({name: [] for name in ("id", "doi", "title", "first_author", "year", "container_title",
                                              "volume", "page", "body")})
        key_columns["key"].clear()
        key_columns["id"].clear()

    try:
        flush()
        for rid, work in source.iter_records():
            first = work.authors[0] if work.authors else None
            for name, value in (("id", rid), ("doi", work.doi), ("title", work.title),
                                ("first_author", (first.family or first.literal) if first else ""), ("year", work.year),
                                ("container_title", work.container_title), ("volume", work.volume), ("page", work.page),
                                ("body", source.codec.plain(work))):
                columns[name].append(value)
            for key in work_keys(work):
                key_columns["key"].append(key.hash)
                key_columns["id"].append(rid)
                keys += 1
            records += 1
            if len(columns["id"]) >= rows_per_file:
                flush()
        flush()
    finally:
        source.close()
    return records, keys
