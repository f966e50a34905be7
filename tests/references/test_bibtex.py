"""BibTeX in and out: CSL ↔ BibTeX mapping, escaping, reading .bib files, surgical updates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bibtexparser
import pytest

from citecheck.references.bibtex import bibtex_entry_to_csl, entry_has_et_al, protected_fields, read_bibtex
from citecheck.references.bibtex_edit import update_bibtex_text
from citecheck.references.bibtex_write import csl_to_bibtex_fields, write_bibtex
from citecheck.references.latex_text import latex_escape, latex_to_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The review's four references, typed from ../shared/corpus/metastatic-breast-cancer-review.txt.
REVIEW = {item["id"]: item for item in json.loads((FIXTURES / "bib_review_items.json").read_text("utf-8"))}


def _entry(text: str) -> Any:
    """The first entry of a BibTeX string, parsed with bibtexparser's default middleware."""
    return bibtexparser.parse_string(text).entries[0]


# -- CSL → BibTeX ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("ref_id", "et_al", "entry_type", "expected"),
    [
        pytest.param("ref1", False, "book", {
            "author": "{American Cancer Society}",
            "title": "A Breast Cancer Journey: Your Personal Guidebook",
            "year": "2004", "publisher": "American Cancer Society", "address": "Atlanta",
        }, id="organisation-book"),
        pytest.param("ref2", True, "article", {
            "author": "Robert, N. J. and Dieras, V. and Glaspy, J. and others",
            "title": "{RIBBON-1}: Randomized, Double-Blind, Placebo-Controlled, Phase {III} Trial of "
                     "Chemotherapy With or Without Bevacizumab for First-Line Treatment of Human "
                     "Epidermal Growth Factor Receptor 2–Negative, Locally Recurrent or Metastatic "
                     "Breast Cancer",
            "journal": "Journal of Clinical Oncology", "year": "2011", "pages": "1252--1260",
        }, id="ribbon-1-et-al"),
        pytest.param("ref3", False, "article", {
            "author": "Miller, K. and Wang, M. and Gralow, J.",
            "title": "Paclitaxel plus Bevacizumab versus Paclitaxel Alone for Metastatic Breast Cancer",
            "journal": "The New England Journal of Medicine", "year": "2007", "pages": "2666--2676",
        }, id="e2100-no-et-al"),
    ],
)
def test_csl_to_bibtex_fields_review(ref_id: str, et_al: bool, entry_type: str,
                                     expected: dict[str, str]) -> None:
    assert csl_to_bibtex_fields(REVIEW[ref_id], et_al=et_al) == (entry_type, expected)


