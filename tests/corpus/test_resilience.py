"""A corpus run survives losing a worker, and a run killed outright is finished by running the
same command again, without redoing the partitions it had written, with the same results.

Nothing here waits for a fixed time: the tests wait for a partition to be written (polling its
marker), kill, and then let the run go to its end (bounded by generous timeouts only).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from citecheck.corpus.run import CorpusOptions, run_corpus
from tests.conftest import ROOT
from tests.corpus.conftest import ARTICLES
from tests.corpus.helpers import corpus_findings

GENERATED = sorted(str(p) for p in ARTICLES.glob("*.xml"))
PATIENCE = 600.0
"""Seconds a run may take on a loaded machine before the test gives up on it."""


def _wait_for_marker(done: Path, finished: threading.Event | None = None,
                     process: subprocess.Popen | None = None) -> int:
    """Block until some partition's marker exists; the number of markers then."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        markers = list(done.glob("*.json")) if done.is_dir() else []
        if markers:
            return len(markers)
        if (finished is not None and finished.is_set()) or (process is not None and process.poll() is not None):
            return len(list(done.glob("*.json"))) if done.is_dir() else 0
        time.sleep(0.05)
    raise AssertionError("no partition was written in time")


@pytest.fixture(scope="module")
def reference(snapshot_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run undisturbed, in process."""
    output = tmp_path_factory.mktemp("undisturbed")
    run_corpus(CorpusOptions(inputs=tuple(GENERATED), output=str(output), snapshot=str(snapshot_file), workers=0,
                             partition_size=1))
    return output


@pytest.mark.parametrize("wave_documents", [1, 1000], ids=["a partition per wave", "every partition in one wave"])
def test_a_worker_killed_mid_run_changes_nothing(snapshot_file: Path, reference: Path, tmp_path: Path,
                                                 wave_documents: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker is killed the moment the run has taken in its first finished partition: between
    waves, or in the middle of one (the wave's other partitions in flight, their intermediate
    results on the lost worker). The kill is made by the run's own client thread, not by a
    poller racing it, so it always lands while partitions are left."""
    from dask.distributed import Client, LocalCluster

    from citecheck.corpus import run as run_module

    output = tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        victim = sorted(client.run(os.getpid).values())[0]
        real_completed = run_module._completed
        written_at_kill: list[int] = []

        def completed_then_kill(client_: object, futures: list) -> object:
            for future in real_completed(client_, futures):
                yield future
                if not written_at_kill:
                    written_at_kill.append(len(list((output / "_done").glob("*.json"))))
                    os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker

        monkeypatch.setattr(run_module, "_completed", completed_then_kill)
        outcome: dict[str, object] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                outcome["result"] = run_corpus(CorpusOptions(
                    inputs=tuple(GENERATED), output=str(output), snapshot=str(snapshot_file),
                    scheduler=cluster.scheduler_address, partition_size=1, wave_documents=wave_documents))
            except BaseException as error:  # reported by the assertion below
                outcome["error"] = error
            finally:
                finished.set()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(PATIENCE)
        assert not thread.is_alive(), "the run did not end after a worker was killed"
    assert "error" not in outcome, outcome.get("error")
    assert written_at_kill, "no worker was killed"
    if written_at_kill[0] == len(GENERATED):
        pytest.skip("every partition was written before the first was taken in (nothing to show)")
    assert corpus_findings(output) == corpus_findings(reference)


def test_a_run_killed_outright_is_finished_by_running_it_again(snapshot_file: Path, reference: Path,
                                                                tmp_path: Path) -> None:
    output = tmp_path / "out"
    command = [sys.executable, "-m", "citecheck", "corpus", *GENERATED, "-o", str(output), "--snapshot",
               str(snapshot_file), "--workers", "1", "--partition-size", "1", "--wave", "1"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
    try:
        written = _wait_for_marker(output / "_done", process=first)
        if first.poll() is not None:
            pytest.skip("the run ended before it could be killed (nothing to show)")
        os.killpg(first.pid, signal.SIGKILL)  # the client, the scheduler and the workers at once
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        first.wait(PATIENCE)
    survivors = {m.name: m.stat().st_mtime_ns for m in (output / "_done").glob("*.json")}
    assert len(survivors) >= written and len(survivors) < len(GENERATED)

    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE)
    assert second.returncode == 0, second.stderr
    assert f"{len(survivors)} of {len(GENERATED)} partitions were finished by an earlier run" in second.stderr
    for name, mtime in survivors.items():
        assert (output / "_done" / name).stat().st_mtime_ns == mtime, f"{name} was redone"
    assert corpus_findings(output) == corpus_findings(reference)


def test_a_wave_that_lost_work_is_done_again_for_its_unfinished_partitions(
        snapshot_file: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When Dask cancels a wave's task (work lost with a worker that it cannot redo), the run
    does the wave's unfinished partitions again, keeps the ones written, and ends as undisturbed."""
    from concurrent.futures import CancelledError

    from citecheck.corpus import run as run_module

    real_wave = run_module._wave
    calls: list[int] = []

    def losing_wave(client, wave, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(wave))
        for number, marker in enumerate(real_wave(client, wave, *args, **kwargs)):
            yield marker
            if len(calls) == 1 and number == 1:
                raise CancelledError("finish-part-00002 cancelled for reason: already forgotten.")

    monkeypatch.setattr(run_module, "_wave", losing_wave)
    said: list[str] = []
    output = tmp_path / "out"
    run_corpus(CorpusOptions(inputs=tuple(GENERATED), output=str(output), snapshot=str(snapshot_file), workers=0,
                             partition_size=1, wave_documents=1000), notify=said.append)
    assert calls == [len(GENERATED), len(GENERATED) - 2]
    assert any("work was lost" in line and f"its {len(GENERATED) - 2} unfinished partitions" in line for line in said)
    assert corpus_findings(output) == corpus_findings(reference)
