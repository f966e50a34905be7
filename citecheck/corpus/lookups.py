"""The join's work on one part of the snapshot: what a worker does with one Parquet file.

Each function reads one part (a run of record ids) and answers for the rows it holds; the run
merges the parts' answers (`merge_*`). A record and all its keys and words are in one part,
so per-record results (a search's score) are complete within the part that holds the record.

- `scan_keys`: the wanted key hashes' postings, at most `MAX_POSTINGS + 1` smallest ids per
  key (what the snapshot's `SELECT id FROM keys WHERE key = ? LIMIT …` returns);
- `fetch_bodies`: records by id;
- `count_terms`: how many records hold each wanted word (the snapshot's vocabulary);
- `score_terms`: for each search and each pair of its words the snapshot asks its index for,
  the smallest ids of this part holding both words (what FTS5's `"a" AND "b" LIMIT n`
  returns: ids in ascending order), `PAIR_ROWS` at most, or `rows` for a one-word search;
  `merge_scores` keeps each pair's smallest ids over all parts, then ranks each search's
  records as the snapshot does: by the summed weights of the words they were found through,
  then by id.

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
from citecheck.sources.snapshot.source import rank_records

__all__ = ["LIMIT", "PairHits", "SearchBatch", "count_terms", "fetch_bodies", "merge_counts", "merge_postings",
           "merge_scores", "postings_for", "scan_keys", "score_terms"]

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


PairHits = dict[tuple[int, int], list[int]]
"""(search number, pair number) → the smallest ids holding both words of the pair, ascending."""


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


def score_terms(location: str, batch: SearchBatch, rows: int) -> PairHits:
    """For each search (by its position in `batch.plans`) and each of its pairs of words
    (`SearchPlan.pairs`), the smallest ids of this part holding both, `SearchPlan.limit(rows)`
    at most."""
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
    return _pair_hits(batch.plans, search[starts], rid[starts], np.add.reduceat(bit, starts), rows)


def _pair_hits(plans: Sequence[SearchPlan], searches: np.ndarray, ids: np.ndarray, masks: np.ndarray,
               rows: int) -> PairHits:
    """Each record (with its mask of a search's words) under every pair of the search it holds
    both words of; the smallest ids of each (search, pair)."""
    combos, inverse = np.unique(np.stack([searches, masks]), axis=1, return_inverse=True)
    satisfied = [[n for n, (i, j) in enumerate(plans[search].pairs) if mask >> i & 1 and mask >> j & 1]
                 for search, mask in zip(combos[0].tolist(), combos[1].tolist())]
    per_combo = np.array([len(pairs) for pairs in satisfied], dtype=np.int64)
    combo_start = np.r_[0, np.cumsum(per_combo)].astype(np.int64)
    flat_pairs = np.array([n for pairs in satisfied for n in pairs], dtype=np.int64)
    combo = inverse.reshape(-1)
    repeat = per_combo[combo]
    if not repeat.sum():
        return {}
    offset = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    pair = flat_pairs[np.repeat(combo_start[combo], repeat) + offset]
    search, rid = np.repeat(searches, repeat), np.repeat(ids, repeat)
    order = np.lexsort((rid, pair, search))
    search, pair, rid = search[order], pair[order], rid[order]
    group_starts = np.flatnonzero(np.r_[True, (search[1:] != search[:-1]) | (pair[1:] != pair[:-1])])
    rank = np.arange(len(rid)) - np.repeat(group_starts, np.diff(np.r_[group_starts, len(rid)]))
    limits = np.array([plan.limit(rows) for plan in plans], dtype=np.int64)
    keep = rank < limits[search]
    hits: PairHits = {}
    for s_, p_, r_ in zip(search[keep].tolist(), pair[keep].tolist(), rid[keep].tolist()):
        hits.setdefault((s_, p_), []).append(r_)
    return hits


def merge_scores(batch: SearchBatch, rows: int, *parts: PairHits) -> dict[int, tuple[int, ...]]:
    """The best `rows` ids of each search over all parts, as `SnapshotSource.search` ranks
    them: each pair's smallest ids over all parts, then every record found scored by the
    weights of the words it was found through (added in the search's word order), best
    first, ties by id."""
    merged: dict[tuple[int, int], list[int]] = {}
    for part in parts:
        for key, found in part.items():
            merged.setdefault(key, []).extend(found)
    words: dict[int, dict[int, set[int]]] = {}
    for (search, pair), found in merged.items():
        plan = batch.plans[search]
        first, second = plan.pairs[pair]
        for rid in sorted(found)[:plan.limit(rows)]:
            words.setdefault(search, {}).setdefault(rid, set()).update((first, second))
    return {search: tuple(rank_records(found_words, list(enumerate(batch.plans[search].weights)), rows))
            for search, found_words in words.items()}
