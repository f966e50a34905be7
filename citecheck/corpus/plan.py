"""Cutting a corpus into partitions, and knowing which of them a run has already finished.

The documents (sorted by name) are cut into partitions of `size` documents. Each partition
has a digest of its documents' names and sizes. When a partition is finished, its three
Parquet files are written, then its marker `_done/part-NNNNN.json` (counts, digest): a
partition is finished when its marker is there and names the same documents. A run killed at
any point (a worker, the client, the machine) and started again with the same command skips
the finished partitions and redoes only the others.

`_run.json` records what the output directory holds (inputs, snapshot, options): a rerun with
other inputs or options into the same directory is refused, unless asked to start over.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from citecheck.corpus.inputs import DocumentRef
from citecheck.corpus.store import OutputStore
from citecheck.documents.loading import InputError

__all__ = ["DATASETS", "DONE", "Partition", "RunRecord", "finished_partitions", "plan_partitions", "start_run"]

DATASETS = ("findings", "references", "documents")
"""The Parquet datasets of a run, one file per partition each."""
DONE = "_done"
"""Where the finished partitions' markers are."""
RUN = "_run.json"
"""What the output directory holds."""


@dataclass(frozen=True, slots=True)
class Partition:
    """A slice of the corpus that is read, resolved, checked and written as one unit."""

    index: int
    documents: tuple[DocumentRef, ...]

    @property
    def name(self) -> str:
        """`part-00042`: the file name of its outputs and marker."""
        return f"part-{self.index:05}"

    @property
    def digest(self) -> str:
        """What it holds: a hash of its documents' names and sizes."""
        text = "\n".join(f"{d.name}\t{d.size}" for d in self.documents)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def plan_partitions(documents: list[DocumentRef], size: int) -> list[Partition]:
    """The documents, in order, cut into partitions of `size` (the last may be shorter)."""
    size = max(1, size)
    starts = range(0, len(documents), size)
    return [Partition(i, tuple(documents[start:start + size])) for i, start in enumerate(starts)]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What a run is: enough to tell a rerun of it from another run."""

    documents: int
    inputs_digest: str
    snapshot: str
    options: dict[str, Any]
    partition_size: int

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "inputs_digest": self.inputs_digest, "snapshot": self.snapshot,
                "options": self.options, "partition_size": self.partition_size}


def inputs_digest(documents: list[DocumentRef]) -> str:
    """A hash of every document's name and size, in order."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(f"{document.name}\t{document.size}\n".encode("utf-8"))
    return digest.hexdigest()[:32]


def start_run(store: OutputStore, record: RunRecord, over: bool) -> None:
    """Record the run in the output directory, or check that it is the run already there.

    Raises InputError when the directory holds another run and `over` is not set; with `over`,
    the other run's files are removed first.
    """
    existing = store.read(RUN)
    wanted = record.as_dict()
    if existing is not None:
        try:
            previous = json.loads(existing)
        except json.JSONDecodeError:
            previous = None
        if previous == wanted:
            return
        if not over:
            what = "other inputs" if previous and previous.get("inputs_digest") != record.inputs_digest else \
                "another snapshot or other options"
            raise InputError(f"{store.root}: holds a run over {what}; choose another output directory, or pass "
                             "--overwrite to start over")
        for directory in (*DATASETS, DONE):
            for name in store.listdir(directory):
                store.remove(f"{directory}/{name}")
    store.write(RUN, json.dumps(wanted, indent=1, sort_keys=True).encode("utf-8"))


def finished_partitions(store: OutputStore, partitions: list[Partition]) -> dict[int, dict[str, Any]]:
    """Markers of the partitions already finished (index → marker), checked against the plan."""
    done: dict[int, dict[str, Any]] = {}
    present = set(store.listdir(DONE))
    for partition in partitions:
        if f"{partition.name}.json" not in present:
            continue
        data = store.read(f"{DONE}/{partition.name}.json")
        try:
            marker = json.loads(data or b"")
        except json.JSONDecodeError:
            continue
        if marker.get("digest") == partition.digest and all(
            store.exists(f"{dataset}/{partition.name}.parquet") for dataset in DATASETS
        ):
            done[partition.index] = marker
    return done
