"""JUnit XML: valid against the Jenkins xUnit schema, one suite per document, one case per
reference, one failure per error or warning finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citecheck.findings import Finding
from citecheck.model import Span
from citecheck.report.junit import render, xml_text
from citecheck.results import DocumentResult, Report
from citecheck.rules import rule
from tests.report.conftest import CHAPTER, PAPER, build_empty_report, build_sample_report

etree = pytest.importorskip("lxml.etree", reason="lxml (test extra) validates against the XSD")

XSD_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "junit-10.xsd"


@pytest.fixture(scope="module")
def schema() -> Any:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def _tree(report: Report) -> Any:
    return etree.fromstring(render(report).encode("utf-8"))


def _with(findings: list[Finding]) -> Report:
    document = DocumentResult("odd.md", (), ())
    return Report(documents=(document,), findings=tuple(findings))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(build_sample_report, id="sample"),
        pytest.param(build_empty_report, id="empty"),
        pytest.param(lambda: _with([rule("R005").finding("Bell \x07 and NUL \x00 in text.")]),
                     id="control-characters"),
        pytest.param(lambda: Report((), (rule("S001").finding("No document at all."),)),
                     id="finding-without-document"),
    ],
)
def test_valid_against_xsd(schema: Any, build: Any) -> None:
    tree = _tree(build())
    assert schema.validate(tree), schema.error_log


def test_xsd_can_reject(schema: Any) -> None:
    # The schema check is not vacuous: a testsuite without its required `tests` is invalid.
    tree = _tree(build_sample_report())
    del tree.find("testsuite").attrib["tests"]
    assert not schema.validate(tree)


def test_structure_of_sample() -> None:
    root = _tree(build_sample_report())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [PAPER, CHAPTER]
    paper = suites[0]
    cases = {c.get("name").split(" ")[0]: c for c in paper.findall("testcase")}
    assert list(cases) == ["1", "2", "3", "4", "document"]
    assert {c.get("classname") for c in paper.findall("testcase")} == {PAPER}
    assert cases["1"].find("failure") is None
    assert [f.get("type") for f in cases["4"].findall("failure")] == ["R001", "S002"]
    # A citation of a missing entry is not about any listed reference.
    assert [f.get("type") for f in cases["document"].findall("failure")] == ["C001"]
    assert cases["2"].find("failure").get("message").endswith("see the registry record")
    assert "\n" in cases["2"].find("failure").get("message")
    assert (paper.get("tests"), paper.get("failures")) == ("5", "4")
    assert (root.get("tests"), root.get("failures")) == ("7", "5")


def test_info_findings_do_not_fail() -> None:
    finding = rule("U003").finding("Has an erratum.", span=Span("odd.md", 1, 1))
    root = _tree(_with([finding]))
    case = root.find("testsuite/testcase")
    assert case.find("failure") is None
    assert "U003" in case.find("system-out").text
    assert root.get("failures") == "0"


def test_findings_without_document_get_their_own_suite() -> None:
    root = _tree(Report((), (rule("S001").finding("No document at all."),)))
    assert [s.get("name") for s in root.findall("testsuite")] == ["citecheck"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain", "plain", id="plain"),
        pytest.param("tab\tnl\ncr\r", "tab\tnl\ncr\r", id="allowed-whitespace"),
        pytest.param("a\x00b\x1fc", "a\ufffdb\ufffdc", id="control"),
        pytest.param("<&>\"'", "<&>\"'", id="markup-left-to-the-serialiser"),
    ],
)
def test_xml_text(text: str, expected: str) -> None:
    assert xml_text(text) == expected


def test_markup_in_names_is_escaped() -> None:
    out = render(build_sample_report())
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
