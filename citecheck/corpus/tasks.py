"""What a worker does with one partition of the corpus: read it, say what the join must find,
resolve and check it, write its outputs.

1. `read_partition`: every document read as `citecheck audit` reads it (`engine.read`), and
   the key hashes its references need (`reference_keys`, and the DOI's key).
2. `wanted_records`: once the key postings are in, the records each reference will meet (the
   DOI's records and `select_candidates` of its keys).
3. `first_pass`: each reference resolved by the audit's own `Resolver` over the sources an
   offline audit uses (the shipped snapshot unless turned off, then the joined snapshot).
   References whose resolution needs a full-text search are set aside with their query.
4. `finish_partition`: the set-aside references resolved again with the searches' answers,
   each document checked by `engine.audit_read` (the same linking and registry checks and
   suppressions as `citecheck audit`), and the partition's three Parquet files and its
   marker written (marker last).

Nothing here opens a network connection or the snapshot: the answers come from the join.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from citecheck.config.options import AuditOptions
from citecheck.corpus.inputs import is_url, read_documents
from citecheck.corpus.joined import Answers, JoinedSource, MissingAnswer, reference_signature
from citecheck.corpus.output import DocumentOutcome, partition_tables, table_bytes
from citecheck.corpus.plan import DATASETS, DONE, Partition
from citecheck.corpus.snapshot_data import ParquetSnapshot, decode_body
from citecheck.corpus.store import OutputStore
from citecheck.documents.loading import InputError
from citecheck.engine import ReadResult, audit_read, read
from citecheck.model import Reference, Resolution
from citecheck.references.blocking import BlockingKey, key_hash, reference_keys, select_candidates
from citecheck.references.doi import is_valid_doi, normalize_doi
from citecheck.resolve.resolver import Progress, Resolver
from citecheck.sources.base import WorkSource

__all__ = ["FirstPass", "PartitionRead", "finish_partition", "first_pass", "partition_answers", "partition_hashes",
           "partition_queries", "read_partition", "wanted_records", "with_searches"]


@dataclass
class PartitionRead:
    """A partition's documents, read, and the key hashes their references need."""

    partition: Partition
    documents: list[tuple[str, ReadResult | None, str]]
    """(name, what was read, why it could not be) for each document, in order."""
    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    keys: dict[tuple[str, str], tuple[BlockingKey, ...]] = field(default_factory=dict)
    """Each reference's blocking keys, by `reference_signature`, computed once."""
    seconds: float = 0.0

    @property
    def references(self) -> int:
        """References in the partition."""
        return sum(len(result.references) for _, result, _ in self.documents if result is not None)


def _doi_key(reference: Reference) -> int | None:
    doi = normalize_doi(str(reference.csl.get("DOI", ""))) if reference.csl.get("DOI") else ""
    return key_hash("doi", doi) if doi and is_valid_doi(doi) else None


def read_partition(partition: Partition, options: AuditOptions) -> PartitionRead:
    """Read every document of the partition; a document that cannot be read is recorded, not raised."""
    started = time.perf_counter()
    documents: list[tuple[str, ReadResult | None, str]] = []
    elsewhere = [d for d in partition.documents if d.member or is_url(d.location)]
    fetched = {ref.name: (data, why) for ref, data, why in read_documents(elsewhere)} if elsewhere else {}
    for ref in partition.documents:
        try:
            if ref.name in fetched:
                data, why = fetched[ref.name]
                if data is None:
                    documents.append((ref.name, None, why))
                    continue
                result = read(ref.name, options, data=data)
            else:
                result = read(ref.location, options)
        except InputError as error:
            documents.append((ref.name, None, str(error)))
            continue
        except Exception as error:  # a bug must not stop a run of millions: recorded with the document
            documents.append((ref.name, None, f"{ref.name}: citecheck failed on it ({type(error).__name__}: {error})"))
            continue
        documents.append((ref.name, result, ""))
    hashes: set[int] = set()
    keys: dict[tuple[str, str], tuple[BlockingKey, ...]] = {}
    if options.verify:
        for _, result, _ in documents:
            for reference in result.references if result is not None else ():
                found = keys.setdefault(reference_signature(reference.csl, reference.raw),
                                        reference_keys(reference.csl, reference.raw))
                hashes.update(key.hash for key in found)
                doi = _doi_key(reference)
                if doi is not None:
                    hashes.add(doi)
    return PartitionRead(partition, documents, np.array(sorted(hashes), dtype=np.int64), keys,
                         time.perf_counter() - started)


