"""Linking author-year citations to entries by names and year, and the C001/C003–C006 findings."""

from __future__ import annotations

import pytest

from citecheck.checks.authoryear import entry_names, link_author_year, name_key
from citecheck.model import Citation, CitationStyle, Reference, Span

# Synthetic entries, made up for tests.
ENTRIES = {
    "smith2019": ("Smith, J. (2019). A synthetic title.", [{"family": "Smith", "given": "J."}], 2019),
    "smithjones2018": ("Smith, J., & Jones, B. (2018). A synthetic title.",
                       [{"family": "Smith"}, {"family": "Jones"}], 2018),
    "lee2020a": ("Lee, C., Park, D., & Chen, E. (2020a). A synthetic title.",
                 [{"family": "Lee"}, {"family": "Park"}, {"family": "Chen"}], 2020),
    "lee2020b": ("Lee, C., Park, D., & Chen, E. (2020b). Another synthetic title.",
                 [{"family": "Lee"}, {"family": "Park"}, {"family": "Chen"}], 2020),
    "brown1": ("Brown, A. (2012). A synthetic title.", [{"family": "Brown"}], 2012),
    "brown2": ("Brown, A. (2012). Another synthetic title.", [{"family": "Brown"}], 2012),
    "berg": ("van der Berg, P. (2017). A synthetic title.", [{"family": "Berg", "non-dropping-particle": "van der"}], 2017),
    "acs": ("American Cancer Society. (2004). A synthetic guide.", [{"literal": "American Cancer Society"}], 2004),
    "nodate": ("García-Márquez, L. (n.d.). A synthetic title.", [{"family": "García-Márquez"}], None),
}
REFERENCES = tuple(
    Reference(id=key, raw=raw, csl={"author": names, **({"issued": {"date-parts": [[year]]}} if year else {})})
    for key, (raw, names, year) in ENTRIES.items()
)


def cite(names: tuple[str, ...], year: str, et_al: bool = False) -> Citation:
    return Citation(Span("doc.txt", 1, 1), "x", (), CitationStyle.AUTHOR_YEAR, names=names, year=year, et_al=et_al)


@pytest.mark.parametrize(
    ("citation", "targets", "codes"),
    [
        pytest.param(cite(("Smith",), "2019"), ("smith2019",), [], id="one-author"),
        pytest.param(cite(("Smith", "Jones"), "2018"), ("smithjones2018",), [], id="two-authors"),
        pytest.param(cite(("Lee",), "2020a", True), ("lee2020a",), [], id="suffix-picks"),
        pytest.param(cite(("Lee",), "2020", True), ("lee2020a", "lee2020b"), ["C005"], id="suffix-missing"),
        pytest.param(cite(("Brown",), "2012"), ("brown1", "brown2"), ["C005"], id="entries-without-suffix"),
        pytest.param(cite(("van der Berg",), "2017"), ("berg",), [], id="particles"),
        pytest.param(cite(("American Cancer Society",), "2004"), ("acs",), [], id="organisation"),
        pytest.param(cite(("Garcia-Marquez",), "n.d."), ("nodate",), [], id="accents-no-date"),
        pytest.param(cite(("Smith",), "2015"), ("smith2019",), ["C003"], id="year-mismatch"),
        pytest.param(cite(("Smyth",), "2019"), ("smith2019",), ["C004"], id="spelling"),
        pytest.param(cite(("Smith", "Brown"), "2018"), ("smithjones2018",), ["C004"], id="co-author"),
        pytest.param(cite(("Smith",), "2018", True), ("smithjones2018",), ["C006"], id="et-al-two-authors"),
        pytest.param(cite(("Lee", "Park", "Chen"), "2020a"), ("lee2020a",), ["C006"], id="three-in-full"),
        pytest.param(cite(("Lee", "Park"), "2020b"), ("lee2020b",), ["C006"], id="two-of-three"),
        pytest.param(cite(("Nobody",), "2010"), (), ["C001"], id="no-entry"),
    ],
)
def test_linking(citation: Citation, targets: tuple[str, ...], codes: list[str]) -> None:
    linked, findings = link_author_year([citation], REFERENCES)
    assert linked[0].targets == targets
    assert [f.code for f in findings] == codes


def test_other_styles_pass_through_and_no_list_reports_nothing() -> None:
    numeric = Citation(Span("doc.txt", 1, 1), "[1]", ("1",))
    linked, findings = link_author_year([numeric, cite(("Smith",), "2019")], ())
    assert linked[0] is numeric and linked[1].targets == () and findings == ()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("van der Berg", "berg", id="particles"),
        pytest.param("O'Shaughnessy", "oshaughnessy", id="apostrophe"),
        pytest.param("García-Márquez", "garciamarquez", id="hyphen-accents"),
        pytest.param("American Cancer Society", "americancancersociety", id="organisation"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


def test_entry_names_fall_back_to_raw_text() -> None:
    reference = Reference(id="k", raw="O'Shaughnessy, K., & Lee, M. (in press). A synthetic title.", csl={})
    names = entry_names(reference)
    assert names.year == "in press" and names.keys[0] == "oshaughnessy"
