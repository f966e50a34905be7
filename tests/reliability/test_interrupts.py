"""Nothing lost: an interrupted run leaves no half-written output and no temporary file, exits
130/143; output never replaces an input file; a write killed midway never truncates the file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.cli.fileio import OutputError, atomic_write
from tests.conftest import ROOT
from tests.crossref_server import Fault
from tests.reliability.test_storage import synthetic_document, synthetic_server

OLD_REPORT = '{"an": "earlier report the user keeps"}\n'


def wait_for(condition: object, seconds: float = 20.0) -> None:
    """Poll until `condition()` holds (a process reached the point a test needs)."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the process never got there")
        time.sleep(0.02)


def start(*args: str, cwd: Path = ROOT) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "citecheck", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def leftovers(directory: Path) -> list[str]:
    """Temporary files atomic_write would leave (`.<name>.<random>.tmp`)."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(
    ("signum", "code"),
    [pytest.param(signal.SIGINT, 130, id="SIGINT"), pytest.param(signal.SIGTERM, 143, id="SIGTERM")],
)
@pytest.mark.parametrize("existing", [pytest.param(False, id="new-output"), pytest.param(True, id="existing-output")])
def test_interrupted_audit_writes_nothing(tmp_path: Path, signum: int, code: int, existing: bool) -> None:
    out = tmp_path / "out.json"
    if existing:
        out.write_text(OLD_REPORT, encoding="utf-8")
    document = synthetic_document(tmp_path / "paper.txt", 12)
    with synthetic_server(12) as server:
        server.add_faults(r"^/works", *([Fault.delay(60)] * 100))  # a server that is very slow to answer
        process = start("audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(tmp_path / "cache"),
                        "--crossref-url", server.base_url, "--mailto", "tester@example.org", "--timeout", "30",
                        "-o", str(out), str(document))
        wait_for(lambda: len(server.requests) >= 1)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("citecheck: "), stderr
    assert (out.read_text(encoding="utf-8") if out.exists() else None) == (OLD_REPORT if existing else None)
    assert leftovers(tmp_path) == []


# A process that writes with atomic_write and stops inside the write (os.fsync made slow), so a
# test can signal or kill it there. It prints "writing" once the temporary file holds the text.
_WRITER = textwrap.dedent("""
    import os, sys, time
    from citecheck.cli import fileio
    from citecheck.cli import interrupts
    if sys.argv[2] == "handlers":
        interrupts.install()
    real_fsync = os.fsync
    def slow_fsync(fd):
        print("writing", flush=True)
        time.sleep(60)
        real_fsync(fd)
    fileio.os.fsync = slow_fsync
    fileio.atomic_write(sys.argv[1], "NEW " * 1_000_000)
""")


@pytest.mark.parametrize(
    ("signum", "handlers", "code", "temp_removed"),
    [
        pytest.param(signal.SIGINT, "handlers", 130, True, id="SIGINT"),
        pytest.param(signal.SIGTERM, "handlers", 143, True, id="SIGTERM"),
        pytest.param(signal.SIGTERM, "default", -signal.SIGTERM, False, id="SIGTERM-without-handlers"),
        pytest.param(signal.SIGKILL, "handlers", -signal.SIGKILL, False, id="SIGKILL"),
    ],
)
def test_a_write_killed_midway_never_truncates_the_file(tmp_path: Path, signum: int, handlers: str, code: int,
                                                        temp_removed: bool) -> None:
    target = tmp_path / "paper.bib"
    original = "@article{smith2019, title = {A synthetic title}}\n" * 1000
    target.write_text(original, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), handlers], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"
    assert len(leftovers(tmp_path)) == 1  # the new text sits in a temporary file beside the target
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert target.read_text(encoding="utf-8") == original  # whole, never truncated nor mixed
    assert (leftovers(tmp_path) == []) == temp_removed


@pytest.mark.parametrize(
    "output",
    [
        pytest.param("paper.txt", id="same-name"),
        pytest.param("./paper.txt", id="dot-slash"),
        pytest.param("sub/../paper.txt", id="dot-dot"),
        pytest.param("link.txt", id="symlink-to-input"),
        pytest.param("{abs}/paper.txt", id="absolute"),
    ],
)
def test_output_never_overwrites_an_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    document = synthetic_document(tmp_path / "paper.txt", 1)
    original = document.read_bytes()
    (tmp_path / "link.txt").symlink_to(document)
    result = CliRunner().invoke(main, ["audit", "--no-verify", "-o", output.format(abs=tmp_path), "paper.txt"])
    assert result.exit_code == 2
    assert result.stderr.startswith("citecheck: error:") and "input file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert document.read_bytes() == original


@pytest.mark.parametrize(
    ("output", "message"),
    [
        pytest.param("missing-dir/out.json", "cannot write here", id="missing-directory"),
        pytest.param(".", "is a directory", id="a-directory"),
    ],
)
def test_unwritable_output_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    synthetic_document(tmp_path / "paper.txt", 1)
    result = CliRunner().invoke(main, ["audit", "--no-verify", "-o", output, "paper.txt"])
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_atomic_write_refuses_inputs_directly(tmp_path: Path) -> None:
    source = tmp_path / "paper.txt"
    source.write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="is an input file"):
        atomic_write(tmp_path / "." / "paper.txt", "theirs", protect=[source])
    assert source.read_text(encoding="utf-8") == "mine"


# `citecheck fix --renumber --in-place` in its own process, held inside the write of the
# renumbered document (os.fsync made slow) so that a test can signal or kill it there.
_FIX_IN_PLACE = textwrap.dedent("""
    import os, sys, time
    from citecheck.cli import fileio
    from citecheck.cli import app as cli
    real_fsync = os.fsync
    def slow_fsync(fd):
        print("writing", flush=True)
        time.sleep(60)
        real_fsync(fd)
    fileio.os.fsync = slow_fsync
    sys.argv = ["citecheck", "fix", "--renumber", "--in-place", "--no-verify", "-q", sys.argv[1]]
    cli.run()
""")


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        pytest.param(signal.SIGINT, 130, id="SIGINT"),
        pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
        pytest.param(signal.SIGKILL, -signal.SIGKILL, id="SIGKILL"),
    ],
)
def test_fix_in_place_killed_during_the_write(tmp_path: Path, signum: int, code: int) -> None:
    document = tmp_path / "paper.txt"
    original = ("First claim [2]. Second claim [1].\n\nReferences\n\n"
                "1. Smith J. A synthetic title one. J Test. 2019;1:1-2.\n"
                "2. Jones K. A synthetic title two. J Test. 2018;2:3-4.\n")
    document.write_text(original, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", _FIX_IN_PLACE, str(document)], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing", process.stderr.read() if process.stderr else ""
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert document.read_text(encoding="utf-8") == original  # never truncated, never half-renumbered
    if signum != signal.SIGKILL:  # SIGKILL cannot be cleaned up after; the rest leave no temporary file
        assert leftovers(tmp_path) == []
