"""Placement hints for uncited entries: TF-IDF over the document's sentences.

The acceptance case is the review (examples/, the user's document): RIBBON-1 (entry 2) and E2100
(entry 3) must rank a sentence of the Chemotherapy paragraph first. Other cases are synthetic.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.findings import Finding, Severity
from citecheck.fix.hints import sentences, stem, suggest_placements, terms
from citecheck.model import Reference, Span
from citecheck.report import formats
from tests.conftest import EXAMPLE, ROOT


@pytest.mark.parametrize(("word", "expected"), [
    pytest.param("trials", "trial", id="plural"),
    pytest.param("therapies", "therapy", id="ies"),
    pytest.param("treating", "treat", id="ing"),
    pytest.param("increased", "increas", id="ed"),
    pytest.param("class", "class", id="ss-kept"),
    pytest.param("cells", "cell", id="plural-four-letters"),
    pytest.param("uses", "uses", id="short-stem-kept"),
])
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_terms_drop_stop_words_numbers_and_split_hyphens() -> None:
    assert terms("The Double-Blind trials of 2011 and HER2") == ["double", "blind", "trial", "her2"]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("One claim here.1 Another claim there.\n", ["One claim here.1", "Another claim there."],
                 id="glued-marker-ends-sentence"),
    pytest.param("A heading\n\nA first sentence. A second one!", ["A heading", "A first sentence.", "A second one!"],
                 id="lines-and-paragraphs"),
    pytest.param("Values such as 3.5 stay whole.", ["Values such as 3.5 stay whole."], id="decimal"),
])
def test_sentences(text: str, expected: list[str]) -> None:
    assert [s.text for s in sentences(text, len(text))] == expected


def _uncited(ref_id: str) -> Finding:
    return Finding("R001", "uncited-reference", Severity.WARNING, f"entry {ref_id} is cited nowhere",
                   Span("doc.txt", 9, 1), ref_id)


SYNTHETIC_TEXT = (
    "Synthetic widgets corrode quickly in salt water, as bench tests showed.\n\n"
    "Gadget batteries last longer when stored cold and dry.\n\n"
    "References\n\n1. Smith J. Widget corrosion in salt water. J Test. 2019;1:1-2.\n"
)


@pytest.mark.parametrize(("title", "line"), [
    pytest.param("Widget corrosion in salt water", 1, id="widgets"),
    pytest.param("Cold storage of gadget batteries", 3, id="batteries"),
    pytest.param("Unrelated topic entirely", None, id="no-shared-word-no-suggestion"),
])
def test_suggestions_pick_the_sharing_sentence(title: str, line: int | None) -> None:
    reference = Reference(id="1", raw=title, csl={"title": title}, number=1)
    end = SYNTHETIC_TEXT.index("References")
    (finding,) = suggest_placements(SYNTHETIC_TEXT, [reference], [_uncited("1")], end)
    if line is None:
        assert "suggestions" not in finding.details and finding.message == "entry 1 is cited nowhere"
        return
    best = finding.details["suggestions"][0]
    assert best["line"] == line and best["column"] == 1 and best["score"] > 0
    assert "Smith J." not in json.dumps(finding.details)  # the reference list is never proposed
    assert f"line {line}:" in finding.message


def test_other_findings_pass_through_unchanged() -> None:
    other = Finding("D003", "missing-doi", Severity.WARNING, "x", None, "1")
    reference = Reference(id="1", raw="Widget corrosion", csl={"title": "Widget corrosion"})
    assert suggest_placements(SYNTHETIC_TEXT, [reference], [other], 100) == [other]


@pytest.fixture(scope="module")
def review_report():
    return audit([EXAMPLE], AuditOptions(network=False, use_cache=False))


@pytest.mark.parametrize("entry", [pytest.param("2", id="RIBBON-1"), pytest.param("3", id="E2100")])
def test_review_trials_belong_to_the_chemotherapy_paragraph(review_report, entry: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    chemo_line = next(i for i, line in enumerate(lines, 1) if line.startswith("Chemotherapy –"))
    (finding,) = [f for f in review_report.findings if f.code == "R001" and f.reference == entry]
    suggestions = finding.details["suggestions"]
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0]["line"] == chemo_line
    assert suggestions[0]["sentence"] in lines[chemo_line - 1]
    assert [s["score"] for s in suggestions] == sorted((s["score"] for s in suggestions), reverse=True)


def test_json_report_with_suggestions_matches_the_schema(review_report) -> None:
    schema = json.loads((ROOT / "citecheck" / "data" / "report.schema.json").read_text(encoding="utf-8"))
    report = json.loads(formats()["json"](review_report))
    assert any("suggestions" in f.get("details", {}) for f in report["findings"])
    jsonschema.validate(report, schema)


@pytest.mark.parametrize("bad", [
    pytest.param({"line": 0, "column": 1, "sentence": "x", "score": 0.1}, id="line-zero"),
    pytest.param({"line": 1, "column": 1, "sentence": "x"}, id="no-score"),
    pytest.param({"line": 1, "column": 1, "sentence": "x", "score": 0.1, "extra": 1}, id="extra-key"),
])
def test_schema_rejects_malformed_suggestions(review_report, bad: dict) -> None:
    schema = json.loads((ROOT / "citecheck" / "data" / "report.schema.json").read_text(encoding="utf-8"))
    report = json.loads(formats()["json"](review_report))
    finding = next(f for f in report["findings"] if "suggestions" in f.get("details", {}))
    finding["details"]["suggestions"] = [bad]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)
