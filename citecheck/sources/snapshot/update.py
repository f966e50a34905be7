"""Keeping a snapshot current.

`update_snapshot(SNAP, FILES)` applies newer records — a newer data file, or JSON Lines of the
works changed since — without rebuilding: a record whose DOI the snapshot holds replaces the
old one (its body, its blocking keys and its words in the full-text index), a new DOI is
added. Each input file is applied in one transaction, and files already applied are skipped
when the same update is run again, so an interrupted update is simply run again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from citecheck.references.blocking import BLOCKING_VERSION, key_hash, work_keys
from citecheck.references.doi import normalize_doi
from citecheck.sources.snapshot.datafile import ReadProblem, discover_inputs, read_input, stream_members
from citecheck.sources.snapshot.rows import RowMaker, insert_row
from citecheck.sources.snapshot.store import RecordCodec, SnapshotError, change_term_counts, read_meta, words_text

__all__ = ["UpdateResult", "update_snapshot"]


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """What an update did."""

    replaced: int
    """Records whose DOI the snapshot held, replaced by the newer record."""
    added: int
    """Records of DOIs new to the snapshot."""
    bad_records: int
    """Records skipped (unreadable, or without a DOI)."""
    applied: int
    """Input files applied by this run."""
    skipped: int
    """Input files an earlier run had already applied."""
    records: int
    """Records in the snapshot afterwards."""


def _existing(conn: sqlite3.Connection, codec: RecordCodec, doi: str) -> list[tuple[int, bytes]]:
    rows = conn.execute(
        "SELECT r.id, r.body FROM keys AS k JOIN records AS r ON r.id = k.id WHERE k.key = ?", (key_hash("doi", doi),)
    ).fetchall()
    return [(rid, body) for rid, body in rows if codec.decode(body, "").doi == doi]


def _delete(conn: sqlite3.Connection, codec: RecordCodec, rid: int, body: bytes) -> None:
    """Remove one record with everything that points at it."""
    work = codec.decode(body, "")
    words = words_text(work)
    conn.execute("INSERT INTO words (words, rowid, text) VALUES ('delete', ?, ?)", (rid, words))
    change_term_counts(conn, words, -1)
    conn.executemany("DELETE FROM keys WHERE key = ? AND id = ?", ((k.hash, rid) for k in work_keys(work)))
    conn.execute("DELETE FROM records WHERE id = ?", (rid,))


def _apply(conn: sqlite3.Connection, maker: RowMaker, records: Iterable[tuple[int, dict[str, Any] | None, str]],
           report: Callable[[int, str], None]) -> tuple[int, int, int]:
    """Replace or add every record; (replaced, added, bad)."""
    replaced = added = bad = 0
    for position, record, reason in records:
        row = maker.row(position, record) if record is not None else None
        if row is None:
            bad += 1
            report(position, reason or "no usable DOI")
            continue
        doi = normalize_doi(str(record.get("DOI", ""))) if record else ""
        old = _existing(conn, maker.codec, doi)
        for rid, body in old:
            _delete(conn, maker.codec, rid, body)
        replaced += bool(old)
        added += not old
        insert_row(conn, row)
    return replaced, added, bad


def update_snapshot(
    snapshot: Path,
    inputs: Sequence[Path],
    report: Callable[[str, int, str], None] | None = None,
    as_of: date | None = None,
) -> UpdateResult:
    """Apply the records of `inputs` (same formats as a build) to `snapshot` in place.

    `as_of`: the date the snapshot holds Crossref as of after this update (for a complete
    snapshot brought up to date with every change since its release). Raises SnapshotError
    when the file is not a snapshot or an input cannot be listed.
    """
    snapshot = Path(snapshot)
    if not snapshot.is_file():
        raise SnapshotError(f"{snapshot}: no such snapshot file")
    try:
        sources = discover_inputs(inputs)
    except ReadProblem as error:
        raise SnapshotError(str(error)) from None
    conn = sqlite3.connect(snapshot, isolation_level=None)
    try:
        meta = read_meta(conn, str(snapshot))
        if meta.get("blocking_version") != BLOCKING_VERSION:
            raise SnapshotError(f"{snapshot}: built with another version of the blocking keys; build it again")
        row = conn.execute("SELECT data FROM dictionary WHERE id = 1").fetchone()
        maker = RowMaker(row[0] if row else None)
        applied_before = {(n, s) for n, s in conn.execute("SELECT name, size FROM inputs WHERE kind = 'update' AND finished IS NOT NULL")}
        totals = [0, 0, 0]
        applied = skipped = 0
        for source in sources:
            members = stream_members(source) if source.streamed else [(source, None)]
            for member, data in members:
                if (member.name, member.size) in applied_before:
                    skipped += 1
                    continue
                notes = (lambda name: (lambda position, reason: report(name, position, reason) if report else None))(member.name)
                conn.execute("BEGIN")
                problem = ""
                try:
                    counts = _apply(conn, maker, read_input(member, data), notes)
                except ReadProblem as error:
                    problem, counts = str(error), (0, 0, 0)
                    conn.execute("ROLLBACK")
                    if report:
                        report(member.name, 0, f"{problem}; not applied")
                    continue
                conn.execute("INSERT INTO inputs (name, size, kind, records, bad, finished) VALUES (?, ?, 'update', ?, ?, ?)",
                             (member.name, member.size, counts[0] + counts[1], counts[2], _now()))
                count = conn.execute("SELECT count(*) FROM records").fetchone()[0]
                changes = {"records": str(count), "updated": _now()}
                if as_of is not None:
                    changes["as_of"] = as_of.isoformat()
                conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", changes.items())
                conn.execute("COMMIT")
                totals = [t + c for t, c in zip(totals, counts)]
                applied += 1
        records = int(conn.execute("SELECT value FROM meta WHERE key = 'records'").fetchone()[0])
    except sqlite3.Error as error:
        raise SnapshotError(f"{snapshot}: {error}") from None
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
    return UpdateResult(replaced=totals[0], added=totals[1], bad_records=totals[2], applied=applied, skipped=skipped,
                        records=records)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
