"""Building snapshots: every shape of Crossref's data file, bad records, parallel and resumed builds."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from citecheck.sources.snapshot import BuildStatus, Coverage, SnapshotError, SnapshotSource, build_snapshot
from citecheck.sources.snapshot.build import partial_paths
from tests.conftest import ROOT
from tests.sources.snapshot.records import SYNTHETIC, gz, items, jsonl, many, synthetic, tar, write

Maker = Any  # (directory) -> list of paths to build from


def _dois(path: Path) -> dict[str, str]:
    """DOI → title of every record of a built snapshot."""
    source = SnapshotSource(path)
    try:
        return {work.doi: work.title for _, work in source.iter_records()}
    finally:
        source.close()


THREE = {f"10.5555/synthetic.{n}" for n in (1, 2, 3)}


def _directory(d: Path) -> list[Path]:
    write(d / "x" / "1.json.gz", items(SYNTHETIC[:1]))
    write(d / "x" / "sub" / "2.jsonl.gz", jsonl(SYNTHETIC[1:]))
    (d / "x" / "notes.txt").write_text("not data")
    return [d / "x"]


def _plus_tar(d: Path) -> list[Path]:
    members = {"part/0.jsonl.gz": gz(jsonl(SYNTHETIC[:2])), "part/1.json.gz": gz(items(SYNTHETIC[2:])), "README.txt": b"x"}
    return [tar(d / "plus.tar", members)]


def _plus_tar_gz(d: Path) -> list[Path]:
    return [tar(d / "plus.tar.gz", {"0.jsonl.gz": gz(jsonl(SYNTHETIC[:1])), "1.json": items(SYNTHETIC[1:])}, compress=True)]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda d: [write(d / "a.jsonl", jsonl(SYNTHETIC), compress=False)], id="jsonl"),
        pytest.param(lambda d: [write(d / "a.jsonl.gz", jsonl(SYNTHETIC))], id="jsonl-gz-2025-format"),
        pytest.param(lambda d: [write(d / "a.json.gz", items(SYNTHETIC))], id="items-gz-2024-format"),
        pytest.param(lambda d: [write(d / "a.json", items(SYNTHETIC), compress=False)], id="items-plain"),
        pytest.param(lambda d: [write(d / "a.jsonl", jsonl(SYNTHETIC))], id="gzip-recognised-by-content"),
        pytest.param(lambda d: [write(d / "a.jsonl", jsonl([{"message": r} for r in SYNTHETIC]), compress=False)],
                     id="api-message-wrappers"),
        pytest.param(lambda d: [write(d / "a.jsonl.gz", jsonl(SYNTHETIC[:1])), write(d / "b.json.gz", items(SYNTHETIC[1:]))],
                     id="list-of-files-both-formats"),
        pytest.param(_directory, id="directory"),
        pytest.param(_plus_tar, id="metadata-plus-tar"),
        pytest.param(_plus_tar_gz, id="metadata-plus-tar-gz"),
    ],
)
@pytest.mark.parametrize("workers", [pytest.param(0, id="in-process"), pytest.param(2, id="two-workers")])
def test_build_reads_every_shape(tmp_path: Path, make: Maker, workers: int) -> None:
    inputs = list(make(tmp_path / "in"))
    output = tmp_path / "out" / "snap.sqlite"
    result = build_snapshot(inputs, output, workers=workers)
    assert result.records == 3 and result.bad_records == 0
    assert set(_dois(output)) == THREE
    assert sorted(p.name for p in output.parent.iterdir()) == ["snap.sqlite"]  # nothing half-built left


def test_bad_records_are_reported_and_skipped(tmp_path: Path) -> None:
    lines = [*[json.dumps(r) for r in SYNTHETIC[:2]], "{not json", "[1, 2]", json.dumps({"title": ["no DOI"]}), "", '"x"']
    source = write(tmp_path / "bad.jsonl", "\n".join(lines).encode(), compress=False)
    broken_items = write(tmp_path / "items.json.gz", json.dumps({"items": [SYNTHETIC[2], 7, {"DOI": ""}]}).encode())
    reported: list[tuple[str, int, str]] = []
    result = build_snapshot([source, broken_items], tmp_path / "s.sqlite", report=lambda *a: reported.append(a), workers=0)
    assert result.records == 3 and result.bad_records == 6
    assert [(Path(n).name, p) for n, p, _ in reported] == [
        ("bad.jsonl", 3), ("bad.jsonl", 4), ("bad.jsonl", 5), ("bad.jsonl", 7), ("items.json.gz", 2), ("items.json.gz", 3)]


@pytest.mark.parametrize("workers", [pytest.param(0, id="in-process"), pytest.param(2, id="two-workers")])
def test_corrupt_input_file_is_reported_by_name_and_skipped(tmp_path: Path, workers: int) -> None:
    good = write(tmp_path / "good.jsonl.gz", jsonl(SYNTHETIC[:2]))
    packed = write(tmp_path / "whole.jsonl.gz", jsonl(many(50))).read_bytes()
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    garbage = write(tmp_path / "garbage.json.gz", b"\x00\x01 not json at all", compress=False)
    broken_items = write(tmp_path / "broken.json.gz", items(SYNTHETIC[2:])[:-30])
    reported: list[tuple[str, int, str]] = []
    result = build_snapshot([good, truncated, garbage, broken_items], tmp_path / "s.sqlite",
                            report=lambda *a: reported.append(a), workers=workers)
    whole_files = {Path(name).name for name, position, _ in reported if position == 0}
    assert whole_files == {"truncated.jsonl.gz", "broken.json.gz"}
    assert any(Path(n).name == "garbage.json.gz" for n, _, _ in reported)
    assert {"10.5555/synthetic.1", "10.5555/synthetic.2"} <= set(_dois(tmp_path / "s.sqlite"))
    assert result.records < 2 + 50 + 1 and len(result.broken_inputs) == 2


@pytest.mark.parametrize(
    "contents",
    [
        pytest.param(b"", id="empty-file"),
        pytest.param(jsonl([{"title": ["no DOI"]}]), id="no-record-with-a-doi"),
        pytest.param(items([]), id="empty-items-document"),
    ],
)
def test_a_build_that_stores_nothing_is_an_error(tmp_path: Path, contents: bytes) -> None:
    source = write(tmp_path / "in.json.gz", contents)
    output = tmp_path / "s.sqlite"
    with pytest.raises(SnapshotError, match="no records stored"):
        build_snapshot([source], output, workers=0)
    assert list(tmp_path.iterdir()) == [source]  # no snapshot, nothing half-built


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such file"):
        build_snapshot([tmp_path / "missing.jsonl.gz"], tmp_path / "s.sqlite")


def test_repeated_doi_keeps_the_first_in_input_order_whatever_the_workers(tmp_path: Path) -> None:
    first = [synthetic(1, "The first version of a synthetic work", "Smith"), *many(300, start=10)]
    later = [*many(300, start=400), synthetic(1, "A later version of a synthetic work", "Smith")]
    inputs = [write(tmp_path / "a.jsonl.gz", jsonl(first)), write(tmp_path / "b.jsonl.gz", jsonl(later))]
    for workers in (0, 2):
        output = tmp_path / f"s{workers}.sqlite"
        result = build_snapshot(inputs, output, workers=workers)
        assert result.duplicates == 1 and result.records == 601
        assert _dois(output)["10.5555/synthetic.1"] == "The first version of a synthetic work"
        snapshot = SnapshotSource(output)
        assert [w.doi for w in snapshot.candidates({}, "Smith A. A later version of a synthetic work. J Test 2019;1:1")
                if w.doi == "10.5555/synthetic.1"] == ["10.5555/synthetic.1"]


def test_parallel_and_in_process_builds_hold_the_same_records(tmp_path: Path) -> None:
    inputs = [write(tmp_path / f"{i}.jsonl.gz", jsonl(many(150, start=150 * i))) for i in range(6)]
    build_snapshot(inputs, tmp_path / "one.sqlite", workers=0)
    build_snapshot(inputs, tmp_path / "two.sqlite", workers=2)
    assert _dois(tmp_path / "one.sqlite") == _dois(tmp_path / "two.sqlite")
    assert len(_dois(tmp_path / "two.sqlite")) == 900


def test_build_records_coverage_and_progress(tmp_path: Path) -> None:
    source = write(tmp_path / "a.jsonl.gz", jsonl(SYNTHETIC))
    seen: list[BuildStatus] = []
    build_snapshot([source], tmp_path / "s.sqlite", workers=0, progress=seen.append,
                   coverage=Coverage(complete=True, as_of="2026-03-01", description="Crossref public data file 2026"))
    snapshot = SnapshotSource(tmp_path / "s.sqlite")
    assert snapshot.coverage == Coverage(complete=True, as_of="2026-03-01", description="Crossref public data file 2026")
    assert seen and seen[-1].phase == "done" and seen[-1].records == 3 and seen[-1].inputs_done == 1


def test_a_finished_build_replaces_the_old_snapshot(tmp_path: Path) -> None:
    output = tmp_path / "s.sqlite"
    build_snapshot([write(tmp_path / "a.jsonl", jsonl(SYNTHETIC), compress=False)], output, workers=0)
    build_snapshot([write(tmp_path / "b.jsonl", jsonl(SYNTHETIC[:1]), compress=False)], output, workers=0)
    assert len(SnapshotSource(output)) == 1


BUILD = """
import sys
from pathlib import Path
from citecheck.sources.snapshot import build_snapshot
inputs = sorted(Path(sys.argv[1]).glob("*.jsonl.gz"))
result = build_snapshot(inputs, Path(sys.argv[2]), workers=int(sys.argv[3]))
print(result.records, result.resumed)
"""


def _finished_inputs(partial: Path) -> int:
    try:
        conn = sqlite3.connect(f"{partial.as_uri()}?mode=ro", uri=True, timeout=0.2)
        try:
            return conn.execute("SELECT count(*) FROM inputs WHERE finished IS NOT NULL").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def many_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """24 input files of 200 records, and the records an uninterrupted build of them holds."""
    data = tmp_path_factory.mktemp("inputs")
    for i in range(24):
        write(data / f"{i:03}.jsonl.gz", jsonl(many(200, start=200 * i)))
    build_snapshot(sorted(data.glob("*.jsonl.gz")), data.parent / "whole.sqlite", workers=0)
    return data, _dois(data.parent / "whole.sqlite")


@pytest.mark.parametrize(
    ("signum", "workers"),
    [
        pytest.param(signal.SIGKILL, 2, id="SIGKILL-two-workers"),
        pytest.param(signal.SIGINT, 2, id="SIGINT-two-workers"),
        pytest.param(signal.SIGKILL, 0, id="SIGKILL-in-process"),
    ],
)
def test_an_interrupted_build_resumes_to_the_same_records(tmp_path: Path, many_inputs: tuple[Path, dict[str, str]],
                                                          signum: int, workers: int) -> None:
    data, whole = many_inputs
    output = tmp_path / "s.sqlite"
    partial, stage = partial_paths(output)
    command = [sys.executable, "-c", BUILD, str(data), str(output), str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    done_before = 0
    while done_before < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        done_before = max(done_before, _finished_inputs(partial))
    assert process.poll() is None, "the build ended before it could be interrupted"
    os.kill(process.pid, signum)
    process.communicate(timeout=60)
    # Read after the kill, the file may hold a hot journal a read-only connection cannot roll
    # back: what was seen finished before the signal is what the next run must not read again.
    assert process.returncode != 0 and partial.exists() and stage.exists() and not output.exists()
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    records, skipped = map(int, resumed.stdout.split())
    assert records == 4800 and skipped >= done_before >= 2
    assert _dois(output) == whole
    assert not partial.exists() and not stage.exists()


def test_resuming_with_other_inputs_is_refused(tmp_path: Path) -> None:
    output = tmp_path / "s.sqlite"
    partial, stage = partial_paths(output)
    first = write(tmp_path / "a.jsonl.gz", jsonl(SYNTHETIC))
    build_snapshot([first], output, workers=0)
    # Leave a partial build of `first` behind, as an interruption would.
    os.replace(output, partial)
    sqlite3.connect(stage).execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, input, position, doi, keys)").connection.close()
    other = write(tmp_path / "b.jsonl.gz", jsonl(SYNTHETIC[:1]))
    with pytest.raises(SnapshotError, match="interrupted build of other inputs"):
        build_snapshot([other], output, workers=0)
