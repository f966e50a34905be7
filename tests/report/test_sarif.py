"""SARIF 2.1.0: valid against the official schema, complete rules, stable fingerprints."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from citecheck.model import Span
from citecheck.report.sarif import (
    FINGERPRINT_KEY,
    artifact_uri,
    fingerprint,
    normalised_message,
    render,
    report_to_sarif,
)
from citecheck.results import Report
from citecheck.rules import RULES, rule
from tests.report.conftest import build_empty_report, build_sample_report

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _run(report: Report) -> dict[str, Any]:
    return json.loads(render(report))["runs"][0]


@pytest.mark.parametrize(
    "build",
    [pytest.param(build_sample_report, id="sample"), pytest.param(build_empty_report, id="empty")],
)
def test_valid_against_schema(validator: jsonschema.protocols.Validator, build: Any) -> None:
    errors = [e.message for e in validator.iter_errors(json.loads(render(build())))]
    assert errors == []


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        # The schema check must be able to fail: each of these is invalid SARIF.
        pytest.param(lambda log: log.update(version="2.0"), "version", id="bad-version"),
        pytest.param(lambda log: log["runs"][0]["results"][0].update(level="fatal"), "level",
                     id="bad-level"),
        pytest.param(lambda log: log["runs"][0]["tool"]["driver"].pop("name"), "name",
                     id="driver-without-name"),
    ],
)
def test_schema_rejects_broken_logs(validator: jsonschema.protocols.Validator, breakage: Any,
                                    path: str) -> None:
    log = report_to_sarif(build_sample_report())
    breakage(log)
    assert list(validator.iter_errors(json.loads(json.dumps(log))))


def test_driver_lists_every_rule() -> None:
    driver = _run(build_empty_report())["tool"]["driver"]
    assert driver["name"] == "citecheck"
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    for descriptor, item in zip(driver["rules"], RULES, strict=True):
        assert descriptor["name"] == item.name
        assert descriptor["shortDescription"]["text"] == item.summary
        assert item.why in descriptor["fullDescription"]["text"]
        assert item.example in descriptor["help"]["text"]
        assert item.example in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == {
            "error": "error", "warning": "warning", "info": "note"}[item.severity.label]


def test_results_point_at_their_rule_and_place() -> None:
    run = _run(build_sample_report())
    rules = run["tool"]["driver"]["rules"]
    by_code = {r["ruleId"]: r for r in run["results"]}
    assert sorted(by_code) == ["C001", "M002", "R001", "S001", "S002", "U001"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    c001 = by_code["C001"]["locations"][0]["physicalLocation"]
    assert c001["artifactLocation"] == {"uri": "paper.md", "uriBaseId": "%SRCROOT%"}
    assert c001["region"] == {"startLine": 4, "startColumn": 92}
    assert by_code["C001"]["level"] == "error" and by_code["M002"]["level"] == "warning"
    # A finding without a span points at the first line of its file.
    s001 = by_code["S001"]["locations"][0]["physicalLocation"]
    assert s001["artifactLocation"]["uri"] == "notes/chapter%20two.tex"
    assert s001["region"] == {"startLine": 1}
    assert by_code["M002"]["message"]["text"].count("\n") == 1


@pytest.mark.parametrize(
    ("path", "uri", "relative"),
    [
        pytest.param("paper.md", "paper.md", True, id="plain"),
        pytest.param("notes/chapter two.tex", "notes/chapter%20two.tex", True, id="space"),
        pytest.param("notes\\refs.bib", "notes/refs.bib", True, id="backslashes"),
        pytest.param("./a/b.md", "a/b.md", True, id="dot-slash"),
        pytest.param("dir/100%.md", "dir/100%25.md", True, id="percent"),
        pytest.param("/home/u/paper.md", "file:///home/u/paper.md", False, id="absolute-posix"),
        pytest.param("C:\\u\\paper.md", "file:///C:/u/paper.md", False, id="absolute-windows"),
    ],
)
def test_artifact_uri(path: str, uri: str, relative: bool) -> None:
    assert artifact_uri(path) == (uri, relative)


BASE = rule("C001").finding("Citation [5] on line 12 points at no entry.",
                            span=Span("paper.md", 12, 4), reference="5")


@pytest.mark.parametrize(
    ("other", "same"),
    [
        pytest.param(replace(BASE, span=Span("paper.md", 40, 9)), True, id="moved-down"),
        pytest.param(replace(BASE, message="Citation [5] on line 38 points at no entry."), True,
                     id="line-number-in-message"),
        pytest.param(replace(BASE, message="Citation  [5] on line 12\npoints at no entry."), True,
                     id="whitespace"),
        pytest.param(replace(BASE, reference="6"), False, id="other-reference"),
        pytest.param(replace(BASE, code="C002"), False, id="other-code"),
        pytest.param(replace(BASE, message="Citation [6] on line 12 points at no entry."), False,
                     id="other-message"),
    ],
)
def test_fingerprint_ignores_position(other: Any, same: bool) -> None:
    assert (fingerprint(other, "paper.md") == fingerprint(BASE, "paper.md")) is same


def test_fingerprint_depends_on_path() -> None:
    assert fingerprint(BASE, "a.md") != fingerprint(BASE, "b.md")


def test_fingerprints_in_log_are_unique_and_stable() -> None:
    results = _run(build_sample_report())["results"]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(set(prints)) == len(prints)
    assert all(len(p) == 64 for p in prints)


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        pytest.param("Entry on line 12 is odd", "entry on is odd", id="line"),
        pytest.param("Lines 3-4 repeat", "repeat", id="line-range"),
        pytest.param("see paper.md:12:5 there", "see paper.md there", id="path-position"),
        pytest.param("Year 2020,\n written", "year 2020, written", id="keeps-years"),
    ],
)
def test_normalised_message(message: str, normalised: str) -> None:
    assert normalised_message(message) == normalised


def test_notes_become_notifications() -> None:
    run = _run(build_sample_report())
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == list(build_sample_report().notes)
    assert "invocations" not in _run(build_empty_report())

