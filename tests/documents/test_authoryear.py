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
