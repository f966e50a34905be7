"""Where a snapshot build spends its CPU: microseconds per record, stage by stage.

    python -m benchmarks.scale_profile FILE... [--records N]

Runs each stage of `citecheck.sources.snapshot`'s build over the same records in this one
process, timed with `time.process_time` (CPU, so other processes on the machine inflate it
far less than wall time), and divides by the records read:

- reader (a worker process per core in a build): `gunzip` (the input in 1 MiB chunks, as
  `datafile` reads it), `decode` (lines and msgspec, typed where the record allows),
  `fields, keys, words` (`fastpath.stored_values`, or the general path through a `Work` for
  the records it declines), `msgpack`, `zstd` (against a dictionary trained as a build trains
  it), `batch` (the columns and the pickling a queue does);
- writer (the one parent process): `unpickle`, the three inserts (`records`, the full-text
  index `words`, the staging rows), then the finishing steps `build._finalize` names
  (`duplicates`, `keys`, `index`, `terms`).

The stages run one after another, not in parallel: the sum is the build's CPU per record
except for process and queue overheads, which `benchmarks.scale` measures with the real
build (`getrusage` of the writer and its workers). The stages hold a whole file's records at
once, which a build never does (it streams them), so Python's cyclic garbage collector,
which would then cost as much as decoding, is paused while they run.
"""

from __future__ import annotations

import argparse
import gc
import io
import pickle
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["profile", "run"]


def _timed(totals: dict[str, float], stage: str, work: Callable[[], Any]) -> Any:
    started = time.process_time()
    result = work()
    totals[stage] = totals.get(stage, 0.0) + time.process_time() - started
    return result


def _read_all(path: Path) -> list[bytes]:
    """The input decompressed, read as `datafile.read_input` reads it (1 MiB at a time)."""
    from citecheck.sources.snapshot.datafile import InputFile, _open

    chunks = []
    with _open(InputFile(name=str(path), path=path, size=path.stat().st_size), None) as stream:
        while chunk := stream.read(2**20):
            chunks.append(chunk)
    return chunks


