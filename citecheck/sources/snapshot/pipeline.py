"""The reading half of a build: jobs for worker processes, and the one writer of their rows.

`run_here` reads every pending input in this process; `run_workers` hands them to worker
processes (`rows.worker_main`) through bounded queues, so that no more than `2 × workers`
inputs are in flight, while this process writes what comes back (`Writer`). Each finished
input is committed with its rows; a build interrupted at any point loses only unfinished
inputs, which it reads again.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from citecheck.sources.snapshot.datafile import InputFile, ReadProblem, stream_members
from citecheck.sources.snapshot.rows import RowMaker, Rows, rows_of, worker_main
from citecheck.sources.snapshot.store import SnapshotError

__all__ = ["Feed", "Report", "Writer", "run_here", "run_workers"]

Report = Callable[[str, int, str], None]
"""Called as (input name, position, reason) for a record skipped (position ≥ 1) or an input
that could not be read to its end (position 0)."""


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Writer:
    """Stores rows and input ends; the one connection to the snapshot under construction."""

    def __init__(self, conn: sqlite3.Connection, report: Report | None) -> None:
        self.conn = conn
        self.report = report
        self.next_id = (conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
        self.names: dict[int, str] = dict(conn.execute("SELECT id, name FROM inputs"))
        self.stored_this_run = 0
        self.bad = 0
        self.problems: list[str] = []
        conn.execute("BEGIN")

    def rows(self, index: int, rows: Rows) -> None:
        first = self.next_id
        ids = range(first, first + len(rows))
        self.next_id += len(rows)
        self.conn.executemany("INSERT INTO records (id, body) VALUES (?, ?)", zip(ids, rows.bodies))
        self.conn.executemany("INSERT INTO words (rowid, text) VALUES (?, ?)", zip(ids, rows.words))
        self.conn.executemany(
            "INSERT INTO stage.rows (id, input, position, doi, keys) VALUES (?, ?, ?, ?, ?)",
            zip(ids, itertools.repeat(index), rows.positions, rows.doi_keys, rows.keys),
        )
        self.stored_this_run += len(rows)

    def bad_record(self, index: int, position: int, reason: str) -> None:
        if self.report:
            self.report(self.names.get(index, "?"), position, reason)

    def register(self, index: int, source: InputFile) -> None:
        if index not in self.names:
            self.conn.execute("INSERT INTO inputs (id, name, size, kind) VALUES (?, ?, ?, 'build')",
                              (index, source.name, source.size))
            self.names[index] = source.name

    def done(self, index: int, stored: int, bad: int, problem: str) -> None:
        self.bad += bad
        if problem:
            self.problems.append(problem)
            if self.report:
                self.report(self.names.get(index, "?"), 0, problem)
        self.conn.execute("UPDATE inputs SET records = ?, bad = ?, problem = ?, finished = ? WHERE id = ?",
                          (stored, bad, problem or None, now(), index))
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def close(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


Job = tuple[int, InputFile, "bytes | None"]


class Feed:
    """The jobs of a build in input order, skipping finished inputs; members of gzipped tars
    are numbered as they are met and announced on `events` before their job is handed out."""

    def __init__(self, conn: sqlite3.Connection, inputs: Sequence[InputFile]) -> None:
        rows = conn.execute("SELECT id, name, finished IS NOT NULL FROM inputs").fetchall()
        self.finished = {name for _, name, done in rows if done}
        self.next_index = max((i for i, _, _ in rows), default=0) + 1
        self.inputs = list(enumerate(inputs, start=1))
        self.events: queue.Queue[tuple[str, int, Any]] = queue.Queue()
        self.archive_position = 0

    def jobs(self) -> Iterator[Job]:
        for index, source in self.inputs:
            if source.name in self.finished:
                continue
            if not source.streamed:
                yield index, source, None
                continue
            try:
                for member, data in stream_members(source):
                    if member.name in self.finished:
                        continue
                    member_index, self.next_index = self.next_index, self.next_index + 1
                    self.events.put(("member", member_index, member))
                    yield member_index, member, data
            except ReadProblem as error:
                self.events.put(("problem", index, str(error)))
            self.events.put(("archive-end", index, None))


def _handle(writer: Writer, feed: Feed, message: tuple[Any, ...]) -> int:
    """Apply one worker message; returns 1 when it finished an input."""
    _drain(writer, feed)
    kind, index = message[0], message[1]
    if kind == "rows":
        writer.rows(index, message[2])
    elif kind == "bad":
        writer.bad_record(index, message[2], message[3])
    elif kind == "done":
        writer.done(index, *message[2:])
        return 1
    elif kind == "failed":
        raise SnapshotError(f"a build worker failed: {message[2]}")
    return 0


def _drain(writer: Writer, feed: Feed) -> None:
    while True:
        try:
            kind, index, value = feed.events.get_nowait()
        except queue.Empty:
            return
        if kind == "member":
            writer.register(index, value)
        elif kind == "problem":
            writer.problems.append(value)
            if writer.report:
                writer.report(writer.names.get(index, "?"), 0, value)
        elif kind == "archive-end":
            writer.conn.execute("UPDATE inputs SET finished = ? WHERE id = ?", (now(), index))


def run_here(writer: Writer, feed: Feed, dictionary: bytes | None, tick: Callable[[], None]) -> None:
    """Read every pending input in this process (small builds, tests, one core)."""
    maker = RowMaker(dictionary)

    def emit(message: tuple[Any, ...]) -> None:
        _handle(writer, feed, message)
        tick()

    for index, source, data in feed.jobs():
        _drain(writer, feed)
        rows_of(index, source, data, maker, emit)
    _drain(writer, feed)


def run_workers(writer: Writer, feed: Feed, dictionary: bytes | None, workers: int, tick: Callable[[], None]) -> None:
    """Read every pending input in `workers` processes; this process writes."""
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    jobs: Any = context.Queue(maxsize=2 * workers)
    results: Any = context.Queue(maxsize=8 * workers)
    processes = [
        context.Process(target=worker_main, args=(jobs, results, dictionary, os.getpid()), daemon=True)
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    submitted = [0, False]  # jobs handed out, all handed out

    def feed_jobs() -> None:
        try:
            for job in feed.jobs():
                jobs.put(job)
                submitted[0] += 1
        finally:
            submitted[1] = True
            for _ in processes:
                jobs.put(None)

    feeder = threading.Thread(target=feed_jobs, name="citecheck-snapshot-feed", daemon=True)
    feeder.start()
    finished = 0
    try:
        while not (submitted[1] and finished >= submitted[0]):
            try:
                message = results.get(timeout=0.5)
            except queue.Empty:
                if not any(p.is_alive() for p in processes) and not (submitted[1] and finished >= submitted[0]):
                    raise SnapshotError("the build's worker processes ended unexpectedly") from None
                tick()
                continue
            finished += _handle(writer, feed, message)
            tick()
        _drain(writer, feed)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
        for channel in (jobs, results):
            channel.cancel_join_thread()
            channel.close()


