"""A corpus run on Dask: the documents in partitions, the snapshot joined in waves.

    run_corpus(CorpusOptions(inputs=("pmc/",), output="out", snapshot="crossref.sqlite3"))

The run starts a `LocalCluster` of `workers` processes (or joins the scheduler at
`scheduler`), prepares the snapshot's Parquet form when given a snapshot file
(`snapshot_data`), cuts the documents into partitions (`plan`), skips those an earlier run
finished, and processes the rest in waves (`wave_documents`; by default 500 documents per
worker). A wave:

1. reads its partitions (`tasks.read_partition`, on the workers);
2. joins their references' blocking keys with the snapshot's keys: the wave's key hashes go
   to every part of the `keys` dataset, each part answers for its own rows (`lookups.scan_keys`),
   and the answers are merged and split back per partition;
3. fetches the records those postings select, from the parts that hold them;
4. resolves (`tasks.first_pass`); the full-text searches some references still need are
   answered the same way, from the `vocab` and `terms` datasets;
5. checks and writes each partition (`tasks.finish_partition`).

A partition's state stays on the worker that read it; the client only routes key hashes,
record ids and search queries. No task needs more than one part of the snapshot, and none
opens a network connection to a registry. When a worker dies, Dask recomputes what it held;
when the whole run dies, running it again skips the partitions already written.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from citecheck.config.options import AuditOptions
from citecheck.corpus import lookups, tasks
from citecheck.corpus.inputs import enumerate_inputs, is_url
from citecheck.corpus.joined import search_plan, search_terms
from citecheck.corpus.plan import Partition, RunRecord, finished_partitions, inputs_digest, plan_partitions, start_run
from citecheck.corpus.snapshot_data import (ParquetSnapshot, SnapshotPart, open_prepared, prepare_snapshot,
                                            prepared_from, term_hash)
from citecheck.corpus.store import OutputStore
from citecheck.documents.loading import InputError
from citecheck.sources.snapshot import query_terms

__all__ = ["CorpusOptions", "RunResult", "run_corpus"]

Notify = Callable[[str], None]

WAVE_PER_WORKER = 500
"""Documents per wave for each worker, by default (about 20,000 references)."""
MIN_WAVE = 1000
"""Documents per wave at least, by default."""


@dataclass(frozen=True)
class CorpusOptions:
    """What one corpus run reads, where it writes, and on what cluster."""

    inputs: tuple[str, ...]
    output: str
    snapshot: str | None = None
    """A snapshot file (prepared into OUTPUT/snapshot/), or a prepared directory or URL."""
    workers: int = 2
    """Worker processes of the local cluster (0: no cluster, everything in this process)."""
    scheduler: str | None = None
    partition_size: int = 25
    wave_documents: int | None = None
    """Documents per wave; None: `WAVE_PER_WORKER` per worker, at least `MIN_WAVE`. Each wave
    reads every part of the snapshot once, so larger waves pass over it fewer times; a wave's
    documents are held in the cluster's memory until written (a few hundred kB each)."""
    overwrite: bool = False
    audit: AuditOptions = field(default_factory=AuditOptions)


