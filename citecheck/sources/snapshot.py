"""Local snapshots: Crossref-shaped records in one SQLite file, with an FTS5 index for search.

A snapshot answers DOI lookups and bibliographic searches offline. It holds each record's JSON
(compressed) and a contentless FTS5 index over the fields a reference string shares with its
record: title, authors' family names, journal titles (full and abbreviated), volume, first page
and year. Searches turn a noisy reference string into an OR of its informative words, ranked by
bm25; the matcher (`citecheck.resolve.matching`) then validates the candidates, so search only has to
put the right record in the top rows.

Scale: the index is contentless (the text is not stored twice; bm25 then needs the token
positions, so detail stays full: with detail=column a contentless table ranks every row 0); searches drop the words that occur in too many records to
discriminate, which bounds the work per query on million-record snapshots.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, IO

from citecheck.model import Work
from citecheck.references.normalize import STOP_WORDS, first_page, fold, tokens, unwrap
from citecheck.references.doi import normalize_doi
from citecheck.sources.base import SourceUnavailable
from citecheck.sources.records import work_from_record

__all__ = ["SnapshotError", "SnapshotSource", "build_snapshot", "default_snapshot", "query_terms"]

_FORMAT = "citecheck-snapshot"
_VERSION = "1"
_MAX_TERMS = 40
# Words actually sent to FTS5, rarest first: measured on the biblio-glutton dev set, 16 keep
# 99.6% of the true records in the top 5 at a third of the cost of 40.
_QUERY_TERMS = 16
_INITIALS = re.compile(r"\b([A-Z][\w'’-]+,?\s+)[A-Z]{1,3}\b(?=\s*(?:[,.;:(]|et\b|and\b|&))")
# Most index entries (records matched, summed over the words) a query may touch once it has
# its three rarest words. Ranking cost grows with the records the OR of the words matches, and
# common words barely move bm25 anyway: this budget bounds the work per search whatever the
# snapshot's size. Measured (1,000 biblio-glutton references, top-5 recall, ms per search on a
# loaded 2-core machine): 10k records 0.998 at ~2 ms (unbounded: 3.2 ms); 300k records 0.997
# at ~10 ms (unbounded: 66 ms).
_POSTINGS_BUDGET = 3000
# Fields of a Crossref record that citecheck never reads but that dominate a record's size
# (a full reference list per work): not stored.
_UNUSED_FIELDS = ("reference",)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (id INTEGER PRIMARY KEY, doi TEXT NOT NULL UNIQUE, record BLOB NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(
    title, authors, container, volume, page, year,
    content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'row');
"""
# Title words weigh most; volume, page and year numbers are shared by many records.
_RANK = "bm25(4.0, 2.0, 1.5, 0.5, 0.5, 0.5)"


class SnapshotError(Exception):
    """A file given as a snapshot is missing, unreadable, or not a citecheck snapshot."""


def query_terms(query: str, limit: int = _MAX_TERMS) -> list[str]:
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


def _index_row(work: Work) -> tuple[str, str, str, str, str, str]:
    """The text indexed for one work, one string per FTS column."""
    return (
        fold(work.title),
        " ".join(fold(a.family or a.literal) for a in work.authors),
        " ".join(fold(t) for t in (work.container_title, *work.short_container_titles) if t),
        fold(work.volume),
        first_page(work.page),
        " ".join(str(y) for y in (work.year, *work.other_years) if y),
    )


def _create(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)", [("format", _FORMAT), ("version", _VERSION)]
    )
    conn.execute("INSERT INTO fts (fts, rank) VALUES ('rank', ?)", (_RANK,))


def _unwrap_record(value: Any) -> dict[str, Any] | None:
    """The work record in a decoded line (bare, or inside a `{"message": ...}` API reply)."""
    if isinstance(value, dict) and isinstance(value.get("message"), dict):
        value = value["message"]
    if isinstance(value, dict) and isinstance(value.get("DOI"), str) and normalize_doi(value["DOI"]):
        return value
    return None


def _insert(conn: sqlite3.Connection, records: Iterable[dict[str, Any]]) -> int:
    """Store records (first one wins for a repeated DOI); returns how many were stored."""
    stored = 0
    for record in records:
        work = work_from_record(record, source="snapshot")
        if not work.doi:
            continue
        kept = {k: v for k, v in record.items() if k not in _UNUSED_FIELDS}
        blob = zlib.compress(json.dumps(kept, ensure_ascii=False, separators=(",", ":")).encode())
        cursor = conn.execute("INSERT OR IGNORE INTO records (doi, record) VALUES (?, ?)", (work.doi, blob))
        if cursor.rowcount:
            conn.execute(
                "INSERT INTO fts (rowid, title, authors, container, volume, page, year) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cursor.lastrowid, *_index_row(work)),
            )
            stored += 1
    return stored


