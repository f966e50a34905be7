"""Problems of bibliography files and of included files become findings at the right place."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.checks.bibliography import bibliography_findings, reader_findings
from citecheck.references.bibtex import read_bibtex

# Synthetic entries, made up for tests.
BIB = """@article{a2019, title = {A synthetic title}, year = 2019}
@article{a2019, title = {Another synthetic title}, year = 2019}
@article{A2019x, title = {A synthetic title}, year = 2019}
@article{a2019x, title = {A synthetic title}, year = 2019, year = 2020}
@inproceedings{child, title = {A synthetic paper}, crossref = {nowhere}}
@article{broken, title = {Unclosed, year = 2019
}
@article{macro, journal = undefinedmacro, year = 2019}
"""


@pytest.mark.parametrize(
    ("code", "line", "reference"),
    [
        pytest.param("R006", 2, "a2019", id="duplicate-key"),
        pytest.param("R007", 4, "a2019x", id="case-conflict"),
        pytest.param("R011", 4, "a2019x", id="duplicate-field"),
        pytest.param("R010", 5, "child", id="unknown-crossref"),
        pytest.param("R008", 6, "broken", id="syntax-error"),
        pytest.param("R012", 8, "macro", id="undefined-string-macro"),
    ],
)
def test_bibliography_problems(code: str, line: int, reference: str) -> None:
    bibliography = read_bibtex(Path("refs.bib"), BIB)
    findings = list(bibliography_findings(bibliography.problems, "refs.bib"))
    assert any(f.code == code and f.span and f.span.line == line and f.span.path == "refs.bib"
               and f.reference == reference for f in findings), [(f.code, f.span, f.reference) for f in findings]


@pytest.mark.parametrize(
    ("problem", "path", "line"),
    [
        pytest.param("chapters/a.tex:12: \\input{b}: file not found", "chapters/a.tex", 12, id="located"),
        pytest.param("something without a place", "main.tex", 1, id="unlocated"),
    ],
)
def test_reader_problems(problem: str, path: str, line: int) -> None:
    (finding,) = reader_findings([problem], "main.tex")
    assert (finding.code, finding.span.path, finding.span.line) == ("R009", path, line)