class _Chunks(io.RawIOBase):
    """The chunks read, read again one at a time."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = iter(chunks)

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        return next(self._chunks, b"")


def _decode(chunks: list[bytes]) -> list[Any]:
    from citecheck.sources.snapshot.datafile import _lines, _typed_line

    return [record for line in _lines(_Chunks(chunks)) if line and (record := _typed_line(line)) is not None]


def _values(records: list[Any]) -> list[tuple[list[Any], list[int], str]]:
    """(field list, key hashes, words) per record, by the path a build takes for it."""
    from citecheck.references.blocking import work_keys
    from citecheck.sources.records import work_from_record
    from citecheck.sources.snapshot.datafile import TypedFields, typed_record
    from citecheck.sources.snapshot.fastpath import stored_values
    from citecheck.sources.snapshot.store import RecordCodec, words_text

    out = []
    for record in records:
        if isinstance(record, TypedFields):
            values = stored_values(record)
            if values is not None:
                out.append((values.fields, values.key_hashes, values.words))
                continue
            record = typed_record(record)
            if record is None:
                continue
        work = work_from_record(record, source="snapshot")
        if work.doi:
            out.append((RecordCodec.fields(work), [k.hash for k in work_keys(work)], words_text(work)))
    return out


def profile(files: list[Path], limit: int) -> dict[str, Any]:
    """CPU per record of every stage, over the first `limit` records of `files`."""
    reader: dict[str, float] = {}
    writer: dict[str, float] = {}
    gc.disable()
    try:
        return _profile(files, limit, reader, writer)
    finally:
        gc.enable()


def _profile(files: list[Path], limit: int, reader: dict[str, float], writer: dict[str, float]) -> dict[str, Any]:
    from citecheck.sources.snapshot.build import _connect, _finalize, _train_dictionary
    from citecheck.sources.snapshot.datafile import discover_inputs
    from citecheck.sources.snapshot.rows import BATCH, Rows
    from citecheck.sources.snapshot.store import RecordCodec, create_schema

    codec = RecordCodec(_train_dictionary(discover_inputs(files[:1])))
    batches: list[bytes] = []
    records = 0
    for path in files:
        if records >= limit:
            break
        data = _timed(reader, "gunzip", lambda: _read_all(path))
        decoded = _timed(reader, "decode", lambda: _decode(data))[: limit - records]
        values = _timed(reader, "fields, keys, words", lambda: _values(decoded))
        plain = _timed(reader, "msgpack", lambda: [codec.pack(fields) for fields, _, _ in values])
        bodies = _timed(reader, "zstd", lambda: [codec.compress(p) for p in plain])

        def batch() -> list[bytes]:
            out = []
            for start in range(0, len(values), BATCH):
                rows = Rows()
                for position, ((_, hashes, words), body) in enumerate(zip(values[start:start + BATCH],
                                                                            bodies[start:start + BATCH])):
                    rows.add(position, hashes[0], body, hashes, words)
                out.append(pickle.dumps(("rows", 1, rows), protocol=pickle.HIGHEST_PROTOCOL))
            return out

        batches.extend(_timed(reader, "batch", batch))
        records += len(values)
    with tempfile.TemporaryDirectory(prefix="citecheck-profile-") as scratch:
        conn = _connect(Path(scratch) / "s.sqlite", Path(scratch) / "s.stage")
        create_schema(conn)
        conn.execute("BEGIN")
        next_id = 1
        for message in batches:
            _, index, rows = _timed(writer, "unpickle", lambda: pickle.loads(message))
            ids = range(next_id, next_id + len(rows))
            next_id += len(rows)
            _timed(writer, "records", lambda: conn.executemany(
                "INSERT INTO records (id, body) VALUES (?, ?)", zip(ids, rows.bodies)))
            _timed(writer, "words (full-text index)", lambda: conn.executemany(
                "INSERT INTO words (rowid, text) VALUES (?, ?)", zip(ids, rows.words)))
            _timed(writer, "staging rows", lambda: conn.executemany(
                "INSERT INTO stage.rows (id, input, position, doi, keys) VALUES (?, ?, ?, ?, ?)",
                zip(ids, [index] * len(rows), rows.positions, rows.doi_keys, rows.keys)))
            if next_id // 5000 != (next_id - len(rows)) // 5000:  # a commit per input file, as a build does
                _timed(writer, "commits", lambda: (conn.execute("COMMIT"), conn.execute("BEGIN")))
        conn.execute("COMMIT")
        marks: list[tuple[str, float]] = []
        _finalize(conn, codec, lambda phase: marks.append((phase, time.process_time())))
        marks.append(("", time.process_time()))
        for (phase, started), (_, ended) in zip(marks, marks[1:]):
            writer[f"finish: {phase}"] = ended - started
        conn.close()

    def per_record(totals: dict[str, float]) -> dict[str, float]:
        return {stage: round(1e6 * seconds / max(records, 1), 1) for stage, seconds in totals.items()}

    figures = {"records": records, "reader_us": per_record(reader), "writer_us": per_record(writer)}
    figures["reader_total_us"] = round(sum(figures["reader_us"].values()), 1)
    figures["writer_total_us"] = round(sum(figures["writer_us"].values()), 1)
    figures["total_us"] = round(figures["reader_total_us"] + figures["writer_total_us"], 1)
    return figures


def run(args: list[str]) -> dict[str, Any]:
    """The profile of the files given on the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_profile", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="gzipped JSON Lines of works (e.g. a scale run's --data)")
    parser.add_argument("--records", type=int, default=100_000, help="records profiled at most")
    options = parser.parse_args(args)
    return profile(options.files, options.records)


if __name__ == "__main__":  # pragma: no cover - a command
    import json
    import sys

    print(json.dumps(run(sys.argv[1:]), indent=1))