@pytest.mark.parametrize(
    ("csl", "entry_type", "field", "value"),
    [
        pytest.param({"type": "chapter", "container-title": "A Synthetic Book"}, "incollection",
                     "booktitle", "A Synthetic Book", id="chapter-booktitle"),
        pytest.param({"type": "paper-conference", "container-title": "Proc Synthetic"},
                     "inproceedings", "booktitle", "Proc Synthetic", id="conference"),
        pytest.param({"type": "report", "publisher": "Test Institute"}, "techreport",
                     "institution", "Test Institute", id="report-institution"),
        pytest.param({"type": "thesis", "publisher": "Test University"}, "phdthesis", "school",
                     "Test University", id="thesis-school"),
        pytest.param({"type": "webpage", "URL": "https://example.org/a_b%20c"}, "misc", "url",
                     "https://example.org/a_b%20c", id="url-verbatim"),
        pytest.param({"type": "article-journal", "DOI": "10.5555/a_b"}, "article", "doi",
                     "10.5555/a_b", id="doi-verbatim"),
        pytest.param({"type": "book", "ISBN": ["0000000000"], "edition": "2"}, "book", "isbn",
                     "0000000000", id="isbn-list"),
        pytest.param({"type": "article-journal", "PMID": "12345"}, "article", "pmid", "12345",
                     id="pmid"),
        pytest.param({"type": "article-journal", "issue": "2", "volume": "1"}, "article", "number",
                     "2", id="issue-number"),
        pytest.param({"type": "article-journal", "page": "1 – 2"}, "article", "pages", "1--2",
                     id="pages-en-dash"),
        pytest.param({"type": "article-journal", "author": [
            {"family": "Berg", "non-dropping-particle": "van der", "given": "Jan"},
            {"family": "Smith", "suffix": "Jr.", "given": "John"}, {"literal": "others"}]},
            "article", "author", "van der Berg, Jan and Smith, Jr., John and others",
            id="particle-suffix-literal-others"),
        pytest.param({"type": "article-journal", "author": [{"literal": "R&D Group"}]}, "article",
                     "author", r"{R\&D Group}", id="organisation-escaped"),
        pytest.param({"type": "article-journal", "title": "Vitamin D and HER2 in mRNA"}, "article",
                     "title", "Vitamin {D} and {HER2} in {mRNA}", id="title-protection"),
        pytest.param({"type": "article-journal", "title": "Müller’s café"}, "article", "title",
                     "Müller’s café", id="utf8-kept"),
    ],
)
def test_csl_to_bibtex_fields_mapping(csl: dict[str, Any], entry_type: str, field: str,
                                      value: str) -> None:
    got_type, fields = csl_to_bibtex_fields(csl)
    assert (got_type, fields.get(field)) == (entry_type, value)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        pytest.param("R&D", r"R\&D", id="ampersand"),
        pytest.param("50%", r"50\%", id="percent"),
        pytest.param("a_b", r"a\_b", id="underscore"),
        pytest.param("#1", r"\#1", id="hash"),
        pytest.param("$5", r"\$5", id="dollar"),
        pytest.param("{x}", r"\{x\}", id="braces"),
        pytest.param("a~b", r"a\textasciitilde{}b", id="tilde"),
        pytest.param("x^2", r"x\textasciicircum{}2", id="caret"),
        pytest.param("a\\b", r"a\textbackslash{}b", id="backslash"),
        pytest.param("Café Müller", "Café Müller", id="utf8-untouched"),
    ],
)
def test_escape_and_back(text: str, escaped: str) -> None:
    assert latex_escape(text) == escaped
    assert latex_to_text(escaped) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        pytest.param(r"Caf\'e", "Café", id="acute"),
        pytest.param(r"{\"o}", "ö", id="braced-umlaut"),
        pytest.param(r"M{\"u}ller", "Müller", id="umlaut-in-word"),
        pytest.param(r"Garc{\'\i}a-M{\'a}rquez", "García-Márquez", id="dotless-i"),
        pytest.param(r"\c{c} \ss{} {\o}", "ç ß ø", id="cedilla-eszett-oslash"),
        pytest.param("A {DNA} title", "A DNA title", id="protecting-braces"),
        pytest.param("A~B", "A B", id="tie"),
        pytest.param(r"\emph{in vivo}", "in vivo", id="emph"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


# -- BibTeX entry → CSL ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("bib", "expected"),
    [
        pytest.param("@article{k, author = {van der Berg, Jan and O'Shaughnessy, Joyce}}",
                     {"author": [{"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
                                 {"family": "O'Shaughnessy", "given": "Joyce"}]}, id="particle-apostrophe"),
        pytest.param(r"@article{k, author = {Garc{\'\i}a-M{\'a}rquez, Gabriel and {Test Society}}}",
                     {"author": [{"family": "García-Márquez", "given": "Gabriel"},
                                 {"literal": "Test Society"}]}, id="accents-organisation"),
        pytest.param("@article{k, author = {Smith, J. and others}, pages = {1--2}}",
                     {"author": [{"family": "Smith", "given": "J."}], "page": "1-2"}, id="others-pages"),
        pytest.param("@article{k, title = {A {DNA} synthetic}, journal = {J Test}, number = {3}, year = {2019}, month = {Mar}}",
                     {"title": "A DNA synthetic", "container-title": "J Test", "issue": "3",
                      "issued": {"date-parts": [[2019, 3]]}}, id="article-fields"),
        pytest.param("@online{k, date = {2020-05-17}, url = {https://example.org/a\\_b}}",
                     {"type": "webpage", "issued": {"date-parts": [[2020, 5, 17]]},
                      "URL": "https://example.org/a_b"}, id="biblatex-date-url"),
        pytest.param("@techreport{k, institution = {Test Institute}, number = {7}, year = {in press}}",
                     {"type": "report", "publisher": "Test Institute", "number": "7",
                      "issued": {"literal": "in press"}}, id="report"),
    ],
)
def test_bibtex_entry_to_csl(bib: str, expected: dict[str, Any]) -> None:
    csl = bibtex_entry_to_csl(_entry(bib))
    assert csl["id"] == "k"
    assert {k: csl.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("bib", "et_al", "protected"),
    [
        pytest.param("@article{k, author = {Smith, J. and others}}", True, set(), id="et-al"),
        pytest.param("@article{k, author = {Smith, J.}, citecheck-protect = {title, Author}}",
                     False, {"title", "author"}, id="protect"),
        pytest.param("@article{k, title = {x}}", False, set(), id="neither"),
    ],
)
def test_et_al_and_protection(bib: str, et_al: bool, protected: set[str]) -> None:
    entry = _entry(bib)
    assert (entry_has_et_al(entry), protected_fields(entry)) == (et_al, protected)


# -- writing -----------------------------------------------------------------------------------

def test_write_bibtex_layout() -> None:
    text = write_bibtex(
        [("american2004breast", REVIEW["ref1"]), ("miller2007paclitaxel", REVIEW["ref3"])],
        extra_fields={"miller2007paclitaxel": {"citecheck-protect": "title"}},
        et_al={"miller2007paclitaxel"},
    )
    assert text == (
        "@book{american2004breast,\n"
        "  author = {{American Cancer Society}},\n"
        "  title = {A Breast Cancer Journey: Your Personal Guidebook},\n"
        "  year = {2004},\n"
        "  publisher = {American Cancer Society},\n"
        "  address = {Atlanta},\n"
        "}\n"
        "\n"
        "@article{miller2007paclitaxel,\n"
        "  author = {Miller, K. and Wang, M. and Gralow, J. and others},\n"
        "  title = {Paclitaxel plus Bevacizumab versus Paclitaxel Alone for Metastatic Breast Cancer},\n"
        "  journal = {The New England Journal of Medicine},\n"
        "  year = {2007},\n"
        "  pages = {2666--2676},\n"
        "  citecheck-protect = {title},\n"
        "}\n"
    )


@pytest.mark.parametrize("ref_id", ["ref1", "ref2", "ref3", "ref4"])
def test_write_then_read_round_trips(ref_id: str) -> None:
    csl = REVIEW[ref_id]
    text = write_bibtex([("k", csl)], et_al={"k"})
    bib = read_bibtex(Path("out.bib"), text)
    assert bib.problems == ()
    assert bib.et_al == frozenset({"k"})
    assert bib.references[0].csl == {**csl, "id": "k"}


def test_write_bibtex_rejects_repeated_key() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        write_bibtex([("k", REVIEW["ref1"]), ("k", REVIEW["ref3"])])


# -- reading a .bib file -----------------------------------------------------------------------

SAMPLE = FIXTURES / "bib_sample.bib"


def test_read_sample_references() -> None:
    bib = read_bibtex(SAMPLE)
    refs = {r.id: r for r in bib.references}
    assert [r.id for r in bib.references] == [
        "smith2019synthetic", "parent2020", "child2020chapter", "Smith2019Synthetic", "orphan2021"]
    smith = refs["smith2019synthetic"].csl
    assert smith["container-title"] == "J Test Synthetic"  # @string with # concatenation
    assert smith["author"] == [{"family": "Smith", "given": "J. A."}, {"family": "Müller", "given": "K."},
                               {"family": "García-Márquez", "given": "G."}]
    assert smith["title"] == "A synthetic title about DNA & R% 50_percent"
    assert (smith["issued"], smith["issue"], smith["page"], smith["DOI"]) == (
        {"date-parts": [[2019, 3]]}, "2", "1-2", "10.5555/synthetic_1")
    child = refs["child2020chapter"].csl
    assert (child["container-title"], child["publisher"], child["issued"]) == (
        "A Synthetic Book", "Test Press", {"date-parts": [[2020]]})  # inherited via crossref
    assert bib.parents == {"child2020chapter": "parent2020", "orphan2021": "missing2021"}
    assert bib.et_al == frozenset({"smith2019synthetic"})
    assert (refs["parent2020"].span.line, refs["parent2020"].span.column) == (19, 1)
    assert refs["parent2020"].key == "parent2020"
    assert refs["parent2020"].raw.startswith("@book{parent2020, editor = {van der Berg")


@pytest.mark.parametrize(
    ("kind", "key", "line"),
    [
        pytest.param("failed-block", "broken2018", 34, id="broken-entry"),
        pytest.param("duplicate-key", "smith2019synthetic", 38, id="duplicate-key"),
        pytest.param("case-conflict", "Smith2019Synthetic", 42, id="case-conflict"),
        pytest.param("unknown-macro", "Smith2019Synthetic", 42, id="unknown-macro"),
        pytest.param("unknown-crossref", "orphan2021", 48, id="missing-parent"),
    ],
)
def test_read_sample_problems(kind: str, key: str, line: int) -> None:
    problems = [(p.kind, p.key, p.span.line if p.span else 0) for p in read_bibtex(SAMPLE).problems]
    assert (kind, key, line) in problems


def test_read_sample_has_only_expected_problems() -> None:
    kinds = sorted(p.kind for p in read_bibtex(SAMPLE).problems)
    assert kinds == sorted(["failed-block", "duplicate-key", "case-conflict", "unknown-macro",
                            "unknown-crossref"])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("@", id="lone-at"),
        pytest.param("@article{", id="unterminated-head"),
        pytest.param("@article{k, title = {x}", id="unterminated-entry"),
        pytest.param("}}}{{{ @book{ , = }", id="brace-soup"),
        pytest.param("@article{k, title = {x} # , year = 2000}", id="bad-concatenation"),
        pytest.param("@string{x = }\n@article{k, title = x}", id="empty-string-macro"),
        pytest.param("@article{k, author = {and and , ,}}", id="odd-names"),
        pytest.param("@article{k, title = {\\verb|x}}", id="broken-latex"),
    ],
)
def test_read_never_raises(text: str) -> None:
    bib = read_bibtex(Path("odd.bib"), text)
    assert isinstance(bib.references, tuple) and isinstance(bib.problems, tuple)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(None, "unreadable", id="missing-file"),
        pytest.param("@article{k, title = {Caf\xe9}}".encode("latin-1"), "unreadable", id="latin-1"),
    ],
)
def test_read_unreadable_file(tmp_path: Path, data: bytes | None, kind: str) -> None:
    path = tmp_path / "x.bib"
    if data is not None:
        path.write_bytes(data)
    bib = read_bibtex(path)
    assert [p.kind for p in bib.problems] == [kind]
    if data is not None:  # still read, as Latin-1
        assert bib.references[0].csl["title"] == "Café"


