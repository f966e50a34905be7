"""A snapshot source that answers from what a distributed join found, not from the snapshot.

In a corpus run no worker opens the snapshot: the join (`citecheck.corpus.lookups`) brings
each partition the postings of its references' blocking keys, the records they name, and the
results of the full-text searches its references needed. `JoinedSource` answers the three
questions the resolver asks a snapshot — `lookup_doi`, `candidates`, `search` — from those
answers, computing each answer as `SnapshotSource` does from its tables:

- `lookup_doi(doi)`: the records under the DOI's key, first in id order whose DOI it is;
- `candidates(csl, raw)`: `reference_keys`, each key's postings (the first `MAX_POSTINGS + 1`
  ids), `select_candidates`;
- `search(query)`: the ranked ids of the snapshot's bounded search (`search_plan` chooses the
  words, their pairs and weights exactly as the snapshot does; the join finds each pair's
  first records and ranks them).

So the resolver, and `citecheck.resolve.matching.decide` inside it, reach the same decisions
as `citecheck audit --offline --snapshot`. A question the answers do not cover raises
`MissingAnswer` (never `SourceUnavailable`): the first pass over a partition uses it to learn
which searches its references need.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any

from citecheck.model import CslItem, Work
from citecheck.references.blocking import BlockingKey, key_hash, reference_keys, select_candidates
from citecheck.references.doi import normalize_doi
from citecheck.sources.base import Coverage
from citecheck.sources.snapshot import query_terms
from citecheck.sources.snapshot.source import PAIR_ROWS, SEARCHED_TERMS, TERM_LIMIT

__all__ = ["Answers", "JoinedSource", "MissingAnswer", "SearchPlan", "search_plan", "search_terms"]


class MissingAnswer(Exception):
    """The join has not (yet) answered this question; `query` is the search wanted, if any."""

    def __init__(self, what: str, query: str = "") -> None:
        super().__init__(what)
        self.query = query


@dataclass
class Answers:
    """What the join found for one partition."""

    postings: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Key hash → the smallest ids holding it (at most `MAX_POSTINGS + 1`), for every key asked."""
    bodies: dict[int, bytes] = field(default_factory=dict)
    """Record id → its exported body (empty for an id the snapshot does not hold)."""
    searches: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Search query → the ids the snapshot's search ranks first."""


def reference_signature(csl: CslItem, raw: str) -> tuple[str, str]:
    """What a reference's blocking keys depend on, as a dictionary key."""
    return raw, json.dumps(csl, sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """The words a snapshot search reads for one query, rarest first, with their weights."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    at_least: int
    """Words a record must share to be returned: two, or one when only one word is searched."""

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """The pairs of word positions the search asks the index for, in the snapshot's order
        (one pseudo-pair `(0, 0)` when a single word is searched)."""
        if self.at_least < 2:
            return ((0, 0),) if self.terms else ()
        return tuple(itertools.combinations(range(len(self.terms)), 2))

    def limit(self, rows: int) -> int:
        """Records read per pair at most: `PAIR_ROWS`, or `rows` for a single word."""
        return PAIR_ROWS if self.at_least >= 2 else rows


def search_terms(query: str) -> list[str]:
    """The words of `query` a snapshot search may read (`query_terms` without numbers)."""
    return [term for term in query_terms(query or "") if not term.isdigit()]


def search_plan(query: str, counts: dict[str, int], records: int) -> SearchPlan:
    """What `SnapshotSource.search` reads for `query`, given the records each word is in."""
    present = sorted((t for t in search_terms(query) if 0 < counts.get(t, 0) <= TERM_LIMIT),
                     key=lambda t: (counts[t], t))
    kept = present[:SEARCHED_TERMS]
    size = max(records, 1)
    return SearchPlan(tuple(kept), tuple(math.log(1 + size / counts[t]) for t in kept), min(2, len(kept)))


class JoinedSource:
    """A `WorkSource` (with `candidates`) answering as one snapshot, from a join's answers."""

    def __init__(self, name: str, coverage: Coverage, records: int, answers: Answers, decode: Any,
                 keys: dict[tuple[str, str], tuple[BlockingKey, ...]] | None = None) -> None:
        """`keys`: the references' blocking keys by `reference_signature`, when already known."""
        self.name = name
        self.coverage = coverage
        self.size = records
        self._answers = answers
        self._decode = decode
        self._keys = keys or {}
        self._works: dict[int, Work] = {}

    def __len__(self) -> int:
        return self.size

    def _work(self, rid: int) -> Work | None:
        work = self._works.get(rid)
        if work is None:
            body = self._answers.bodies.get(rid)
            if body is None:
                raise MissingAnswer(f"record {rid}")
            if not body:
                return None  # as the snapshot's own lookups, an id without a record is passed over
            work = self._works[rid] = self._decode(body, self.name)
        return work

    def _postings(self, hash_: int) -> tuple[int, ...]:
        found = self._answers.postings.get(hash_)
        if found is None:
            raise MissingAnswer(f"key {hash_}")
        return found

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under `doi` (normalised first), or None."""
        key = normalize_doi(doi or "")
        if not key:
            return None
        for rid in self._postings(key_hash("doi", key)):
            work = self._work(rid)
            if work is not None and work.doi == key:
                return work
        return None

    def candidates(self, csl: CslItem, raw: str) -> list[Work]:
        """The works sharing blocking keys with a reference, best supported first."""
        keys = self._keys.get(reference_signature(csl, raw))
        if keys is None:
            keys = reference_keys(csl, raw)
        if not keys:
            return []
        postings = {key: self._postings(key.hash) for key in keys}
        return [w for w in (self._work(rid) for rid in select_candidates(postings)) if w is not None]

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """The works the snapshot's bounded search returns for `query`, best first."""
        if not search_terms(query) or rows <= 0:
            return []
        found = self._answers.searches.get(query)
        if found is None:
            raise MissingAnswer("search", query)
        return [w for w in (self._work(rid) for rid in found[:rows]) if w is not None]
