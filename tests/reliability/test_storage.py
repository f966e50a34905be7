"""The answer cache and snapshots under stress: concurrent processes, corrupted files, impostors.

Works here are synthetic (DOIs under Crossref's test prefix 10.5555, served by the local
server), so that many distinct lookups write to the cache at once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.conftest import ROOT
from citecheck.sources.pacing import Limits
from tests.registries import RegistryServer

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")


def synthetic_title(i: int) -> str:
    """A distinct, obviously synthetic title per index."""
    return f"A synthetic study of {WORDS[i % 10]} {WORDS[(i // 10) % 10]} {WORDS[(i // 100) % 10]} patterns"


def synthetic_reply(i: int) -> dict:
    """A Crossref-shaped reply for the synthetic work `10.5555/rel-<i>`."""
    return {"status": "ok", "message-type": "work", "message": {
        "DOI": f"10.5555/rel-{i}", "type": "journal-article", "title": [synthetic_title(i)],
        "author": [{"family": "Smith", "given": "J"}], "container-title": ["Journal of Testing"],
        "volume": "1", "page": f"{i + 1}-{i + 2}", "issued": {"date-parts": [[2019]]}}}


def synthetic_document(path: Path, count: int) -> Path:
    entries = "\n".join(f"{i + 1}. Smith J. {synthetic_title(i)}. Journal of Testing. 2019;1:{i + 1}-{i + 2}. "
                        f"doi:10.5555/rel-{i}" for i in range(count))
    path.write_text("Prose " + " ".join(f"[{i + 1}]" for i in range(count)) + f".\n\nReferences\n\n{entries}\n",
                    encoding="utf-8")
    return path


def synthetic_server(count: int, enforce: Limits | None = None, latency_ms: float = 0.0) -> RegistryServer:
    """Every registry on one local server; Crossref holds the synthetic works (10.5555 is
    Crossref's test prefix, and the DOI system is told so)."""
    works = {f"10.5555/rel-{i}": synthetic_reply(i) for i in range(count)}
    return RegistryServer(works, agencies={"10.5555": "Crossref"}, crossref_limits=enforce,  # type: ignore[arg-type]
                          latency_ms=latency_ms)


def citecheck_process(*args: str) -> subprocess.Popen[str]:
    """`citecheck` in its own process (as two CI jobs or an editor and a terminal would run it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "citecheck", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def dois_asked(server: RegistryServer) -> int:
    """How many DOIs Crossref was asked about, alone or in batches (`filter=doi:A,doi:B`)."""
    batched = sum(len(r.query["filter"][0].split(",")) for r in server.requests_of("search") if "filter" in r.query)
    return batched + len(server.requests_of("lookup"))


def cache_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM answers").fetchone()[0]


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    count = 30
    cache = tmp_path / "cache"
    documents = [synthetic_document(tmp_path / f"paper{n}.txt", count) for n in (1, 2)]
    with synthetic_server(count, latency_ms=5) as server:
        processes = [citecheck_process("audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(cache),
                                       *server.cli_options(), "--mailto", "tester@example.org",
                                       "--timeout", "5", str(document)) for document in documents]
        outputs = [process.communicate(timeout=120) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert "locked" not in stderr and "Traceback" not in stderr and "answer cache" not in stderr, stderr
        assert process.returncode == 0, stderr
        report = json.loads(stdout)
        assert [r["resolution"]["status"] for r in report["references"]] == ["matched"] * count
    assert cache_rows(cache / "answers.sqlite3") == count


def _valid_cache(cache: Path) -> bytes:
    """The bytes of a real cache holding three answers (written by an audit)."""
    document = synthetic_document(cache.parent / "seed.txt", 3)
    with synthetic_server(3) as server:
        result = CliRunner().invoke(main, ["audit", "--no-default-snapshot", "--cache-dir", str(cache),
                                           *server.cli_options(), "--mailto", "tester@example.org", str(document)])
    assert result.exit_code == 0, result.stderr
    path = cache / "answers.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:100], id="truncated-header"),
        pytest.param(lambda data: b"this is not a database, just text\n" * 200, id="text"),
        pytest.param(lambda data: data[:4096] + bytes(len(data) - 4096), id="zeroed-pages"),
        pytest.param(lambda data: data[:2048] + b"\xde\xad" * 1024 + data[4096:], id="scribbled"),
    ],
)
def test_damaged_cache_is_set_aside_and_rebuilt(tmp_path: Path, damage: object) -> None:
    cache = tmp_path / "cache"
    data = _valid_cache(cache)
    (cache / "answers.sqlite3").write_bytes(damage(data))  # type: ignore[operator]
    for leftover in ("-wal", "-shm"):
        Path(f"{cache / 'answers.sqlite3'}{leftover}").unlink(missing_ok=True)
    document = synthetic_document(tmp_path / "paper.txt", 3)
    with synthetic_server(3) as server:
        # A real process: the warning reaches stderr as a user sees it (no test logging in between).
        process = citecheck_process("audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(cache),
                                    *server.cli_options(), "--mailto", "tester@example.org", str(document))
        stdout, stderr = process.communicate(timeout=60)
        asked = dois_asked(server)
    assert "Traceback" not in stdout + stderr
    assert process.returncode == 0, stderr
    assert [r["resolution"]["status"] for r in json.loads(stdout)["references"]] == ["matched"] * 3
    assert asked == 3  # nothing was taken from the damaged file: every DOI asked (in one batch)
    assert cache_rows(cache / "answers.sqlite3") == 3  # rebuilt and refilled
    assert any(".corrupt-" in p.name for p in cache.iterdir()), sorted(p.name for p in cache.iterdir())
    warnings = [line for line in stderr.splitlines() if "unusable" in line and "moved aside" in line]
    assert len(warnings) == 1, stderr


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="readme"),
        pytest.param(b"", id="empty"),
        pytest.param(b"SQLite format 3\x00" + bytes(200), id="broken-sqlite-header"),
        pytest.param(b"\x1f\x8b\x08\x00garbage", id="gzip-garbage"),
    ],
)
def test_a_file_that_is_not_a_snapshot_is_a_clear_error(tmp_path: Path, content: bytes | None) -> None:
    snapshot = ROOT / "README.md" if content is None else tmp_path / "snapshot.sqlite3"
    if content is not None:
        snapshot.write_bytes(content)
    document = synthetic_document(tmp_path / "paper.txt", 1)
    result = CliRunner().invoke(main, ["audit", "--offline", "--no-default-snapshot", "--snapshot", str(snapshot),
                                       str(document)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("citecheck: error:") and str(snapshot) in lines[0], result.stderr


def test_a_sqlite_file_that_is_not_a_snapshot_is_a_clear_error(tmp_path: Path) -> None:
    """A real SQLite database (here: an answer cache) given as a snapshot."""
    cache = tmp_path / "cache"
    _valid_cache(cache)
    document = synthetic_document(tmp_path / "paper.txt", 1)
    result = CliRunner().invoke(main, ["audit", "--offline", "--no-default-snapshot", "--snapshot",
                                       str(cache / "answers.sqlite3"), str(document)])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("citecheck: error:") and len(result.stderr.strip().splitlines()) == 1, result.stderr


# The driver waits for a common start time after its imports, so that both processes reach the
# cache's first open together (issue 11: "database is locked" when two audits open a NEW cache at
# once). Run on an empty cache directory; `main` exits with the audit's code.
_AT_ONCE = (
    "import sys, time\n"
    "from citecheck.cli.app import main\n"
    "start = float(sys.argv[1])\n"
    "while time.time() < start:\n"
    "    pass\n"
    "main(sys.argv[2:], prog_name='citecheck')\n"
)


def test_two_audits_opening_a_new_cache_at_once(tmp_path: Path) -> None:
    import time

    count = 3
    cache = tmp_path / "cache"  # does not exist yet: both processes create it
    documents = [synthetic_document(tmp_path / f"paper{n}.txt", count) for n in (1, 2)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with synthetic_server(count, latency_ms=1) as server:
        start = time.time() + 3.0  # both imported well before (a loaded machine is slow to start)
        processes = [
            subprocess.Popen([sys.executable, "-c", _AT_ONCE, str(start), "audit", "--format", "json",
                              "--no-default-snapshot", "--cache-dir", str(cache), "--crossref-url", server.base_url,
                              "--mailto", "tester@example.org", "--timeout", "5", str(document)],
                             cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for document in documents
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert "locked" not in stderr and "Traceback" not in stderr and "internal error" not in stderr, stderr
        assert process.returncode == 0, stderr
        assert [r["resolution"]["status"] for r in json.loads(stdout)["references"]] == ["matched"] * count
    assert cache_rows(cache / "answers.sqlite3") == count
