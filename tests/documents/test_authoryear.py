"""Author-year citations in prose: every form found with its names and year, every trap refused."""

from __future__ import annotations

import pytest

from citecheck.documents.authoryear import find_author_year_citations, parse_names
from citecheck.documents.base import SourceText


def found(text: str) -> list[tuple[str, tuple[str, ...], str, bool]]:
    return [(c.text, c.names, c.year, c.et_al) for c in find_author_year_citations(SourceText("doc.txt", text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("as shown (Smith, 2019).", [("Smith, 2019", ("Smith",), "2019", False)], id="parenthetical"),
        pytest.param("(Smith & Jones, 2019; Lee et al., 2020a)",
                     [("Smith & Jones, 2019", ("Smith", "Jones"), "2019", False),
                      ("Lee et al., 2020a", ("Lee",), "2020a", True)], id="two-works-suffix"),
        pytest.param("Smith (2019) showed", [("Smith (2019)", ("Smith",), "2019", False)], id="narrative"),
        pytest.param("Smith and Jones (2019) said", [("Smith and Jones (2019)", ("Smith", "Jones"), "2019", False)],
                     id="narrative-two"),
        pytest.param("Smith, Jones, and Lee (2019)", [("Smith, Jones, and Lee (2019)", ("Smith", "Jones", "Lee"), "2019", False)],
                     id="narrative-three"),
        pytest.param("(see Smith, 2019, p. 4)", [("Smith, 2019", ("Smith",), "2019", False)], id="lead-in-locator"),
        pytest.param("(Smith, 2019, 2021)", [("Smith, 2019", ("Smith",), "2019", False), ("2021", ("Smith",), "2021", False)],
                     id="two-years"),
        pytest.param("(Smith 2019)", [("Smith 2019", ("Smith",), "2019", False)], id="harvard-no-comma"),
        pytest.param("(American Cancer Society, 2004)",
                     [("American Cancer Society, 2004", ("American Cancer Society",), "2004", False)], id="organisation"),
        pytest.param("The American Cancer Society (2004) says",
                     [("American Cancer Society (2004)", ("American Cancer Society",), "2004", False)], id="organisation-narrative"),
        pytest.param("by van der Berg (2018)", [("van der Berg (2018)", ("van der Berg",), "2018", False)], id="particles"),
        pytest.param("(O’Shaughnessy et al., 2017)", [("O’Shaughnessy et al., 2017", ("O’Shaughnessy",), "2017", True)],
                     id="apostrophe"),
        pytest.param("and García-Márquez (2016) agree", [("García-Márquez (2016)", ("García-Márquez",), "2016", False)],
                     id="compound-accented"),
        pytest.param("(Smith, n.d.)", [("Smith, n.d.", ("Smith",), "n.d.", False)], id="no-date"),
        pytest.param("(Jones, in press)", [("Jones, in press", ("Jones",), "in press", False)], id="in-press"),
        pytest.param("Recently, Smith (2019) found", [("Smith (2019)", ("Smith",), "2019", False)], id="comma-before-names"),
        pytest.param("According to Lee et al. (2020a, p. 4)",
                     [("Lee et al. (2020a, p. 4)", ("Lee",), "2020a", True)], id="narrative-et-al-locator"),
        pytest.param("Smith's (2019) study", [("Smith's (2019)", ("Smith",), "2019", False)], id="possessive"),
        pytest.param("(Smith and\nJones 2019)", [("Smith and\nJones 2019", ("Smith", "Jones"), "2019", False)], id="wrapped"),
        pytest.param("(e.g., Smith, 2019; Doe & Roe, 2018)",
                     [("Smith, 2019", ("Smith",), "2019", False), ("Doe & Roe, 2018", ("Doe", "Roe"), "2018", False)],
                     id="eg-two-works"),
    ],
)
def test_forms(text: str, expected: list[tuple[str, tuple[str, ...], str, bool]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("In 2019 (n = 4) patients", id="sample-size"),
        pytest.param("(Table 2, 2019)", id="table"),
        pytest.param("(p < .05, 2019)", id="statistics"),
        pytest.param("(January 2019)", id="month"),
        pytest.param("in this study (2019)", id="lowercase-before"),
        pytest.param("In Table 3 (2019)", id="table-narrative"),
        pytest.param("(since 2019)", id="lowercase-word"),
        pytest.param("COVID-19 (2020)", id="digits-in-name"),
        pytest.param("(Smith, 1066)", id="year-out-of-range"),
    ],
)
def test_traps(text: str) -> None:
    assert found(text) == []


def test_end_bounds_the_scan() -> None:
    text = "Smith (2019).\nReferences\nSmith, J. (2019). A synthetic title."
    citations = find_author_year_citations(SourceText("doc.txt", text), text.index("References"))
    assert [c.text for c in citations] == ["Smith (2019)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Smith, Jones, & Lee", (("Smith", "Jones", "Lee"), False), id="oxford"),
        pytest.param("Lee et al.", (("Lee",), True), id="et-al"),
        pytest.param("table", None, id="lowercase"),
        pytest.param("Figure", None, id="stop-word"),
        pytest.param("Smith 2", None, id="digit"),
    ],
)
def test_parse_names(text: str, expected: tuple[tuple[str, ...], bool] | None) -> None:
    assert parse_names(text) == expected


