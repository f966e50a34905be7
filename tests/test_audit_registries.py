"""Whole audits through PubMed and DataCite, against the local replay server (tests/registries.py).

The PubMed bibliography is made of every work whose EFetch reply is recorded
(tests/fixtures/ncbi/): each reference string is built from the recorded XML by the test's own
reader (tests/ncbi_server.py, ElementTree), never typed by hand; every other one gives its PMID,
the rest are found by the citation matcher. The DataCite references are built from recorded
DataCite records the same way; the unregistered DOI is the one whose 404 DataCite recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.datacite_server import datacite_records
from tests.ncbi_server import recorded_articles
from tests.registries import RegistryServer

ARTICLES = list(recorded_articles().values())
WITH_PMID = {a.pmid for a in ARTICLES[::2]}

DRYAD = "10.5061/dryad.8515"  # a dataset DataCite registered (prefix 10.5061 recorded as DataCite)
UNREGISTERED = "10.4124/05f6c379-dd68-4cdb-880d-33d3e9576d52/1"  # DataCite's prefix, DataCite's recorded 404
MEDRA = "10.1392/obviously-synthetic-suffix"  # prefix recorded as mEDRA's, which citecheck cannot ask
NO_SUCH_PREFIX = "10.0137/obviously-synthetic-suffix"  # prefix recorded as "DOI does not exist"


def document(tmp_path: Path, entries: list[str]) -> Path:
    path = tmp_path / "paper.txt"
    cites = " ".join(f"[{i}]" for i in range(1, len(entries) + 1))
    listed = "\n".join(f"{i}. {entry}" for i, entry in enumerate(entries, 1))
    path.write_text(f"Invented prose citing every entry {cites}.\n\nReferences\n\n{listed}\n", encoding="utf-8")
    return path


def audit(server: RegistryServer, path: Path, cache: Path, *extra: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, [
        "audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(cache), *server.cli_options(),
        "--mailto", "tester@example.org", "--timeout", "5", *extra, str(path),
    ])
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def datacite_reference(doi: str) -> str:
    """A reference built from DataCite's recorded record of `doi` (creators, title, publisher, year)."""
    record = json.loads(datacite_records()[doi].read_text(encoding="utf-8"))["data"]["attributes"]
    names = ", ".join(c.get("familyName") or c["name"] for c in record["creators"][:3])
    return (f"{names}, et al. {record['titles'][0]['title']} {record['publisher']}; {record['publicationYear']}. "
            f"doi:{doi}")


@pytest.fixture(scope="module")
def pubmed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, RegistryServer]:
    tmp = tmp_path_factory.mktemp("pubmed")
    entries = [a.reference(with_pmid=a.pmid in WITH_PMID) for a in ARTICLES]
    with RegistryServer() as server:  # Crossref holds none of them and finds nothing
        code, report, _ = audit(server, document(tmp, entries), tmp / "cache")
    return code, report, server


@pytest.mark.parametrize("article", [pytest.param(a, id=a.pmid) for a in ARTICLES])
def test_each_recorded_work_is_verified_by_pubmed(pubmed_run: tuple[int, dict, RegistryServer], article) -> None:
    _, report, _ = pubmed_run
    reference = report["references"][ARTICLES.index(article)]
    resolution = reference["resolution"]
    assert resolution["status"] == "matched", resolution
    assert resolution["source"] == "pubmed"
    assert resolution["work"]["pmid"] == article.pmid
    assert resolution["method"] == ("pmid" if article.pmid in WITH_PMID else "search")
    findings = {f["name"] for f in report["findings"] if f["reference"] == reference["id"]}
    # The record's own DOI is offered; an erratum named in the record is reported.
    assert ("missing-doi" in findings) == bool(article.doi)
    assert ("corrected-work" in findings) == article.corrected
    assert not findings & {"could-not-verify", "no-registry-match", "ambiguous-match", "unknown-doi"}


def test_pubmed_is_asked_in_batches_within_its_limits(pubmed_run: tuple[int, dict, RegistryServer]) -> None:
    code, report, server = pubmed_run
    asked = server.requests_to("ncbi")
    matcher = [r for r in asked if r.path.endswith("/ecitmatch.cgi")]
    fetches = [r for r in asked if r.path.endswith("/efetch.fcgi")]
    assert len(matcher) == 1  # every reference without a PMID in one citation-matcher request
    assert len(fetches) == 1  # the given PMIDs and those the matcher found, fetched together
    assert server.violations == 0
    assert all(r.query.get("tool") == ["citecheck"] and r.query.get("email") == ["tester@example.org"] for r in asked)
    assert report["summary"]["resolved_by"] == {"pubmed": len(ARTICLES)}
    assert code == 1  # findings (missing DOIs, corrections), nothing unverified


