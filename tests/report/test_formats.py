"""Every output format renders the sample and the empty report, deterministically, and each
structured format parses as what it claims to be."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from citecheck.report import formats
from citecheck.results import Report
from tests.report.conftest import build_empty_report, build_sample_report

ALL_FORMATS = ("text", "json", "markdown", "sarif", "github", "junit", "html")

REPORTS = [
    pytest.param(build_sample_report, id="sample"),
    pytest.param(build_empty_report, id="empty"),
]


def test_every_format_is_registered() -> None:
    assert sorted(formats()) == sorted(ALL_FORMATS)


@pytest.mark.parametrize("name", ALL_FORMATS)
@pytest.mark.parametrize("build", REPORTS)
def test_renders_deterministically(name: str, build: Callable[[], Report]) -> None:
    render = formats()[name]
    first = render(build())
    # A report built afresh must give the same text: nothing depends on time or identity.
    assert render(build()) == first
    assert isinstance(first, str)
    assert first == "" or first.endswith("\n")


def _parse_json(text: str) -> object:
    return json.loads(text)


def _parse_xml(text: str) -> object:
    return ET.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize(
    ("name", "parse"),
    [
        pytest.param("json", _parse_json, id="json"),
        pytest.param("sarif", _parse_json, id="sarif"),
        pytest.param("junit", _parse_xml, id="junit"),
    ],
)
@pytest.mark.parametrize("build", REPORTS)
def test_structured_formats_parse(name: str, parse: Callable[[str], object],
                                  build: Callable[[], Report]) -> None:
    assert parse(formats()[name](build())) is not None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Every finding of the sample shows up, by code, in every human- or CI-facing format.
        pytest.param(name, code, id=f"{name}-{code}")
        for name in ("text", "json", "markdown", "sarif", "github", "junit", "html")
        for code in ("C001", "M002", "U001", "R001", "S002", "S001")
    ],
)
def test_sample_findings_appear(name: str, expected: str) -> None:
    assert expected in formats()[name](build_sample_report())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("text", "", id="text"),
        pytest.param("github", "", id="github"),
        pytest.param("markdown", "no findings", id="markdown"),
        pytest.param("html", "citecheck: no findings", id="html"),
        pytest.param("junit", 'tests="0"', id="junit"),
        pytest.param("sarif", '"results": []', id="sarif"),
    ],
)
def test_empty_report_says_so(name: str, expected: str) -> None:
    out = formats()[name](build_empty_report())
    if expected:
        assert expected in out
    else:
        assert out == ""