@dataclass(frozen=True)
class RunResult:
    """What a run did."""

    documents: int
    partitions: int
    skipped: int
    """Partitions an earlier run had finished."""
    markers: tuple[dict[str, Any], ...]
    """Every partition's marker, finished now or before."""
    seconds: float
    setup_seconds: float
    """Of `seconds`, the time before the first partition was read: starting or joining the
    cluster, preparing or opening the snapshot, listing the inputs."""
    workers: int
    dashboard: str
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds the run spent waiting on each step of its waves (read and keys, records,
    first pass, searches, check and write), summed over the waves."""


def _audit_options(options: AuditOptions, snapshot: ParquetSnapshot | None) -> AuditOptions:
    """A corpus run never asks a registry over the network, never caches, and reads the
    snapshot only through the join."""
    return replace(options, network=False, use_cache=False, snapshots=(),
                   verify=options.verify and snapshot is not None)


@contextmanager
def cluster(workers: int, scheduler: str | None, notify: Notify) -> Iterator[Any]:
    """A Dask client: on the scheduler given, or on a local cluster started (and stopped) here;
    with no scheduler and 0 workers, everything runs in this process (`InProcess`)."""
    from dask.distributed import Client, LocalCluster

    if not scheduler and workers == 0:
        yield InProcess()
        return
    local = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="30s")
            except OSError as error:
                raise InputError(f"{scheduler}: no Dask scheduler answers there ({error})") from None
        else:
            local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                 dashboard_address=":0", silence_logs=logging.CRITICAL)
            client = Client(local)
        notify(f"Dask dashboard: {client.dashboard_link}")
        try:
            yield client
        finally:
            client.close()
    finally:
        if local is not None:
            local.close()


def _snapshot(options: CorpusOptions, client: Any, notify: Notify) -> ParquetSnapshot | None:
    if not options.snapshot:
        return None
    location = options.snapshot
    if is_url(location) or Path(location).is_dir():
        return open_prepared(location)
    if not Path(location).is_file():
        raise InputError(f"{location}: no such snapshot file or prepared snapshot")
    if is_url(options.output):
        raise InputError(f"{location}: a snapshot file is prepared into a local output directory; prepare it "
                         "with --export-snapshot DIR and name the copy in the store with --snapshot URL")
    target = str(Path(options.output) / "snapshot")
    if prepared_from(Path(location), target):
        notify(f"using the snapshot prepared earlier in {target}")
    else:
        notify(f"preparing the snapshot for the join in {target} (once; reruns reuse it)")
    return prepare_snapshot(Path(location), target, mapper=_mapper(client))


def _mapper(client: Any) -> Callable[[Callable[..., SnapshotPart], list[tuple[Any, ...]]], list[SnapshotPart]]:
    def run(function: Callable[..., SnapshotPart], arguments: list[tuple[Any, ...]]) -> list[SnapshotPart]:
        futures = [client.submit(function, *args, pure=False, key=f"index-{args[1]}-{uuid.uuid4().hex[:8]}")
                   for args in arguments]
        return client.gather(futures)
    return run


def export_snapshot(snapshot: Path, target: str, workers: int, scheduler: str | None,
                    notify: Notify) -> ParquetSnapshot:
    """Prepare a snapshot file's Parquet form in `target`, for runs that name it later."""
    if not snapshot.is_file():
        raise InputError(f"{snapshot}: no such snapshot file")
    with cluster(workers, scheduler, notify) as client:
        return prepare_snapshot(snapshot, target, mapper=_mapper(client))