def partition_hashes(state: PartitionRead) -> np.ndarray:
    """The key hashes the partition's references need."""
    return state.hashes


def wanted_records(state: PartitionRead, postings: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    """The record ids the partition's references will meet: their DOI's and their candidates."""
    wanted: set[int] = set()
    for _, result, _ in state.documents:
        for reference in result.references if result is not None else ():
            doi = _doi_key(reference)
            if doi is not None:
                wanted.update(postings.get(doi, ()))
            keys = state.keys.get(reference_signature(reference.csl, reference.raw)) or \
                reference_keys(reference.csl, reference.raw)
            if keys:
                wanted.update(select_candidates({key: postings.get(key.hash, ()) for key in keys}))
    return tuple(sorted(wanted))


class _Remembered:
    """A source whose answers are kept for the life of the worker process: the snapshot shipped
    with citecheck is asked the same questions by both passes over a partition, and by every
    partition; its answers never change."""

    LIMIT = 200_000

    def __init__(self, source: WorkSource) -> None:
        self._source = source
        self.name = source.name
        self._answers: dict[tuple[Any, ...], Any] = {}
        if callable(getattr(source, "candidates", None)):
            self.candidates = self._candidates  # only a source with keyed candidates offers them

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)  # coverage, size, …: as the source says

    def _ask(self, key: tuple[Any, ...], ask: Any) -> Any:
        if key not in self._answers:
            if len(self._answers) >= self.LIMIT:
                self._answers.clear()
            self._answers[key] = ask()
        return self._answers[key]

    def lookup_doi(self, doi: str) -> Any:
        return self._ask(("doi", doi), lambda: self._source.lookup_doi(doi))

    def search(self, query: str, rows: int = 5) -> Any:
        return list(self._ask(("search", query, rows), lambda: self._source.search(query, rows)))

    def _candidates(self, csl: dict[str, Any], raw: str) -> Any:
        signature = json.dumps(csl, sort_keys=True, default=str)
        ask = getattr(self._source, "candidates")
        return list(self._ask(("candidates", signature, raw), lambda: ask(csl, raw)))


_DEFAULT: list[WorkSource] = []


def _sources(snapshot: ParquetSnapshot, answers: Answers, options: AuditOptions,
             keys: dict[tuple[str, str], tuple[BlockingKey, ...]] | None = None) -> list[WorkSource]:
    """The sources of `citecheck audit --offline --snapshot SNAP`, the snapshot joined."""
    sources: list[WorkSource] = []
    if options.default_snapshot:
        if not _DEFAULT:
            from citecheck.sources.snapshot import default_snapshot  # the one the audit uses

            _DEFAULT.append(_Remembered(default_snapshot()))  # type: ignore[arg-type]
        sources.append(_DEFAULT[0])
    sources.append(JoinedSource(snapshot.name, snapshot.coverage, snapshot.records, answers, decode_body, keys))
    return sources


@dataclass
class FirstPass:
    """The resolutions the first pass settled, and the searches the rest need."""

    resolutions: dict[tuple[int, int], Resolution] = field(default_factory=dict)
    """(document, reference) positions → resolution."""
    queries: list[str] = field(default_factory=list)
    """The full-text searches still needed, each once."""


