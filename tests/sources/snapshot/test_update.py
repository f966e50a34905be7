"""Keeping a snapshot current: newer records replace older ones by DOI, keys and words with them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from citecheck.sources.snapshot import SnapshotError, SnapshotSource, build_snapshot, update_snapshot
from tests.sources.snapshot.records import SYNTHETIC, jsonl, many, synthetic, write

OLD_TITLE = "A synthetic title about glass frogs"
NEW_TITLE = "Corrected synthetic findings on reed warblers"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    output = tmp_path / "s.sqlite"
    build_snapshot([write(tmp_path / "base.jsonl.gz", jsonl([*SYNTHETIC, *many(600, start=100)]))], output, workers=0)
    return output


def test_update_replaces_a_record_and_its_keys(tmp_path: Path, snapshot: Path) -> None:
    changed = synthetic(1, NEW_TITLE, "Jansen", volume="21", page="55-60")
    added = synthetic(9, "A new synthetic study of newts", "Okafor", volume="3", page="7-9")
    result = update_snapshot(snapshot, [write(tmp_path / "changes.jsonl.gz", jsonl([changed, added]))])
    assert (result.replaced, result.added, result.records) == (1, 1, 604)
    source = SnapshotSource(snapshot)
    assert len(source) == 604
    work = source.lookup_doi("10.5555/synthetic.1")
    assert work is not None and work.title == NEW_TITLE and work.authors[0].family == "Jansen"
    # The old title, author and locator no longer find it, by keys or by words; the new ones do.
    old_reference = f"Smith A. {OLD_TITLE}. J Test. 2019;11:101-10."
    assert "10.5555/synthetic.1" not in [w.doi for w in source.candidates({}, old_reference)]
    assert "10.5555/synthetic.1" not in [w.doi for w in source.search("glass frogs Smith")]
    new_reference = f"Jansen A. {NEW_TITLE}. J Test. 2019;21:55-60."
    assert [w.doi for w in source.candidates({}, new_reference)][:1] == ["10.5555/synthetic.1"]
    assert [w.doi for w in source.search("reed warblers Jansen")][:1] == ["10.5555/synthetic.1"]
    assert source.lookup_doi("10.5555/synthetic.9") is not None
    assert source.meta["updated"]


def test_an_update_applied_twice_is_applied_once(tmp_path: Path, snapshot: Path) -> None:
    changes = write(tmp_path / "changes.jsonl.gz", jsonl([synthetic(2, NEW_TITLE, "Jansen")]))
    first = update_snapshot(snapshot, [changes])
    again = update_snapshot(snapshot, [changes])
    assert (first.applied, first.replaced) == (1, 1)
    assert (again.applied, again.skipped, again.replaced) == (0, 1, 0)
    assert len(SnapshotSource(snapshot)) == 603


def test_update_moves_a_complete_snapshot_date(tmp_path: Path, snapshot: Path) -> None:
    update_snapshot(snapshot, [write(tmp_path / "c.jsonl", jsonl(SYNTHETIC[:1]), compress=False)], as_of=date(2026, 4, 1))
    assert SnapshotSource(snapshot).coverage.as_of == "2026-04-01"


def test_a_broken_update_file_changes_nothing(tmp_path: Path, snapshot: Path) -> None:
    packed = write(tmp_path / "whole.jsonl.gz", jsonl([synthetic(1, NEW_TITLE, "Jansen"), *many(200, start=5000)])).read_bytes()
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    reported: list[tuple[str, int, str]] = []
    result = update_snapshot(snapshot, [broken], report=lambda *a: reported.append(a))
    assert result.applied == 0 and any(position == 0 for _, position, _ in reported)
    work = SnapshotSource(snapshot).lookup_doi("10.5555/synthetic.1")
    assert work is not None and work.title == OLD_TITLE


@pytest.mark.parametrize("make", [pytest.param(lambda p: None, id="missing"),
                                  pytest.param(lambda p: sqlite3.connect(p).execute("CREATE TABLE x (y)"), id="not-a-snapshot")])
def test_update_of_something_else_is_refused(tmp_path: Path, make: object) -> None:
    target = tmp_path / "target.sqlite"
    make(target)  # type: ignore[operator]
    with pytest.raises(SnapshotError):
        update_snapshot(target, [write(tmp_path / "c.jsonl", jsonl(SYNTHETIC[:1]), compress=False)])


def _term_counts(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """(the `terms` table's counts, the full-text index's own counts), words held by a record."""
    conn = sqlite3.connect(path)
    try:
        kept = dict(conn.execute("SELECT term, docs FROM terms WHERE docs > 0").fetchall())
        indexed = dict(conn.execute("SELECT term, doc FROM words_vocab").fetchall())
    finally:
        conn.close()
    return kept, indexed


def test_word_counts_follow_the_index_through_a_build_and_updates(tmp_path: Path, snapshot: Path) -> None:
    kept, indexed = _term_counts(snapshot)
    assert kept == indexed and kept["synthetic"] == 603 and kept["frogs"] == 2
    update_snapshot(snapshot, [write(tmp_path / "c1.jsonl.gz", jsonl([synthetic(1, NEW_TITLE, "Jansen"),
                                                                         synthetic(9, "Frogs of an invented marsh", "Okafor")]))])
    update_snapshot(snapshot, [write(tmp_path / "c2.jsonl.gz", jsonl(many(3, start=100)))])  # the same records again
    kept, indexed = _term_counts(snapshot)
    assert kept == indexed
    assert kept["frogs"] == 2 and kept["warblers"] == 1 and "glass" not in kept  # one frogs paper out, one in