def run_corpus(options: CorpusOptions, notify: Notify | None = None) -> RunResult:
    """Audit every document the inputs name; raises InputError (one line) for bad input."""
    say: Notify = notify or (lambda _: None)
    started = time.perf_counter()
    documents = enumerate_inputs(options.inputs)
    store = OutputStore(options.output)
    problem = store.writable()
    if problem:
        raise InputError(problem)
    with cluster(options.workers, options.scheduler, say) as client:
        snapshot = _snapshot(options, client, say)
        audit = _audit_options(options.audit, snapshot)
        partitions = plan_partitions(documents, options.partition_size)
        record = RunRecord(
            documents=len(documents), inputs_digest=inputs_digest(documents),
            snapshot=f"{snapshot.name} ({snapshot.records} records) {snapshot.identity}" if snapshot else "",
            options={"select": list(audit.select), "ignore": list(audit.ignore), "verify": audit.verify,
                     "default_snapshot": audit.default_snapshot, "input_format": audit.input_format,
                     "style": audit.style},
            partition_size=options.partition_size,
        )
        start_run(store, record, options.overwrite)
        done = finished_partitions(store, partitions)
        todo = [p for p in partitions if p.index not in done]
        if done:
            say(f"{len(done)} of {len(partitions)} partitions were finished by an earlier run; "
                f"doing the other {len(todo)}")
        markers = dict(done)
        workers = len(client.scheduler_info().get("workers", {}))
        wave = options.wave_documents or max(MIN_WAVE, WAVE_PER_WORKER * max(1, workers))
        per_wave = max(1, wave // max(1, options.partition_size))
        waves = [todo[i:i + per_wave] for i in range(0, len(todo), per_wave)]
        setup = time.perf_counter() - started
        phases: dict[str, float] = {}
        for number, wave in enumerate(waves, 1):
            for attempt in range(1, WAVE_ATTEMPTS + 1):
                unfinished = [p for p in wave if p.index not in markers]
                try:
                    for marker in _wave(client, unfinished, snapshot, audit, options.output, phases):
                        markers[marker["partition"]] = marker
                    break
                except LOST_WORK as error:
                    # A worker lost mid-wave can take with it results Dask cannot recompute
                    # (data sent to it alone); the partitions already written stay written.
                    if attempt == WAVE_ATTEMPTS:
                        raise
                    left = sum(1 for p in wave if p.index not in markers)
                    say(f"wave {number}: work was lost ({type(error).__name__}: {error}); "
                        f"doing its {left} unfinished partitions again")
            finished = len(markers)
            say(f"wave {number}/{len(waves)}: {finished}/{len(partitions)} partitions, "
                f"{sum(m['references'] for m in markers.values()):,} references, "
                f"{time.perf_counter() - started:.0f} s")
        dashboard = client.dashboard_link
    return RunResult(
        documents=len(documents), partitions=len(partitions), skipped=len(done),
        markers=tuple(markers[i] for i in sorted(markers)), seconds=time.perf_counter() - started,
        setup_seconds=setup, workers=workers, dashboard=dashboard, phases=phases,
    )


class InProcess:
    """A stand-in for a Dask client that runs every task at once in this process (tests, and
    debugging the join without a cluster); its futures hold their results."""

    dashboard_link = "(no dashboard: in-process run)"

    class Done:
        """A finished task."""

        def __init__(self, value: Any) -> None:
            self.value = value

        def result(self) -> Any:
            return self.value

    def submit(self, function: Callable[..., Any], *args: Any, **_: Any) -> InProcess.Done:
        return InProcess.Done(function(*(a.value if isinstance(a, InProcess.Done) else a for a in args)))

    def gather(self, futures: Sequence[InProcess.Done]) -> list[Any]:
        return [f.value for f in futures]

    def scatter(self, value: Any, **_: Any) -> InProcess.Done:
        return InProcess.Done(value)

    def scheduler_info(self) -> dict[str, Any]:
        return {"workers": {"in-process": {}}}


WAVE_ATTEMPTS = 3
"""Times a wave's unfinished partitions are tried when a lost worker cost work Dask could not redo."""


def _lost_work_errors() -> tuple[type[BaseException], ...]:
    """What a Dask client raises when work was lost with a worker: a task cancelled because a
    dependency was forgotten (`CancelledError`), or one that kept killing its workers."""
    import concurrent.futures

    try:
        from distributed import KilledWorker
    except ImportError:  # the corpus extra is missing; InProcess runs lose nothing
        return (concurrent.futures.CancelledError,)
    return (concurrent.futures.CancelledError, KilledWorker)


LOST_WORK = _lost_work_errors()


class _HoldingClient:
    """A Dask client that keeps every future of one wave until the wave ends.

    Dask recomputes the results a lost worker held only from tasks some client still holds: an
    intermediate whose future was let go is forgotten, and the tasks depending on it are then
    cancelled ("already forgotten"). Holding the wave's futures keeps their results on the
    workers a little longer, within the wave's bounded size. Data sent out (`scatter`) goes to
    every worker, since it cannot be recomputed at all.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.held: list[Any] = []

    def submit(self, function: Callable[..., Any], *args: Any, **options: Any) -> Any:
        """`Client.submit`, the future held."""
        future = self.client.submit(function, *args, **options)
        self.held.append(future)
        return future

    def scatter(self, value: Any, **options: Any) -> Any:
        """`Client.scatter` to every worker, the future held."""
        future = self.client.scatter(value, broadcast=True, **options)
        self.held.append(future)
        return future

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def _completed(client: Any, futures: list[Any]) -> Iterator[Any]:
    if isinstance(client, _HoldingClient):
        client = client.client
    if isinstance(client, InProcess):
        yield from futures
        return
    from dask.distributed import as_completed

    yield from as_completed(futures)


def _submit(client: Any, function: Callable[..., Any], *args: Any, name: str) -> Any:
    return client.submit(function, *args, pure=False, key=f"{name}-{uuid.uuid4().hex[:10]}")


def _union(*arrays: np.ndarray) -> np.ndarray:
    present = [a for a in arrays if len(a)]
    return np.unique(np.concatenate(present)) if present else np.empty(0, np.int64)


def _union_ids(*wanted: Sequence[int]) -> list[int]:
    return sorted({i for found in wanted for i in found})


def _merge_dicts(*parts: dict[int, bytes]) -> dict[int, bytes]:
    merged: dict[int, bytes] = {}
    for part in parts:
        merged.update(part)
    return merged


def _fetch(client: Any, snapshot: ParquetSnapshot, ids: Sequence[int]) -> Any:
    """A future of {id: body} for the records, read from the parts that hold them."""
    routes = snapshot.parts_holding(ids)
    parts = [p for p in snapshot.parts if p.name in routes]
    fetches = [_submit(client, lookups.fetch_bodies, snapshot.location("records", p), routes[p.name], name="records")
               for p in parts]
    return _submit(client, _merge_dicts, *fetches, name="records-merged")


class _Clock:
    """Wall time spent in each step of the waves (the client waits at each step's end)."""

    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(self.phases.get(name, 0.0) + now - self.last, 3)
        self.last = now


def _wave(client: Any, wave: list[Partition], snapshot: ParquetSnapshot | None, audit: AuditOptions,
          output: str, phases: dict[str, float]) -> Iterator[dict[str, Any]]:
    """Process one wave of partitions; yields each partition's marker as it is written."""
    if not wave:
        return
    if not isinstance(client, InProcess):
        client = _HoldingClient(client)
    clock = _Clock(phases)
    reads = [_submit(client, tasks.read_partition, p, audit, name=f"read-{p.name}") for p in wave]
    if snapshot is None or not audit.verify:
        empty_first = tasks.FirstPass()
        finals = [_submit(client, tasks.finish_partition, r, tasks.Answers(), empty_first, snapshot, audit, output,
                          name=f"finish-{p.name}") for r, p in zip(reads, wave)]
    else:
        finals = _joined(client, wave, reads, snapshot, audit, output, clock)
    for future in _completed(client, finals):
        yield future.result()
    clock.lap("check and write")


def _joined(client: Any, wave: list[Partition], reads: list[Any], snapshot: ParquetSnapshot, audit: AuditOptions,
            output: str, clock: _Clock) -> list[Any]:
    # 2. Keys: the wave's hashes to every keys part; postings merged, split per partition.
    hashes = [_submit(client, tasks.partition_hashes, r, name="hashes") for r in reads]
    union = _submit(client, _union, *hashes, name="hashes-union")
    scans = [_submit(client, lookups.scan_keys, snapshot.location("keys", p), union, name=f"keys-{p.name}")
             for p in snapshot.parts]
    merged = _submit(client, lookups.merge_postings, *scans, name="postings")
    postings = [_submit(client, lookups.postings_for, merged, h, name="postings-split") for h in hashes]
    # 3. Records the postings select.
    wanted = [_submit(client, tasks.wanted_records, r, p, name="wanted") for r, p in zip(reads, postings)]
    ids = client.submit(_union_ids, *wanted, pure=False).result()
    clock.lap("read and keys")
    bodies = _fetch(client, snapshot, ids)
    answers = [_submit(client, tasks.partition_answers, p, w, bodies, name="answers") for p, w in zip(postings, wanted)]
    # 4. Resolve; the searches some references still need, answered by vocab and terms.
    firsts = [_submit(client, tasks.first_pass, r, a, snapshot, audit, name="resolve") for r, a in zip(reads, answers)]
    # Only the queries travel: a partition's state and first pass stay on the worker that read it.
    wanted_queries = [_submit(client, tasks.partition_queries, f, name="queries") for f in firsts]
    queries = sorted({q for found in client.gather(wanted_queries) for q in found})
    clock.lap("records and first pass")
    if queries:
        searches, found_bodies = _search(client, snapshot, queries)
        shared = client.scatter(searches)  # sent once, not with every task
        answers = [_submit(client, tasks.with_searches, a, q, shared, found_bodies, name="answers-searched")
                   for a, q in zip(answers, wanted_queries)]
        clock.lap("searches")
    # 5. Check and write.
    return [_submit(client, tasks.finish_partition, r, a, f, snapshot, audit, output, name=f"finish-{p.name}")
            for r, a, f, p in zip(reads, answers, firsts, wave)]


def _search(client: Any, snapshot: ParquetSnapshot, queries: list[str]) -> tuple[dict[str, tuple[int, ...]], Any]:
    """The snapshot's bounded search for every query, and a future of the records it ranks."""
    terms = sorted({t for q in queries for t in search_terms(q)})
    hashes = {term: term_hash(term) for term in terms}
    wanted = client.scatter(np.array(sorted(set(hashes.values())), dtype=np.int64))
    counts = [_submit(client, lookups.count_terms, snapshot.location("vocab", p), wanted, name=f"vocab-{p.name}")
              for p in snapshot.parts]
    total = client.submit(lookups.merge_counts, *counts, pure=False).result()
    by_term = {term: total.get(hashed, 0) for term, hashed in hashes.items()}
    batch = client.scatter(lookups.SearchBatch.of([search_plan(q, by_term, snapshot.records) for q in queries]))
    scored = [_submit(client, lookups.score_terms, snapshot.location("terms", p), batch, SEARCH_ROWS,
                      name=f"terms-{p.name}") for p in snapshot.parts]
    ranked = client.submit(lookups.merge_scores, batch, SEARCH_ROWS, *scored, pure=False).result()
    searches = {q: ranked.get(i, ()) for i, q in enumerate(queries)}
    ids = sorted({rid for found in searches.values() for rid in found})
    return searches, _fetch(client, snapshot, ids)


SEARCH_ROWS = 5
"""Rows of a search: what the resolver asks a source for (`search(query, rows=5)`)."""

