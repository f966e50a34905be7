"""The LaTeX reader: every citation command, every trap, includes, bibliographies and `.aux`.

All keys and bibliography entries are synthetic.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.documents.aux import read_aux
from citecheck.documents.latex import mask_latex, read_latex, scan_latex
from citecheck.model import CitationStyle

CASES = Path(__file__).resolve().parents[1] / "cases"


def keys_of(source: str) -> list[tuple[str, ...]]:
    """Targets of every citation in a one-file document."""
    document = read_latex(Path("main.tex"), source)
    assert all(citation.style is CitationStyle.KEY for citation in document.citations)
    return [citation.targets for citation in document.citations]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(r"\cite{a}", [("a",)], id="cite"),
        pytest.param(r"\cite{a,b}", [("a", "b")], id="cite-two-keys"),
        pytest.param(r"\cite{a, b ,  c}", [("a", "b", "c")], id="spaces-after-commas"),
        pytest.param("\\cite{a,\n  b}", [("a", "b")], id="key-list-over-two-lines"),
        pytest.param(r"\cite[p.~4]{a}", [("a",)], id="postnote"),
        pytest.param(r"\cite[see][p. 4]{a,b}", [("a", "b")], id="pre-and-postnote"),
        pytest.param(r"\cite [see] [p.\ 4] {a}", [("a",)], id="spaces-between-arguments"),
        pytest.param(r"\cite[{[}odd{]}]{a}", [("a",)], id="brackets-braced-in-note"),
        pytest.param(r"\citep{a}", [("a",)], id="citep"),
        pytest.param(r"\citet{a}", [("a",)], id="citet"),
        pytest.param(r"\citep*{a}", [("a",)], id="citep-starred"),
        pytest.param(r"\citealp{a}", [("a",)], id="citealp"),
        pytest.param(r"\citealt{a}", [("a",)], id="citealt"),
        pytest.param(r"\citeauthor{a}", [("a",)], id="citeauthor"),
        pytest.param(r"\citeauthor*{a}", [("a",)], id="citeauthor-starred"),
        pytest.param(r"\citeyear{a}", [("a",)], id="citeyear"),
        pytest.param(r"\citeyearpar{a}", [("a",)], id="citeyearpar"),
        pytest.param(r"\parencite{a}", [("a",)], id="parencite"),
        pytest.param(r"\parencite*{a}", [("a",)], id="parencite-starred"),
        pytest.param(r"\textcite{a}", [("a",)], id="textcite"),
        pytest.param(r"\autocite{a}", [("a",)], id="autocite"),
        pytest.param(r"\footcite{a}", [("a",)], id="footcite"),
        pytest.param(r"\fullcite{a}", [("a",)], id="fullcite"),
        pytest.param(r"\supercite{a}", [("a",)], id="supercite"),
        pytest.param(r"\smartcite{a}", [("a",)], id="smartcite"),
        pytest.param(r"\nocite{a}", [("a",)], id="nocite"),
        pytest.param(r"\Cite{a}", [("a",)], id="Cite"),
        pytest.param(r"\Citep{a}", [("a",)], id="Citep"),
        pytest.param(r"\Citet{a}", [("a",)], id="Citet"),
        pytest.param(r"\Textcite{a}", [("a",)], id="Textcite"),
        pytest.param(r"\Parencite{a}", [("a",)], id="Parencite"),
        pytest.param(r"\Autocite{a}", [("a",)], id="Autocite"),
        pytest.param(r"\cites{a}{b}", [("a", "b")], id="cites"),
        pytest.param(
            r"\cites(pre)(post)[a1][a2]{a}[b1]{b}{c,d}", [("a", "b", "c", "d")], id="cites-notes"
        ),
        pytest.param(r"\parencites[3]{a}[4]{b}", [("a", "b")], id="parencites"),
        pytest.param(r"\textcites{a} {b}", [("a", "b")], id="textcites-space-between"),
        pytest.param(r"\autocites(see)()[12]{a}{b}", [("a", "b")], id="autocites"),
        pytest.param(r"\footcites{a}{b}", [("a", "b")], id="footcites"),
        pytest.param(r"\cite{a}\cite{b}", [("a",), ("b",)], id="two-in-a-row"),
        pytest.param(r"\cite{key:with-odd_chars.2019}", [("key:with-odd_chars.2019",)], id="odd-key"),
    ],
)
def test_citation_commands(source: str, expected: list[tuple[str, ...]]) -> None:
    assert keys_of(f"Text {source} more.\n") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("% \\cite{no}\n\\cite{yes}", [("yes",)], id="comment-line"),
        pytest.param("text % \\cite{no}\n", [], id="comment-after-text"),
        pytest.param("100\\% \\cite{yes}", [("yes",)], id="escaped-percent"),
        pytest.param("\\\\% \\cite{no}", [], id="escaped-backslash-then-comment"),
        pytest.param("\\iffalse \\cite{no} \\fi \\cite{yes}", [("yes",)], id="iffalse"),
        pytest.param("\\iffalse \\cite{no} \\else \\cite{yes} \\fi", [("yes",)], id="iffalse-else"),
        pytest.param(
            "\\iffalse \\ifx\\a\\b \\cite{no} \\fi \\cite{no} \\fi \\cite{yes}",
            [("yes",)],
            id="iffalse-nested-if",
        ),
        pytest.param(
            "\\iffalse \\ifthenelse{x}{y}{z} \\cite{no} \\fi \\cite{yes}",
            [("yes",)],
            id="iffalse-with-ifthenelse",
        ),
        pytest.param("\\iffalse % \\fi\n \\cite{no} \\fi \\cite{yes}", [("yes",)], id="iffalse-commented-fi"),
        pytest.param("\\begin{verbatim}\n\\cite{no}\n\\end{verbatim}\\cite{yes}", [("yes",)], id="verbatim"),
        pytest.param("\\begin{verbatim*}\\cite{no}\\end{verbatim*}", [], id="verbatim-starred"),
        pytest.param("\\begin{Verbatim}\\cite{no}\\end{Verbatim}", [], id="fancyvrb"),
        pytest.param("\\begin{lstlisting}\\cite{no}\\end{lstlisting}", [], id="lstlisting"),
        pytest.param("\\begin{minted}{tex}\\cite{no}\\end{minted}", [], id="minted"),
        pytest.param("\\begin{comment}\\cite{no}\\end{comment}", [], id="comment-environment"),
        pytest.param(
            "\\begin{filecontents}{x.bib}\\cite{no}\\end{filecontents}", [], id="filecontents"
        ),
        pytest.param("\\begin{verbatim} % \\end{verbatim} \\cite{yes}", [("yes",)], id="percent-in-verbatim"),
        pytest.param("\\verb|\\cite{no}| \\cite{yes}", [("yes",)], id="verb-bars"),
        pytest.param("\\verb+\\cite{no}+", [], id="verb-plus"),
        pytest.param("\\verb*|\\cite{no}|", [], id="verb-starred"),
        pytest.param("\\lstinline{\\cite{no}}", [], id="lstinline"),
        pytest.param("\\newcommand{\\mc}[1]{\\cite{#1}}", [], id="macro-parameter-key"),
        pytest.param("\\let\\oldcite\\cite \\cite{yes}", [("yes",)], id="cite-without-argument"),
        pytest.param("\\citation{no} \\cited{no}", [], id="not-a-cite-command"),
        pytest.param("\\cite{}", [], id="empty-key-list"),
        pytest.param("\\cite{a,,b,}", [("a", "b")], id="empty-keys-dropped"),
    ],
)
def test_traps(source: str, expected: list[tuple[str, ...]]) -> None:
    assert keys_of(source + "\n") == expected


@pytest.mark.parametrize(
    ("source", "cite_all", "expected"),
    [
        pytest.param(r"\nocite{*}", True, [], id="nocite-star"),
        pytest.param(r"\nocite{*,a}", True, [("a",)], id="nocite-star-and-key"),
        pytest.param(r"\nocite{a}", False, [("a",)], id="nocite-key"),
        pytest.param(r"\cite{*}", False, [("*",)], id="star-only-special-in-nocite"),
        pytest.param(r"% \nocite{*}", False, [], id="nocite-commented"),
    ],
)
def test_nocite(source: str, cite_all: bool, expected: list[tuple[str, ...]]) -> None:
    document = read_latex(Path("main.tex"), source)
    assert document.cite_all is cite_all
    assert [citation.targets for citation in document.citations] == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(r"\bibliography{refs}", ["refs.bib"], id="bibliography"),
        pytest.param(r"\bibliography{refs.bib}", ["refs.bib"], id="bibliography-with-extension"),
        pytest.param(r"\bibliography{a, b}", ["a.bib", "b.bib"], id="bibliography-two"),
        pytest.param(r"\bibliography{bib/refs}", ["bib/refs.bib"], id="bibliography-subdirectory"),
        pytest.param(r"\bibliography{../shared/refs}", ["../shared/refs.bib"], id="bibliography-parent"),
        pytest.param(r"\addbibresource{x.bib}", ["x.bib"], id="addbibresource"),
        pytest.param(r"\addbibresource[label=l]{x.bib}", ["x.bib"], id="addbibresource-options"),
        pytest.param(r"\addbibresource{refs.json}", ["refs.json"], id="addbibresource-no-bib-added"),
        pytest.param(r"\addglobalbib{g.bib}", ["g.bib"], id="addglobalbib"),
        pytest.param("\\addbibresource{a.bib}\n\\addbibresource{a.bib}", ["a.bib"], id="duplicate-once"),
        pytest.param(r"% \bibliography{old}", [], id="commented"),
    ],
)
def test_bibliography_files(source: str, expected: list[str]) -> None:
    document = read_latex(Path("paper/main.tex"), source)
    assert list(document.bibliography_files) == [os.path.normpath("paper/" + name) for name in expected]


def test_spans_point_at_the_command_and_keep_its_text() -> None:
    source = "First line.\nSee \\citep[p.~4]{a,b} here.\n"
    (citation,) = read_latex(Path("doc/main.tex"), source).citations
    assert (citation.span.path, citation.span.line, citation.span.column) == ("doc/main.tex", 2, 5)
    assert citation.text == r"\citep[p.~4]{a,b}"
    assert source[citation.span.start : citation.span.end] == citation.text


def test_mask_keeps_offsets_and_newlines() -> None:
    source = "a % c\n\\verb|x|\n\\iffalse\nz\n\\fi b"
    masked = mask_latex(source)
    assert len(masked) == len(source)
    assert masked.count("\n") == source.count("\n")
    assert masked.split() == ["a", "b"]


def write(root: Path, files: dict[str, str]) -> None:
    """Create a small tree of files under `root`."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "expected", "problems"),
    [
        pytest.param(
            {"main.tex": "\\input{ch}\n", "ch.tex": "x\n\\cite{a}\n"},
            [("ch.tex", 2, ("a",))],
            [],
            id="input-tex-optional",
        ),
        pytest.param(
            {"main.tex": "\\input{ch.tex}", "ch.tex": "\\cite{a}"},
            [("ch.tex", 1, ("a",))],
            [],
            id="input-with-extension",
        ),
        pytest.param(
            {"main.tex": "\\input ch\n\\cite{b}", "ch.tex": "\\cite{a}"},
            [("ch.tex", 1, ("a",)), ("main.tex", 2, ("b",))],
            [],
            id="input-without-braces",
        ),
        pytest.param(
            {"main.tex": "\\cite{m}\\include{c/one}\\cite{n}", "c/one.tex": "\\cite{a}"},
            [("main.tex", 1, ("m",)), ("c/one.tex", 1, ("a",)), ("main.tex", 1, ("n",))],
            [],
            id="include-in-document-order",
        ),
        pytest.param(
            {"main.tex": "\\subfile{s/part}", "s/part.tex": "\n\n\\cite{a}"},
            [("s/part.tex", 3, ("a",))],
            [],
            id="subfile",
        ),
        pytest.param(
            {"main.tex": "\\import{d/}{f}", "d/f.tex": "\\input{g}", "d/g.tex": "\\cite{a}"},
            [("d/g.tex", 1, ("a",))],
            [],
            id="import-then-relative-input",
        ),
        pytest.param(
            {"main.tex": "\\import{d/}{f}", "d/f.tex": "\\subimport{e/}{g}", "d/e/g.tex": "\\cite{a}"},
            [("d/e/g.tex", 1, ("a",))],
            [],
            id="subimport",
        ),
        pytest.param(
            {"main.tex": "\\input{a}", "a.tex": "\\input{b}\\cite{x}", "b.tex": "\\input{a}"},
            [("a.tex", 1, ("x",))],
            ["b.tex:1: \\input{a}: includes itself"],
            id="cycle-stopped",
        ),
        pytest.param(
            {"main.tex": "\\input{a}\\input{a}", "a.tex": "\\cite{x}"},
            [("a.tex", 1, ("x",)), ("a.tex", 1, ("x",))],
            [],
            id="same-file-twice-is-no-cycle",
        ),
        pytest.param(
            {"main.tex": "\\input{nothere}\n\\cite{x}"},
            [("main.tex", 2, ("x",))],
            ["main.tex:1: \\input{nothere}: file not found"],
            id="missing-file",
        ),
        pytest.param(
            {"main.tex": "\\input{../up}", "../up.tex": "\\cite{x}"},
            [],
            ["main.tex:1: \\input{../up}: outside the document's directory"],
            id="dotdot-refused",
        ),
        pytest.param(
            {"main.tex": "\\input{d/../../up}", "../up.tex": "\\cite{x}"},
            [],
            ["outside the document's directory"],
            id="dotdot-inside-path-refused",
        ),
        pytest.param(
            {"main.tex": "\\input{d/../ok}", "ok.tex": "\\cite{x}"},
            [("ok.tex", 1, ("x",))],
            [],
            id="dotdot-staying-inside-allowed",
        ),
        pytest.param(
            {"main.tex": "\\input{/etc/hostname}"},
            [],
            ["main.tex:1: \\input{/etc/hostname}: absolute paths are not followed"],
            id="absolute-refused",
        ),
        pytest.param(
            {"main.tex": "\\import{/tmp/}{x}"},
            [],
            ["absolute paths are not followed"],
            id="absolute-import-refused",
        ),
        pytest.param(
            {"main.tex": "% \\input{nothere}\n\\begin{verbatim}\\input{no}\\end{verbatim}"},
            [],
            [],
            id="commented-input-ignored",
        ),
        pytest.param(
            {"main.tex": "\\input{bin}", "bin.tex": "\x00\x01binary"},
            [],
            ["main.tex:1: \\input{bin}: bin.tex: is a binary file"],
            id="binary-include-is-a-problem",
        ),
    ],
)
def test_includes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    expected: list[tuple[str, int, tuple[str, ...]]],
    problems: list[str],
) -> None:
    project = tmp_path / "project"
    write(project, files)
    monkeypatch.chdir(project)
    document = read_latex(Path("main.tex"), files["main.tex"])
    found = [(c.span.path, c.span.line, c.targets) for c in document.citations]
    assert found == expected
    assert len(document.problems) == len(problems)
    for problem, wanted in zip(document.problems, problems):
        assert wanted in problem


