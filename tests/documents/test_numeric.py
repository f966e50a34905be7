"""Numeric citation markers: every form detected, every trap refused (tables of cases)."""

from __future__ import annotations

import pytest

from citecheck.documents.base import SourceText
from citecheck.documents.numeric import find_numeric_citations
from citecheck.model import CitationStyle


def _markers(text: str, max_number: int | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(marker text, targets) for every citation found in the whole text."""
    source = SourceText("doc.md", text)
    return [(c.text, c.targets) for c in find_numeric_citations(source, len(text), max_number=max_number)]


FORMS = [
    pytest.param("bone metastases.1", [("1", ("1",))], id="glued-after-period"),
    pytest.param("to estrogen.4\n", [("4", ("4",))], id="glued-period-end-of-line"),
    pytest.param("in cancer.2,3 and more", [("2,3", ("2", "3"))], id="glued-list"),
    pytest.param("in trials1-3 of", [("1-3", ("1", "2", "3"))], id="glued-to-word-range"),
    pytest.param("been shown5–7 to", [("5–7", ("5", "6", "7"))], id="glued-en-dash-range"),
    pytest.param("been shown,5 that", [("5", ("5",))], id="glued-after-comma"),
    pytest.param("Smith et al.4 found", [("4", ("4",))], id="glued-et-al"),
    pytest.param("rose by 45%.3 Then", [("3", ("3",))], id="glued-after-percent"),
    pytest.param("in these cases.2\nIn", [("2", ("2",))], id="glued-after-generic-noun"),
    pytest.param("as reported [1].", [("[1]", ("1",))], id="bracket"),
    pytest.param("as reported [1, 3].", [("[1, 3]", ("1", "3"))], id="bracket-list"),
    pytest.param("as reported [2-4].", [("[2-4]", ("2", "3", "4"))], id="bracket-hyphen-range"),
    pytest.param("as reported [2–4].", [("[2–4]", ("2", "3", "4"))], id="bracket-en-dash-range"),
    pytest.param("as reported [1,3-5].", [("[1,3-5]", ("1", "3", "4", "5"))], id="bracket-mixed"),
    pytest.param("as reported [1; 2].", [("[1; 2]", ("1", "2"))], id="bracket-semicolon"),
    pytest.param("cancer.[1][2]", [("[1]", ("1",)), ("[2]", ("2",))], id="bracket-adjacent"),
    pytest.param("as reported (1).", [("(1)", ("1",))], id="paren"),
    pytest.param("as reported (1,2).", [("(1,2)", ("1", "2"))], id="paren-list"),
    pytest.param("as reported (1–3), and", [("(1–3)", ("1", "2", "3"))], id="paren-range"),
    pytest.param("Smith et al. (3) showed that", [("(3)", ("3",))], id="paren-mid-sentence"),
    pytest.param(
        "shown (1) and confirmed (2) in mice",
        [("(1)", ("1",)), ("(2)", ("2",))],
        id="paren-consecutive-not-enumeration",
    ),
    pytest.param("bone metastases¹", [("¹", ("1",))], id="superscript"),
    pytest.param("bone metastases¹² and", [("¹²", ("12",))], id="superscript-run-is-one-number"),
    pytest.param("bone metastases¹,² and", [("¹,²", ("1", "2"))], id="superscript-list"),
    pytest.param("bone metastases¹⁻³ and", [("¹⁻³", ("1", "2", "3"))], id="superscript-range"),
    pytest.param("bone metastases.² And", [("²", ("2",))], id="superscript-after-period"),
    pytest.param("first described in 1998.¹ Larger", [("¹", ("1",))], id="superscript-after-a-year"),
    pytest.param("bone metastases^1^ and", [("^1^", ("1",))], id="pandoc"),
    pytest.param("bone metastases.^1,2^", [("^1,2^", ("1", "2"))], id="pandoc-list"),
    pytest.param("bone metastases<sup>1</sup>", [("<sup>1</sup>", ("1",))], id="html-sup"),
    pytest.param("metastases.<sup>2-4</sup>", [("<sup>2-4</sup>", ("2", "3", "4"))], id="html-sup-range"),
    pytest.param("metastases<SUP>[5]</SUP>", [("<SUP>[5]</SUP>", ("5",))], id="html-sup-bracketed"),
    pytest.param("see [1,\n2] here", [("[1,\n2]", ("1", "2"))], id="bracket-wrapped-line"),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_forms_are_detected(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert _markers(text) == expected


TRAPS = [
    pytest.param("HER2 Treatments target HER2.", id="her2"),
    pytest.param("The RIBBON-1 trial", id="ribbon-1"),
    pytest.param("The E2100 study", id="e2100"),
    pytest.param("During COVID-19 lockdowns", id="covid-19"),
    pytest.param("Receptor 2–Negative cancer", id="2-negative"),
    pytest.param("A Phase III trial, a Phase II/III study, Phase III (2)", id="phase-iii-roman"),
    pytest.param("Oncology, pp. 1252-1260.", id="page-range"),
    pytest.param("Oncology, pp.12-16.", id="page-range-glued-pp"),
    pytest.param("It started in 2011.", id="year"),
    pytest.param("Published (2011) and [2011]", id="year-bracketed"),
    pytest.param("in 2011.5 cases", id="year-decimal"),
    pytest.param("J Clin Oncol 29(10):1252", id="volume-issue"),
    pytest.param("J Clin Oncol 29 (10): 1252", id="volume-issue-spaced"),
    pytest.param("on July 27,2012 and", id="date-comma"),
    pytest.param("was 9/2/2015.", id="date-slashes"),
    pytest.param("a ratio of 3.5 and 0.05", id="decimals"),
    pytest.param("significant (p < 0.05) and p < .05", id="p-value"),
    pytest.param("rose by 10% and 12.5%", id="percentages"),
    pytest.param("gave 5 mg daily for 10 days", id="units"),
    pytest.param("area in cm2 and m² and mm³ or kg/m²", id="area-units"),
    pytest.param("at 10:30 and 5pm", id="times"),
    pytest.param("1. First item\n2) Second item\n(3) Third item", id="list-numbering"),
    pytest.param("## 2 Methods\n\n2. Results\n", id="headings"),
    pytest.param("Python 3.11, v1.2.3, version 2.0, release.2", id="version-numbers"),
    pytest.param("water H2O and CO2 and Ca2+ ions", id="chemical-formulas"),
    pytest.param("BRCA1 and T-DM1 and p53 and Trp53", id="gene-drug-codes"),
    pytest.param("where x^2 + y^2 and x^2^ and E=mc²", id="math"),
    pytest.param("https://en.wikipedia.org/wiki/Cancer#cite_note-1 and (http://x.org/a.1)", id="url"),
    pytest.param("doi 10.1200/jco.2010.28.0982 is", id="doi"),
    pytest.param("see Fig. 2 and Fig. [2] and Eq. (3) and Table (1)", id="figure-equation"),
    pytest.param("see e.g.1 and p.5 and vol.3", id="abbreviations"),
    pytest.param("type2 diabetes, phase3 trials, version2 of it", id="kinds-glued"),
    pytest.param("a [link][1] and [1](http://x.org) and ![1](img.png)", id="markdown-links"),
    pytest.param("[1]: http://example.org\n", id="markdown-link-definition"),
    pytest.param("code `a[1]` and\n```\nx = f(1) [2]\nbone.3\n```\n", id="code"),
    pytest.param("array a[1] and f(1) and x(2)", id="indexing-and-calls"),
    pytest.param("footnote[^1] here", id="pandoc-footnote"),
    pytest.param("We aimed to (1) assess survival and (2) compare toxicity.", id="inline-enumeration"),
    pytest.param("The aims: (1) to assess", id="enumeration-after-colon"),
    pytest.param("about 1,000 patients and cancer.1,000 and in cancer.1,234 cases and trials1,234 more", id="thousands"),
    pytest.param("from 10⁻³ to 10⁹ cells", id="scientific-notation"),
    pytest.param("ranges [4-2] and [05] and [0]", id="bad-numbers"),
    pytest.param("word1word and abc2def", id="glued-both-sides"),
    pytest.param("mail john3@example.org or open file1.txt or id_1 or abc1_x", id="addresses-and-names"),
    pytest.param("a type1-like and covid-19-related", id="compounds"),
    pytest.param("the USA.2011 and U.S.2 and NEJM.2010.28", id="acronym-years"),
]


@pytest.mark.parametrize("max_number", [None, 3000], ids=["no-list", "long-list"])
@pytest.mark.parametrize("text", TRAPS)
def test_traps_are_not_citations(text: str, max_number: int | None) -> None:
    assert _markers(text, max_number=max_number) == []


@pytest.mark.parametrize(
    ("text", "max_number", "expected"),
    [
        pytest.param("as reported [40].", 4, [], id="far-beyond-list"),
        pytest.param("as reported [5].", 4, [("[5]", ("5",))], id="just-past-list-is-a-missing-entry"),
        pytest.param("as reported.5 Next", 4, [], id="glued-past-list-never"),
        pytest.param("as reported [4].", 4, [("[4]", ("4",))], id="last-entry"),
        pytest.param("as shown [3-6].", 4, [("[3-6]", ("3", "4", "5", "6"))], id="range-just-past-list-names-missing-entries"),
        pytest.param("as shown [3-60].", 4, [], id="range-far-beyond-list"),
        pytest.param("as reported [1-150].", None, [("[1-150]", tuple(str(n) for n in range(1, 151)))], id="wide-range-no-list"),
        pytest.param("as reported [1-500].", None, [], id="page-like-range-no-list"),
        pytest.param("as reported [1-500].", 600, [("[1-500]", tuple(str(n) for n in range(1, 501)))], id="wide-range-bounded"),
        pytest.param("as reported [1].", 0, [], id="empty-list"),
        pytest.param("as reported [1000].", 1200, [("[1000]", ("1000",))], id="four-digits-bracketed-long-list"),
        pytest.param("as reported [998, 1001].", 1200, [("[998, 1001]", ("998", "1001"))], id="four-digits-list"),
        pytest.param("as reported [1000].", None, [], id="four-digits-no-list"),
        pytest.param("as reported [2011].", 3000, [], id="year-in-long-list"),
        pytest.param("as reported.1000 later", 1200, [], id="four-digits-glued-never"),
    ],
)
def test_numbers_are_bounded(text: str, max_number: int | None, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert _markers(text, max_number=max_number) == expected


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        pytest.param("a cancer.1 b cancer.2", 11, ["1"], id="stops-at-end"),
        pytest.param("a cancer.1", 0, [], id="end-zero"),
        pytest.param("a cancer.1", 10_000, ["1"], id="end-beyond-text"),
        pytest.param("a cancer.1", -5, [], id="end-negative"),
    ],
)
def test_scans_only_before_end(text: str, end: int, expected: list[str]) -> None:
    found = find_numeric_citations(SourceText("doc.txt", text), end)
    assert [c.text for c in found] == expected


@pytest.mark.parametrize(
    ("text", "line", "column", "start", "marker"),
    [
        pytest.param("Title\n\nbone metastases.1\n", 3, 17, 23, "1", id="glued-span-is-the-digit"),
        pytest.param("x\n  see [2–4].", 2, 7, 8, "[2–4]", id="bracket-span-is-the-bracket"),
        pytest.param("bone<sup>3</sup>", 1, 5, 4, "<sup>3</sup>", id="sup-span-is-the-tag"),
    ],
)
def test_span_points_at_the_marker(text: str, line: int, column: int, start: int, marker: str) -> None:
    (citation,) = find_numeric_citations(SourceText("doc.txt", text), len(text))
    assert (citation.span.line, citation.span.column, citation.span.start) == (line, column, start)
    assert text[citation.span.start : citation.span.end] == marker == citation.text
    assert citation.style is CitationStyle.NUMERIC


# --- issue 11: the shapes of real published articles ----------------------------------------
# Quoted from ../shared/corpus/realdocs (PLOS articles, CC BY; each named in the param id by its
# DOI suffix, journal.<id>). Short excerpts, kept as the article prints them.

REAL_FORMS = [
    pytest.param("fatty acid synthesis [2]–[7]. In", [("[2]–[7]", ("2", "3", "4", "5", "6", "7"))],
                 id="pbio.1001199-range-between-brackets"),
    pytest.param("and the PubMed tools [90], [119]–[122].",
                 [("[90], [119]–[122]", ("90", "119", "120", "121", "122"))], id="pcbi.1000204-list-and-range"),
    pytest.param("the same journals [5]–[8],[10],[18]–[22]. Of",
                 [("[5]–[8],[10],[18]–[22]", ("5", "6", "7", "8", "10", "18", "19", "20", "21", "22"))],
                 id="pbio.1001636-ranges-without-spaces"),
    pytest.param("in children [1], [5], [6], [7]. Moreover", [("[1], [5], [6], [7]", ("1", "5", "6", "7"))],
                 id="pone.0046041-list-of-brackets"),
    pytest.param("in the data [11],[12] and", [("[11],[12]", ("11", "12"))], id="pbio.1001199-brackets-comma"),
    pytest.param("were shown [3] and [4] to", [("[3]", ("3",)), ("[4]", ("4",))], id="and-keeps-two-citations"),
    pytest.param("generalized linear models [18](chapter 2) that", [("[18]", ("18",))],
                 id="pone.0008915-locator-after-bracket"),
    pytest.param("those of Rothenberg [1], Silvey [2](pp. 50, 81) and", [("[1]", ("1",)), ("[2]", ("2",))],
                 id="pone.0008915-page-locator"),
    pytest.param("By the Mean Value Theorem [19](p. 107) gradient", [("[19]", ("19",))],
                 id="pone.0008915-theorem-of-a-source"),
    pytest.param("in prostate cancer cell lines [723], [724] (as", [("[723], [724]", ("723", "724"))],
                 id="pone.0012262-cell-lines"),
    pytest.param("model for circuit design with composable parts [4], [34] to", [("[4], [34]", ("4", "34"))],
                 id="pcbi.1001083-parts"),
    pytest.param("the electrophoretic mobility on SDS-PAGE [21]. Additional", [("[21]", ("21",))],
                 id="pone.0100977-hyphenated-page"),
    pytest.param("or symmetric around each time-step [7]. Whilst", [("[7]", ("7",))], id="pcbi.1004089-time-step"),
    pytest.param("dividing its weight by this volume [12]. Furthermore", [("[12]", ("12",))],
                 id="pone.0002554-volume-as-a-noun"),
    pytest.param("in the results or discussion section [42]. Research", [("[42]", ("42",))],
                 id="pmed.1001473-section-as-a-noun"),
    pytest.param("expansive spine tables [60], [130], [132]—is", [("[60], [130], [132]", ("60", "130", "132"))],
                 id="pone.0087236-tables-as-a-noun"),
    pytest.param("conforming to the NCBI Document Type Definition [77], a", [("[77]", ("77",))],
                 id="pcbi.1000204-definition"),
    pytest.param("In a similar vein, Sharpee et al[45, 46] used", [("[45, 46]", ("45", "46"))],
                 id="pcbi.1004141-et-al-glued"),
    pytest.param("does I\u0302Ber converge to I\u0302ss[24, 26]. As", [("[24, 26]", ("24", "26"))],
                 id="pcbi.1004141-combining-accent"),
]


@pytest.mark.parametrize(("text", "expected"), REAL_FORMS)
def test_real_article_forms(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert _markers(text, max_number=800) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("two levels of translational misalignment on the intervals [10, 20] mm and [90, 100] mm",
                     id="pone.0117688-interval-with-unit"),
        pytest.param("for every θ ∈ [5, 80] we", id="interval-after-element-of"),
        pytest.param("see Fig. [2], Table [1], Eq. [3] and p. [4]", id="labels-before-brackets"),
        pytest.param("the SECTION [3] and Figure [2]", id="capitalised-labels"),
    ],
)
def test_real_article_traps(text: str) -> None:
    assert _markers(text, max_number=800) == []


@pytest.mark.parametrize(
    ("text", "past_end", "expected"),
    [
        pytest.param("such as methotrexate.5 Targeted", 2, [("5", ("5",))], id="review-variant-glued-just-past"),
        pytest.param("such as methotrexate.5 Targeted", 0, [], id="glued-past-end-off-by-default"),
        pytest.param("such as methotrexate.7 Targeted", 2, [], id="glued-far-past-end"),
    ],
)
def test_glued_marker_past_the_end(text: str, past_end: int, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    found = find_numeric_citations(SourceText("doc.txt", text), len(text), max_number=4, glued_past_end=past_end)
    assert [(c.text, c.targets) for c in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a process that may lead to allelic fixation 17–20. In", [("17–20", "bare")],
                     id="pbio.1001473-range-without-brackets"),
        pytest.param("isoforms (Figure 2) 10–12, which may", [("10–12", "bare")], id="pbio.1001473-after-parenthesis"),
        pytest.param("patients aged 17–20 years", [], id="range-followed-by-a-word"),
        pytest.param("see pages 17–20.", [], id="range-after-a-label"),
        pytest.param("as shown [3], and [4]", [("[3]", "bracket"), ("[4]", "bracket")], id="forms-are-recorded"),
        pytest.param("as shown (3), and cancer.4", [("(3)", "paren"), ("4", "superscript")], id="other-forms"),
    ],
)
def test_bare_ranges_and_forms(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_numeric_citations(SourceText("doc.txt", text), len(text), max_number=30, bare_ranges=True)
    assert [(c.text, c.form) for c in found] == expected
