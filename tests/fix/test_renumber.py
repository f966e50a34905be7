"""Renumbering numeric documents in order of first citation (`citecheck fix --renumber`).

Every reference here is synthetic; tests/cases/fix-renumber/ holds a hand-written expectation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.documents.base import SourceText
from citecheck.documents.plaintext import read_plain_text
from citecheck.fix.renumber import _render_marker, renumber
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "fix-renumber"


@pytest.mark.parametrize(("marker", "mapping", "expected"), [
    pytest.param("2", {2: 1}, "1", id="glued-single"),
    pytest.param("2,3", {2: 3, 3: 4}, "3,4", id="glued-list-keeps-separator"),
    pytest.param("[2-4]", {2: 1, 3: 2, 4: 3}, "[1-3]", id="range-stays-contiguous"),
    pytest.param("[2–4]", {2: 1, 3: 5, 4: 2}, "[1,2,5]", id="range-broken-becomes-list"),
    pytest.param("[1, 3]", {1: 2, 3: 1}, "[2, 1]", id="list-keeps-written-order-and-spacing"),
    pytest.param("(1–3)", {1: 3, 2: 1, 3: 2}, "(1–3)", id="range-keeps-its-dash"),
    pytest.param("¹⁻³", {1: 2, 2: 3, 3: 4}, "²⁻⁴", id="superscript-range"),
    pytest.param("¹,²", {1: 2, 2: 1}, "²,¹", id="superscript-list"),
    pytest.param("<sup>4</sup>", {4: 1}, "<sup>1</sup>", id="html-sup"),
    pytest.param("^2^", {2: 1}, "^1^", id="pandoc-sup"),
])
def test_marker_keeps_its_form(marker: str, mapping: dict[int, int], expected: str) -> None:
    assert _render_marker(marker, mapping) == expected


def _renumber(text: str) -> tuple[str, dict[int, int], str]:
    document = read_plain_text(SourceText("doc.md", text))
    outcome = renumber(text, document.citations, document.entries)
    return outcome.text, outcome.mapping, outcome.problem


@pytest.mark.parametrize(("text", "problem"), [
    pytest.param("Claims.1\n\nReferences\n\nSmith J. A synthetic title. J Test. 2019;1:1-2.\n",
                 "numbered reference list", id="unnumbered-list"),
    pytest.param("Claims [3].\n\nReferences\n\n1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
                 "2. Jones K. A synthetic title two. J Test. 2020;2:3-4.\n",
                 "has no entry", id="citation-of-a-missing-entry-is-refused"),
    pytest.param("Claims [30].\n\nReferences\n\n1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
                 "2. Jones K. A synthetic title two. J Test. 2020;2:3-4.\n",
                 "", id="far-out-of-range-marker-is-not-a-citation"),
])
def test_refusals_are_results_not_exceptions(text: str, problem: str) -> None:
    new, _, said = _renumber(text)
    assert (problem in said) if problem else said == ""
    if problem:
        assert new == text


def test_case_first_citations_2_1_3_become_1_2_3() -> None:
    new, mapping, problem = _renumber((CASE / "input.md").read_text(encoding="utf-8"))
    assert problem == ""
    assert mapping == {2: 1, 1: 2, 3: 3}
    assert new == (CASE / "expected.md").read_text(encoding="utf-8")


def test_renumbered_copy_has_no_citation_order_finding(tmp_path: Path) -> None:
    source = tmp_path / "input.md"
    source.write_text((CASE / "input.md").read_text(encoding="utf-8"), encoding="utf-8")
    before = CliRunner().invoke(main, ["audit", "--no-verify", "--format", "json", str(source)])
    assert '"C002"' in before.stdout  # the input really is out of order
    out = tmp_path / "renumbered.md"
    result = CliRunner().invoke(main, ["fix", "--renumber", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert source.read_text(encoding="utf-8") == (CASE / "input.md").read_text(encoding="utf-8")  # untouched
    after = CliRunner().invoke(main, ["audit", "--no-verify", "--format", "json", str(out)])
    assert '"C002"' not in after.stdout and '"citation-order"' not in after.stdout


def test_in_place_renumbering_keeps_a_backup(tmp_path: Path) -> None:
    source = tmp_path / "input.md"
    original = (CASE / "input.md").read_text(encoding="utf-8")
    source.write_text(original, encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", "--renumber", "--in-place", str(source)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "input.md.bak").read_text(encoding="utf-8") == original
    assert source.read_text(encoding="utf-8") == (CASE / "expected.md").read_text(encoding="utf-8")
