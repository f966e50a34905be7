"""The JSON report validates against its published schema (citecheck/data/report.schema.json),
and the schema is strict enough to catch a report that drifted from it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import citecheck
from citecheck.report.json import render
from citecheck.results import Report
from tests.report.conftest import build_empty_report, build_sample_report

SCHEMA_PATH = Path(citecheck.__file__).resolve().parent / "data" / "report.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize(
    "build",
    [pytest.param(build_sample_report, id="sample"), pytest.param(build_empty_report, id="empty")],
)
def test_json_report_is_valid(validator: jsonschema.Draft202012Validator,
                              build: Callable[[], Report]) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(json.loads(render(build())))]
    assert errors == []


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_set(["version"], 2), id="other-version"),
        pytest.param(_drop(["summary"]), id="no-summary"),
        pytest.param(_set(["extra"], 1), id="unknown-top-level-field"),
        pytest.param(_set(["findings", 0, "severity"], "fatal"), id="bad-severity"),
        pytest.param(_set(["findings", 0, "code"], "X1"), id="bad-code"),
        pytest.param(_set(["findings", 0, "line"], 0), id="line-zero"),
        pytest.param(_set(["citations", 0, "style"], "footnote"), id="bad-style"),
        pytest.param(_set(["references", 0, "resolution", "status"], "found"), id="bad-status"),
        pytest.param(_set(["references", 0, "resolution", "confidence"], 1.5), id="confidence-above-1"),
        pytest.param(_drop(["references", 0, "resolution", "work", "doi"]), id="work-without-doi"),
        pytest.param(_set(["summary", "by_severity", "fatal"], 1), id="unknown-severity-count"),
    ],
)
def test_schema_rejects_drift(validator: jsonschema.Draft202012Validator,
                              change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(render(build_sample_report()))
    change(document)
    assert not validator.is_valid(document)


def test_schema_describes_every_top_level_field(validator: jsonschema.Draft202012Validator) -> None:
    document = json.loads(render(build_sample_report()))
    assert sorted(document) == sorted(validator.schema["required"])
