"""The snapshot as a corpus run reads it: Parquet files that workers read a part at a time.

A snapshot file (SQLite, `citecheck snapshot build`) is exported once with the snapshot's own
export (`export_parquet`: `records/` with each record's body, `keys/` with its blocking-key
hashes, in parts of consecutive record ids), and two datasets are added here for the
full-text fallback of the snapshot's search, computed from the records' bodies exactly as
the snapshot indexes them (`words_text`):

- `terms/part-NNNNN.parquet`: (`term`, `id`): each record's indexed words, as 64-bit hashes
  (`term_hash`), sorted;
- `vocab/part-NNNNN.parquet`: (`term`, `count`): how many records of the part hold each word.

Words are stored as hashes so that the join compares integers, not strings: two words of the
snapshot's vocabulary share a hash with odds of about n²/2⁶⁵ (one in 4,000 for all of
Crossref's hundred million distinct words), and would then count as one word.

`corpus-snapshot.json`, written last, says what the directory holds: the snapshot's name,
record count and coverage, its blocking-key version, and the id range of every part. A
directory without it is an unfinished export, done again.

The prepared directory can be copied to an object store (`aws s3 sync DIR s3://…`) and named
by URL in later runs: every worker then reads the parts it needs from there.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from citecheck.corpus.inputs import is_url
from citecheck.corpus.store import OutputStore
from citecheck.documents.loading import InputError
from citecheck.references.blocking import BLOCKING_VERSION
from citecheck.sources.base import Coverage
from citecheck.sources.snapshot import SnapshotError, SnapshotSource
from citecheck.sources.snapshot.export import ExportUnavailable, export_parquet
from citecheck.sources.snapshot.store import work_from_fields, words_text

__all__ = ["META", "ParquetSnapshot", "SnapshotPart", "decode_body", "open_prepared", "prepare_snapshot", "term_hash",
           "terms_of"]

FORMAT = "citecheck-corpus-snapshot"
VERSION = 2
META = "corpus-snapshot.json"
ROWS_PER_PART = 1_000_000
"""Records per part at most: what one task reads (tens of MB of keys and bodies)."""
MIN_PARTS = 16
"""Parts a smaller snapshot is still cut into, so that the join's work spreads over workers."""
MIN_ROWS_PER_PART = 500
"""Records per part at least (below, a task's overhead outweighs its work)."""
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class SnapshotPart:
    """One part: a run of consecutive record ids, in each of the four datasets."""

    name: str
    first_id: int
    last_id: int
    records: int


@dataclass(frozen=True, slots=True)
class ParquetSnapshot:
    """A prepared snapshot: where it is and what it holds."""

    root: str
    """Local directory or URL."""
    name: str
    """The source name the snapshot answers as (`snapshot:crossref`), as `SnapshotSource` does."""
    records: int
    coverage: Coverage
    parts: tuple[SnapshotPart, ...]
    identity: str = ""
    """What it was prepared from (file, size, modification time), to tell two snapshots apart."""

    def location(self, dataset: str, part: SnapshotPart) -> str:
        """The file of one dataset's part."""
        return f"{self.root.rstrip('/')}/{dataset}/{part.name}.parquet"

    def parts_holding(self, ids: Sequence[int]) -> dict[str, list[int]]:
        """The parts that hold these record ids, each with its ids."""
        found: dict[str, list[int]] = {}
        ordered = sorted(self.parts, key=lambda p: p.first_id)
        starts = [p.first_id for p in ordered]
        import bisect

        for rid in ids:
            at = bisect.bisect_right(starts, rid) - 1
            if at >= 0 and rid <= ordered[at].last_id:
                found.setdefault(ordered[at].name, []).append(rid)
        return found


def decode_body(body: bytes, source: str) -> Any:
    """The `Work` an exported record body holds, answering as `source` (as the snapshot does)."""
    import msgspec  # a dependency of the snapshot

    return work_from_fields(msgspec.msgpack.decode(body), source)


def term_hash(term: str) -> int:
    """A word as the `terms` and `vocab` datasets store it: BLAKE2b, 8 bytes, signed int64."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def terms_of(work: Any) -> list[str]:
    """The words a snapshot's full-text index holds for a work: `words_text`, tokenised as
    SQLite's unicode61 tokenizer does (runs of letters and digits; the text is already folded)."""
    return list(dict.fromkeys(_TOKEN.findall(words_text(work))))


def _identity(snapshot: Path) -> dict[str, Any]:
    status = snapshot.stat()
    return {"file": str(snapshot.resolve()), "size": status.st_size, "mtime_ns": status.st_mtime_ns}