# --- issue 11: the author-year forms of real articles -----------------------------------------
# Quoted from ../shared/corpus/realdocs (eLife and PLOS, CC BY; the article is named in the
# param id) and from the held-back articles. `form` "weak" marks shapes kept only when
# they fit an entry (see citecheck.checks.authoryear).

def found_forms(text: str) -> list[tuple[str, tuple[str, ...], str, str]]:
    return [(c.text, c.names, c.year, c.form) for c in find_author_year_citations(SourceText("doc.txt", text))]


REAL_FORMS = [
    pytest.param("(Freeman and Gurdon 2002)", [("Freeman and Gurdon 2002", ("Freeman", "Gurdon"), "2002", "")],
                 id="issue-harvard-and-no-comma"),
    pytest.param("(Pandiella and Massague 1991; Bosenberg et al. 1993)",
                 [("Pandiella and Massague 1991", ("Pandiella", "Massague"), "1991", ""),
                  ("Bosenberg et al. 1993", ("Bosenberg",), "1993", "")], id="issue-semicolon-group"),
    pytest.param("tested in only a handful of systems (Whitham et al., 2006, 2012).",
                 [("Whitham et al., 2006", ("Whitham",), "2006", ""), ("2012", ("Whitham",), "2012", "")],
                 id="elife04490-second-year"),
    pytest.param("Caldwell-Harris, Murphy, Velazquez, and McNamara (2011) found",
                 [("Caldwell-Harris, Murphy, Velazquez, and McNamara (2011)",
                   ("Caldwell-Harris", "Murphy", "Velazquez", "McNamara"), "2011", "")], id="issue-four-narrative"),
    pytest.param("analysis (Douady and Couder, 1996a; 1996b; 1996c), Douady and",
                 [("Douady and Couder, 1996a", ("Douady", "Couder"), "1996a", ""),
                  ("1996b", ("Douady", "Couder"), "1996b", ""), ("1996c", ("Douady", "Couder"), "1996c", "")],
                 id="elife-14093-v1-years-after-semicolons"),
    pytest.param("exposed to this level of signaling (Gillespie, 1976; 1977):",
                 [("Gillespie, 1976", ("Gillespie",), "1976", ""), ("1977", ("Gillespie",), "1977", "")],
                 id="elife-14093-v1-year-after-semicolon"),
    pytest.param("packages lme4 (Bates et al., 2014a, b) and",
                 [("Bates et al., 2014a", ("Bates",), "2014a", ""), ("b", ("Bates",), "2014b", "")],
                 id="elife04490-suffix-alone"),
    pytest.param("(numbering is based on the dogfish LDH convention [Eventoff et al., 1977]).",
                 [("Eventoff et al., 1977", ("Eventoff",), "1977", "")], id="elife02304-square-brackets-inside"),
    pytest.param("(obtained from Snapper laboratory [Cotta-de-Almeida et al., 2007]), as",
                 [("Cotta-de-Almeida et al., 2007", ("Cotta-de-Almeida",), "2007", "")],
                 id="elife04953-hyphenated-particle"),
    pytest.param("similar to MDHs (Gomez et al., 1997; Dando et al., 2001; Winter et al., 2003).",
                 [("Gomez et al., 1997", ("Gomez",), "1997", ""), ("Dando et al., 2001", ("Dando",), "2001", ""),
                  ("Winter et al., 2003", ("Winter",), "2003", "")], id="elife02304-surname-winter"),
    pytest.param("based on the structure (2hjr, 62% sequence identity, Vedadi et al., 2007), while",
                 [("Vedadi et al., 2007", ("Vedadi",), "2007", "")], id="elife02304-matter-before-names"),
    pytest.param("deposited in Dryad (10.5061/dryad.qj007, Schuman et al., 2015).",
                 [("Schuman et al., 2015", ("Schuman",), "2015", "")], id="elife04490-doi-before-names"),
    pytest.param("over 24 h (source data file for Figure 11, Kessler and Baldwin, 2001).",
                 [("Kessler and Baldwin, 2001", ("Kessler", "Baldwin"), "2001", "")], id="elife04490-figure-before-names"),
    pytest.param("comparison of the models via the Akaike information criterion (AIC, Akaike, 1973). Specific",
                 [("Akaike, 1973", ("Akaike",), "1973", "weak")], id="elife04490-acronym-before-name"),
    pytest.param("loss of motor function (Yang et al., 2005 and unpublished data). These",
                 [("Yang et al., 2005", ("Yang",), "2005", "")], id="elife00133-and-unpublished-data"),
    pytest.param("as described by Kessler and Baldwin, 2001 and Steppuhn et al. (2008). Native",
                 [("Kessler and Baldwin, 2001", ("Kessler", "Baldwin"), "2001", "weak"),
                  ("Steppuhn et al. (2008)", ("Steppuhn",), "2008", "")], id="elife04490-without-parentheses"),
    pytest.param("a world with over 10 billion humans (United Nations, Department of Economic and Social Affairs, "
                 "Population Division, 2013), where",
                 [("United Nations, Department of Economic and Social Affairs, Population Division, 2013",
                   ("United Nations", "Department of Economic", "Social Affairs", "Population Division"), "2013", "")],
                 id="elife04490-organisation-with-commas"),
    pytest.param("two reports from the Council (President's Council on Bioethics 2003, 2004). The",
                 [("President's Council on Bioethics 2003", ("President's Council on Bioethics",), "2003", ""),
                  ("2004", ("President's Council on Bioethics",), "2004", "")], id="pbio.0020188-organisation"),
    pytest.param("The President's Council on Bioethics (2003) said",
                 [("President's Council on Bioethics (2003)", ("President's Council on Bioethics",), "2003", "weak")],
                 id="organisation-narrative"),
    pytest.param("(14CHRONO Centre of the Queen's University of Belfast, 2014)",
                 [("14CHRONO Centre of the Queen's University of Belfast, 2014",
                   ("14CHRONO Centre of the Queen's University of Belfast",), "2014", "")], id="elife06003-digits-first"),
    pytest.param("(1000 Genomes Project Consortium et al., 2010)",
                 [("1000 Genomes Project Consortium et al., 2010", ("1000 Genomes Project Consortium",), "2010", "")],
                 id="elife02935-consortium"),
    pytest.param("In their essay in the April 2004 issue of PLoS Biology, Elizabeth Blackburn and Janet Rowley (2004), two",
                 [("Elizabeth Blackburn and Janet Rowley (2004)", ("Elizabeth Blackburn", "Janet Rowley"), "2004", "")],
                 id="pbio.0020188-given-names-after-a-journal"),
]


@pytest.mark.parametrize(("text", "expected"), REAL_FORMS)
def test_real_article_forms(text: str, expected: list[tuple[str, tuple[str, ...], str, str]]) -> None:
    assert found_forms(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("(data collected in Paris, 2019)", [("Paris, 2019", ("Paris",), "2019", "weak")],
                     id="place-in-a-tail-is-weak"),
        pytest.param("(Table 2, 2019)", [], id="label-before-year"),
        pytest.param("(Spring, 2019) and (January and February 2019)", [], id="seasons-and-months"),
        pytest.param("(Smith, 2019, p. 4)", [("Smith, 2019", ("Smith",), "2019", "")], id="locator-is-no-suffix"),
    ],
)
def test_real_article_traps(text: str, expected: list[tuple[str, tuple[str, ...], str, str]]) -> None:
    assert found_forms(text) == expected
