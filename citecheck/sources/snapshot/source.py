"""Answering from a snapshot: DOI lookups, blocking-key candidates, and a bounded text search.

A reference is looked up first by its blocking keys (`citecheck.references.blocking`): a few
B-tree seeks, the same cost at ten thousand records and at 180 million. Only when no key
yields a record the matcher accepts does the resolver fall back to `search`, a full-text
search whose cost does not grow with the snapshot either: it takes the query's rarest indexed
words, numbers left out (their record counts are in the `terms` table, a seek each), never a word held by more
than `TERM_LIMIT` records, and asks the index for the records holding each pair of them
(FTS5 intersects two document lists by stepping through the shorter one), `PAIR_ROWS` at
most per pair. A record is ranked by the rarity of the searched words it was found to share.
"""

from __future__ import annotations

import itertools
import math
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from citecheck.model import CslItem, Work
from citecheck.references.normalize import STOP_WORDS, tokens, unwrap
from citecheck.references.blocking import BLOCKING_VERSION, MAX_POSTINGS, key_hash, reference_keys, select_candidates
from citecheck.references.doi import normalize_doi
from citecheck.sources.base import SourceUnavailable
from citecheck.sources.snapshot.datafile import plain_record
from citecheck.sources.snapshot.rows import RowMaker, insert_row
from citecheck.sources.snapshot.store import FORMAT, VERSION, Coverage, RecordCodec, SnapshotError, create_schema, read_meta

__all__ = ["PAIR_ROWS", "SEARCHED_TERMS", "TERM_LIMIT", "SnapshotSource", "query_terms", "rank_records"]

MAX_TERMS = 40
"""Words of a query considered at most."""
SEARCHED_TERMS = 5
"""The rarest indexed words of a query that are searched for, in pairs (ten pairs at most)."""
TERM_LIMIT = 5_000
"""A word held by more records than this is never searched for: it cannot single a work out,
and its document list is what would make a search's cost grow with the snapshot."""
PAIR_ROWS = 100
"""Records read per pair of words at most."""
_INITIALS = re.compile(r"\b([A-Z][\w'’-]+,?\s+)[A-Z]{1,3}\b(?=\s*(?:[,.;:(]|et\b|and\b|&))")


def query_terms(query: str, limit: int = MAX_TERMS) -> list[str]:
    """The informative words of a free-text query, folded, in order, without repeats.

    Stop-words, punctuation and one-letter words are dropped. A word broken across lines
    (`Ger-\\nman`) contributes both the joined word and its halves, since a PDF does not say
    whether the hyphen was real.
    """
    seen: dict[str, None] = {}
    # Initials after a family name ("Welters MJ, Kenter GG") match thousands of names and
    # would crowd the title's words out of a long author list's query.
    query = _INITIALS.sub(r"\1", query)
    for text in (unwrap(query, join_hyphens=True), unwrap(query, join_hyphens=False)):
        for token in tokens(text):
            if len(token) > 1 and token not in STOP_WORDS:
                seen.setdefault(token, None)
    return list(seen)[:limit]


def rank_records(shared: Mapping[int, set[Any]], weights: Sequence[tuple[Any, float]], rows: int) -> list[int]:
    """The best `rows` record ids of a search, as a snapshot ranks them: by the summed weights
    of the searched words each record was found through, then by id.

    `shared` maps a record id to the words (or their positions) it was found through;
    `weights` lists the searched words with their weights, in the search's order. The weights
    are added in that order, not a set's (whose order changes from one run to the next), so
    that ties rank the same way in every process.
    """
    score = {rid: sum(weight for word, weight in weights if word in held) for rid, held in shared.items()}
    return sorted(score, key=lambda rid: (-score[rid], rid))[:rows]


