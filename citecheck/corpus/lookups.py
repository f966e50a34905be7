"""The join's work on one part of the snapshot: what a worker does with one Parquet file.

Each function reads one part (a run of record ids) and answers for the rows it holds; the run
merges the parts' answers (`merge_*`). A record and all its keys and words are in one part,
so per-record results (a search's score) are complete within the part that holds the record.

- `scan_keys`: the wanted key hashes' postings, at most `MAX_POSTINGS + 1` smallest ids per
  key (what the snapshot's `SELECT id FROM keys WHERE key = ? LIMIT …` returns);
- `fetch_bodies`: records by id;
- `count_terms`: how many records hold each wanted word (the snapshot's vocabulary);
- `score_terms`: for each search, the records sharing enough of its words, scored by the sum
  of the words' weights added in the order the search lists them (as SQLite adds them),
  the best `rows` per search, ties broken by id, as the snapshot orders them.

Parts are read in record batches, so a task's memory is bounded by a batch, not by the part.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from citecheck.corpus.inputs import is_url
from citecheck.corpus.joined import SearchPlan
from citecheck.references.blocking import MAX_POSTINGS

__all__ = ["LIMIT", "count_terms", "fetch_bodies", "merge_counts", "merge_postings", "merge_scores", "postings_for",
           "scan_keys", "score_terms"]

LIMIT = MAX_POSTINGS + 1
"""Postings kept per key: enough to tell a key too common to block on (`select_candidates`)."""
BATCH = 1 << 18
"""Rows read at a time."""


@contextmanager
def _open(location: str) -> Iterator[IO[bytes]]:
    if is_url(location):
        import fsspec

        with fsspec.open(location, "rb") as handle:
            yield handle
    else:
        with open(location, "rb") as handle:
            yield handle


def _batches(location: str, columns: list[str]) -> Iterator[pa.RecordBatch]:
    with _open(location) as handle:
        yield from pq.ParquetFile(handle).iter_batches(batch_size=BATCH, columns=columns)


def _limit(keys: np.ndarray, ids: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted by (key, id), at most `limit` smallest ids per key."""
    if not len(keys):
        return keys, ids
    order = np.lexsort((ids, keys))
    keys, ids = keys[order], ids[order]
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    rank = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    keep = rank < limit
    return keys[keep], ids[keep]


def scan_keys(location: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, id) of this part's postings of the wanted keys, limited per key (see `LIMIT`)."""
    if not len(wanted):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    value_set = pa.array(wanted, pa.int64())
    keys: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    for batch in _batches(location, ["key", "id"]):
        mask = pc.is_in(batch.column("key"), value_set=value_set)
        found = batch.filter(mask)
        if found.num_rows:
            keys.append(found.column("key").to_numpy())
            ids.append(found.column("id").to_numpy())
    if not keys:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return _limit(np.concatenate(keys), np.concatenate(ids), LIMIT)


def merge_postings(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The parts' postings together, still at most `LIMIT` smallest ids per key."""
    keys = [k for k, _ in parts if len(k)]
    if not keys:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return _limit(np.concatenate(keys), np.concatenate([i for k, i in parts if len(k)]), LIMIT)


def postings_for(merged: tuple[np.ndarray, np.ndarray], wanted: np.ndarray) -> dict[int, tuple[int, ...]]:
    """Key → ids for every wanted key (an empty tuple for a key no record holds)."""
    keys, ids = merged
    out: dict[int, tuple[int, ...]] = {int(k): () for k in wanted}
    if len(keys):
        mask = np.isin(keys, wanted)
        keys, ids = keys[mask], ids[mask]
        starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1] if len(keys) else np.empty(0, np.int64)
        ends = np.r_[starts[1:], len(keys)] if len(keys) else starts
        for start, end in zip(starts, ends):
            out[int(keys[start])] = tuple(int(i) for i in ids[start:end])
    return out


def fetch_bodies(location: str, wanted: Sequence[int]) -> dict[int, bytes]:
    """The bodies of the wanted records this part holds."""
    if not wanted:
        return {}
    value_set = pa.array(sorted(set(wanted)), pa.int64())
    found: dict[int, bytes] = {}
    for batch in _batches(location, ["id", "body"]):
        ids = batch.column("id")
        first, last = pc.min(ids).as_py(), pc.max(ids).as_py()
        if first is None or value_set[-1].as_py() < first or value_set[0].as_py() > last:
            continue
        rows = batch.filter(pc.is_in(ids, value_set=value_set))
        found.update(zip(rows.column("id").to_pylist(), rows.column("body").to_pylist()))
    return found