def first_pass(state: PartitionRead, answers: Answers, snapshot: ParquetSnapshot, options: AuditOptions) -> FirstPass:
    """Resolve what the key postings and records settle; collect the searches the rest need."""
    result = FirstPass()
    if not options.verify:
        return result
    resolver = Resolver(_sources(snapshot, answers, options, state.keys), jobs=1)
    queries: dict[str, None] = {}
    for d, (_, read_result, _) in enumerate(state.documents):
        for r, reference in enumerate(read_result.references if read_result is not None else ()):
            try:
                result.resolutions[(d, r)] = resolver.resolve(reference)
            except MissingAnswer as missing:
                if not missing.query:
                    raise  # the join failed to bring a posting or a record: a bug, not a search
                queries[missing.query] = None
    result.queries = list(queries)
    return result


class _Settled(Resolver):
    """The audit's resolver, but references the first pass settled keep their resolution."""

    def __init__(self, sources: list[WorkSource], settled: dict[int, Resolution]) -> None:
        super().__init__(sources, jobs=1)
        self._settled = settled

    def resolve_all(self, references: Sequence[Reference], progress: Progress | None = None) -> list[Resolution]:
        return [self._settled.get(i) or self.resolve(reference) for i, reference in enumerate(references)]


def finish_partition(state: PartitionRead, answers: Answers, first: FirstPass, snapshot: ParquetSnapshot,
                     options: AuditOptions, output: str) -> dict[str, Any]:
    """Resolve the rest, check every document, write the partition's files; its marker."""
    started = time.perf_counter()
    outcomes: list[DocumentOutcome] = []
    sources = _sources(snapshot, answers, options, state.keys) if options.verify else []
    for d, (name, read_result, error) in enumerate(state.documents):
        if read_result is None:
            outcomes.append(DocumentOutcome(name, error=error))
            continue
        settled = {r: res for (doc, r), res in first.resolutions.items() if doc == d}
        resolver = _Settled(sources, settled) if options.verify else None
        report = audit_read([(name, read_result)], options, resolver=resolver)
        outcomes.append(DocumentOutcome(name, report=report))
    partition = state.partition
    tables = partition_tables(partition.index, outcomes)
    store = OutputStore(output)
    for dataset in DATASETS:
        store.write(f"{dataset}/{partition.name}.parquet", table_bytes(tables[dataset]))
    by_rule: dict[str, int] = {}
    papers: dict[str, set[str]] = {}
    findings = tables["findings"]
    for code, document in zip(findings.column("code").to_pylist(), findings.column("document").to_pylist()):
        by_rule[code] = by_rule.get(code, 0) + 1
        papers.setdefault(code, set()).add(document)
    marker = {
        "partition": partition.index, "digest": partition.digest, "documents": len(outcomes),
        "unreadable": sum(1 for o in outcomes if o.report is None), "references": tables["references"].num_rows,
        "findings": findings.num_rows, "by_rule": by_rule,
        "papers_by_rule": {code: len(names) for code, names in papers.items()}, "searches": len(first.queries),
        "read_seconds": round(state.seconds, 3), "check_seconds": round(time.perf_counter() - started, 3),
        "worker_pid": os.getpid(),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    store.write(f"{DONE}/{partition.name}.json", json.dumps(marker, sort_keys=True).encode("utf-8"))
    return marker


def partition_answers(postings: dict[int, tuple[int, ...]], wanted: Sequence[int], bodies: dict[int, bytes]) -> Answers:
    """One partition's answers: its postings, the bodies of the records it wanted (b"" for an id
    found nowhere)."""
    return Answers(postings=postings, bodies={rid: bodies.get(rid, b"") for rid in wanted})


def partition_queries(first: FirstPass) -> list[str]:
    """The searches a partition's references still need."""
    return first.queries


def with_searches(answers: Answers, queries: Sequence[str], searches: dict[str, tuple[int, ...]],
                  bodies: dict[int, bytes]) -> Answers:
    """The answers completed with the partition's searches and the records they rank."""
    mine = {query: searches.get(query, ()) for query in queries}
    extra = {rid: bodies.get(rid, b"") for ids in mine.values() for rid in ids if rid not in answers.bodies}
    return Answers(postings=answers.postings, bodies={**answers.bodies, **extra}, searches=mine)
