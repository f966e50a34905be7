"""`citecheck serve` on the command line: the loopback by default, another interface only with
an explicit flag and a warning, one-line errors, and a clear word when the web extra is absent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.conftest import ROOT

pytest.importorskip("uvicorn", reason="citecheck serve needs the web extra: pip install -e '.[web]'")

WAIT = 30.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--host", "0.0.0.0"], "add --allow-remote", id="all-interfaces-needs-the-flag"),
        pytest.param(["--host", "192.0.2.1"], "add --allow-remote", id="another-address-needs-the-flag"),
        pytest.param(["--host", "no-such-host.invalid", "--allow-remote"], "is not an address or name",
                     id="unknown-host"),
        pytest.param(["--snapshot", "missing.sqlite"], "missing.sqlite: no such snapshot file", id="missing-snapshot"),
        pytest.param(["--rate-limits", "fast"], "--rate-limits: expected", id="bad-rate-limits"),
    ],
)
def test_refused_in_one_line(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "0", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line() -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        result = CliRunner().invoke(main, ["serve", "--port", str(taken.getsockname()[1])])
    finally:
        taken.close()
    assert result.exit_code == 2 and "cannot listen on 127.0.0.1:" in result.stderr


def test_without_the_web_extra_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2 and "pip install 'citecheck-audit[web]'" in result.stderr


def _start(*arguments: str) -> tuple[subprocess.Popen[str], list[str]]:
    """`python -m citecheck serve ARGS` until it prints its address; its stderr lines so far."""
    process = subprocess.Popen([sys.executable, "-m", "citecheck", "serve", "--port", "0", "--offline", "--no-cache",
                                *arguments], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: list[str] = []
    deadline = time.monotonic() + WAIT
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()  # blocks until the server says something or exits
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "(Ctrl-C to stop)" in line:
            return process, lines
    process.kill()
    raise AssertionError(f"no address printed: {lines}")


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(WAIT)
    finally:
        if process.poll() is None:
            process.kill()


def test_listens_on_the_loopback_by_default() -> None:
    process, lines = _start()
    try:
        address = next(line for line in lines if "(Ctrl-C to stop)" in line)
        assert "http://localhost:" in address and not any("WARNING" in line for line in lines)
        port = int(address.split("localhost:")[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
            pass
    finally:
        assert _stop(process) == 130


def test_another_interface_with_the_flag_warns() -> None:
    process, lines = _start("--host", "0.0.0.0", "--allow-remote")
    try:
        warning = next(line for line in lines if "WARNING" in line)
        assert "anyone who can reach it can upload documents" in warning and "no login" in warning
    finally:
        _stop(process)
