"""The whole audit against a local server that replays recorded Crossref answers and injects faults.

Each case is a small manuscript built from a recorded record (see
tests/fixtures/manuscripts/README.md); the server is real HTTP on 127.0.0.1, so habanero and
the pacing run exactly as they do against api.crossref.org. The same server also answers for
NCBI, DataCite and doi.org (tests/registries.py), as every registry is asked by default.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.crossref_server import Fault, load_fixture, works_from_fixtures
from tests.registries import RegistryServer

# From the recorded reply for 10.1371/journal.pone.0033693 (title, authors, journal, volume, issue, page, year).
SADASIVAN = ("Sadasivan S, Pond BB, Pani AK, Qu C, Jiao Y, Smeyne RJ. Methylphenidate Exposure Induces Dopamine "
             "Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice. PLoS ONE. 2012;7(3):e33693.")
RECORDED = works_from_fixtures(["test_works_with_one_id__0__200.json", "test_works_mixed_ids_warn__2__200.json"])
SADASIVAN_RECORD = load_fixture("test_works_with_one_id__0__200.json")["message"]


def manuscript(tmp_path: Path, reference: str) -> Path:
    path = tmp_path / "paper.txt"
    path.write_text(
        "Invented prose about dopamine neurons and stimulant exposure in mice [1].\n\n"
        f"References\n\n1. {reference}\n",
        encoding="utf-8",
    )
    return path


def audit(server: RegistryServer | str, document: Path, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    urls = server.cli_options() if isinstance(server, RegistryServer) else ["--crossref-url", server, "--sources", "crossref"]
    result = CliRunner().invoke(main, [
        "audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(tmp_path / "cache"),
        *urls, "--mailto", "tester@example.org", "--timeout", "2", *extra, str(document),
    ])
    assert result.stdout, result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def names(report: dict) -> list[str]:
    return sorted(f["name"] for f in report["findings"])


@pytest.mark.parametrize(
    ("reference", "search", "expected_names", "expected_code", "status"),
    [
        pytest.param(f"{SADASIVAN} doi:10.1371/journal.pone.0033693", [], ["corrected-work"], 0, "matched",
                     id="doi-given-correct-with-correction-notice"),
        pytest.param(SADASIVAN, [SADASIVAN_RECORD], ["corrected-work", "missing-doi"], 1, "matched",
                     id="no-doi-found-by-search"),
        pytest.param(f"{SADASIVAN} doi:10.1371/journal.pone.0020476", [SADASIVAN_RECORD],
                     ["corrected-work", "doi-mismatch"], 1, "matched", id="doi-of-another-work"),
        pytest.param(f"{SADASIVAN} doi:10.1371/notarealdoi", [], ["no-registry-match", "unknown-doi"], 1, "not-found",
                     id="unknown-doi-nothing-found"),
        pytest.param(SADASIVAN, [], ["no-registry-match"], 1, "not-found", id="article-nowhere"),
    ],
)
def test_resolution_outcomes(tmp_path: Path, reference: str, search: list, expected_names: list[str],
                             expected_code: int, status: str) -> None:
    with RegistryServer(RECORDED, search=search) as server:
        code, report, _ = audit(server, manuscript(tmp_path, reference), tmp_path)
    assert names(report) == sorted(expected_names)
    assert code == expected_code
    assert report["references"][0]["resolution"]["status"] == status


def test_correction_notice_is_named(tmp_path: Path) -> None:
    with RegistryServer(RECORDED) as server:
        _, report, _ = audit(server, manuscript(tmp_path, f"{SADASIVAN} doi:10.1371/journal.pone.0033693"), tmp_path)
    finding = next(f for f in report["findings"] if f["name"] == "corrected-work")
    assert "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda" in finding["message"]
    assert "2012-05-08" in finding["message"] and "publisher" in finding["message"]


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [pytest.param(r"^/works\?filter=", "search", id="batch"), pytest.param(r"^/works/", "lookup", id="single-lookup")],
)
def test_rate_limited_twice_then_answered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, kind: str) -> None:
    if kind == "lookup":
        monkeypatch.setenv("CITECHECK_CROSSREF_BATCH", "0")  # DOIs asked one by one
    with RegistryServer(RECORDED) as server:
        server.add_faults(pattern, Fault.rate_limited(limit=10, interval="1s", retry_after=1),
                          Fault.rate_limited(limit=10, interval="1s", retry_after=1))
        code, report, _ = audit(server, manuscript(tmp_path, f"{SADASIVAN} doi:10.1371/journal.pone.0033693"), tmp_path)
        asked = server.requests_of(kind)
    assert names(report) == ["corrected-work"] and code == 0
    assert len(asked) == 3
    gaps = [later.time - earlier.time for earlier, later in zip(asked, asked[1:])]
    assert all(gap >= 0.99 for gap in gaps), gaps  # Retry-After (1 s) respected before each retry


def test_server_down_is_could_not_verify_never_not_found(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on: connection refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, report, stderr = audit(f"http://127.0.0.1:{port}", manuscript(tmp_path, SADASIVAN), tmp_path)
    assert names(report) == ["could-not-verify"]
    assert report["references"][0]["resolution"]["status"] == "could-not-verify"
    assert report["summary"]["complete"] is False and report["summary"]["unverified"] == 1
    assert code == 2
    assert "could not be reached" in stderr


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Fault.http(500), id="500"),
        pytest.param(Fault.malformed_json(), id="malformed-json"),
        pytest.param(Fault.html_page(), id="html-with-200"),
    ],
)
def test_persistent_faults_are_could_not_verify(tmp_path: Path, fault: Fault) -> None:
    with RegistryServer(RECORDED, search=[SADASIVAN_RECORD]) as server:
        server.add_faults(r"^/works", *([fault] * 8))
        code, report, _ = audit(server, manuscript(tmp_path, SADASIVAN), tmp_path)
    assert names(report) == ["could-not-verify"]
    assert code == 2


def test_second_run_answers_from_the_cache(tmp_path: Path) -> None:
    document = manuscript(tmp_path, SADASIVAN)
    with RegistryServer(RECORDED, search=[SADASIVAN_RECORD]) as server:
        audit(server, document, tmp_path)
        first = len(server.requests)
        _, report, _ = audit(server, document, tmp_path)
        assert len(server.requests) == first  # nothing asked the second time
    assert names(report) == ["corrected-work", "missing-doi"]
