"""The join answers as the snapshot does: for every fixture reference, `JoinedSource` (fed by
the Parquet parts through `lookups`) gives the same DOI lookup, the same keyed candidates and
the same full-text search results, in the same order, as `SnapshotSource` on the SQLite file;
and the words the Parquet form indexes are those of the snapshot's full-text index."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from citecheck.corpus import lookups
from citecheck.corpus.joined import Answers, JoinedSource, MissingAnswer, search_plan
from citecheck.corpus.snapshot_data import ParquetSnapshot, decode_body, term_hash
from citecheck.references.blocking import key_hash, reference_keys
from citecheck.references.parser import parse_reference
from citecheck.resolve.matching import bibliographic_query
from citecheck.sources.snapshot import SnapshotSource, query_terms
from tests.corpus.conftest import FIXTURES

REFS = [json.loads(line) for line in (FIXTURES / "matching_glutton_refs.jsonl").read_text().splitlines()]


def _queries(ref: dict) -> list[str]:
    """The searches a resolver makes for a reference, and harder ones: the raw string, its
    first words, a title alone (one rare word)."""
    raw = ref["reference"]
    csl = parse_reference(raw).csl
    return [bibliographic_query(csl, raw), raw, " ".join(raw.split()[:4]), str(csl.get("title", "")), "endoscopic"]


def _joined(prepared: ParquetSnapshot, references: list[tuple[dict, str]], queries: list[str]) -> JoinedSource:
    hashes = sorted({k.hash for csl, raw in references for k in reference_keys(csl, raw)}
                    | {key_hash("doi", r["doi"].lower()) for r in REFS})
    wanted = np.array(hashes, dtype=np.int64)
    merged = lookups.merge_postings(*(lookups.scan_keys(prepared.location("keys", p), wanted) for p in prepared.parts))
    postings = lookups.postings_for(merged, wanted)
    terms = sorted({t for q in queries for t in query_terms(q)})
    wanted_terms = np.array(sorted({term_hash(t) for t in terms}), dtype=np.int64)
    counts = lookups.merge_counts(*(lookups.count_terms(prepared.location("vocab", p), wanted_terms)
                                    for p in prepared.parts))
    plans = [search_plan(q, {t: counts.get(term_hash(t), 0) for t in terms}, prepared.records) for q in queries]
    batch = lookups.SearchBatch.of(plans)
    ranked = lookups.merge_scores(batch, 5, *(lookups.score_terms(prepared.location("terms", p), batch, 5)
                                       for p in prepared.parts))
    every_id = list(range(0, 10_000))
    bodies: dict[int, bytes] = {}
    for part in prepared.parts:
        bodies.update(lookups.fetch_bodies(prepared.location("records", part), every_id))
    answers = Answers(postings=postings, bodies=bodies, searches={q: ranked.get(i, ()) for i, q in enumerate(queries)})
    return JoinedSource(prepared.name, prepared.coverage, prepared.records, answers, decode_body)


@pytest.fixture(scope="module")
def sources(snapshot_file: Path, prepared: ParquetSnapshot) -> tuple[SnapshotSource, JoinedSource]:
    references = [(parse_reference(r["reference"]).csl, r["reference"]) for r in REFS]
    queries = sorted({q for r in REFS for q in _queries(r)})
    return SnapshotSource(snapshot_file), _joined(prepared, references, queries)


def test_the_parquet_form_is_in_several_parts(prepared: ParquetSnapshot) -> None:
    assert len(prepared.parts) >= 3 and sum(p.records for p in prepared.parts) == prepared.records


@pytest.mark.parametrize("index", range(len(REFS)), ids=[r["id"] for r in REFS])
def test_joined_answers_equal_the_snapshots(sources: tuple[SnapshotSource, JoinedSource], index: int) -> None:
    snapshot, joined = sources
    ref = REFS[index]
    raw = ref["reference"]
    csl = parse_reference(raw).csl
    assert joined.lookup_doi(ref["doi"]) == snapshot.lookup_doi(ref["doi"])
    assert joined.candidates(csl, raw) == snapshot.candidates(csl, raw)
    for query in _queries(ref):
        assert joined.search(query) == snapshot.search(query), query


@pytest.mark.parametrize("pair_rows", [1, 2])
def test_a_pairs_row_limit_keeps_the_same_records_as_the_snapshot(
        snapshot_file: Path, prepared: ParquetSnapshot, monkeypatch: pytest.MonkeyPatch, pair_rows: int) -> None:
    """With the rows read per pair of words cut to one or two, the snapshot passes records over
    (FTS5 gives a pair's smallest ids first); the join must pass over the very same ones."""
    from citecheck.corpus import joined as joined_module
    from citecheck.sources.snapshot import source as source_module

    queries = sorted({q for r in REFS for q in _queries(r)})
    snapshot = SnapshotSource(snapshot_file)
    try:
        unlimited = {q: snapshot.search(q) for q in queries}
        monkeypatch.setattr(source_module, "PAIR_ROWS", pair_rows)
        monkeypatch.setattr(joined_module, "PAIR_ROWS", pair_rows)
        joined = _joined(prepared, [], queries)
        limited = {q: snapshot.search(q) for q in queries}
    finally:
        snapshot.close()
    assert [q for q in queries if joined.search(q) != limited[q]] == []
    assert any(limited[q] != unlimited[q] for q in queries)  # the limit did pass records over


def test_the_searches_meet_records_and_ties(sources: tuple[SnapshotSource, JoinedSource]) -> None:
    """Not a vacuous comparison: searches return records, some with several tied candidates."""
    snapshot, _ = sources
    results = [snapshot.search(q) for r in REFS for q in _queries(r)]
    assert sum(1 for found in results if found) >= 30
    assert any(len(found) == 5 for found in results)


def test_a_question_the_join_did_not_answer_is_missing_not_absent(sources: tuple[SnapshotSource, JoinedSource]) -> None:
    _, joined = sources
    with pytest.raises(MissingAnswer) as missing:
        joined.search("a query nobody asked the join about sphincterotomy")
    assert missing.value.query == "a query nobody asked the join about sphincterotomy"
    with pytest.raises(MissingAnswer):
        joined.lookup_doi("10.9999/not-asked")


def test_the_indexed_words_are_the_snapshots(snapshot_file: Path, prepared: ParquetSnapshot) -> None:
    with sqlite3.connect(snapshot_file) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, words, 'row')")
        fts = dict(conn.execute("SELECT term, doc FROM temp.v").fetchall())
    wanted = np.array(sorted({term_hash(t) for t in fts}), dtype=np.int64)
    parquet = lookups.merge_counts(*(lookups.count_terms(prepared.location("vocab", p), wanted)
                                     for p in prepared.parts))
    assert parquet == {term_hash(t): n for t, n in fts.items()} and len(fts) > 150
    assert sum(parquet.values()) == sum(len(t) for t in _all_terms(prepared))


def _all_terms(prepared: ParquetSnapshot) -> list[list[int]]:
    """Every record's indexed words, from the terms dataset (one list per record)."""
    import pyarrow.parquet as pq

    by_record: dict[int, list[int]] = {}
    for part in prepared.parts:
        table = pq.read_table(prepared.location("terms", part))
        for term, rid in zip(table.column("term").to_pylist(), table.column("id").to_pylist()):
            by_record.setdefault(rid, []).append(term)
    return list(by_record.values())
