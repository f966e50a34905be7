"""The snapshot file: its SQLite schema, its metadata, and how one record is stored.

Layout (format version 2), chosen so that every lookup is a B-tree seek whatever the size:

- `records(id INTEGER PRIMARY KEY, body BLOB)`: one row per work. `body` is the `Work`
  reduced to the fields citecheck reads (no reference list, abstract, funders, licences,
  links: they are most of a Crossref record and never used), as a MessagePack list, compressed
  with zstd against a dictionary trained on the snapshot's own records (`dictionary` table).
- `keys(key INTEGER, id INTEGER, PRIMARY KEY (key, id)) WITHOUT ROWID`: the blocking keys
  (`citecheck.references.blocking`) of every record, as 47-bit hashes (six bytes each), the
  DOI among them. Built sorted after the bulk load, so its pages are full.
- `words`: a contentless FTS5 index with `detail=none` (document lists only: no positions, no
  stored text) over each record's title words and authors' family names, for the bounded
  full-text fallback; `terms(term, docs) WITHOUT ROWID`: how many records hold each indexed
  word, so that a search picks its rarest words with a few B-tree seeks (FTS5 itself counts
  a word's records by reading its whole document list, which grows with the snapshot).
- `meta(key, value)`: format, version, blocking-key version, record count, coverage, dates,
  what it was built from; `inputs`: every input file applied, for resuming and for `info`.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

import msgspec
import zstandard

from citecheck.model import Name, Update, Work
from citecheck.sources.base import Coverage
from citecheck.references.normalize import title_tokens, tokens

__all__ = [
    "FORMAT",
    "VERSION",
    "Coverage",
    "RecordCodec",
    "SnapshotError",
    "change_term_counts",
    "count_terms",
    "create_schema",
    "read_meta",
    "words_of",
    "words_text",
]

FORMAT = "citecheck-snapshot"
"""The `format` value in `meta` that marks a citecheck snapshot."""
VERSION = "3"
"""The layout version this code reads and writes (3: the `terms` table)."""
INDEXED_AUTHORS = 5
"""Family names of the first authors indexed for full-text search (the rest add size, not recall)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dictionary (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(
    text, content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS words_vocab USING fts5vocab(words, 'row');
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inputs (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, kind TEXT NOT NULL,
    records INTEGER NOT NULL DEFAULT 0, bad INTEGER NOT NULL DEFAULT 0, problem TEXT, finished TEXT
);
"""


class SnapshotError(Exception):
    """A snapshot file is missing, unreadable, not a citecheck snapshot, or cannot be built."""


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables of an empty snapshot (idempotent)."""
    conn.executescript(SCHEMA)


def count_terms(conn: sqlite3.Connection) -> None:
    """Fill `terms` from the full-text index (after a build: one pass over the index)."""
    conn.execute("DELETE FROM terms")
    conn.execute("INSERT INTO terms (term, docs) SELECT term, doc FROM words_vocab")


def change_term_counts(conn: sqlite3.Connection, words: str, delta: int) -> None:
    """Count a record's indexed words (`words_text`) in `terms` once more (`delta` 1) or once
    less (-1), as a record is added or removed one at a time (updates, small snapshots)."""
    conn.executemany(
        "INSERT INTO terms (term, docs) VALUES (?, max(?, 0)) ON CONFLICT (term) DO UPDATE SET docs = max(docs + ?, 0)",
        ((term, delta, delta) for term in dict.fromkeys(words.split())),
    )


def read_meta(conn: sqlite3.Connection, where: str) -> dict[str, str]:
    """The `meta` table, after checking that this is a snapshot this code can read."""
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        raise SnapshotError(f"{where}: not a citecheck snapshot") from None
    if meta.get("format") != FORMAT:
        raise SnapshotError(f"{where}: not a citecheck snapshot")
    if meta.get("version") != VERSION:
        raise SnapshotError(
            f"{where}: snapshot format version {meta.get('version')} is not supported "
            f"(this citecheck reads version {VERSION}; build the snapshot again)"
        )
    return meta


def words_text(work: Work) -> str:
    """The text indexed for full-text search: title words and the first authors' family names,
    folded, stop-words dropped (what a reference string shares with its record and what is
    rare enough to find it by)."""
    return words_of(title_tokens(work.title), [a.family or a.literal for a in work.authors[:INDEXED_AUTHORS]])


def words_of(title_words: list[str], families: list[str]) -> str:
    """`words_text` of a record given by its title's `title_tokens` and the family (or literal)
    names of its first `INDEXED_AUTHORS` authors."""
    words = list(title_words)
    for family in families:
        words.extend(_name_tokens(family))
    return " ".join(dict.fromkeys(words))


@functools.lru_cache(maxsize=1 << 16)
def _name_tokens(name: str) -> tuple[str, ...]:
    # Cached: family names repeat (a build meets "Wang" a million times), titles do not.
    return tuple(tokens(name))


_RAW, _ZSTD = 0, 1  # first byte of a body: how the rest is stored


class RecordCodec:
    """Turns a `Work` into a stored body and back.

    The body is a MessagePack list of the fields in a fixed order, trailing empty ones left
    out, behind one byte that says whether it is zstd-compressed (with the snapshot's
    dictionary, when it has one). Records of a few hundred bytes compress poorly on their own;
    against a dictionary of their common parts (journal names, DOI prefixes, publisher
    strings) to about half.
    """

    def __init__(self, dictionary: bytes | None = None, level: int = 3) -> None:
        self.dictionary = dictionary
        zdict = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        params = zstandard.ZstdCompressionParameters.from_level(
            level, format=zstandard.FORMAT_ZSTD1_MAGICLESS, write_checksum=False,
            write_dict_id=False, write_content_size=True,
        )
        self._compressor = zstandard.ZstdCompressor(dict_data=zdict, compression_params=params)
        self._decompressor = zstandard.ZstdDecompressor(dict_data=zdict, format=zstandard.FORMAT_ZSTD1_MAGICLESS)
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder()

    @staticmethod
    def fields(work: Work) -> list[Any]:
        """The stored fields of a work, in order, trailing empty values dropped."""
        values: list[Any] = [
            work.doi,
            work.title,
            [[a.family, a.given, a.literal] if a.literal else [a.family, a.given] for a in work.authors],
            work.container_title,
            list(work.short_container_titles),
            work.year,
            list(work.other_years),
            work.volume,
            work.issue,
            work.page,
            work.type,
            [[u.kind, u.doi, u.date, u.source] for u in work.updated_by],
            [[u.kind, u.doi, u.date, u.source] for u in work.update_to],
            work.provenance,
            list(work.unverified_fields),
        ]
        while values and values[-1] in ("", None, []):
            values.pop()
        return values

    def plain(self, work: Work) -> bytes:
        """The uncompressed MessagePack of `fields(work)` (also the Parquet export's body)."""
        return self._encoder.encode(self.fields(work))

    def pack(self, fields: list[Any]) -> bytes:
        """The uncompressed MessagePack of a field list (`fields(work)`, or the same list made
        without a `Work`)."""
        return self._encoder.encode(fields)

    def encode(self, work: Work) -> bytes:
        """The stored body of a work."""
        return self.compress(self.plain(work))

    def compress(self, plain: bytes) -> bytes:
        """The stored body of an uncompressed MessagePack field list (`plain`, `pack`)."""
        packed = self._compressor.compress(plain)
        if len(packed) < len(plain):
            return bytes((_ZSTD,)) + packed
        return bytes((_RAW,)) + plain

    def decode(self, body: bytes, source: str) -> Work:
        """The work a stored body holds, answering as `source`."""
        data = self._decompressor.decompress(body[1:]) if body[0] == _ZSTD else body[1:]
        return work_from_fields(self._decoder.decode(data), source)


def _updates(items: list[list[str]]) -> tuple[Update, ...]:
    return tuple(Update(kind=k, doi=d, date=t, source=s) for k, d, t, s in items)


def work_from_fields(values: list[Any], source: str) -> Work:
    """The `Work` of a decoded field list (see `RecordCodec.fields`)."""
    values = list(values) + [None] * (15 - len(values))
    doi, title, authors, container, shorts, year, others, volume, issue, page, kind, by, to, prov, doubt = values
    return Work(
        doi=doi or "",
        title=title or "",
        authors=tuple(Name(*a) for a in authors or ()),
        container_title=container or "",
        short_container_titles=tuple(shorts or ()),
        year=year,
        other_years=tuple(others or ()),
        volume=volume or "",
        issue=issue or "",
        page=page or "",
        type=kind or "",
        updated_by=_updates(by or []),
        update_to=_updates(to or []),
        source=source,
        provenance=prov or "",
        unverified_fields=tuple(doubt or ()),
    )