# -- surgical updates --------------------------------------------------------------------------

def _synthetic_bib(count: int) -> str:
    """A large synthetic .bib mixing layouts: aligned, tabs, quotes, macros, inline, comments."""
    blocks = ['% synthetic\n@string{jt = "J Test"}\n@preamble{"\\noop"}\n']
    for i in range(count):
        style = i % 4
        if style == 0:
            blocks.append(f"@article{{s{i},\n  author  = {{Smith, J.}},\n  title   = {{A synthetic title {i}}},\n"
                          f"  journal = jt,\n  year    = 2019\n}}\n")
        elif style == 1:
            blocks.append(f"@Book{{s{i},\n\tTitle = \"Synthetic {{Book}} {i}\",\n\tYear = {{2020}},\n\tUnknownField = {{keep me}},\n}}\n")
        elif style == 2:
            blocks.append(f"@misc{{s{i}, title={{Synthetic {i}}}, note = {{50\\% \\& more}}}}\n% comment {i}\n")
        else:
            blocks.append(f"@comment{{ignored {i}}}\n@inproceedings{{s{i},\r\n  title={{x}},  booktitle = {{Proc}}\r\n}}\n\n")
    return "".join(blocks)


def test_update_leaves_500_entries_byte_identical() -> None:
    text = _synthetic_bib(500)
    assert len(read_bibtex(Path("big.bib"), text).references) == 500
    assert update_bibtex_text(text, {}) == text
    assert update_bibtex_text(text, {"not-a-key": {"title": "x"}}) == text


