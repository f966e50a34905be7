"""Formatted bibliographies through citeproc-py: bundled and shipped styles, text/Markdown/HTML.

The item is synthetic (`A synthetic title`, `J Test`, Crossref's test prefix 10.5555).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.fix.formatting import STYLES_DIR, StyleError, format_bibliography, format_entries, resolve_style

ITEM = {
    "id": "smith2019synthetic", "type": "article-journal", "title": "A synthetic title",
    "author": [{"family": "Smith", "given": "J."}, {"family": "Jones", "given": "K. L."}],
    "container-title": "J Test", "issued": {"date-parts": [[2019]]}, "volume": "1", "issue": "2",
    "page": "10-12", "DOI": "10.5555/synthetic.1", "custom": {"citecheck-source": "ignored by styles"},
}


@pytest.mark.parametrize(("style", "expected"), [
    pytest.param("vancouver", "1. Smith J, Jones KL. A synthetic title. J Test. 2019;1(2):10–2.", id="vancouver"),
    pytest.param("american-medical-association",
                 "1. Smith J, Jones KL. A synthetic title. J Test. 2019;1(2):10-12. doi:10.5555/synthetic.1",
                 id="ama"),
    pytest.param("ama", "1. Smith J, Jones KL. A synthetic title. J Test. 2019;1(2):10-12. doi:10.5555/synthetic.1",
                 id="ama-alias"),
    pytest.param("harvard", "Smith, J. and Jones, K.L. (2019) “A synthetic title”, J Test, 1(2), pp. 10–12.",
                 id="harvard-shipped"),
])
def test_styles_as_text(style: str, expected: str) -> None:
    assert format_entries([ITEM], style, "text")[0].startswith(expected)


@pytest.mark.parametrize(("output", "expected"), [
    pytest.param("markdown", "Smith, J. and Jones, K.L. (2019) “A synthetic title”, *J Test*, 1(2)", id="markdown"),
    pytest.param("html", '<div class="csl-entry">Smith, J. and Jones, K.L. (2019) “A synthetic title”, <i>J Test</i>',
                 id="html"),
])
def test_markup_outputs(output: str, expected: str) -> None:
    assert expected in format_bibliography([ITEM], "harvard", output)


def test_markdown_escapes_its_own_characters() -> None:
    item = {**ITEM, "title": "A synthetic *starred* [bracketed] title"}
    text = format_entries([item], "vancouver", "markdown")[0]
    assert r"A synthetic \*starred\* \[bracketed\] title" in text


def test_order_is_the_order_given() -> None:
    second = {**ITEM, "id": "adams2020synthetic", "author": [{"family": "Adams", "given": "B."}]}
    entries = format_entries([ITEM, second], "vancouver", "text")
    assert entries[0].startswith("1. Smith") and entries[1].startswith("2. Adams")


def test_text_entries_are_separated_by_blank_lines() -> None:
    text = format_bibliography([ITEM, {**ITEM, "id": "b"}], "vancouver", "text")
    assert text.count("\n\n") == 1 and text.endswith("\n")


@pytest.mark.parametrize(("name", "message"), [
    pytest.param("nonsense", "unknown style", id="unknown"),
    pytest.param("missing.csl", "no such file", id="missing-file"),
])
def test_style_errors(name: str, message: str) -> None:
    with pytest.raises(StyleError, match=message):
        resolve_style(name)


@pytest.mark.parametrize(
    ("style", "expected_start"),
    [
        pytest.param("apa", "Smith, J., & Jones, K. L. (2019).", id="apa-from-the-styles-repository"),
        pytest.param("chicago", "Smith, J., and K. L. Jones. 2019.", id="chicago-author-date"),
        pytest.param("nature", "1.Smith, J. & Jones, K. L.", id="any-repository-style"),
    ],
)
def test_styles_of_the_csl_repository(style: str, expected_start: str) -> None:
    assert format_entries([ITEM], style)[0].startswith(expected_start)


def test_a_csl_file_path_works(tmp_path: Path) -> None:
    copy = tmp_path / "my-style.csl"
    copy.write_bytes((STYLES_DIR / "vancouver.csl").read_bytes())
    assert format_entries([ITEM], str(copy))[0].startswith("1. Smith J, Jones KL.")


def test_a_broken_csl_file_is_a_style_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csl"
    broken.write_text("<style>not CSL", encoding="utf-8")
    with pytest.raises(StyleError, match="citeproc-py cannot use it"):
        format_entries([ITEM], str(broken))


def test_bundled_styles_carry_their_licence() -> None:
    for path in STYLES_DIR.glob("*.csl"):
        assert "creativecommons.org/licenses/by-sa/3.0" in path.read_text(encoding="utf-8"), path.name
    assert "CC BY-SA" in (STYLES_DIR / "README.md").read_text(encoding="utf-8") or \
        "Attribution-ShareAlike" in (STYLES_DIR / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("et_al", "expected_tail"),
    [
        pytest.param(True, "1. Smith J, Jones A, et al. A synthetic title.", id="truncated-list-says-et-al"),
        pytest.param(False, "1. Smith J, Jones A. A synthetic title.", id="complete-list"),
    ],
)
def test_et_al_is_printed_when_the_author_truncated_the_list(et_al: bool, expected_tail: str) -> None:
    from citecheck.fix.formatting import format_entries

    item = {"id": "x", "type": "article-journal", "title": "A synthetic title",
            "author": [{"family": "Smith", "given": "J."}, {"family": "Jones", "given": "A."}],
            "container-title": "J Synth", "issued": {"date-parts": [[2019]]}}
    if et_al:
        item["custom"] = {"citecheck-et-al": True}
    assert format_entries([item], "vancouver")[0].startswith(expected_tail)
