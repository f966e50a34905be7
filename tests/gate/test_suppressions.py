"""Suppressions in documents and .bib entries, per-file ignores, and X001 unused-suppression.

Every document here is synthetic ("A synthetic title", "J Test"); audits run with
`verify=False`, so only the offline linking checks produce findings and nothing touches a network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.gate.suppressions import find_suppressions

# Markdown: entry 3 is cited nowhere (R001 on line 9). `{before}` goes on the line above it,
# `{after}` at the end of its line, `{tail}` after the list.
MARKDOWN = (
    "# A synthetic manuscript\n"
    "\n"
    "A claim [1]. Another claim [2].\n"
    "\n"
    "## References\n"
    "\n"
    "1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
    "2. Doe A. Another synthetic title. J Test. 2020;2:3-4.\n"
    "{before}3. Roe B. A third synthetic title. J Test. 2018;3:5-6.{after}\n"
    "{tail}"
)

# LaTeX with a .bib: doe2020 is cited nowhere (R001 in refs.bib).
LATEX = (
    "\\documentclass{article}\n"
    "\\begin{document}\n"
    "A claim \\cite{smith2019}.{line}\n"
    "\\bibliography{refs}\n"
    "\\end{document}\n"
)
BIB = (
    "@article{smith2019,\n  author = {Smith, J.},\n  title = {A synthetic title},\n"
    "  journal = {J Test},\n  year = {2019},\n}\n\n"
    "{comment}@article{doe2020,\n  author = {Doe, A.},\n  title = {Another synthetic title},\n"
    "  journal = {J Test},\n  year = {2020},{field}\n}\n"
)


def _markdown(tmp_path: Path, before: str = "", after: str = "", tail: str = "") -> Path:
    path = tmp_path / "paper.md"
    path.write_text(MARKDOWN.format(before=before, after=after, tail=tail), encoding="utf-8")
    return path


def _latex(tmp_path: Path, line: str = "", comment: str = "", field: str = "") -> Path:
    (tmp_path / "refs.bib").write_text(BIB.replace("{comment}", comment).replace("{field}", field),
                                       encoding="utf-8")
    path = tmp_path / "main.tex"
    path.write_text(LATEX.replace("{line}", line), encoding="utf-8")
    return path


def _found(path: Path, **options: object) -> list[tuple[str, str]]:
    report = audit([path], AuditOptions(verify=False, **options))  # type: ignore[arg-type]
    return [(f.code, f.message) for f in report.findings]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param({}, ["R001"], id="no-suppression"),
        pytest.param({"before": "<!-- citecheck: ignore[R001] -->\n"}, [], id="line-before"),
        pytest.param({"after": " <!-- citecheck: ignore[R001] -->"}, [], id="same-line"),
        pytest.param({"after": " <!-- citecheck: ignore[uncited-reference] -->"}, [], id="by-name"),
        pytest.param({"after": " <!-- citecheck: ignore[R] -->"}, [], id="by-prefix"),
        pytest.param({"after": " <!-- citecheck: ignore -->"}, [], id="no-brackets-every-rule"),
        pytest.param({"after": " <!-- citecheck: ignore[R001, D003] -->"}, [], id="several-codes"),
        pytest.param({"tail": "\n<!-- citecheck: ignore-file[R001] -->\n"}, [], id="file-wide"),
        pytest.param({"before": "<!-- citecheck: ignore[R001] -->\n\n"}, ["R001", "X001"],
                     id="two-lines-above-is-too-far"),
        pytest.param({"after": " <!-- citecheck: ignore[C001] -->"}, ["R001", "X001"], id="other-rule"),
    ],
)
def test_markdown_suppressions(tmp_path: Path, parts: dict[str, str], expected: list[str]) -> None:
    assert sorted(code for code, _ in _found(_markdown(tmp_path, **parts))) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param({}, ["R001"], id="no-suppression"),
        pytest.param({"field": "\n  citecheck-ignore = {R001},"}, [], id="bib-field"),
        pytest.param({"field": '\n  citecheck-ignore = "R001, D003",'}, [], id="bib-field-quoted"),
        pytest.param({"comment": "% citecheck: ignore[R001]\n"}, [], id="comment-in-bib"),
        pytest.param({"line": "\n% citecheck: ignore-file[R001]"}, [], id="file-wide-in-document-covers-bib"),
        pytest.param({"line": " % citecheck: ignore[R001]"}, ["R001", "X001"], id="line-comment-elsewhere"),
        pytest.param({"field": "\n  citecheck-ignore = {C001},"}, ["R001", "X001"], id="bib-field-other-rule"),
        pytest.param({"field": "\n  citecheck-ignore = {M002},"}, ["R001"], id="unverified-rule-not-unused"),
    ],
)
def test_latex_and_bib_suppressions(tmp_path: Path, parts: dict[str, str], expected: list[str]) -> None:
    assert sorted(code for code, _ in _found(_latex(tmp_path, **parts))) == expected


@pytest.mark.parametrize(
    ("parts", "options", "expected"),
    [
        pytest.param({"after": " <!-- citecheck: ignore[R001] -->"}, {"ignore": ("R001",)}, [],
                     id="unselected-rule-is-not-unused"),
        pytest.param({"after": " <!-- citecheck: ignore[C001] -->"}, {"ignore": ("X001",)}, ["R001"],
                     id="x001-obeys-ignore"),
        pytest.param({"after": " <!-- citecheck: ignore[C001] -->", "tail": "<!-- citecheck: ignore-file[X001] -->\n"},
                     {}, ["R001"], id="x001-suppressed-file-wide"),
        pytest.param({}, {"per_file_ignores": (("*.md", ("R001",)),)}, [], id="per-file-ignores-name"),
        pytest.param({}, {"per_file_ignores": (("*.tex", ("R001",)),)}, ["R001"], id="per-file-ignores-other-file"),
        pytest.param({}, {"per_file_ignores": (("paper.md", ("M",)),)}, ["R001"], id="per-file-ignores-other-rule"),
    ],
)
def test_selection_and_per_file_ignores(tmp_path: Path, parts: dict[str, str], options: dict[str, object],
                                        expected: list[str]) -> None:
    assert sorted(code for code, _ in _found(_markdown(tmp_path, **parts), **options)) == expected


def test_per_file_ignores_relative_to_config_dir(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    path = _markdown(tmp_path / "drafts")
    options = {"per_file_ignores": (("drafts/*.md", ("R001",)),), "config_dir": tmp_path}
    assert _found(path, **options) == []
    assert [c for c, _ in _found(path, per_file_ignores=(("final/*.md", ("R001",)),), config_dir=tmp_path)] == ["R001"]


@pytest.mark.parametrize(
    ("after", "message"),
    [
        pytest.param(" <!-- citecheck: ignore[C001] -->", "citecheck: ignore[C001] suppresses nothing",
                     id="nothing"),
        pytest.param(" <!-- citecheck: ignore[R001,C001] -->", "citecheck: ignore[R001,C001] suppresses nothing for C001",
                     id="partly-used"),
        pytest.param(" <!-- citecheck: ignore[R999] -->", "citecheck: ignore[R999] names no rule: R999",
                     id="unknown-code"),
    ],
)
def test_unused_suppression_messages(tmp_path: Path, after: str, message: str) -> None:
    report = audit([_markdown(tmp_path, after=after)], AuditOptions(verify=False))
    unused = [f for f in report.findings if f.code == "X001"]
    assert [f.message for f in unused] == [message]
    assert unused[0].span is not None and unused[0].span.line == 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("x <!-- citecheck: ignore[R001,D003] -->", [(1, 3, ("R001", "D003"), False)], id="html"),
        pytest.param("a\n% citecheck: ignore-file[M]", [(2, 1, ("M",), True)], id="latex-file-wide"),
        pytest.param("100\\% citecheck: ignore[R001]", [], id="escaped-percent-is-text"),
        pytest.param("citecheck: ignore[R001]", [], id="not-in-a-comment"),
        pytest.param("%citecheck:ignore", [(1, 1, (), False)], id="no-brackets-no-spaces"),
    ],
)
def test_find_suppressions(text: str, expected: list[tuple[int, int, tuple[str, ...], bool]]) -> None:
    found = find_suppressions("doc.tex", text)
    assert [(s.span.line, s.span.column, s.selectors, s.file_wide) for s in found] == expected