def test_update_touches_only_the_changed_entry() -> None:
    text = _synthetic_bib(500)
    start = text.index("@misc{s250,")
    end = text.index("\n", start)
    new = update_bibtex_text(text, {"s250": {"title": "New synthetic"}})
    assert new[:start] == text[:start]
    assert new[end - len(text):] == text[end:]
    assert new[start:new.index("\n", start)] == "@misc{s250, title={New synthetic}, note = {50\\% \\& more}}"


BASE = "@article{k,\n  title   = {Old},\n  journal = \"J Test\",\n  year    = 2019\n}\n"


@pytest.mark.parametrize(
    ("text", "changes", "expected"),
    [
        pytest.param(BASE, {"title": "New & better"},
                     "@article{k,\n  title   = {New \\& better},\n  journal = \"J Test\",\n  year    = 2019\n}\n",
                     id="replace-escaped"),
        pytest.param(BASE, {"JOURNAL": "J Other"},
                     "@article{k,\n  title   = {Old},\n  journal = \"J Other\",\n  year    = 2019\n}\n",
                     id="quoted-stays-quoted-any-case"),
        pytest.param(BASE, {"journal": None},
                     "@article{k,\n  title   = {Old},\n  year    = 2019\n}\n", id="delete-own-line"),
        pytest.param(BASE, {"doi": "10.5555/new_1"},
                     "@article{k,\n  title   = {Old},\n  journal = \"J Test\",\n  year    = 2019,\n"
                     "  doi     = {10.5555/new_1}\n}\n", id="add-aligned-no-trailing-comma"),
        pytest.param("@book{k,\n\tTitle = {Old},\n}\n", {"pages": "1-2"},
                     "@book{k,\n\tTitle = {Old},\n\tpages = {1--2},\n}\n", id="add-tab-trailing-comma"),
        pytest.param("@misc{k, title={Old}, year=2019}\n", {"title": None},
                     "@misc{k, year=2019}\n", id="delete-inline"),
        pytest.param("@misc{k, title={Old}, year=2019}\n", {"year": None, "note": "n"},
                     "@misc{k, title={Old}, note={n}}\n", id="delete-last-inline-and-add"),
        pytest.param("@misc{k}\n", {"note": "n"}, "@misc{k,\n  note = {n}\n}\n", id="add-to-empty"),
        pytest.param("@misc{k,\r\n  title = {Old}\r\n}\r\n", {"note": "n"},
                     "@misc{k,\r\n  title = {Old},\r\n  note = {n}\r\n}\r\n", id="crlf"),
        pytest.param("@misc{k,\n  title = {Old},\n  citecheck-protect = {title}\n}\n", {"title": "New"},
                     "@misc{k,\n  title = {Old},\n  citecheck-protect = {title}\n}\n", id="protected"),
    ],
)
def test_update_targeted(text: str, changes: dict[str, str | None], expected: str) -> None:
    assert update_bibtex_text(text, {"k": changes}) == expected


def test_update_applies_to_first_of_duplicates_and_keeps_rest() -> None:
    text = "@string{jt = {J}}\n% note\n@misc{k, title={A}}\n@misc{k, title={B}}\n@misc{j, title={C}}\n"
    assert update_bibtex_text(text, {"k": {"title": "Z"}}) == (
        "@string{jt = {J}}\n% note\n@misc{k, title={Z}}\n@misc{k, title={B}}\n@misc{j, title={C}}\n")