def count_terms(location: str, terms: Sequence[str]) -> dict[str, int]:
    """How many of this part's records hold each wanted word (words it lacks are left out)."""
    if not terms:
        return {}
    value_set = pa.array(sorted(set(terms)), pa.string())
    counts: dict[str, int] = {}
    for batch in _batches(location, ["term", "count"]):
        rows = batch.filter(pc.is_in(batch.column("term"), value_set=value_set))
        for term, count in zip(rows.column("term").to_pylist(), rows.column("count").to_pylist()):
            counts[term] = counts.get(term, 0) + int(count)
    return counts


def merge_counts(*parts: dict[str, int]) -> dict[str, int]:
    """The parts' word counts summed."""
    total: dict[str, int] = {}
    for part in parts:
        for term, count in part.items():
            total[term] = total.get(term, 0) + count
    return total


Scored = dict[int, list[tuple[float, int]]]
"""Search number → [(score, record id)], best first."""


def score_terms(location: str, plans: Sequence[SearchPlan], rows: int) -> Scored:
    """For each search (by its position in `plans`), the best `rows` records of this part that
    share at least `at_least` of its words, by score (descending), then id."""
    requests: dict[str, list[tuple[int, int]]] = {}
    for number, plan in enumerate(plans):
        for position, term in enumerate(plan.terms):
            requests.setdefault(term, []).append((number, position))
    if not requests:
        return {}
    request_table = pa.table({
        "term": pa.array([t for t, uses in requests.items() for _ in uses], pa.string()),
        "search": pa.array([n for uses in requests.values() for n, _ in uses], pa.int64()),
        "bit": pa.array([1 << p for uses in requests.values() for _, p in uses], pa.int64()),
    })
    value_set = pa.array(sorted(requests), pa.string())
    pieces: list[pa.Table] = []
    for batch in _batches(location, ["term", "id"]):
        rows_found = batch.filter(pc.is_in(batch.column("term"), value_set=value_set))
        if rows_found.num_rows:
            joined = pa.Table.from_batches([rows_found]).join(request_table, keys="term")
            pieces.append(joined.group_by(["search", "id"]).aggregate([("bit", "sum")]))
    if not pieces:
        return {}
    # A record's words are all in one batch or spread over batches: add the masks up again.
    table = pa.concat_tables(pieces).group_by(["search", "id"]).aggregate([("bit_sum", "sum")])
    searches = table.column("search").to_numpy()
    ids = table.column("id").to_numpy()
    masks = table.column("bit_sum_sum").to_numpy()
    return _best(plans, searches, ids, masks, rows)


def _best(plans: Sequence[SearchPlan], searches: np.ndarray, ids: np.ndarray, masks: np.ndarray, rows: int) -> Scored:
    shared = np.array([bin(int(m)).count("1") for m in masks], dtype=np.int64)
    at_least = np.array([plans[int(s)].at_least for s in searches], dtype=np.int64)
    keep = shared >= at_least
    searches, ids, masks = searches[keep], ids[keep], masks[keep]
    cache: dict[tuple[int, int], float] = {}
    scores = np.empty(len(ids), dtype=np.float64)
    for index, (search, mask) in enumerate(zip(searches.tolist(), masks.tolist())):
        score = cache.get((search, mask))
        if score is None:
            score = 0.0
            for position, weight in enumerate(plans[search].weights):
                if mask >> position & 1:
                    score += weight  # in the search's word order, as SQLite's sum() adds its rows
            cache[(search, mask)] = score
        scores[index] = score
    best: Scored = {}
    for at in np.lexsort((ids, -scores, searches)):
        search = int(searches[at])
        kept = best.setdefault(search, [])
        if len(kept) < rows:
            kept.append((float(scores[at]), int(ids[at])))
    return best


def merge_scores(rows: int, *parts: Scored) -> dict[int, tuple[int, ...]]:
    """The best `rows` ids of each search over all parts (score descending, then id)."""
    merged: dict[int, list[tuple[float, int]]] = {}
    for part in parts:
        for search, found in part.items():
            merged.setdefault(search, []).extend(found)
    return {search: tuple(rid for _, rid in sorted(found, key=lambda f: (-f[0], f[1]))[:rows])
            for search, found in merged.items()}