def open_prepared(location: str) -> ParquetSnapshot:
    """A prepared snapshot (a directory or URL holding `corpus-snapshot.json`); InputError otherwise."""
    data = OutputStore(location).read(META)
    if data is None:
        raise InputError(f"{location}: not a snapshot prepared for corpus runs (no {META}); prepare one with "
                         "citecheck corpus --snapshot SNAP --export-snapshot DIR")
    try:
        meta = json.loads(data)
    except json.JSONDecodeError:
        raise InputError(f"{location}: {META} is not JSON") from None
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise InputError(f"{location}: prepared by another version of citecheck; prepare it again")
    if meta.get("blocking_version") != BLOCKING_VERSION:
        raise InputError(f"{location}: built with another version of the blocking keys; prepare it again")
    coverage = meta.get("coverage", {})
    return ParquetSnapshot(
        root=location,
        name=meta["name"],
        records=int(meta["records"]),
        coverage=Coverage(complete=bool(coverage.get("complete")), as_of=coverage.get("as_of", ""),
                          description=coverage.get("description", "")),
        parts=tuple(SnapshotPart(p["name"], p["first_id"], p["last_id"], p["records"]) for p in meta["parts"]),
        identity=json.dumps(meta.get("source", {}), sort_keys=True),
    )


def index_part(root: str, name: str, source: str) -> SnapshotPart:
    """Write the `terms` and `vocab` files of one exported part; its id range and size."""
    store = OutputStore(root)
    data = store.read(f"records/{name}.parquet")
    if data is None:
        raise InputError(f"{root}: records/{name}.parquet is missing")
    table = pq.read_table(io.BytesIO(data), columns=["id", "body"])
    ids = table.column("id").to_pylist()
    terms: list[int] = []
    term_ids: list[int] = []
    for rid, body in zip(ids, table.column("body").to_pylist()):
        for term in terms_of(decode_body(body, source)):
            terms.append(term_hash(term))
            term_ids.append(rid)
    postings = pa.table({"term": pa.array(terms, pa.int64()), "id": pa.array(term_ids, pa.int64())})
    postings = postings.sort_by([("term", "ascending"), ("id", "ascending")])
    counts = postings.group_by("term").aggregate([("id", "count")]).rename_columns(["term", "count"])
    counts = counts.sort_by("term")
    for dataset, result in (("terms", postings), ("vocab", counts)):
        sink = io.BytesIO()
        pq.write_table(result, sink, compression="zstd", row_group_size=256 * 1024)
        store.write(f"{dataset}/{name}.parquet", sink.getvalue())
    return SnapshotPart(name, min(ids) if ids else 0, max(ids) if ids else -1, len(ids))


Mapper = Callable[[Callable[..., SnapshotPart], list[tuple[Any, ...]]], list[SnapshotPart]]
"""Runs a function over argument tuples (in this process, or on a Dask cluster)."""


def _here(function: Callable[..., SnapshotPart], arguments: list[tuple[Any, ...]]) -> list[SnapshotPart]:
    return [function(*args) for args in arguments]


def prepared_from(snapshot: Path, target: str) -> bool:
    """True when `target` already holds this very snapshot file's export."""
    existing = OutputStore(target).read(META)
    try:
        return existing is not None and json.loads(existing).get("source") == _identity(snapshot)
    except (json.JSONDecodeError, OSError):
        return False


def prepare_snapshot(snapshot: Path, target: str, mapper: Mapper | None = None,
                     rows_per_part: int | None = None) -> ParquetSnapshot:
    """Export a snapshot file into `target` (a local directory) for corpus runs, unless it
    already holds this very file's export; InputError for a file that is not a snapshot.

    `rows_per_part`: records per part (default: `ROWS_PER_PART`, or fewer so that a small
    snapshot still makes `MIN_PARTS` parts)."""
    if is_url(target):
        raise InputError(f"{target}: a snapshot is prepared into a local directory; copy it to the store afterwards")
    store = OutputStore(target)
    identity = _identity(snapshot)
    existing = store.read(META)
    if existing is not None:
        try:
            if json.loads(existing).get("source") == identity:
                return open_prepared(target)
        except (json.JSONDecodeError, InputError):
            pass
        store.remove(META)
    try:
        source = SnapshotSource(snapshot)
    except SnapshotError as error:
        raise InputError(str(error)) from None
    try:
        name, records, coverage = source.name, source.size, source.coverage
    finally:
        source.close()
    if rows_per_part is None:
        rows_per_part = min(ROWS_PER_PART, max(MIN_ROWS_PER_PART, -(-records // MIN_PARTS)))
    for dataset in ("records", "keys", "terms", "vocab"):  # an earlier, unfinished or other export
        for stale in store.listdir(dataset):
            store.remove(f"{dataset}/{stale}")
    try:
        export_parquet(snapshot, Path(target), rows_per_file=rows_per_part)
    except (SnapshotError, ExportUnavailable) as error:
        raise InputError(str(error)) from None
    names = sorted(p.stem for p in (Path(target) / "records").glob("part-*.parquet"))
    parts = (mapper or _here)(index_part, [(target, part, name) for part in names])
    meta = {
        "format": FORMAT, "version": VERSION, "blocking_version": BLOCKING_VERSION, "name": name,
        "records": records, "source": identity,
        "coverage": {"complete": coverage.complete, "as_of": coverage.as_of, "description": coverage.description},
        "parts": [{"name": p.name, "first_id": p.first_id, "last_id": p.last_id, "records": p.records}
                  for p in parts if p.records],
    }
    store.write(META, json.dumps(meta, indent=1).encode("utf-8"))
    return open_prepared(target)
