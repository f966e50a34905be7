"""Building a snapshot from Crossref's public data file: parallel, resumable, bounded in memory.

    build_snapshot([Path("crossref-2026/")], Path("crossref.sqlite3"), coverage=...)

How it goes:

1. The inputs are listed (`datafile.discover_inputs`) and registered in `OUTPUT.partial`, a
   snapshot under construction beside the output, with a staging file
   `OUTPUT.partial-stage` (per record: its input, position, DOI key and blocking keys).
2. A zstd dictionary is trained on a sample of the first records (`store.RecordCodec`).
3. Worker processes read whole input files and send rows (`rows.py`); this process writes
   them: the record body, its words in the full-text index, its staging row. Each finished
   input is committed together with its rows, so an interrupted build (Ctrl-C, SIGKILL, a
   power cut aside) resumes where it stopped: run the same command again, and finished inputs
   are not read again; rows of unfinished ones are removed first.
4. Finalising: a DOI seen twice keeps its first record (in input order, then file order, so
   the result never depends on which worker finished first); the blocking keys are sorted
   into their table in one pass; the full-text index is merged; the staging file is deleted
   and the snapshot renamed into place. A build that stores no record is an error.

Memory: each worker holds one input's decompressed stream (JSON Lines: a line; items files up
to `datafile.WHOLE_FILE_LIMIT`) and a batch of rows; the queues hold at most
`2 × workers` inputs' worth of data in flight; SQLite's page cache is capped at `CACHE_MIB`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import zstandard

from citecheck.references.blocking import BLOCKING_VERSION
from citecheck.sources.snapshot.datafile import InputFile, ReadProblem, discover_inputs, read_input, stream_members
from citecheck.sources.snapshot.pipeline import Feed, Report, Writer, now, run_here, run_workers
from citecheck.sources.snapshot.rows import RowMaker
from citecheck.sources.snapshot.store import (
    FORMAT, VERSION, Coverage, RecordCodec, SnapshotError, count_terms, create_schema, words_text,
)

__all__ = ["BuildResult", "BuildStatus", "build_snapshot", "partial_paths"]

CACHE_MIB = 512
"""SQLite page cache of the writer, in MiB (also the sort's memory when the keys are ordered)."""
DICTIONARY_BYTES = 64 * 1024
"""Size of the zstd dictionary trained on the first records."""
DICTIONARY_SAMPLES = 5000
"""Records sampled to train it (fewer than `MIN_SAMPLES`: no dictionary)."""
MIN_SAMPLES = 200



@dataclass(frozen=True, slots=True)
class BuildStatus:
    """Where a build stands, for a progress display."""

    records: int
    """Records stored so far (including those of a resumed build)."""
    inputs_done: int
    """Input files finished."""
    inputs_total: int
    """Input files known (members of a gzipped tar are counted as they are met)."""
    bytes_done: int
    """Stored (compressed) bytes of the finished inputs."""
    bytes_total: int
    """Stored bytes of all inputs."""
    seconds: float
    """Time since this run started."""
    records_this_run: int
    """Records stored by this run (the rate's numerator)."""
    phase: str = "reading"
    """`reading`, or the finalising step under way (`duplicates`, `keys`, `index`, `terms`), or `done`."""

    @property
    def rate(self) -> float:
        """Records per second in this run."""
        return self.records_this_run / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Estimated seconds left in the reading phase, from the bytes read (None: unknown)."""
        done = self.bytes_done - self._resumed_bytes
        if done <= 0 or self.seconds <= 0 or self.bytes_total <= 0:
            return None
        return max(0.0, (self.bytes_total - self.bytes_done) * self.seconds / done)

    _resumed_bytes: int = 0


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a finished build did."""

    records: int
    """Records in the snapshot."""
    inputs: int
    """Input files read (over all runs of a resumed build)."""
    resumed: int
    """Input files finished by an earlier, interrupted run and not read again."""
    bad_records: int
    """Records skipped because they could not be read or had no DOI."""
    broken_inputs: tuple[str, ...]
    """One line per input that could not be read to its end."""
    duplicates: int
    """Records dropped because an earlier input already held their DOI."""
    seconds: float
    """Wall time of this run."""


def partial_paths(output: Path) -> tuple[Path, Path]:
    """The snapshot under construction and its staging file, beside `output`."""
    return output.with_name(output.name + ".partial"), output.with_name(output.name + ".partial-stage")


def _connect(partial: Path, stage: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(partial, isolation_level=None)
    # Rollback journals (not WAL) so that a commit over the snapshot and its attached staging
    # file is atomic; synchronous=OFF survives a killed process (not a power cut), which is
    # what resuming is for.
    conn.execute("PRAGMA journal_mode = TRUNCATE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = -{CACHE_MIB * 1024}")
    conn.execute("ATTACH DATABASE ? AS stage", (str(stage),))
    conn.execute("PRAGMA stage.journal_mode = TRUNCATE")
    conn.execute("PRAGMA stage.synchronous = OFF")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS stage.rows (id INTEGER PRIMARY KEY, input INTEGER NOT NULL, "
        "position INTEGER NOT NULL, doi INTEGER NOT NULL, keys TEXT NOT NULL)"
    )
    return conn


def _train_dictionary(inputs: Sequence[InputFile]) -> bytes | None:
    """A zstd dictionary from the first records of the first inputs (None when too few)."""
    maker = RowMaker(None)
    samples: list[bytes] = []
    for source in inputs:
        try:
            if source.streamed:
                members = stream_members(source)
                first = next(members, None)
                records = read_input(*first, typed=True) if first else iter(())
            else:
                records = read_input(source, typed=True)
            for _, record, _ in records:
                if record is not None and (made := maker.plain(record)) is not None:
                    samples.append(made[1])
                if len(samples) >= DICTIONARY_SAMPLES:
                    break
        except ReadProblem:
            continue
        if len(samples) >= DICTIONARY_SAMPLES:
            break
    if len(samples) < MIN_SAMPLES:
        return None
    try:
        return zstandard.train_dictionary(DICTIONARY_BYTES, samples, level=6).as_bytes()
    except zstandard.ZstdError:
        return None  # samples too uniform or too small to learn from


def _remove_unfinished(conn: sqlite3.Connection, codec: RecordCodec) -> None:
    """Take out the rows of inputs an interrupted run had not finished (they are read again)."""
    conn.execute("BEGIN")
    unfinished = "SELECT id FROM inputs WHERE finished IS NULL"
    stale = conn.execute(
        f"SELECT r.id, r.body FROM records AS r JOIN stage.rows AS s ON s.id = r.id WHERE s.input IN ({unfinished})"
    ).fetchall()
    conn.executemany(
        "INSERT INTO words (words, rowid, text) VALUES ('delete', ?, ?)",
        ((rid, words_text(codec.decode(body, ""))) for rid, body in stale),
    )
    conn.executemany("DELETE FROM records WHERE id = ?", ((rid,) for rid, _ in stale))
    conn.execute(f"DELETE FROM stage.rows WHERE input IN ({unfinished})")
    # Members of a gzipped tar are registered as they are met: forget the unfinished ones.
    conn.execute("DELETE FROM inputs WHERE finished IS NULL AND kind = 'build'")
    conn.execute("COMMIT")


def _start(conn: sqlite3.Connection, inputs: Sequence[InputFile], coverage: Coverage, description: str) -> bytes | None:
    """Create a new snapshot's tables, meta, input list and dictionary."""
    create_schema(conn)
    dictionary = _train_dictionary(inputs)
    conn.execute("BEGIN")
    meta = {
        "format": FORMAT, "version": VERSION, "blocking_version": BLOCKING_VERSION, "state": "building",
        "started": now(), "complete": "1" if coverage.complete else "0", "as_of": coverage.as_of,
        "coverage": coverage.description, "description": description,
    }
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
    if dictionary:
        conn.execute("INSERT INTO dictionary (id, data) VALUES (1, ?)", (dictionary,))
    conn.executemany(
        "INSERT INTO inputs (id, name, size, kind) VALUES (?, ?, ?, 'build-listed')",
        ((i, s.name, s.size) for i, s in enumerate(inputs, start=1)),
    )
    conn.execute("COMMIT")
    return dictionary


def _resume(conn: sqlite3.Connection, inputs: Sequence[InputFile], partial: Path) -> bytes | None:
    """Check that an interrupted build was started from the same inputs; its dictionary."""
    listed = conn.execute("SELECT name, size FROM inputs WHERE kind = 'build-listed' ORDER BY id").fetchall()
    if listed != [(s.name, s.size) for s in inputs]:
        raise SnapshotError(
            f"{partial} is an interrupted build of other inputs: give the same inputs to resume it, "
            "or delete it (and its -stage file) to start over"
        )
    row = conn.execute("SELECT data FROM dictionary WHERE id = 1").fetchone()
    return row[0] if row else None


def _finalize(conn: sqlite3.Connection, codec: RecordCodec, phase: Callable[[str], None]) -> tuple[int, int]:
    """Drop repeated DOIs, sort the keys into place, merge the index, count its words;
    (records, duplicates). `phase` is told each step as it starts."""
    phase("duplicates")
    conn.execute("BEGIN")
    repeated = conn.execute(
        "SELECT s.doi, s.id, r.body FROM stage.rows AS s JOIN records AS r ON r.id = s.id "
        "WHERE s.doi IN (SELECT doi FROM stage.rows GROUP BY doi HAVING count(*) > 1) ORDER BY s.doi, s.input, s.position"
    ).fetchall()
    kept: set[tuple[int, str]] = set()
    dropped: list[tuple[int, bytes]] = []
    for doi_key, rid, body in repeated:
        doi = codec.decode(body, "").doi  # equal hashes may still be two DOIs
        if (doi_key, doi) in kept:
            dropped.append((rid, body))
        else:
            kept.add((doi_key, doi))
    conn.executemany("INSERT INTO words (words, rowid, text) VALUES ('delete', ?, ?)",
                     ((rid, words_text(codec.decode(body, ""))) for rid, body in dropped))
    conn.executemany("DELETE FROM records WHERE id = ?", ((rid,) for rid, _ in dropped))
    conn.executemany("DELETE FROM stage.rows WHERE id = ?", ((rid,) for rid, _ in dropped))
    phase("keys")
    conn.execute("DELETE FROM keys")
    conn.execute(
        "INSERT OR IGNORE INTO keys (key, id) SELECT j.value, s.id FROM stage.rows AS s, json_each(s.keys) AS j ORDER BY 1, 2"
    )
    count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    conn.execute("COMMIT")
    phase("index")
    conn.execute("INSERT INTO words (words) VALUES ('optimize')")
    phase("terms")
    conn.execute("BEGIN")
    count_terms(conn)
    conn.execute("COMMIT")
    return count, len(dropped)


def _tidy_meta(conn: sqlite3.Connection, count: int) -> None:
    inputs = conn.execute("SELECT count(*), min(name), sum(records), sum(bad) FROM inputs WHERE kind != 'update'").fetchone()
    total, first, _, _ = inputs
    built_from = f"{total} input file{'s' if total != 1 else ''}" + (f", from {first}" if first else "")
    meta = {"records": str(count), "state": "built", "built": now(), "built_from": built_from}
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
    conn.execute("COMMIT")


def _discard(*paths: Path) -> None:
    for path in paths:
        for candidate in (path, path.with_name(path.name + "-journal")):
            candidate.unlink(missing_ok=True)


def build_snapshot(
    inputs: Sequence[Path],
    output: Path,
    report: Report | None = None,
    *,
    coverage: Coverage | None = None,
    description: str = "",
    workers: int | None = None,
    progress: Callable[[BuildStatus], None] | None = None,
) -> BuildResult:
    """Build the snapshot `output` from Crossref records (see the module docstring).

    `inputs`: files, directories or tar archives of the public data file, or JSON Lines of
    works. `coverage`: what the inputs are (default: partial). `workers`: reader processes
    (default: one per core; 0 reads in this process). Raises SnapshotError when the inputs
    cannot be listed, when the build stores no record, or when an interrupted build of other
    inputs is in the way. An interrupted build leaves `OUTPUT.partial` (and its stage file)
    for the next run to resume.
    """
    started = time.perf_counter()
    output = Path(output)
    coverage = coverage or Coverage(complete=False, description="a partial set of Crossref records")
    try:
        sources = discover_inputs(inputs)
    except ReadProblem as error:
        raise SnapshotError(str(error)) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    partial, stage = partial_paths(output)
    resuming = partial.exists() and stage.exists()
    if not resuming:
        _discard(partial, stage)
    conn = _connect(partial, stage)
    try:
        if resuming:
            dictionary = _resume(conn, sources, partial)
        else:
            dictionary = _start(conn, sources, coverage, description)
        codec = RecordCodec(dictionary)
        if resuming:
            _remove_unfinished(conn, codec)
        resumed = conn.execute("SELECT count(*) FROM inputs WHERE finished IS NOT NULL").fetchone()[0]
        stored_before = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        feed = Feed(conn, sources)
        writer = Writer(conn, report)
        total_bytes = sum(s.size for s in sources)
        done_bytes = [sum(s.size for s in sources if s.name in feed.finished)]
        resumed_bytes = done_bytes[0]
        last = [0.0]

        def tick(phase: str = "reading", force: bool = False) -> None:
            now = time.perf_counter()
            if progress is None or (not force and now - last[0] < 0.5):
                return
            last[0] = now
            finished = conn.execute("SELECT count(*), coalesce(sum(size), 0) FROM inputs WHERE finished IS NOT NULL "
                                    "AND kind = 'build-listed'").fetchone()
            progress(BuildStatus(
                records=stored_before + writer.stored_this_run, inputs_done=finished[0], inputs_total=len(sources),
                bytes_done=finished[1], bytes_total=total_bytes, seconds=now - started,
                records_this_run=writer.stored_this_run, phase=phase, _resumed_bytes=resumed_bytes,
            ))

        count_workers = (os.cpu_count() or 1) if workers is None else workers
        pending = [s for s in sources if s.name not in feed.finished]
        if count_workers <= 1 or (len(pending) <= 1 and not any(s.streamed for s in pending)):
            run_here(writer, feed, dictionary, tick)
        else:
            run_workers(writer, feed, dictionary, min(count_workers, 64), tick)
        for index, source in feed.inputs:  # a listed input is finished once all its members are
            conn.execute("UPDATE inputs SET finished = coalesce(finished, ?) WHERE id = ?", (now(), index))
        conn.execute("COMMIT")
        bad, problems = writer.bad, tuple(writer.problems)
        count, duplicates = _finalize(conn, codec, lambda phase: tick(phase, force=True))
        if count == 0:
            conn.close()
            _discard(partial, stage)
            raise SnapshotError(
                f"no records stored: {len(sources)} input file(s) held no Crossref work with a DOI"
                + (f" ({bad} record(s) could not be read)" if bad else "")
            )
        _tidy_meta(conn, count)
        conn.execute("DETACH DATABASE stage")
        conn.execute("PRAGMA journal_mode = DELETE")
        all_bad = conn.execute("SELECT coalesce(sum(bad), 0), count(*) FROM inputs").fetchone()
    except BaseException:
        if conn is not None:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
            except sqlite3.Error:
                pass
        raise
    conn.close()
    os.replace(partial, output)
    _discard(stage)
    if progress is not None:
        progress(BuildStatus(records=count, inputs_done=len(sources), inputs_total=len(sources), bytes_done=total_bytes,
                             bytes_total=total_bytes, seconds=time.perf_counter() - started,
                             records_this_run=writer.stored_this_run, phase="done"))
    return BuildResult(
        records=count, inputs=len(sources), resumed=resumed, bad_records=int(all_bad[0]),
        broken_inputs=problems, duplicates=duplicates, seconds=round(time.perf_counter() - started, 2),
    )
