"""read_csl_json: CSL-JSON bibliographies, including the malformed ones users have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citecheck.references.csljson import read_csl_json

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REVIEW_FILE = FIXTURES / "bib_review_items.json"  # typed from the review's reference list


def test_read_review_items() -> None:
    bib = read_csl_json(REVIEW_FILE)
    assert bib.problems == ()
    assert [(r.id, r.key) for r in bib.references] == [(f"ref{i}", f"ref{i}") for i in range(1, 5)]
    first = bib.references[0]
    assert first.csl["author"] == [{"literal": "American Cancer Society"}]
    assert first.span is not None and (first.span.line, first.span.column) == (2, 3)
    assert json.loads(first.raw)["title"] == "A Breast Cancer Journey: Your Personal Guidebook"


@pytest.mark.parametrize(
    ("text", "ids", "problems"),
    [
        pytest.param('[{"id": "a", "title": "A synthetic title"}]', ["a"], [], id="plain"),
        pytest.param('{"id": "a"}', ["a"], [], id="single-object"),
        pytest.param('{"items": [{"id": "a"}, {"id": "b"}]}', ["a", "b"], [], id="items-wrapper"),
        pytest.param('[{"id": 7}]', ["7"], [], id="numeric-id"),
        pytest.param("", [], [], id="empty-file"),
        pytest.param('[{"id": "a",}', [], [("failed-block", "", 1)], id="malformed-json"),
        pytest.param('"just a string"', [], [("failed-block", "", 1)], id="not-an-array"),
        pytest.param('[{"id": "a"},\n 5]', ["a"], [("failed-block", "", 1)], id="non-object-item"),
        pytest.param('[{"id": "a"},\n {"id": "a"}]', ["a"], [("duplicate-key", "a", 2)], id="duplicate-id"),
        pytest.param('[{"id": "a"},\n {"id": "A"}]', ["a", "A"], [("case-conflict", "A", 2)],
                     id="case-conflict"),
        pytest.param('[{"title": "A synthetic title", "author": [{"family": "Smith"}]}]',
                     ["smithsynthetic"], [("failed-block", "smithsynthetic", 0)], id="missing-id"),
    ],
)
def test_read_cases(text: str, ids: list[str], problems: list[tuple[str, str, int]]) -> None:
    bib = read_csl_json(Path("x.json"), text)
    assert [r.id for r in bib.references] == ids
    assert [(p.kind, p.key, p.span.line if p.span else 0) for p in bib.problems] == problems


def test_malformed_json_points_at_the_error() -> None:
    bib = read_csl_json(Path("x.json"), '[\n  {"id": "a"\n  "title": "x"}\n]')
    (problem,) = bib.problems
    assert (problem.span.line, problem.span.column) == (3, 3)
    assert "JSON" in problem.message


def test_trailing_others_becomes_et_al() -> None:
    text = '[{"id": "a", "author": [{"family": "Smith"}, {"literal": "others"}]}]'
    bib = read_csl_json(Path("x.json"), text)
    assert bib.references[0].csl["author"] == [{"family": "Smith"}]
    assert bib.et_al == frozenset({"a"})


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    bib = read_csl_json(tmp_path / "nope.json")
    assert [p.kind for p in bib.problems] == ["unreadable"]
