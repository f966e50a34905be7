"""Turning the records of one input file into the rows a snapshot stores, in worker processes.

Reading, decompressing and decoding Crossref's files is most of a build's cost, and it
parallelises: each worker process takes whole input files and sends back compact rows (the
stored body, the blocking-key hashes, the words to index); one writer (the parent) stores
them. Messages on the result queue:

- `("rows", input_index, Rows)`: up to `BATCH` rows, in file order;
- `("bad", input_index, position, reason)`: a record that could not be read;
- `("done", input_index, stored, bad, problem)`: the input is finished (`problem` says why it
  broke off, or is "");
- `("failed", -1, message)`: the worker itself failed (a bug); the build stops.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from citecheck.references.blocking import work_keys
from citecheck.sources.records import work_from_record
from citecheck.sources.snapshot.datafile import InputFile, ReadProblem, TypedFields, read_input, typed_record
from citecheck.sources.snapshot.fastpath import stored_values
from citecheck.sources.snapshot.store import RecordCodec, change_term_counts, words_text

__all__ = ["BATCH", "Row", "RowMaker", "Rows", "insert_row", "rows_of", "worker_main"]

BATCH = 2000
"""Rows per message: large enough to amortise the queue, small enough to bound memory."""
MAX_BAD_REPORTED = 20
"""Bad records reported one by one per input (the rest are counted)."""


class Row(NamedTuple):
    """One record as stored: where it came from, its DOI key, body, keys and indexed words."""

    position: int
    doi_key: int
    body: bytes
    keys: str
    """The record's key hashes as a JSON array (expanded in SQL with json_each)."""
    words: str


@dataclass(slots=True)
class Rows:
    """A batch of rows, column by column (a list per field pickles and unpickles several
    times faster than a tuple per row)."""

    positions: list[int] = field(default_factory=list)
    doi_keys: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def add(self, position: int, doi_key: int, body: bytes, hashes: list[int], words: str) -> None:
        """Append one row (`body` as it is to be sent: compressed, or not yet)."""
        self.positions.append(position)
        self.doi_keys.append(doi_key)
        self.bodies.append(body)
        self.keys.append("[" + ",".join(map(str, hashes)) + "]")
        self.words.append(words)

    def __len__(self) -> int:
        return len(self.positions)


class RowMaker:
    """Record → Row, with the snapshot's record codec.

    Records read with `typed=True` take the fast path (`fastpath.stored_values`) when they can,
    the general one (through a `Work`) otherwise; both give the same row.
    """

    def __init__(self, dictionary: bytes | None) -> None:
        self.codec = RecordCodec(dictionary)

    def plain(self, record: dict[str, Any] | TypedFields) -> tuple[int, bytes, list[int], str] | None:
        """(DOI key, uncompressed body, key hashes, words) of one record, or None when it has
        no usable DOI."""
        if isinstance(record, TypedFields):
            values = stored_values(record)
            if values is not None:
                return values.key_hashes[0], self.codec.pack(values.fields), values.key_hashes, values.words
            found = typed_record(record)
            if found is None:
                return None
            record = found
        work = work_from_record(record, source="snapshot")
        if not work.doi:
            return None
        hashes = [key.hash for key in work_keys(work)]
        return hashes[0], self.codec.plain(work), hashes, words_text(work)

    def row(self, position: int, record: dict[str, Any] | TypedFields) -> Row | None:
        """The row of one record, or None when it has no usable DOI."""
        made = self.plain(record)
        if made is None:
            return None
        doi_key, plain, hashes, words = made
        return Row(position, doi_key, self.codec.compress(plain), "[" + ",".join(map(str, hashes)) + "]", words)


def insert_row(conn: sqlite3.Connection, row: Row) -> int:
    """Store one row with its keys and words at once, its words counted in `terms` (updates and
    small snapshots; a build sorts the keys of all rows into place and counts the words at the
    end instead). Returns the record id."""
    rid = int(conn.execute("INSERT INTO records (body) VALUES (?)", (row.body,)).lastrowid or 0)
    conn.execute("INSERT INTO words (rowid, text) VALUES (?, ?)", (rid, row.words))
    change_term_counts(conn, row.words, 1)
    conn.executemany("INSERT OR IGNORE INTO keys (key, id) VALUES (?, ?)", ((k, rid) for k in json.loads(row.keys)))
    return rid


Emit = Callable[[tuple[Any, ...]], None]


def rows_of(index: int, source: InputFile, data: bytes | None, maker: RowMaker, emit: Emit) -> None:
    """Read one input and emit its rows, bad records and end (see the module docstring).

    The bodies of a batch are compressed together when it is full: one compression after
    another finds the dictionary's tables in the processor's cache, one per record between
    decoding and keying does not (four times slower).
    """
    rows = Rows()
    stored = bad = 0
    problem = ""

    def send(rows: Rows) -> int:
        rows.bodies = [maker.codec.compress(plain) for plain in rows.bodies]
        emit(("rows", index, rows))
        return len(rows)

    try:
        for position, record, reason in read_input(source, data, typed=True):
            made = maker.plain(record) if record is not None else None
            if made is None:
                bad += 1
                if bad <= MAX_BAD_REPORTED:
                    emit(("bad", index, position, reason or "no usable DOI"))
                continue
            rows.add(position, *made)
            if len(rows) >= BATCH:
                stored += send(rows)
                rows = Rows()
    except ReadProblem as error:
        problem = str(error)
    if len(rows):
        stored += send(rows)
    emit(("done", index, stored, bad, problem))


def _jobs(jobs: Any, parent: int) -> Iterator[tuple[int, InputFile, bytes | None]]:
    """Jobs from the queue until the end marker, or until the parent is gone."""
    while True:
        try:
            job = jobs.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                return  # the parent was killed: do not linger
            continue
        if job is None:
            return
        yield job


def worker_main(jobs: Any, results: Any, dictionary: bytes | None, parent: int) -> None:
    """A worker process: read the inputs it is given until told to stop.

    SIGINT is ignored (the parent decides what an interruption means); a worker whose parent
    has died (SIGKILL) stops at its next message instead of blocking on a full queue.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    maker = RowMaker(dictionary)

    def emit(message: tuple[Any, ...]) -> None:
        while os.getppid() == parent:
            try:
                results.put(message, timeout=1.0)
                return
            except queue.Full:
                continue
        os._exit(1)  # the parent is gone: nobody will read this (and exiting normally would
        # wait for the queue's feeder thread, blocked on a pipe nobody empties)

    try:
        for index, source, data in _jobs(jobs, parent):
            rows_of(index, source, data, maker, emit)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which stops the build
        emit(("failed", -1, f"{type(error).__name__}: {error}"))
    if os.getppid() != parent:
        os._exit(1)


def _die_with_parent() -> None:
    """On Linux, have the kernel end this process when its parent dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # deferred: only Linux gets here

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # the parent-alive checks above still end it