def test_root_widens_where_includes_may_come_from(tmp_path: Path) -> None:
    write(tmp_path, {"book/main.tex": "\\input{../common/x}", "common/x.tex": "\\cite{a}"})
    main = tmp_path / "book" / "main.tex"
    narrow = read_latex(main, main.read_text())
    wide = read_latex(main, main.read_text(), root=tmp_path)
    assert narrow.citations == () and len(narrow.problems) == 1
    assert [c.span.path for c in wide.citations] == [str(tmp_path / "common" / "x.tex")]
    assert wide.problems == ()


def test_scan_lists_every_file_read(tmp_path: Path) -> None:
    write(tmp_path, {"main.tex": "\\input{a}\\input{b}", "a.tex": "", "b.tex": "\\input{a}"})
    scan = scan_latex(tmp_path / "main.tex", "\\input{a}\\input{b}")
    assert [path.name for path in scan.files] == ["main.tex", "a.tex", "b.tex", "a.tex"]


def latex_cases() -> list[Path]:
    """The hand-checked LaTeX case directories."""
    return sorted(CASES.glob("latex-*/expected.json"))


@pytest.mark.parametrize("expected_file", latex_cases(), ids=lambda path: path.parent.name)
def test_cases(expected_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    monkeypatch.chdir(expected_file.parent)
    main = Path(expected["document"])
    document = read_latex(main, main.read_text(encoding="utf-8"))
    found = [
        {"path": c.span.path, "line": c.span.line, "keys": list(c.targets)}
        for c in document.citations
    ]
    assert found == expected["citations"]
    assert list(document.bibliography_files) == expected["bibliography_files"]
    assert document.cite_all is expected["cite_all"]
    assert len(document.problems) == len(expected["problems"])
    for problem, wanted in zip(document.problems, expected["problems"]):
        assert wanted in problem


AUX = r"""\relax
\citation{a,b}
\bibstyle{plain}
\citation{b}
\citation{*}
\@input{ch1.aux}
\bibdata{refs,more.bib}
\bibcite{a}{1}
"""


@pytest.mark.parametrize(
    ("files", "read", "citations", "databases", "cite_all"),
    [
        pytest.param(
            {"main.aux": AUX, "ch1.aux": "\\citation{c}\n"},
            "main.aux",
            ("a", "b", "c"),
            ("refs.bib", "more.bib"),
            True,
            id="bibtex-aux-with-chapter",
        ),
        pytest.param(
            {"main.aux": "\\abx@aux@cite{0}{k1}\n\\abx@aux@cite{k2}\n"},
            "main.aux",
            ("k1", "k2"),
            (),
            False,
            id="biblatex-aux",
        ),
        pytest.param(
            {
                "main.tex": "",
                "main.aux": "\\citation{ignored}",
                "main.bcf": '<?xml version="1.0"?>\n<bcf:controlfile xmlns:bcf="https://sourceforge.net/projects/biblatex">'
                '<bcf:bibdata section="0"><bcf:datasource type="file" datatype="bibtex">refs.bib'
                '</bcf:datasource></bcf:bibdata><bcf:section number="0">'
                '<bcf:citekey order="1">k1</bcf:citekey><bcf:citekey order="2">*</bcf:citekey>'
                "</bcf:section></bcf:controlfile>",
            },
            "main.tex",
            ("k1",),
            ("refs.bib",),
            True,
            id="bcf-preferred-for-tex",
        ),
    ],
)
def test_read_aux(
    tmp_path: Path,
    files: dict[str, str],
    read: str,
    citations: tuple[str, ...],
    databases: tuple[str, ...],
    cite_all: bool,
) -> None:
    write(tmp_path, files)
    # Make the records newer than the source, as after a LaTeX run.
    for name in files:
        if not name.endswith(".tex"):
            os.utime(tmp_path / name, (2_000_000_000, 2_000_000_000))
    info = read_aux(tmp_path / read)
    assert info is not None
    assert info.citations == citations
    assert info.bibliography_files == tuple(str(tmp_path / name) for name in databases)
    assert info.cite_all is cite_all


@pytest.mark.parametrize(
    ("aux_time", "expected_fresh"),
    [
        pytest.param(2_000_000_000, True, id="newer-than-sources"),
        pytest.param(1_000_000_000, False, id="older-than-a-source"),
    ],
)
def test_read_aux_refuses_stale_records(tmp_path: Path, aux_time: int, expected_fresh: bool) -> None:
    write(tmp_path, {"main.tex": "", "ch.tex": "", "main.aux": "\\citation{a}"})
    os.utime(tmp_path / "main.tex", (1_500_000_000, 1_500_000_000))
    os.utime(tmp_path / "ch.tex", (1_500_000_000, 1_500_000_000))
    os.utime(tmp_path / "main.aux", (aux_time, aux_time))
    info = read_aux(tmp_path / "main.tex", newer_than=[tmp_path / "ch.tex"])
    assert (info is not None) is expected_fresh


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({}, id="absent"),
        pytest.param({"main.bcf": "<not xml"}, id="broken-bcf-is-a-problem"),
    ],
)
def test_read_aux_without_usable_record(tmp_path: Path, files: dict[str, str]) -> None:
    write(tmp_path, files)
    info = read_aux(tmp_path / "main.bcf")
    if files:
        assert info is not None and info.citations == () and len(info.problems) == 1
    else:
        assert info is None


LATEX_ATOMS = ["\\cite", "{", "}", "[", "]", "(", ")", "%", "\\", "\\verb", "|", "\\iffalse",
               "\\fi", "\\else", "a", ",", " ", "\n", "\\begin{verbatim}", "\\end{verbatim}",
               "\\cites", "\\nocite{*}", "\\input", "\\bibliography", "#", "\\import"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LATEX_ATOMS), max_size=40).map("".join))
def test_any_text_reads_without_error_and_spans_hold_the_marker(source: str) -> None:
    document = read_latex(Path("/nonexistent-dir/main.tex"), source)
    for citation in document.citations:
        assert source[citation.span.start : citation.span.end] == citation.text
        assert citation.targets and all(citation.targets)