class SnapshotSource:
    """A `WorkSource` answering from a snapshot file (or an in-memory snapshot).

    Safe to share between threads: calls are serialised on one connection.
    """

    def __init__(self, path: Path | str, name: str | None = None) -> None:
        """Open the snapshot at `path` read-only; `name` defaults to the file's stem.

        Raises SnapshotError when the file is missing or is not a citecheck snapshot.
        """
        path = Path(path)
        self.name = f"snapshot:{name or path.stem}"
        if not path.is_file():
            raise SnapshotError(f"{path}: no such snapshot file")
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error as error:
            raise SnapshotError(f"{path}: cannot open: {error}") from None
        self._setup(conn, str(path))

    @classmethod
    def from_records(cls, records: Iterable[Any], name: str, coverage: Coverage | None = None) -> SnapshotSource:
        """An in-memory snapshot of Crossref-shaped records (for defaults and tests).

        Records without a DOI are skipped; `{"message": ...}` wrappers are accepted; a
        repeated DOI keeps its first record. Partial coverage unless `coverage` says otherwise.
        """
        coverage = coverage or Coverage(complete=False, description="a partial set of Crossref records")
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        create_schema(conn)
        maker = RowMaker(None)
        seen: set[str] = set()
        conn.execute("BEGIN")
        for value in records:
            record = plain_record(value)
            row = maker.row(0, record) if record is not None else None
            doi = normalize_doi(str(record.get("DOI", ""))) if record and row else ""
            if row is not None and doi not in seen:
                seen.add(doi)
                insert_row(conn, row)
        meta = {"format": FORMAT, "version": VERSION, "blocking_version": BLOCKING_VERSION, "records": str(len(seen)),
                "complete": "1" if coverage.complete else "0", "as_of": coverage.as_of,
                "coverage": coverage.description, "state": "built", "built_from": "records in memory"}
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        conn.execute("COMMIT")
        return cls.from_connection(conn, name)

    @classmethod
    def from_connection(cls, conn: sqlite3.Connection, name: str, where: str = ":memory:") -> SnapshotSource:
        """A source over an already open snapshot database (in-memory snapshots, tests)."""
        source = cls.__new__(cls)
        source.name = f"snapshot:{name}"
        source._setup(conn, where)
        return source

    def _setup(self, conn: sqlite3.Connection, where: str) -> None:
        try:
            meta = read_meta(conn, where)
            if meta.get("blocking_version") != BLOCKING_VERSION:
                raise SnapshotError(f"{where}: built with another version of the blocking keys; build it again")
            row = conn.execute("SELECT data FROM dictionary WHERE id = 1").fetchone()
        except (SnapshotError, sqlite3.DatabaseError) as error:
            conn.close()
            if isinstance(error, SnapshotError):
                raise
            raise SnapshotError(f"{where}: not a citecheck snapshot") from None
        self._conn = conn
        self._lock = threading.Lock()
        self._where = where
        self._codec = RecordCodec(row[0] if row else None)
        self.meta: dict[str, str] = meta
        """The snapshot's metadata (format, dates, what it was built from)."""
        self.size = int(meta.get("records", "0") or 0)
        """Number of records the snapshot holds."""
        self.coverage = Coverage(
            complete=meta.get("complete") == "1",
            as_of=meta.get("as_of", ""),
            description=meta.get("coverage", ""),
        )
        """What part of Crossref it holds: only a complete snapshot's silence is evidence."""

    def __len__(self) -> int:
        return self.size

    def close(self) -> None:
        """Close the underlying database connection."""
        with self._lock:
            self._conn.close()

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as error:
            # A damaged or vanished file is the tool's problem, never "not found".
            raise SourceUnavailable(f"{self.name}: {self._where}: {error}") from None

    def _works(self, ids: list[int]) -> list[Work]:
        """The works with these record ids, in the order given."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        bodies = dict(self._query(f"SELECT id, body FROM records WHERE id IN ({marks})", ids))
        return [self._codec.decode(bodies[i], self.name) for i in ids if i in bodies]

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under `doi` (normalised first), or None."""
        key = normalize_doi(doi or "")
        if not key:
            return None
        ids = [i for (i,) in self._query("SELECT id FROM keys WHERE key = ?", (key_hash("doi", key),))]
        return next((w for w in self._works(ids) if w.doi == key), None)

    def candidates(self, csl: CslItem, raw: str) -> list[Work]:
        """The works that share blocking keys with a reference, best supported first
        (`citecheck.references.blocking.select_candidates`); for the matcher to judge."""
        keys = reference_keys(csl, raw)
        if not keys:
            return []
        try:
            with self._lock:
                statement = "SELECT id FROM keys WHERE key = ? LIMIT ?"
                postings = {k: [i for (i,) in self._conn.execute(statement, (k.hash, MAX_POSTINGS + 1))] for k in keys}
        except sqlite3.Error as error:
            raise SourceUnavailable(f"{self.name}: {self._where}: {error}") from None
        return self._works(select_candidates(postings))

    def _searched_terms(self, terms: list[str]) -> list[tuple[str, int]]:
        """The rarest of `terms` the index holds by at most `TERM_LIMIT` records, with their
        record counts, rarest first (`SEARCHED_TERMS` at most)."""
        marks = ",".join("?" * len(terms))
        counts = dict(self._query(f"SELECT term, docs FROM terms WHERE term IN ({marks})", terms))
        present = sorted((t for t in terms if 0 < counts.get(t, 0) <= TERM_LIMIT), key=lambda t: (counts[t], t))
        return [(term, counts[term]) for term in present[:SEARCHED_TERMS]]

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Up to `rows` works sharing at least two of the query's rarest words, those sharing
        the rarest (by inverse document frequency, summed) first; works sharing a single word
        only when the query has a single searchable word in the index."""
        # Numbers are left out: a query's are its year, volume and pages, which the matcher
        # compares field by field; in a title index they meet other works' numbers by chance.
        terms = [term for term in query_terms(query or "") if not term.isdigit()]
        if not terms or rows <= 0:
            return []
        searched = self._searched_terms(terms)
        if len(searched) < 2:
            found = self._query("SELECT rowid FROM words WHERE words MATCH ? LIMIT ?", (f'"{searched[0][0]}"', rows)) \
                if searched else []
            return self._works([i for (i,) in found])
        total = max(self.size, 1)
        weights = [(term, math.log(1 + total / count)) for term, count in searched]
        shared: dict[int, set[str]] = {}
        for (first, _), (second, _) in itertools.combinations(searched, 2):
            pair = f'"{first}" AND "{second}"'  # query_terms gives words of letters and digits only
            for (rid,) in self._query("SELECT rowid FROM words WHERE words MATCH ? LIMIT ?", (pair, PAIR_ROWS)):
                shared.setdefault(rid, set()).update((first, second))
        return self._works(rank_records(shared, weights, rows))

    def iter_records(self, batch: int = 10_000) -> Iterator[tuple[int, Work]]:
        """Every (record id, work), in id order, read `batch` at a time (for exports)."""
        last = 0
        while True:
            rows = self._query("SELECT id, body FROM records WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
            if not rows:
                return
            for rid, body in rows:
                yield rid, self._codec.decode(body, self.name)
            last = rows[-1][0]

    @property
    def codec(self) -> RecordCodec:
        """The record codec of this snapshot (for exports of the stored bodies)."""
        return self._codec