def test_offline_run_decides_from_what_the_cache_holds(tmp_path: Path) -> None:
    entries = [a.reference(with_pmid=a.pmid in WITH_PMID) for a in ARTICLES]
    path = document(tmp_path, entries)
    with RegistryServer() as server:
        _, online, _ = audit(server, path, tmp_path / "cache")
        asked = len(server.requests)
        _, offline, _ = audit(server, path, tmp_path / "cache", "--offline")
        assert len(server.requests) == asked  # offline: nothing asked
    assert [r["resolution"]["status"] for r in offline["references"]] == ["matched"] * len(ARTICLES)
    assert {r["resolution"]["source"] for r in offline["references"]} == {"pubmed"}
    assert all(r["resolution"]["work"].get("cached_on") for r in offline["references"])
    assert [f["message"] for f in offline["findings"]] == [f["message"] for f in online["findings"]]


def test_offline_without_cached_answers_is_not_checked(tmp_path: Path) -> None:
    path = document(tmp_path, [ARTICLES[0].reference(), datacite_reference(DRYAD)])
    with RegistryServer() as server:
        code, report, _ = audit(server, path, tmp_path / "cache", "--offline")
        assert server.requests == []
    # The registries were not asked: not checked (and the run says it was incomplete), never
    # "may not exist" and never "could not verify".
    assert [r["resolution"]["status"] for r in report["references"]] == ["not-checked", "not-checked"]
    assert not {f["name"] for f in report["findings"]} & {"no-registry-match", "unknown-doi", "could-not-verify"}
    assert report["summary"]["unchecked"] == 2 and code == 2


@pytest.mark.parametrize(
    ("entry", "sources", "status", "decided_by", "findings"),
    [
        pytest.param(datacite_reference(DRYAD), (), "matched", "datacite", set(), id="datacite-doi-verified"),
        pytest.param(f"Synthetic A. An obviously synthetic dataset title. 2021. doi:{UNREGISTERED}", (),
                     "not-found", "datacite, crossref", {"unknown-doi", "no-registry-match"},
                     id="unregistered-doi-is-unknown"),
        pytest.param(f"Synthetic A. An obviously synthetic title. 2021. doi:{NO_SUCH_PREFIX}", (),
                     "not-found", "crossref, datacite", {"unknown-doi", "no-registry-match"}, id="unknown-prefix"),
        pytest.param(f"Synthetic A. An obviously synthetic title. 2021. doi:{MEDRA}", (), "skipped", None, set(),
                     id="other-agency-not-checked"),
        pytest.param(datacite_reference(DRYAD), ("--sources", "crossref"), "skipped", None, set(),
                     id="datacite-doi-without-datacite-not-checked"),
    ],
)
def test_dois_of_other_agencies(tmp_path: Path, entry: str, sources: tuple[str, ...], status: str,
                                decided_by: str | None, findings: set[str]) -> None:
    with RegistryServer() as server:
        _, report, _ = audit(server, document(tmp_path, [entry]), tmp_path / "cache", *sources)
        agency_lookups = len(server.requests_to("doi-ra"))
    resolution = report["references"][0]["resolution"]
    assert resolution["status"] == status, resolution
    assert resolution["source"] == decided_by
    assert {f["name"] for f in report["findings"]} & {"unknown-doi", "no-registry-match", "could-not-verify"} == findings
    assert agency_lookups == 1  # one question per prefix, whichever sources asked it
    if status == "skipped":
        assert resolution["not_covered"] and "registered with" in " ".join(resolution["not_covered"])


def test_datacite_record_fields(tmp_path: Path) -> None:
    with RegistryServer() as server:
        _, report, _ = audit(server, document(tmp_path, [datacite_reference(DRYAD)]), tmp_path / "cache")
    work = report["references"][0]["resolution"]["work"]
    record = json.loads(datacite_records()[DRYAD].read_text(encoding="utf-8"))["data"]["attributes"]
    assert work["doi"] == DRYAD and work["source"] == "datacite"
    assert work["title"] == record["titles"][0]["title"]
    assert work["year"] == record["publicationYear"]
    assert len(work["authors"]) == len(record["creators"])
