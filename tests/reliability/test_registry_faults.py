"""The faults tested at Crossref (test_network_faults.py), at PubMed, DataCite and the DOI
system's agency lookup: every run ends, an affected reference is could-not-verify (exit code 2),
never not-found or unknown-doi, and no failure is kept in the cache.

The PubMed references are built from recorded EFetch replies, the DataCite one from a recorded
DataCite record (tests/ncbi_server.py, tests/datacite_server.py); Crossref (on the same local
server) holds none of them, as it would not hold a dataset or find these by search here.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.datacite_server import datacite_records
from tests.ncbi_server import recorded_articles
from tests.registries import RegistryServer
from tests.replay_server import Fault

ARTICLE = recorded_articles()["22351513"]

#: The fault kinds the issue names (timeouts, 429 with Retry-After, 5xx, malformed bodies), an
#: HTML page with status 200, each persistent enough to outlast the retries of every request a run
#: makes, and transient faults that the retries cure. Resets, truncated bodies and 4xx are in the
#: sources' own failure tables (tests/sources/test_pubmed.py, test_datacite.py, test_agency.py);
#: a refused connection is below.
FAULTS = [
    pytest.param([Fault.delay(2.0)] * 12, id="timeouts"),
    pytest.param([Fault.malformed_json()] * 12, id="malformed-body"),
    pytest.param([Fault.html_page()] * 12, id="html-with-200"),
    pytest.param([Fault.rate_limited(limit=10, retry_after=0.05)] * 12, id="429-retry-after"),
    pytest.param([Fault.http(500), Fault.http(502), Fault.http(503)] * 4, id="5xx-storm"),
    pytest.param([Fault.http(500), Fault.reset(), Fault.malformed_json()], id="transient-then-answered"),
]
DRYAD = "10.5061/dryad.8515"

#: Findings that accuse a reference; a fault must never produce them.
ACCUSING = {"no-registry-match", "unknown-doi", "doi-mismatch"}


@pytest.fixture(autouse=True)
def _short_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait 10 ms, not 0.5 s: the faults are the point here, not the backoff."""
    monkeypatch.setenv("CITECHECK_BACKOFF_BASE", "0.01")


def pubmed_document(tmp_path: Path) -> Path:
    """The same recorded work twice: by its PMID, and found by the citation matcher."""
    path = tmp_path / "paper.txt"
    path.write_text(f"Prose [1] and prose [2].\n\nReferences\n\n1. {ARTICLE.reference(with_pmid=True)}\n"
                    f"2. {ARTICLE.reference()}\n", encoding="utf-8")
    return path


def datacite_document(tmp_path: Path) -> Path:
    record = json.loads(datacite_records()[DRYAD].read_text(encoding="utf-8"))["data"]["attributes"]
    names = ", ".join(c["familyName"] for c in record["creators"][:3])
    path = tmp_path / "paper.txt"
    path.write_text(f"Prose [1].\n\nReferences\n\n1. {names}, et al. {record['titles'][0]['title']} "
                    f"{record['publisher']}; {record['publicationYear']}. doi:{DRYAD}\n", encoding="utf-8")
    return path


def run_audit(server: RegistryServer, document: Path, cache: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [
        "audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(cache), *server.cli_options(),
        "--mailto", "tester@example.org", "--timeout", "0.3", str(document),
    ])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, json.loads(result.stdout)


def kept_failures(cache: Path, namespace: str) -> list[tuple[str, int]]:
    """Answers of the faulted service stored as "nothing" (a failure would look like that)."""
    path = cache / "answers.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        rows = list(conn.execute("SELECT key, found FROM answers"))
    # A source's "not mine to answer" (DataCite asked for a search) is kept apart: not a failure.
    return [(k, f) for k, f in rows if k.startswith(f'["{namespace}"') and not f and not k.endswith('"not-covered"]')]


@pytest.mark.parametrize("faults", FAULTS)
@pytest.mark.parametrize(
    ("service", "pattern", "document", "namespace", "decider"),
    [
        pytest.param("pubmed", r"^/entrez/eutils/", pubmed_document, "pubmed", "pubmed", id="pubmed"),
        pytest.param("datacite", r"^/dois/", datacite_document, "datacite", "datacite", id="datacite"),
        pytest.param("doi-ra", r"^/ra/", datacite_document, "doi-ra", "datacite", id="agency-lookup"),
    ],
)
def test_faults_never_accuse_nor_stick(tmp_path: Path, faults: list[Fault], service: str, pattern: str,
                                       document, namespace: str, decider: str) -> None:
    cache = tmp_path / "cache"
    with RegistryServer() as server:
        server.add_faults(pattern, *faults)
        code, report = run_audit(server, document(tmp_path), cache)
    names = {f["name"] for f in report["findings"]}
    assert not names & ACCUSING, names
    resolutions = [r["resolution"] for r in report["references"]]
    assert {r["status"] for r in resolutions} <= {"matched", "could-not-verify"}, resolutions
    assert all(r["source"] == decider for r in resolutions if r["status"] == "matched")
    unverified = sum(r["status"] == "could-not-verify" for r in resolutions)
    assert report["summary"]["unverified"] == unverified and ("could-not-verify" in names) == bool(unverified)
    assert code == (2 if unverified else 1 if names else 0)
    assert kept_failures(cache, namespace) == []


@pytest.mark.parametrize(
    ("pattern", "document"),
    [pytest.param(r"^/entrez/eutils/", pubmed_document, id="pubmed"),
     pytest.param(r"^/dois/", datacite_document, id="datacite")],
)
def test_a_second_run_asks_again_after_faults(tmp_path: Path, pattern: str, document) -> None:
    cache, path = tmp_path / "cache", document(tmp_path)
    with RegistryServer() as failing:
        failing.add_faults(pattern, *([Fault.http(503)] * 100))
        first_code, first = run_audit(failing, path, cache)
    with RegistryServer() as healthy:
        code, report = run_audit(healthy, path, cache)
    assert first_code == 2 and first["summary"]["unverified"] == len(first["references"])
    assert {r["resolution"]["status"] for r in report["references"]} == {"matched"} and code in (0, 1)


@pytest.mark.parametrize(
    ("service", "document"),
    [pytest.param("pubmed", pubmed_document, id="pubmed"), pytest.param("datacite", datacite_document, id="datacite")],
)
def test_connection_refused(tmp_path: Path, service: str, document) -> None:
    with RegistryServer() as gone:
        dead = gone.base_url
    with RegistryServer() as server:
        options = server.cli_options()
        options[options.index(f"--{service}-url") + 1] = dead
        result = CliRunner().invoke(main, ["audit", "--format", "json", "--no-default-snapshot", "--cache-dir",
                                           str(tmp_path / "cache"), *options, "--timeout", "0.5",
                                           str(document(tmp_path))])
    report = json.loads(result.stdout)
    assert {r["resolution"]["status"] for r in report["references"]} == {"could-not-verify"}
    assert result.exit_code == 2 and f"{service} could not be reached" in result.stderr
