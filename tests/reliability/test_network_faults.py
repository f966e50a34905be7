"""Network faults against the local Crossref server: every run ends, what could not be verified
says so, nothing is accused because a service failed, and the cache keeps no failure.

The two works are recorded Crossref replies (tests/fixtures/crossref, see its README.md); the
reference strings are built from their title, authors, journal, volume, issue, page and year.
The server also answers for NCBI, DataCite and doi.org (tests/registries.py), which the audit
asks too; the same faults at those services are in test_registry_faults.py.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.crossref_server import FIXTURES, Fault, load_fixture, works_from_fixtures
from tests.registries import RegistryServer as CrossrefServer

RECORDED = works_from_fixtures(["test_works_with_one_id__0__200.json", "test_works_mixed_ids_warn__2__200.json"])
# From the recorded reply for 10.1371/journal.pone.0033693.
SADASIVAN = ("Sadasivan S, Pond BB, Pani AK, Qu C, Jiao Y, Smeyne RJ. Methylphenidate Exposure Induces Dopamine "
             "Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice. PLoS ONE. 2012;7(3):e33693.")
# From the recorded reply for 10.1371/journal.pone.0020476.
BOULKEDID = ("Boulkedid R, Abdoul H, Loustau M, Sibony O, Alberti C. Using and Reporting the Delphi Method for "
             "Selecting Healthcare Quality Indicators: A Systematic Review. PLoS ONE. 2011;6(6):e20476.")
RECORDS = [load_fixture("test_works_with_one_id__0__200.json")["message"],
           load_fixture("test_works_mixed_ids_warn__2__200.json")["message"]]
BODY = (FIXTURES / "test_works_with_one_id__0__200.json").read_bytes()

#: Findings that accuse a reference; a fault must never produce them.
ACCUSING = {"no-registry-match", "unknown-doi", "doi-mismatch"}


def search_answer(query: dict[str, list[str]]) -> list[dict]:
    """The recorded record whose title words the query carries (a stand-in for Crossref's ranking)."""
    text = query.get("query.bibliographic", [""])[0].lower()
    return [r for r in RECORDS if r["title"][0].split()[0].lower() in text]


def manuscript(tmp_path: Path, mixed: bool = False) -> Path:
    """Two references with their DOIs; with `mixed`, the second without (found by search)."""
    first = f"{SADASIVAN} doi:10.1371/journal.pone.0033693"
    second = BOULKEDID if mixed else f"{BOULKEDID} doi:10.1371/journal.pone.0020476"
    path = tmp_path / "paper.txt"
    path.write_text(f"Invented prose [1] and more invented prose [2].\n\nReferences\n\n1. {first}\n2. {second}\n",
                    encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _short_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait 10 ms, not 0.5 s: the faults are the point here, not the backoff."""
    monkeypatch.setenv("CITECHECK_BACKOFF_BASE", "0.01")


def run_audit(url: str, document: Path, cache: Path, *extra: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, [
        "audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(cache), "--crossref-url", url,
        "--pubmed-url", url, "--datacite-url", url, "--doi-url", url,
        "--mailto", "tester@example.org", "--timeout", "0.5", *extra, str(document),
    ])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, json.loads(result.stdout), result.stderr


def cached_rows(cache: Path) -> list[tuple[str, int, str]]:
    """(key, found, payload) of every cached answer (a source's "not mine to answer", kept apart,
    is left out: it is neither a failure nor a "not found")."""
    path = cache / "answers.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return [row for row in conn.execute("SELECT key, found, payload FROM answers")
                if not row[0].endswith('"not-covered"]')]


def assert_fault_honest(report: dict, cache: Path, code: int) -> None:
    """Nothing accused, every reference matched or said to be unverifiable, no failure cached."""
    names = {f["name"] for f in report["findings"]}
    assert not names & ACCUSING, names
    statuses = [r["resolution"]["status"] for r in report["references"]]
    assert set(statuses) <= {"matched", "could-not-verify"}, statuses
    unverified = statuses.count("could-not-verify")
    assert report["summary"]["unverified"] == unverified
    assert ("could-not-verify" in names) == bool(unverified)
    # Every work here exists and every search finds it: a stored "nothing" can only be a failure.
    assert all(found == 1 for _, found, _ in cached_rows(cache)), cached_rows(cache)
    if unverified:
        assert code == 2
    else:
        assert code in (0, 1)  # found by search: a missing DOI is a (true) finding


FAULTS = [
    pytest.param([Fault.delay(2.0)] * 12, id="timeouts"),
    pytest.param([Fault.reset()] * 12, id="reset-before-answer"),
    pytest.param([Fault.reset_mid_body(BODY)] * 12, id="reset-mid-body"),
    pytest.param([Fault.truncated(BODY)] * 12, id="truncated-body"),
    pytest.param([Fault.malformed_json()] * 12, id="truncated-json"),
    pytest.param([Fault.http(200, body=b'{"status": "ok", "message": "oops"}')] * 12, id="json-wrong-shape"),
    pytest.param([Fault.http(200, body=b"\xff\xfe not json")] * 12, id="binary-200"),
    pytest.param([Fault.html_page()] * 12, id="html-with-200"),
    pytest.param([Fault.rate_limited(limit=10, retry_after=0.05)] * 12, id="429-retry-after"),
    pytest.param([Fault.rate_limited(limit=10)] * 12, id="429-no-retry-after"),
    pytest.param([Fault.http(500), Fault.http(502), Fault.http(503)] * 4, id="5xx-storm"),
    pytest.param([Fault.http(401, body=b"token rejected")] * 12, id="401"),
    pytest.param([Fault.http(400, body=b'{"status":"failed","message-type":"validation-failure"}')] * 12, id="400"),
    pytest.param([Fault.http(500), Fault.reset(), Fault.malformed_json()], id="transient-then-answered"),
]


def test_far_retry_after_is_honoured_once_then_the_run_stops_asking(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A Retry-After beyond the cap (30 s; 0.2 s here) is waited out once; told again, the run
    stops asking Crossref instead of waiting the cap for every retry of every reference."""
    import citecheck.sources.http as http

    monkeypatch.setattr(http, "RETRY_AFTER_CAP", 0.2)
    cache = tmp_path / "cache"
    document = tmp_path / "paper.txt"
    entries = "\n".join(f"{i}. {SADASIVAN} doi:10.1371/journal.pone.0033693" for i in range(1, 7))
    document.write_text("Prose " + " ".join(f"[{i}]" for i in range(1, 7)) + f".\n\nReferences\n\n{entries}\n",
                        encoding="utf-8")
    with CrossrefServer(RECORDED, search=search_answer) as server:
        server.add_faults(r"^/works", *([Fault.http(503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})] * 100))
        code, report, stderr = run_audit(server.base_url, document, cache)
        asked = len(server.requests_to("crossref"))
    assert_fault_honest(report, cache, code)
    assert report["summary"]["unverified"] == 6
    # The one batch is told twice, waits once; then Crossref is not asked again this run
    # (never 6 references x 4 attempts, each waiting the cap).
    assert asked <= 2
    assert "could not be reached" in stderr


@pytest.mark.parametrize("faults", FAULTS)
def test_faults_never_accuse_nor_stick(tmp_path: Path, faults: list[Fault]) -> None:
    """One reference with its DOI (looked up), one without (searched for)."""
    cache = tmp_path / "cache"
    with CrossrefServer(RECORDED, search=search_answer) as server:
        server.add_faults(r"^/works", *faults)
        code, report, _ = run_audit(server.base_url, manuscript(tmp_path, mixed=True), cache)
    assert_fault_honest(report, cache, code)


def test_transient_faults_recover(tmp_path: Path) -> None:
    """Fewer faults than retries: both references verified after all."""
    cache = tmp_path / "cache"
    with CrossrefServer(RECORDED, search=search_answer) as server:
        server.add_faults(r"^/works", Fault.http(503), Fault.reset(), Fault.rate_limited(limit=10, retry_after=0.05))
        code, report, _ = run_audit(server.base_url, manuscript(tmp_path), cache)
    assert [r["resolution"]["status"] for r in report["references"]] == ["matched", "matched"]
    assert code == 0


def test_a_second_run_asks_again_after_faults(tmp_path: Path) -> None:
    """Unverified references are asked again next time (no failure was kept), and then verified."""
    cache = tmp_path / "cache"
    document = manuscript(tmp_path)
    with CrossrefServer(RECORDED, search=search_answer) as failing:
        failing.add_faults(r"^/works", *([Fault.http(503)] * 100))
        first_code, first, _ = run_audit(failing.base_url, document, cache)
    with CrossrefServer(RECORDED, search=search_answer) as healthy:
        code, report, _ = run_audit(healthy.base_url, document, cache)
        assert len(healthy.requests_of("search")) == 1  # both DOIs, in one batch
    assert first_code == 2 and first["summary"]["unverified"] == 2
    assert [r["resolution"]["status"] for r in report["references"]] == ["matched", "matched"] and code == 0


def test_slow_drip_is_a_timeout(tmp_path: Path) -> None:
    """An answer dripping in (each read well within --timeout, the whole far beyond it) is cut
    off and retried; the retry is answered."""
    cache = tmp_path / "cache"
    with CrossrefServer(RECORDED, search=search_answer) as server:
        server.add_faults(r"^/works\?filter=", Fault.drip(BODY, interval=0.1, chunk=16))
        code, report, _ = run_audit(server.base_url, manuscript(tmp_path), cache)
        assert server.drips_completed == 0  # the client hung up mid-drip
    assert [r["resolution"]["status"] for r in report["references"]] == ["matched", "matched"] and code == 0
    assert_fault_honest(report, cache, code)


def test_dns_failure(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code, report, stderr = run_audit("http://nonexistent.invalid", manuscript(tmp_path), cache)
    assert_fault_honest(report, cache, code)
    assert report["summary"]["unverified"] == 2
    assert "could not be reached" in stderr


def test_server_stops_answering_midway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many references asked one by one; the server goes away after a few answers. The rest are
    unverified."""
    monkeypatch.setenv("CITECHECK_CROSSREF_BATCH", "0")  # two DOIs would be one batch, answered at once
    cache = tmp_path / "cache"
    document = tmp_path / "paper.txt"
    entries = "\n".join(f"{i}. {SADASIVAN if i % 2 else BOULKEDID} doi:10.1371/journal.pone.{'0033693' if i % 2 else '0020476'}"
                        for i in range(1, 13))
    document.write_text("Prose " + " ".join(f"[{i}]" for i in range(1, 13)) + f".\n\nReferences\n\n{entries}\n",
                        encoding="utf-8")
    server = CrossrefServer(RECORDED, search=search_answer, latency_ms=30).start()

    def stop_after_three() -> None:
        while len(server.requests) < 3:
            time.sleep(0.005)
        server.add_faults(r".", *([Fault.delay(30)] * 1000))  # whatever is in flight never gets an answer
        server.stop()

    stopper = threading.Thread(target=stop_after_three, daemon=True)
    stopper.start()
    try:
        code, report, _ = run_audit(server.base_url, document, cache, "--no-cache")
    finally:
        server.stop()
        stopper.join(5)
    assert_fault_honest(report, cache, code)
    assert report["summary"]["unverified"] >= 1


def test_a_busy_run_keeps_to_the_polite_limits(tmp_path: Path) -> None:
    """Thirty lookups against a server that refuses (429) anything over 10/s in any sliding
    second or over 3 in flight: none refused, so none retried, none unverified."""
    from citecheck.sources.pacing import POLITE
    from tests.reliability.test_storage import synthetic_document, synthetic_server

    document = synthetic_document(tmp_path / "paper.txt", 30)
    with synthetic_server(30, latency_ms=5, enforce=POLITE) as server:
        code, report, stderr = run_audit(server.base_url, document, tmp_path / "cache", "--sources", "crossref")
        violations, asked = server.violations, len(server.requests)
    assert violations == 0 and asked == 1, (violations, asked)  # one batch of 30 DOIs
    assert report["summary"]["unverified"] == 0 and code == 0, stderr


def test_a_busy_run_of_single_lookups_keeps_to_the_polite_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same thirty DOIs asked one by one (no batches): none refused, none unverified."""
    from citecheck.sources.pacing import POLITE
    from tests.reliability.test_storage import synthetic_document, synthetic_server

    monkeypatch.setenv("CITECHECK_CROSSREF_BATCH", "0")
    document = synthetic_document(tmp_path / "paper.txt", 30)
    with synthetic_server(30, latency_ms=5, enforce=POLITE) as server:
        code, report, stderr = run_audit(server.base_url, document, tmp_path / "cache", "--sources", "crossref")
        violations, asked = server.violations, len(server.requests_of("lookup"))
    assert violations == 0 and asked == 30, (violations, asked)
    assert report["summary"]["unverified"] == 0 and code == 0, stderr


def test_a_burst_of_transient_faults_early_does_not_end_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three faults among the first requests of a 25-reference run, each cured by one retry:
    Crossref's "stop once a tenth fail" must not be judged on twenty requests and end the run."""
    from tests.reliability.test_storage import synthetic_document, synthetic_server

    document = synthetic_document(tmp_path / "paper.txt", 25)
    with synthetic_server(25) as server:
        for i in (0, 1, 2):
            server.add_faults(rf"^/works/10\.5555/rel-{i}$", Fault.http(503))
        monkeypatch.setenv("CITECHECK_CROSSREF_BATCH", "0")  # one by one, so that the faults are met
        code, report, stderr = run_audit(server.base_url, document, tmp_path / "cache", "--sources", "crossref")
    assert report["summary"]["unverified"] == 0, stderr
    assert [r["resolution"]["status"] for r in report["references"]] == ["matched"] * 25
    assert code == 0
