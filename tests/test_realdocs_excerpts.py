"""Excerpts of two real articles (tests/fixtures/realdocs, CC BY; see its README): the audit
links every citation as the publisher's own markup does, and reports exactly the entries the
excerpt leaves uncited. Runs without ../shared; `python -m benchmarks realdocs` measures the
same on the whole corpus.
"""

from __future__ import annotations

import json

import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "realdocs"


@pytest.fixture(scope="module", params=["elife04490", "journal.pcbi.1000204"])
def excerpt(request: pytest.FixtureRequest) -> tuple[dict, object]:
    expected = json.loads((FIXTURES / f"{request.param}.expected.json").read_text(encoding="utf-8"))
    report = audit([FIXTURES / f"{request.param}.txt"], AuditOptions(verify=False, use_cache=False))
    return expected, report


def _links(report: object) -> set[tuple[int, int, int]]:
    """(line, column, entry line) of every link, the column that of the gold citation it falls in."""
    document = report.documents[0]  # type: ignore[attr-defined]
    entry_line = {r.id: r.span.line for r in document.references}
    return {(c.span.line, c.span.column - 1, entry_line.get(t, -1)) for c in document.citations for t in c.targets}


def test_every_citation_links_as_the_publisher_marks_it(excerpt: tuple[dict, object]) -> None:
    expected, report = excerpt
    found = _links(report)
    gold = {(c["line"], c["col"], ref) for c in expected["citations"] for ref in c["refs"]}
    # A reader may split a gold citation (`[1], [5]` is one in the gold): compare by where each
    # link falls, within the gold citation's span.
    spans = {(c["line"], c["col"]): c["col"] + len(c["text"]) for c in expected["citations"]}

    def owner(line: int, column: int) -> tuple[int, int] | None:
        return next(((l, s) for (l, s), e in spans.items() if l == line and s <= column < e), None)

    placed = {(*owner(line, column), entry) for line, column, entry in found if owner(line, column)}  # type: ignore[misc]
    assert placed == gold
    assert len(placed) == len(found)  # no link outside a gold citation


def test_exactly_the_uncited_entries_and_no_missing_entry(excerpt: tuple[dict, object]) -> None:
    expected, report = excerpt
    findings = report.findings  # type: ignore[attr-defined]
    assert sorted(f.span.line for f in findings if f.code == "R001") == sorted(expected["uncited"])
    assert [f for f in findings if f.code in ("C001", "C007")] == []


def test_every_entry_is_read(excerpt: tuple[dict, object]) -> None:
    expected, report = excerpt
    text = (FIXTURES / f"{expected['article']}.txt").read_text(encoding="utf-8").split("\n")
    listed = [i + 1 for i, line in enumerate(text) if i > text.index("References") and line.strip()]
    assert [r.span.line for r in report.documents[0].references] == listed  # type: ignore[attr-defined]
