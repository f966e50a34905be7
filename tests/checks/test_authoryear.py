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


# --- issue 11: linking in real author-year articles ------------------------------------------
# Entries quoted from ../shared/corpus/realdocs (eLife, CC BY; the article is named in the
# comment), parsed by citecheck's own parser as an audit parses them.
from citecheck.model import RawEntry  # noqa: E402
from citecheck.references.entries import references_from_entries  # noqa: E402

REAL_ENTRIES = [
    # elife04490 (CC BY 4.0)
    "Schuman MC, Baldwin IT (2012) Asking the ecosystem if herbivory-inducible plant volatiles (HIPVs) have "
    "defensive functions. In: Iason GR, Dicke M, Hartley SE, editors. The ecology of plant secondary Metaboites. "
    "1st edition. Cambridge, UK: Cambridge University Press. pp. 287–307.",
    "Schuman MC, Barthel K, Baldwin IT (2012) Herbivory-induced volatiles function as defenses increasing fitness "
    "of the native plant Nicotiana attenuata in nature. eLife 1: e00007. doi:10.7554/eLife.00007",
    "United Nations, Department of Economic and Social Affairs, Population Division (2013) World population "
    "prospects: the 2012 revision, key findings and advance tables. Working paper no. ESA/P/WP.227. "
    "http://esa.un.org/unpd/wpp/Documentation/publications.htm",
    "Bates D, Maechler M, Bolker BM, Walker S (2014b) lme4: linear mixed-effects models using Eigen and S4. ArXiv. "
    "http://arxiv.org/abs/1406.5823",
    "Akaike H (1973) Information theory and an extension of the maximum likelihood principle. In: Kotz S, Johnson "
    "NL, editors. Breakthroughs in statistics volume 1. foundations and basic theory. New York, NY, USA: "
    "Springer-Verlag. pp. 610–624.",
    # elife02304 (CC BY 4.0)
    "Kabsch W (2010) Xds. Acta Crystallographica Section D Biological Crystallography 66: 125–132. "
    "doi:10.1107/S0907444909047337",
]
REAL = references_from_entries([RawEntry(text, Span("doc.txt", 10 + i, 1)) for i, text in enumerate(REAL_ENTRIES)])


def real(names: tuple[str, ...], year: str, et_al: bool = False, text: str = "x", form: str = "") -> Citation:
    return Citation(Span("doc.txt", 1, 1), text, (), CitationStyle.AUTHOR_YEAR, names=names, year=year, et_al=et_al,
                    form=form)


@pytest.mark.parametrize(
    ("citation", "entry", "codes"),
    [
        pytest.param(real(("Schuman",), "2012", True), "Barthel", [], id="elife04490-et-al-means-three-or-more"),
        pytest.param(real(("Schuman", "Baldwin"), "2012"), "Asking the ecosystem", [], id="elife04490-two-named"),
        pytest.param(real(("United Nations", "Department of Economic", "Social Affairs", "Population Division"), "2013",
                          text="United Nations, Department of Economic and Social Affairs, Population Division, 2013"),
                     "United Nations", [], id="elife04490-organisation-as-the-list-writes-it"),
        pytest.param(real(("Akaike",), "1973", text="Akaike, 1973", form="weak"), "Akaike", [],
                     id="elife04490-editors-do-not-hide-the-author"),
        pytest.param(real(("Xds",), "2010", text="Xds, 2010"), "Kabsch", ["C004"], id="elife02304-title-as-name"),
        pytest.param(real(("Bates",), "2014a", True), "", ["C001"], id="elife04490-suffix-the-list-lacks"),
    ],
)
def test_linking_real_entries(citation: Citation, entry: str, codes: list[str]) -> None:
    """`entry` is a piece of the one entry the citation must link to ("" for none)."""
    linked, findings = link_author_year([citation], REAL)
    assert linked[0].targets == tuple(r.id for r in REAL if entry and entry in r.raw)
    assert [f.code for f in findings] == codes


def test_weak_shape_that_fits_nothing_is_not_a_citation() -> None:
    # `(data collected in Paris, 2019)`: a place, not an author; never a citation-without-entry.
    linked, findings = link_author_year([real(("Paris",), "2019", text="Paris, 2019", form="weak")], REAL)
    assert linked == () and findings == ()


@pytest.mark.parametrize(
    ("years", "codes"),
    [
        pytest.param(["2010"], ["C003"], id="other-year-alone-is-a-wrong-year"),
        pytest.param(["2011", "2010"], ["C001"], id="other-year-cited-as-listed-means-a-missing-entry"),
    ],
)
def test_year_mismatch_or_missing_entry(years: list[str], codes: list[str]) -> None:
    # elife04490's shape: `Gaquerel et al., 2010` cited beside `Gaquerel et al., 2011` when the
    # 2010 entry was deleted. Synthetic entry.
    entry = Reference(id="gaquerel2011", raw="Gaquerel E, Smith J, Jones K (2011) A synthetic title.",
                      csl={"author": [{"family": "Gaquerel"}, {"family": "Smith"}, {"family": "Jones"}],
                           "issued": {"date-parts": [[2011]]}})
    citations = [real(("Gaquerel",), year, True, text=f"Gaquerel et al., {year}") for year in years]
    _, findings = link_author_year(citations, [entry])
    assert [f.code for f in findings] == codes


def test_surname_the_parser_ran_into_the_next() -> None:
    # elife02935: `Pleasance ED, Cheetham RK, …` parsed with the family `Pleasance Cheetham`.
    reference = Reference(id="p", raw="Pleasance ED, Cheetham RK (2010a) A synthetic title.",
                          csl={"author": [{"family": "Pleasance Cheetham"}], "issued": {"date-parts": [[2010]]}})
    assert entry_names(reference).families[0] == "Pleasance"
