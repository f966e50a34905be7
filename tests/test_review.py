"""The acceptance document, end to end through the command line: the review must come out exactly right.

Expectations are in tests/cases/review/expected.json, written by hand from the document and the
shared trial-paper records.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.conftest import EXAMPLE, ROOT

EXPECTED = json.loads((ROOT / "tests" / "cases" / "review" / "expected.json").read_text(encoding="utf-8"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def linking_report() -> dict:
    result = CliRunner().invoke(main, ["audit", "--no-verify", "--format", "json", str(EXAMPLE)])
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def verified_report() -> dict:
    result = CliRunner().invoke(main, ["audit", "--offline", "--no-cache", "--format", "json", str(EXAMPLE)])
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def test_exactly_the_two_citations(linking_report: dict) -> None:
    found = [(c["line"], c["references"]) for c in linking_report["citations"]]
    assert found == [(c["line"], c["references"]) for c in EXPECTED["citations"]]


def test_exactly_two_linking_findings(linking_report: dict) -> None:
    found = [(f["name"], f["reference"], f["line"]) for f in linking_report["findings"]]
    assert found == [(f["name"], f["reference"], f["line"]) for f in EXPECTED["linking_findings"]]


@pytest.mark.parametrize("expected", EXPECTED["references"], ids=lambda e: f"entry-{e['id']}")
def test_reference_parsed(linking_report: dict, expected: dict) -> None:
    reference = next(r for r in linking_report["references"] if r["id"] == expected["id"])
    csl = reference["csl"]
    assert reference["number"] == expected["number"]
    assert reference["line"] == expected["line"]
    assert reference["key"] == expected["key"]
    assert csl["type"] == expected["type"]
    assert csl["issued"]["date-parts"][0][0] == expected["year"]
    for field in ("container-title", "page", "publisher", "publisher-place", "title"):
        if field in expected:
            assert csl[field] == expected[field]
    if "families" in expected:
        assert [a["family"] for a in csl["author"]] == expected["families"]


def test_verified_findings(verified_report: dict) -> None:
    found = sorted((f["name"], f["reference"]) for f in verified_report["findings"])
    assert found == sorted((f["name"], f["reference"]) for f in EXPECTED["verified_findings"])


@pytest.mark.parametrize("expected", [f for f in EXPECTED["verified_findings"] if len(f) > 2],
                         ids=lambda e: f"{e['name']}-{e['reference']}")
def test_verified_finding_details(verified_report: dict, expected: dict) -> None:
    finding = next(f for f in verified_report["findings"]
                   if f["name"] == expected["name"] and f["reference"] == expected["reference"])
    if "severity" in expected:
        assert finding["severity"] == expected["severity"]
    for field in ("doi", "volume", "issue"):
        if field in expected:
            assert expected[field] in finding["message"]
    if expected["name"] == "incomplete-reference":
        assert {"volume", "issue"} <= set(finding["details"]["missing"])
        assert "snapshot:citecheck-default" in finding["message"]  # says where the record came from


@pytest.mark.parametrize("expected", EXPECTED["references"], ids=lambda e: f"entry-{e['id']}")
def test_resolution(verified_report: dict, expected: dict) -> None:
    reference = next(r for r in verified_report["references"] if r["id"] == expected["id"])
    resolution = reference["resolution"]
    assert resolution["status"] == expected["status"]
    if "doi" in expected:
        assert resolution["doi"] == expected["doi"]
        assert resolution["method"] == "search"
        assert resolution["confidence"] >= 0.9
        assert resolution["evidence"]
        assert resolution["source"] == "snapshot:citecheck-default"


def test_no_finding_for_the_spelling_dieras(verified_report: dict) -> None:
    assert not [f for f in verified_report["findings"] if f["name"] == "author-mismatch"]


def test_text_report_lines_and_summary() -> None:
    code, out, err = run("audit", "--no-verify", str(EXAMPLE))
    assert code == 1
    lines = out.splitlines()
    assert lines == [
        f"{EXAMPLE}:22:1: R001 uncited-reference " + lines[0].split("uncited-reference ", 1)[1],
        f"{EXAMPLE}:24:1: R001 uncited-reference " + lines[1].split("uncited-reference ", 1)[1],
    ]
    assert "entry 2 is cited nowhere" in lines[0] and "RIBBON-1" in lines[0]
    assert "2 findings" in err


@pytest.mark.parametrize(
    ("fail_on", "expected_code"),
    [
        pytest.param("warning", 1, id="warning"),
        pytest.param("error", 0, id="error"),
        pytest.param("info", 1, id="info"),
        pytest.param("never", 0, id="never"),
    ],
)
def test_fail_on(fail_on: str, expected_code: int) -> None:
    code, _, _ = run("audit", "--no-verify", "--fail-on", fail_on, str(EXAMPLE))
    assert code == expected_code
