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
from dataclasses import dataclass
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from citecheck.corpus.inputs import is_url
from citecheck.corpus.joined import SearchPlan
from citecheck.corpus.snapshot_data import term_hash
from citecheck.references.blocking import MAX_POSTINGS

__all__ = ["LIMIT", "SearchBatch", "count_terms", "fetch_bodies", "merge_counts", "merge_postings", "merge_scores",
           "postings_for", "scan_keys", "score_terms"]

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


def _member(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of `values` are in `wanted` (sorted, unique): a binary search each, no hash table
    to build per batch."""
    if not len(wanted):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(wanted, values)
    at[at == len(wanted)] = 0
    return wanted[at] == values


def scan_keys(location: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, id) of this part's postings of the wanted keys, limited per key (see `LIMIT`)."""
    wanted = np.unique(np.asarray(wanted, dtype=np.int64))
    if not len(wanted):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    for batch in _batches(location, ["key", "id"]):
        values = batch.column("key").to_numpy()
        mask = _member(values, wanted)
        if mask.any():
            keys.append(values[mask])
            ids.append(batch.column("id").to_numpy()[mask])
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
    sought = np.unique(np.asarray(wanted, dtype=np.int64))
    found: dict[int, bytes] = {}
    for batch in _batches(location, ["id", "body"]):
        ids = batch.column("id").to_numpy()
        if not len(ids) or sought[-1] < ids.min() or sought[0] > ids.max():
            continue
        mask = _member(ids, sought)
        if mask.any():
            rows = batch.filter(pa.array(mask))
            found.update(zip(rows.column("id").to_pylist(), rows.column("body").to_pylist()))
    return found


def count_terms(location: str, wanted: np.ndarray) -> dict[int, int]:
    """How many of this part's records hold each wanted word (by `term_hash`; words it lacks
    are left out)."""
    wanted = np.unique(np.asarray(wanted, dtype=np.int64))
    counts: dict[int, int] = {}
    if not len(wanted):
        return counts
    for batch in _batches(location, ["term", "count"]):
        values = batch.column("term").to_numpy()
        mask = _member(values, wanted)
        for hashed, count in zip(values[mask].tolist(), batch.column("count").to_numpy()[mask].tolist()):
            counts[hashed] = counts.get(hashed, 0) + int(count)
    return counts


def merge_counts(*parts: dict[int, int]) -> dict[int, int]:
    """The parts' word counts summed."""
    total: dict[int, int] = {}
    for part in parts:
        for term, count in part.items():
            total[term] = total.get(term, 0) + count
    return total


Scored = dict[int, list[tuple[float, int]]]
"""Search number → [(score, record id)], best first."""


@dataclass(frozen=True)
class SearchBatch:
    """A wave's searches as arrays, built once on the client and sent to every terms part:
    the words wanted (hashes, sorted) and, for each, the searches that use it and at which
    position (its bit in a record's mask)."""

    plans: tuple[SearchPlan, ...]
    wanted: np.ndarray
    uses: np.ndarray
    """How many searches use each wanted word."""
    start: np.ndarray
    """Where each wanted word's uses start in `use_search` and `use_bit`."""
    use_search: np.ndarray
    use_bit: np.ndarray

    @classmethod
    def of(cls, plans: Sequence[SearchPlan]) -> SearchBatch:
        uses: dict[int, list[tuple[int, int]]] = {}
        for number, plan in enumerate(plans):
            for position, term in enumerate(plan.terms):
                uses.setdefault(term_hash(term), []).append((number, 1 << position))
        wanted = sorted(uses)
        counts = np.array([len(uses[h]) for h in wanted], dtype=np.int64)
        return cls(
            plans=tuple(plans), wanted=np.array(wanted, dtype=np.int64), uses=counts,
            start=np.r_[0, np.cumsum(counts)].astype(np.int64),
            use_search=np.array([n for h in wanted for n, _ in uses[h]], dtype=np.int64),
            use_bit=np.array([b for h in wanted for _, b in uses[h]], dtype=np.int64),
        )


def score_terms(location: str, batch: SearchBatch, rows: int) -> Scored:
    """For each search (by its position in `batch.plans`), the best `rows` records of this
    part that share at least `at_least` of its words, by score (descending), then id."""
    if not len(batch.wanted):
        return {}
    searches: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    bits: list[np.ndarray] = []
    for records in _batches(location, ["term", "id"]):
        values = records.column("term").to_numpy()
        mask = _member(values, batch.wanted)
        if not mask.any():
            continue
        word = np.searchsorted(batch.wanted, values[mask])
        record = records.column("id").to_numpy()[mask]
        repeat = batch.uses[word]
        first = np.repeat(batch.start[word], repeat)
        offset = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        searches.append(batch.use_search[first + offset])
        bits.append(batch.use_bit[first + offset])
        ids.append(np.repeat(record, repeat))
    if not searches:
        return {}
    search, rid, bit = np.concatenate(searches), np.concatenate(ids), np.concatenate(bits)
    # One record holds a word once: its mask in a search is the sum (the OR) of its words' bits.
    order = np.lexsort((rid, search))
    search, rid, bit = search[order], rid[order], bit[order]
    first_of_group = np.r_[True, (search[1:] != search[:-1]) | (rid[1:] != rid[:-1])]
    starts = np.flatnonzero(first_of_group)
    return _best(batch.plans, search[starts], rid[starts], np.add.reduceat(bit, starts), rows)


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):  # numpy 2
        return np.bitwise_count(values).astype(np.int64)
    return np.array([bin(int(v)).count("1") for v in values], dtype=np.int64)


def _best(plans: Sequence[SearchPlan], searches: np.ndarray, ids: np.ndarray, masks: np.ndarray, rows: int) -> Scored:
    at_least = np.array([plan.at_least for plan in plans], dtype=np.int64)
    keep = _popcount(masks) >= at_least[searches]
    searches, ids, masks = searches[keep], ids[keep], masks[keep]
    if not len(ids):
        return {}
    pairs, inverse = np.unique(np.stack([searches, masks]), axis=1, return_inverse=True)
    pair_scores = np.empty(pairs.shape[1], dtype=np.float64)
    for index, (search, mask) in enumerate(zip(pairs[0].tolist(), pairs[1].tolist())):
        score = 0.0
        for position, weight in enumerate(plans[search].weights):
            if mask >> position & 1:
                score += weight  # in the search's word order, as SQLite's sum() adds its rows
        pair_scores[index] = score
    scores = pair_scores[inverse.reshape(-1)]
    order = np.lexsort((ids, -scores, searches))
    searches, ids, scores = searches[order], ids[order], scores[order]
    first = np.r_[0, np.flatnonzero(searches[1:] != searches[:-1]) + 1]
    rank = np.arange(len(ids)) - np.repeat(first, np.diff(np.r_[first, len(ids)]))
    best: Scored = {}
    for search, rid, score in zip(searches[rank < rows].tolist(), ids[rank < rows].tolist(),
                                  scores[rank < rows].tolist()):
        best.setdefault(search, []).append((score, rid))
    return best


def merge_scores(rows: int, *parts: Scored) -> dict[int, tuple[int, ...]]:
    """The best `rows` ids of each search over all parts (score descending, then id)."""
    merged: dict[int, list[tuple[float, int]]] = {}
    for part in parts:
        for search, found in part.items():
            merged.setdefault(search, []).extend(found)
    return {search: tuple(rid for _, rid in sorted(found, key=lambda f: (-f[0], f[1]))[:rows])
            for search, found in merged.items()}

