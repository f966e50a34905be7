"""The Pandoc/Quarto/R Markdown reader: citation forms, keys, traps and the YAML front matter.

All keys and bibliography entries are synthetic.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.documents.base import SourceText
from citecheck.documents.pandoc import mask_markdown, read_pandoc
from citecheck.model import CitationStyle

CASES = Path(__file__).resolve().parents[1] / "cases"


def read(text: str, base_dir: str = ".") -> tuple[list[tuple[str, ...]], list[str]]:
    """Targets and texts of every citation in `text`."""
    document = read_pandoc(SourceText("doc.md", text), Path(base_dir))
    assert all(citation.style is CitationStyle.KEY for citation in document.citations)
    return [c.targets for c in document.citations], [c.text for c in document.citations]


@pytest.mark.parametrize(
    ("source", "targets", "texts"),
    [
        pytest.param("See [@a].", [("a",)], ["[@a]"], id="bracketed"),
        pytest.param("[@a; @b, p. 3]", [("a", "b")], ["[@a; @b, p. 3]"], id="two-with-locator"),
        pytest.param("[-@a]", [("a",)], ["[-@a]"], id="suppress-author"),
        pytest.param("[see @a, chap. 2]", [("a",)], ["[see @a, chap. 2]"], id="prefix-and-locator"),
        pytest.param("[see @a;\n@b]", [("a", "b")], ["[see @a;\n@b]"], id="over-two-lines"),
        pytest.param("@a says", [("a",)], ["@a"], id="narrative"),
        pytest.param("@a [p. 33] says", [("a",)], ["@a [p. 33]"], id="narrative-locator"),
        pytest.param("(@a)", [("a",)], ["@a"], id="narrative-in-parentheses"),
        pytest.param("@{key.with/odd:chars}", [("key.with/odd:chars",)], None, id="braced"),
        pytest.param("@smith04.", [("smith04",)], None, id="trailing-full-stop"),
        pytest.param("@smith04:", [("smith04",)], None, id="trailing-colon"),
        pytest.param("@smith04,", [("smith04",)], None, id="trailing-comma"),
        pytest.param("@smith04?", [("smith04",)], None, id="trailing-question-mark"),
        pytest.param("@doe:2019.x", [("doe:2019.x",)], None, id="internal-punctuation"),
        pytest.param("@a--b", [("a",)], None, id="double-punctuation-ends-key"),
        pytest.param("@_under", [("_under",)], None, id="underscore-start"),
        pytest.param("@2019report", [("2019report",)], None, id="digit-start"),
        pytest.param("@Müller2020", [("Müller2020",)], None, id="unicode-letters"),
        pytest.param("@https://doi.org/x", [("https://doi.org/x",)], None, id="url-like-key"),
        pytest.param("[@a] and @b", [("a",), ("b",)], None, id="document-order"),
        pytest.param("[@a][@b]", [("a",), ("b",)], None, id="adjacent-brackets"),
        # Issue 11, following pandoc (checked with pandoc 2.17 --citeproc): an image's text is
        # the figure's caption, and Pandoc reads citations there as anywhere else.
        pytest.param("![@x](img.png)", [("x",)], ["@x"], id="image-text"),
        pytest.param("![A map, from @b.](map.png){#fig:map}", [("b",)], ["@b"], id="figure-caption-narrative"),
        pytest.param("![Figure: see [@y]](img.png)", [("y",)], ["[@y]"], id="figure-caption-bracketed"),
    ],
)
def test_citation_forms(source: str, targets: list[tuple[str, ...]], texts: list[str] | None) -> None:
    found_targets, found_texts = read(source + "\n")
    assert found_targets == targets
    if texts is not None:
        assert found_texts == texts


@pytest.mark.parametrize(
    ("source", "targets"),
    [
        pytest.param("Mail jane@example.org today.", [], id="email"),
        pytest.param("Mail <jane@example.org>.", [], id="email-autolink"),
        pytest.param("Use `@x` here.", [], id="code-span"),
        pytest.param("Use ``a ` @x`` here.", [], id="double-backtick-code-span"),
        pytest.param("Odd ` tick then @a", [("a",)], id="unmatched-backtick"),
        pytest.param("```\n@x\n```\n@a", [("a",)], id="fenced-backticks"),
        pytest.param("~~~~\n@x\n~~~\n@y\n~~~~\n@a", [("a",)], id="fenced-tildes-longer-closer"),
        pytest.param("```{r}\n#| label: fig-x\nf(@x)\n```", [], id="r-chunk"),
        pytest.param("```\n@x\n", [], id="unclosed-fence-runs-to-end"),
        pytest.param("Para.\n\n    @x code\n\n@a", [("a",)], id="indented-code"),
        pytest.param("\t@x code", [], id="tab-indented-code"),
        pytest.param("- item\n\n    @a in list", [("a",)], id="indented-list-continuation"),
        pytest.param("Para\n    @a continued", [("a",)], id="indented-lazy-continuation"),
        pytest.param("<!-- @x -->\n@a", [("a",)], id="html-comment"),
        pytest.param("<!--\n@x\n\n@y\n-->", [], id="html-comment-multiline"),
        pytest.param("https://example.org/@x", [], id="bare-url"),
        pytest.param("<https://example.org/@x>", [], id="autolink"),
        pytest.param("[text](https://example.org/@x)", [], id="link-destination"),
        pytest.param("[@handle](https://social.example/@handle)", [], id="link-text-handle"),
        pytest.param("[@x]{.smallcaps}", [], id="bracketed-span"),
        pytest.param("\\@x", [], id="escaped-at"),
        pytest.param("@fig:one and @sec:two and @tbl:t and @eq:e", [], id="pandoc-crossref"),
        pytest.param("@fig-one @tbl-x @sec-intro @eq-model @lst-code @thm-a", [], id="quarto-crossref"),
        pytest.param("@Fig:one and @Sec-two", [], id="capitalised-crossref"),
        pytest.param("[@fig:a; @fig:b]", [], id="crossref-group"),
        pytest.param("[@fig:a; @a]", [("a",)], id="crossref-mixed-with-citation"),
        pytest.param("[no key here; @a]", [("a",)], id="bracket-part-without-key-falls-back"),
        pytest.param("[just text]", [], id="brackets-without-keys"),
        pytest.param("@*", [], id="star-outside-nocite"),
        pytest.param("a @ b", [], id="lone-at"),
        pytest.param("@@x", [], id="double-at"),
        # Raw LaTeX is passed to LaTeX as written; pandoc 2.17 --citeproc cites nothing in it.
        pytest.param("\\begin{figure}\n\\caption{Data [@c]}\n\\end{figure}\n\n[@a]", [("a",)],
                     id="raw-latex-environment"),
        pytest.param("  \\begin{table*}\n@c and [@d]\n\\end{table*}", [], id="raw-latex-environment-indented"),
        pytest.param("And \\textbf{[@d]} and [@e].", [("e",)], id="raw-latex-command"),
        pytest.param("See \\cite[p.~3]{x} and \\footnote{[@d]} here", [], id="raw-latex-command-options"),
    ],
)
def test_traps(source: str, targets: list[tuple[str, ...]]) -> None:
    assert read(source + "\n")[0] == targets


@pytest.mark.parametrize(
    ("front", "files"),
    [
        pytest.param("bibliography: refs.bib", ["refs.bib"], id="scalar"),
        pytest.param('bibliography: "my refs.bib"', ["my refs.bib"], id="double-quoted"),
        pytest.param("bibliography: 'refs.bib' # the refs", ["refs.bib"], id="single-quoted-comment"),
        pytest.param("bibliography: [a.bib, 'b.json']", ["a.bib", "b.json"], id="flow-list"),
        pytest.param("bibliography:\n  - a.bib\n  - b.yaml", ["a.bib", "b.yaml"], id="block-list"),
        pytest.param("bibliography:\n- a.bib\n- b.bibtex", ["a.bib", "b.bibtex"], id="block-list-unindented"),
        pytest.param("bibliography:\n  - a.biblatex\n\n  - b.bib", ["a.biblatex", "b.bib"], id="blank-line-in-list"),
        pytest.param("bibliography: sub/refs.bib", ["sub/refs.bib"], id="subdirectory"),
        pytest.param("bibliography: /abs/refs.bib", ["/abs/refs.bib"], id="absolute-kept"),
        pytest.param("title: x\nauthor:\n  - A\n  - B\nbibliography: r.bib\nlang: en", ["r.bib"], id="among-other-keys"),
        pytest.param("title: 'bibliography: no.bib'", [], id="key-inside-a-value"),
        pytest.param("  bibliography: nested.bib", [], id="nested-key-ignored"),
        pytest.param("title: x", [], id="none"),
    ],
)
def test_bibliography_front_matter(front: str, files: list[str]) -> None:
    document = read_pandoc(SourceText("doc.md", f"---\n{front}\n---\nText.\n"), Path("paper"))
    expected = [name if name.startswith("/") else os.path.join("paper", name) for name in files]
    assert list(document.bibliography_files) == expected
    assert document.problems == ()


@pytest.mark.parametrize(
    ("front", "cite_all", "targets"),
    [
        pytest.param("nocite: '@*'", True, [], id="star-single-quoted"),
        pytest.param('nocite: "@*"', True, [], id="star-double-quoted"),
        pytest.param("nocite: |\n  @*", True, [], id="star-block"),
        pytest.param("nocite: |\n  @a, @b", False, [("a", "b")], id="block-keys"),
        pytest.param("nocite: >\n  @a\n  @b", False, [("a", "b")], id="folded-keys"),
        pytest.param('nocite: "[@a; @b]"', False, [("a", "b")], id="bracketed-keys"),
        pytest.param("nocite: '@a, @*'", True, [("a",)], id="star-and-key"),
        pytest.param("title: '@x'", False, [], id="other-keys-hold-no-nocite"),
    ],
)
def test_nocite(front: str, cite_all: bool, targets: list[tuple[str, ...]]) -> None:
    document = read_pandoc(SourceText("doc.md", f"---\n{front}\n---\n"), Path("."))
    assert document.cite_all is cite_all
    assert [c.targets for c in document.citations] == targets


def test_nocite_span_points_into_the_front_matter() -> None:
    text = "---\ntitle: t\nnocite: |\n  @a, @b\n---\nBody @c.\n"
    document = read_pandoc(SourceText("doc.md", text), Path("."))
    first, second = document.citations
    assert (first.span.line, first.span.column, first.text) == (4, 3, "@a, @b")
    assert (second.span.line, second.text) == (6, "@c")


@pytest.mark.parametrize(
    ("text", "targets", "problems"),
    [
        pytest.param("---\ntitle: x\n\n@a", [("a",)], 1, id="unclosed-front-matter"),
        pytest.param("Intro\n---\nbibliography: x.bib\n---\n@a", [("a",)], 0, id="not-at-top"),
        pytest.param("---\n---\n@a", [("a",)], 0, id="empty-front-matter"),
        pytest.param("", [], 0, id="empty-document"),
        pytest.param("---", [], 0, id="only-a-rule"),
    ],
)
def test_front_matter_edges(text: str, targets: list[tuple[str, ...]], problems: int) -> None:
    document = read_pandoc(SourceText("doc.md", text), Path("."))
    assert [c.targets for c in document.citations] == targets
    assert len(document.problems) == problems
    assert document.bibliography_files == ()


def test_spans_and_mask_keep_offsets() -> None:
    text = "---\nbibliography: r.bib\n---\n\nLine `@x` and\nthen [@a, p. 2].\n"
    document = read_pandoc(SourceText("dir/doc.md", text), Path("dir"))
    (citation,) = document.citations
    assert (citation.span.path, citation.span.line, citation.span.column) == ("dir/doc.md", 6, 6)
    assert text[citation.span.start : citation.span.end] == "[@a, p. 2]"
    masked = mask_markdown(text, 0)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")


def pandoc_cases() -> list[Path]:
    """The hand-checked Pandoc-family case directories."""
    return sorted(CASES.glob("pandoc-*/expected.json"))


@pytest.mark.parametrize("expected_file", pandoc_cases(), ids=lambda path: path.parent.name)
def test_cases(expected_file: Path) -> None:
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    case = expected_file.parent
    main = case / expected["document"]
    source = SourceText(expected["document"], main.read_text(encoding="utf-8"))
    document = read_pandoc(source, Path("."))
    found = [
        {"path": c.span.path, "line": c.span.line, "keys": list(c.targets)}
        for c in document.citations
    ]
    assert found == expected["citations"]
    assert list(document.bibliography_files) == expected["bibliography_files"]
    assert all((case / name).is_file() for name in document.bibliography_files)
    assert document.cite_all is expected["cite_all"]
    assert list(document.problems) == expected["problems"]


MARKDOWN_ATOMS = ["@", "-", "a", "{", "}", "[", "]", ";", ",", " ", "\n", "`", "```", "---",
                  "<!--", "-->", "http://", "\\", "bibliography:", "nocite:", "'", "    ", ":"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_ATOMS), max_size=40).map("".join))
def test_any_text_reads_without_error_and_spans_hold_the_marker(text: str) -> None:
    document = read_pandoc(SourceText("doc.md", text), Path("."))
    for citation in document.citations:
        assert text[citation.span.start : citation.span.end] == citation.text
        assert citation.targets and all(citation.targets)
