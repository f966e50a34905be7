"""Tests for the reference-string parser: the user's document, one table per style, bad input.

Every reference in the style tables is synthetic (made-up names, titles and journals); the
corpus references are copied verbatim from the user's document (see tests/fixtures/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.parsing import run as run_benchmark
from citecheck.references.names import split_names
from citecheck.references.parser import ParsedReference, ReferenceParser, parse_reference, parse_references
from citecheck.references.parser_training import load_anystyle, load_tei, token_labels, train

_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The four entries of ../shared/corpus/metastatic-breast-cancer-review.txt, in list order.
CORPUS = (_FIXTURES / "parser_corpus_references.txt").read_text(encoding="utf-8").splitlines()


def _families(csl: dict[str, Any]) -> list[str]:
    return [n.get("family") or n.get("literal", "") for n in csl.get("author", [])]


def _check(result: ParsedReference, expected: dict[str, Any]) -> None:
    """Compare only the fields a case names; `families` and `et_al` are shorthands."""
    assert result.ok, result.problems
    for key, value in expected.items():
        if key == "families":
            assert _families(result.csl) == value
        elif key == "et_al":
            assert result.et_al is value
        elif key == "year":
            assert result.csl["issued"]["date-parts"][0][0] == value
        else:
            assert result.csl.get(key) == value, key


@pytest.mark.parametrize(("index", "expected"), [
    pytest.param(0, {
        "author": [{"literal": "American Cancer Society"}], "year": 2004,
        "title": "A Breast Cancer Journey: Your Personal Guidebook",
        "publisher-place": "Atlanta", "publisher": "American Cancer Society", "type": "book",
        "et_al": False,
    }, id="acs-book"),
    pytest.param(1, {
        "author": [{"family": "Robert", "given": "N. J."}, {"family": "Dieras", "given": "V."},
                   {"family": "Glaspy", "given": "J."}],
        "et_al": True, "year": 2011,
        "title": "RIBBON-1: Randomized, Double-Blind, Placebo-Controlled, Phase III Trial of Chemotherapy"
                 " With or Without Bevacizumab for First-Line Treatment of Human Epidermal Growth Factor"
                 " Receptor 2–Negative, Locally Recurrent or Metastatic Breast Cancer",
        "container-title": "Journal of Clinical Oncology", "page": "1252-1260", "type": "article-journal",
    }, id="robert-2011"),
    pytest.param(2, {
        "families": ["Miller", "Wang", "Gralow"], "et_al": True, "year": 2007,
        "title": "Paclitaxel plus Bevacizumab versus Paclitaxel Alone for Metastatic Breast Cancer",
        "container-title": "The New England Journal of Medicine", "page": "2666-2676",
        "type": "article-journal",
    }, id="miller-2007"),
    pytest.param(3, {
        "families": ["Paridaens", "Dirix", "Beex"], "et_al": True, "year": 2008,
        "title": "Phase III Study Comparing Exemestane With Tamoxifen As First-Line Hormonal Treatment of"
                 " Metastatic Breast Cancer in Postmenopausal Women: The European Organisation for Research"
                 " and Treatment of Cancer Breast Cancer Cooperative Group",
        "container-title": "Journal of Clinical Oncology", "page": "4883-4890", "type": "article-journal",
    }, id="paridaens-2008"),
])
def test_user_document_references(index: int, expected: dict[str, Any]) -> None:
    _check(parse_reference(CORPUS[index]), expected)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Smith, J. A., & Jones, B. (2019). A synthetic title about testing. Journal of Test"
                 " Studies, 12(3), 45–67. https://doi.org/10.5555/synthetic.1",
                 {"families": ["Smith", "Jones"], "year": 2019, "title": "A synthetic title about testing",
                  "container-title": "Journal of Test Studies", "volume": "12", "issue": "3",
                  "page": "45-67", "DOI": "10.5555/synthetic.1", "type": "article-journal"}, id="apa"),
    pytest.param("Smith, J. (2020a). Another synthetic title. Journal of Test Studies, 4, 1-9.",
                 {"families": ["Smith"], "year": 2020, "year-suffix": "a", "volume": "4", "page": "1-9"},
                 id="apa-year-suffix"),
    pytest.param("Miller K, Wang M. Title of a synthetic paper. N Engl J Med. 2007;357(26):2666-76.",
                 {"author": [{"family": "Miller", "given": "K"}, {"family": "Wang", "given": "M"}],
                  "year": 2007, "title": "Title of a synthetic paper", "container-title": "N Engl J Med",
                  "volume": "357", "issue": "26", "page": "2666-76", "type": "article-journal"},
                 id="vancouver"),
    pytest.param("Doe J, Roe R. A synthetic study of broken lines in test-\ning. J Test Med. 1974;20:148-51.",
                 {"families": ["Doe", "Roe"], "title": "A synthetic study of broken lines in testing",
                  "year": 1974, "volume": "20", "page": "148-51"}, id="vancouver-wrapped-line"),
    pytest.param("Doe JA, Roe RB, Poe C, et al. A synthetic trial of nothing. J Test Med. 2015;10(2):"
                 "100-110. doi:10.5555/synthetic.2. PMID: 12345678",
                 {"families": ["Doe", "Roe", "Poe"], "et_al": True, "year": 2015, "volume": "10",
                  "issue": "2", "page": "100-110", "DOI": "10.5555/synthetic.2", "PMID": "12345678"},
                 id="ama"),
    pytest.param("Smith, J. and van der Berg, A. (2018) Synthetic title in Harvard style. Journal of"
                 " Tests, 7(1), pp. 20-30.",
                 {"author": [{"family": "Smith", "given": "J."}, {"family": "van der Berg", "given": "A."}],
                  "year": 2018, "title": "Synthetic title in Harvard style", "container-title": "Journal of Tests",
                  "volume": "7", "issue": "1", "page": "20-30"}, id="harvard"),
    pytest.param("Smith, John, and Jane Doe. 2019. “A Synthetic Title for Chicago.” Journal of Testing"
                 " 5 (2): 10–20.",
                 {"author": [{"family": "Smith", "given": "John"}, {"family": "Doe", "given": "Jane"}],
                  "year": 2019, "title": "A Synthetic Title for Chicago", "container-title": "Journal of Testing",
                  "volume": "5", "issue": "2", "page": "10-20"}, id="chicago-author-date"),
    pytest.param("[1] A. B. Author, “Title of a synthetic study,” J. Name, vol. 3, no. 2, pp. 1–9, 2019.",
                 {"author": [{"family": "Author", "given": "A. B."}], "year": 2019,
                  "title": "Title of a synthetic study", "container-title": "J. Name", "volume": "3",
                  "issue": "2", "page": "1-9", "type": "article-journal"}, id="ieee"),
    pytest.param("Q. X. Testperson, J. Synth. Phys. 12, 345 (2001).",
                 {"author": [{"family": "Testperson", "given": "Q. X."}], "year": 2001,
                  "container-title": "J. Synth. Phys.", "volume": "12", "page": "345"}, id="physics-no-title"),
    pytest.param("Doe, J. (2015). A synthetic chapter. In A. Jones & B. Brown (Eds.), Book of synthetic"
                 " tests (pp. 1-10). Boston: Test Press.",
                 {"families": ["Doe"], "title": "A synthetic chapter", "container-title": "Book of synthetic tests",
                  "editor": [{"family": "Jones", "given": "A."}, {"family": "Brown", "given": "B."}],
                  "page": "1-10", "publisher": "Test Press", "publisher-place": "Boston", "type": "chapter"},
                 id="chapter"),
    pytest.param("Doe J. Synthetic book of tests. 2nd ed. New York: Test Press; 2010.",
                 {"families": ["Doe"], "year": 2010, "title": "Synthetic book of tests", "edition": "2",
                  "publisher": "Test Press", "publisher-place": "New York", "type": "book"}, id="book-edition"),
    pytest.param("Roe, R. (2012). A synthetic handbook. London: Test Press. ISBN 978-0-00-000000-2",
                 {"families": ["Roe"], "ISBN": "9780000000002", "type": "book"}, id="isbn"),
    pytest.param("Synthetic Testing Agency. (2021). Annual synthetic report (Technical Report No. 5)."
                 " Testville: Synthetic Testing Agency.",
                 {"author": [{"literal": "Synthetic Testing Agency"}], "year": 2021, "type": "report"},
                 id="report"),
    pytest.param("Doe, J. (2017). A synthetic web page. Retrieved from https://example.org/synthetic/page",
                 {"families": ["Doe"], "URL": "https://example.org/synthetic/page"}, id="url"),
])
def test_styles(text: str, expected: dict[str, Any]) -> None:
    _check(parse_reference(text), expected)


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("   \n\t ", id="blank"),
    pytest.param("%%%% ### !!! ,,, ;;", id="punctuation"),
    pytest.param("\x00\x01\ufeff\u202e", id="control-chars"),
    pytest.param("2019", id="year-only"),
    pytest.param("y}bb\x0cK_lkI&P%@#%\ufeffD🙂D9J8=iN\ufeffZ\x00E\\y q}=Wx@@ &&k]", id="random-bytes"),
])
def test_unparseable_input_is_not_ok(text: str) -> None:
    result = parse_reference(text)
    assert not result.ok
    assert result.problems


@pytest.mark.parametrize("text", [
    pytest.param("https://example.org/only/a/url", id="only-url"),
    pytest.param("x" * 10_000_000, id="ten-megabytes"),
    pytest.param("Ωμέγα 東京 🙂 " * 500, id="unicode"),
    pytest.param("(((((((([[[[[[" * 100, id="brackets"),
    pytest.param(None, id="not-a-string"),
])
def test_odd_input_never_raises(text: Any) -> None:
    result = parse_reference(text)
    assert isinstance(result, ParsedReference)
    assert result.ok or result.problems
    if text and text.startswith("https://"):
        assert result.csl.get("URL") == text
        assert result.csl.get("type") == "webpage"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("https://doi.org/10.5555/synthetic.3", {"DOI": "10.5555/synthetic.3", "type": "document"},
                 id="doi-url"),
    pytest.param("doi:10.5555/synthetic.4", {"DOI": "10.5555/synthetic.4", "type": "document"}, id="doi"),
    pytest.param("https://example.org/only/a/url", {"URL": "https://example.org/only/a/url", "type": "webpage"},
                 id="url"),
])
def test_identifier_alone_is_kept_but_not_ok(text: str, expected: dict[str, Any]) -> None:
    result = parse_reference(text)
    assert (result.ok, result.csl) == (False, expected)


def test_batch_gives_the_same_results() -> None:
    texts = CORPUS + ["", "Miller K, Wang M. Title of a synthetic paper. N Engl J Med. 2007;357(26):2666-76."]
    assert parse_references(texts) == [parse_reference(t) for t in texts]


@pytest.mark.parametrize(("text", "names", "et_al"), [
    pytest.param("Robert, N. J., Dieras, V., Glaspy, J., et al.",
                 [("Robert", "N. J."), ("Dieras", "V."), ("Glaspy", "J.")], True, id="apa"),
    pytest.param("Pérez-Higueras JJ, Arias A, de la Macorra JC, Peters OA.",
                 [("Pérez-Higueras", "JJ"), ("Arias", "A"), ("de la Macorra", "JC"), ("Peters", "OA")],
                 False, id="vancouver-particles"),
    pytest.param("Lee, L. L., W. E. Howard, and R. E. Marsh.",
                 [("Lee", "L. L."), ("Howard", "W. E."), ("Marsh", "R. E.")], False, id="chicago"),
    pytest.param("A. B. van der Berg and C. Author", [("van der Berg", "A. B."), ("Author", "C.")],
                 False, id="ieee-particle"),
    pytest.param("Smith, John; Doe, Jane", [("Smith", "John"), ("Doe", "Jane")], False, id="semicolons"),
    pytest.param("Kawai K, Akasaka Y, Ito ET", [("Kawai", "K"), ("Akasaka", "Y"), ("Ito", "ET")], False,
                 id="initials-y-et-are-not-and"),
    pytest.param("García, J. y López, M.", [("García", "J."), ("López", "M.")], False, id="spanish-y"),
    pytest.param("Doe J, and others", [("Doe", "J")], True, id="and-others"),
])
def test_split_names(text: str, names: list[tuple[str, str]], et_al: bool) -> None:
    got, got_et_al = split_names(text)
    assert [(n.get("family"), n.get("given")) for n in got] == names
    assert got_et_al is et_al


def test_loaders_read_labelled_fixtures() -> None:
    anystyle = load_anystyle(_FIXTURES / "parser_anystyle_sample.xml")
    assert [r.segments[0] for r in anystyle] == [
        ("author", "Romero, C., Paunesku, D., & Dweck, C."),
        ("author", "Brischoux, F., Chakraborty, S., Brierley, D.I., and Ungless, M.A."),
        ("author", "Solon, G."),
    ]
    tokens, labels = token_labels(anystyle[1])
    assert tokens[-2:] == ["106,", "4894–4899."] and labels[-2:] == ["volume", "pages"]
    tei = load_tei(_FIXTURES / "parser_grobid_sample.tei.xml")
    assert [r.text for r in tei][0] == "C. J. Hamer, Nucl. Phys. B 195, 503 (1982)."
    assert ("journal", "Phys. Rev. Lett.") in tei[1].segments


def test_a_trained_model_can_be_used(tmp_path: Path) -> None:
    refs = load_anystyle(_FIXTURES / "parser_anystyle_sample.xml")
    model = tmp_path / "tiny.crfsuite"
    train(refs, model, max_iterations=30)
    # Tagging its own training data, a tiny model must reproduce the labels it was given.
    result = ReferenceParser(model).parse_many([refs[1].text])[0]
    assert result.csl["volume"] == "106" and result.csl["page"] == "4894-4899"


def test_benchmark_reports_fields_on_tei_sample() -> None:
    report = run_benchmark(["--tei", str(_FIXTURES / "parser_grobid_sample.tei.xml"), "--anystyle-none"])
    assert report["n"] == 2
    assert set(report["fields"]) >= {"author", "title", "container-title", "year", "volume", "pages"}
    assert report["fields"]["year"]["recall"] == 1.0