def _open_lines(path: Path) -> IO[str]:
    """A text stream over a JSON Lines file, gunzipped when it starts with gzip's magic bytes."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _read_records(
    files: Iterable[Path], on_bad_line: Callable[[Path, int, str], None] | None
) -> Iterator[dict[str, Any]]:
    for path in files:
        path = Path(path)
        try:
            stream = _open_lines(path)
        except OSError as error:
            if on_bad_line:
                on_bad_line(path, 0, f"cannot read: {error.strerror or error}")
            continue
        with stream:
            number = 0
            try:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = _unwrap_record(json.loads(line))
                    except (json.JSONDecodeError, RecursionError):
                        record = None
                    if record is None:
                        if on_bad_line:
                            on_bad_line(path, number, "not a JSON work record with a DOI")
                        continue
                    yield record
            except (OSError, EOFError, zlib.error) as error:
                # A truncated or corrupt gzip member: keep what was read before it.
                if on_bad_line:
                    on_bad_line(path, number + 1, f"unreadable: {error}")


def build_snapshot(
    record_files: Iterable[Path],
    output: Path,
    on_bad_line: Callable[[Path, int, str], None] | None = None,
) -> int:
    """Build a snapshot at `output` from JSON Lines files of Crossref work records.

    Each line holds one `message` record or a `{"message": {...}}` reply; files may be gzipped
    (recognised by their magic bytes, whatever their name). Lines that are not JSON objects with
    a DOI are skipped and reported to `on_bad_line(path, line_number, reason)`; a repeated DOI
    keeps its first record. The file is written under a temporary name and renamed into place,
    so `output` is never left half-built. Returns the number of records stored.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        conn = sqlite3.connect(temp)
        try:
            # The temporary file is thrown away on any failure, so durability during the
            # build buys nothing; the rename below is what makes the result safe.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            _create(conn)
            stored = _insert(conn, _read_records(record_files, on_bad_line))
            conn.execute("INSERT INTO meta (key, value) VALUES ('records', ?)", (str(stored),))
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            conn.commit()
        finally:
            conn.close()
        os.replace(temp, output)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return stored


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
    def from_records(cls, records: Iterable[dict[str, Any]], name: str) -> SnapshotSource:
        """An in-memory snapshot of the given Crossref-shaped records (for defaults and tests).

        Records without a DOI are skipped; `{"message": ...}` wrappers are accepted.
        """
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        _create(conn)
        stored = _insert(conn, (r for value in records if (r := _unwrap_record(value)) is not None))
        conn.execute("INSERT INTO meta (key, value) VALUES ('records', ?)", (str(stored),))
        conn.commit()
        source = cls.__new__(cls)
        source.name = f"snapshot:{name}"
        source._setup(conn, ":memory:")
        return source

    def _setup(self, conn: sqlite3.Connection, where: str) -> None:
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            conn.close()
            raise SnapshotError(f"{where}: not a citecheck snapshot") from None
        if meta.get("format") != _FORMAT:
            conn.close()
            raise SnapshotError(f"{where}: not a citecheck snapshot")
        if meta.get("version") != _VERSION:
            conn.close()
            raise SnapshotError(f"{where}: snapshot format version {meta.get('version')} is not supported")
        self._conn = conn
        self._lock = threading.Lock()
        self._where = where
        self.size = int(meta.get("records", "0") or 0)
        """Number of records the snapshot holds."""

    def __len__(self) -> int:
        return self.size

    def close(self) -> None:
        """Close the underlying database connection."""
        with self._lock:
            self._conn.close()

    def _work(self, blob: bytes) -> Work:
        record = json.loads(zlib.decompress(blob))
        return work_from_record(record, source=self.name)

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            # A damaged or vanished file is the tool's problem, never "not found".
            raise SourceUnavailable(f"{self.name}: {self._where}: {error}") from None

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under `doi` (normalised first), or None."""
        key = normalize_doi(doi or "")
        if not key:
            return None
        rows = self._query("SELECT record FROM records WHERE doi = ?", (key,))
        return self._work(rows[0][0]) if rows else None

    def _informative(self, terms: list[str]) -> list[str]:
        """The rarest of `terms` that the index holds: at least three (when there are), at most
        `_QUERY_TERMS`, and no more than fit in `_POSTINGS_BUDGET` after the third.

        Rare words (family names, specific title words) are what find the record; common
        ones cost the most to rank and weigh almost nothing in bm25.
        """
        marks = ",".join("?" * len(terms))
        counts = dict(self._query(f"SELECT term, doc FROM fts_vocab WHERE term IN ({marks})", tuple(terms)))
        present = sorted((t for t in terms if t in counts), key=lambda t: (counts[t], t))
        kept: list[str] = []
        total = 0
        for term in present[:_QUERY_TERMS]:
            if len(kept) >= 3 and total + counts[term] > _POSTINGS_BUDGET:
                break
            kept.append(term)
            total += counts[term]
        return kept

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Up to `rows` works sharing informative words with `query`, best bm25 rank first."""
        terms = query_terms(query or "")
        if not terms or rows <= 0:
            return []
        terms = self._informative(terms)
        if not terms:
            return []
        expression = " OR ".join(f'"{t}"' for t in terms)
        found = self._query(
            "SELECT r.record FROM (SELECT rowid, rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?) AS f "
            "JOIN records AS r ON r.id = f.rowid ORDER BY f.rank",
            (expression, rows),
        )
        return [self._work(blob) for (blob,) in found]


def default_snapshot() -> SnapshotSource:
    """The snapshot shipped with citecheck (`citecheck/data/trial-papers.jsonl`), in memory.

    Its records are hand-assembled (they carry `_provenance`, kept in `Work.provenance`), not
    live Crossref answers.
    """
    text = resources.files("citecheck").joinpath("data", "trial-papers.jsonl").read_text(encoding="utf-8")
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return SnapshotSource.from_records(records, name="citecheck-default")
