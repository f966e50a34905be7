"""Registry checks as tables: a reference as written, the record it matched, the findings expected.

All works are synthetic (DOIs under Crossref's test prefix 10.5555).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from citecheck.checks.registry import check_reference
from citecheck.findings import Severity
from citecheck.model import Name, Reference, Resolution, ResolutionStatus, Span, Update, Work

WORK = Work(
    doi="10.5555/synthetic.2019.1",
    title="A synthetic trial of placebo against nothing in imaginary patients",
    authors=(Name("Diéras", "Véronique"), Name("Robertson", "Nicholas J."), Name("García-Márquez", "Ana")),
    container_title="The Journal of Synthetic Oncology",
    short_container_titles=("J Synth Oncol",),
    year=2019,
    volume="29",
    issue="10",
    page="2666-2676",
    type="journal-article",
    source="memory",
)

BASE = {
    "type": "article-journal",
    "title": "A synthetic trial of placebo against nothing in imaginary patients",
    "author": [{"family": "Diéras", "given": "V."}, {"family": "Robertson", "given": "N. J."},
               {"family": "García-Márquez", "given": "A."}],
    "container-title": "The Journal of Synthetic Oncology",
    "issued": {"date-parts": [[2019]]},
    "volume": "29",
    "issue": "10",
    "page": "2666-2676",
    "DOI": "10.5555/synthetic.2019.1",
}


def findings(csl: dict, work: Work = WORK, status: ResolutionStatus = ResolutionStatus.MATCHED, **extra: object) -> list:
    reference = Reference(id="1", raw="synthetic", csl=csl, span=Span("doc.txt", 5, 1), number=1)
    resolution = Resolution("1", status, work=work if status is ResolutionStatus.MATCHED else None,
                            method="doi" if csl.get("DOI") else "search", **extra)  # type: ignore[arg-type]
    return list(check_reference(reference, resolution))


def with_(**changes: object) -> dict:
    csl = dict(BASE)
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            csl.pop(key, None)
        else:
            csl[key] = value
    return csl


@pytest.mark.parametrize(
    "csl",
    [
        pytest.param(with_(), id="identical"),
        pytest.param(with_(author=[{"family": "Dieras", "given": "V."}, {"family": "Robertson", "given": "N. J."}]), id="diacritics-dropped"),
        pytest.param(with_(author=[{"family": "DIÉRAS", "given": "Véronique"}]), id="case-and-full-given"),
        pytest.param(with_(author=[{"family": "Diéras", "given": "V"}, {"family": "Robertson", "given": "Nicholas"}]), id="initials-vs-full"),
        pytest.param(with_(page="2666-76"), id="abbreviated-pages"),
        pytest.param(with_(page="2666–2676"), id="en-dash-pages"),
        pytest.param(with_(container_title="J Synth Oncol"), id="journal-abbreviation"),
        pytest.param(with_(container_title="Journal of Synthetic Oncology."), id="journal-without-the-trailing-period"),
        pytest.param(with_(title="A synthetic trial of placebo against nothing in imaginary patients."), id="title-trailing-period"),
        pytest.param(with_(title="A SYNTHETIC TRIAL OF PLACEBO AGAINST NOTHING IN IMAGINARY PATIENTS"), id="title-case"),
        pytest.param(with_(DOI="https://doi.org/10.5555/SYNTHETIC.2019.1"), id="doi-with-resolver-and-case"),
    ],
)
def test_not_mismatches(csl: dict) -> None:
    assert [f.name for f in findings(csl)] == []


@pytest.mark.parametrize(
    ("csl", "expected", "fix_field"),
    [
        pytest.param(with_(title="An entirely different paper about real things"), "title-mismatch", "title", id="title"),
        pytest.param(with_(issued={"date-parts": [[2017]]}), "year-mismatch", "issued", id="year"),
        pytest.param(with_(author=[{"family": "Dieras", "given": "V."}, {"family": "Robinson", "given": "N. J."}]), "author-mismatch", "author", id="author-misspelt"),
        pytest.param(with_(author=[{"family": "Diéras", "given": "P."}]), "author-mismatch", "author", id="author-other-initial"),
        pytest.param(with_(container_title="Annals of Imaginary Medicine"), "journal-mismatch", "container-title", id="journal"),
        pytest.param(with_(volume="92"), "volume-mismatch", "volume", id="volume"),
        pytest.param(with_(issue="11"), "issue-mismatch", "issue", id="issue"),
        pytest.param(with_(page="2666-86"), "pages-mismatch", "page", id="pages"),
    ],
)
def test_mismatches_are_unsafe_fixes(csl: dict, expected: str, fix_field: str) -> None:
    found = findings(csl)
    assert [f.name for f in found] == [expected]
    assert found[0].fixes and found[0].fixes[0].field == fix_field and not found[0].fixes[0].safe


def test_year_one_off_with_other_publication_date_is_a_note() -> None:
    work = replace(WORK, other_years=(2018,))
    found = findings(with_(issued={"date-parts": [[2018]]}), work)
    assert [(f.name, f.severity) for f in found] == [("year-mismatch", Severity.INFO)]


@pytest.mark.parametrize(
    ("removed", "named"),
    [
        pytest.param(("volume", "issue"), ["volume", "issue"], id="volume-and-issue"),
        pytest.param(("page",), ["pages"], id="pages"),
        pytest.param(("container-title",), ["journal"], id="journal"),
        pytest.param(("issued",), ["year"], id="year"),
    ],
)
def test_incomplete_reference_names_the_missing_fields(removed: tuple[str, ...], named: list[str]) -> None:
    csl = {k: v for k, v in BASE.items() if k not in removed}
    found = findings(csl)
    assert [f.name for f in found] == ["incomplete-reference"]
    assert found[0].details["missing"] == named
    assert all(fix.safe for fix in found[0].fixes)


def test_missing_doi_is_a_safe_fix() -> None:
    found = findings(with_(DOI=None))
    assert [f.name for f in found] == ["missing-doi"]
    assert found[0].fixes[0].field == "DOI" and found[0].fixes[0].value == WORK.doi and found[0].fixes[0].safe


@pytest.mark.parametrize("doi", ["10.12/x", "1200/jco.2010.28.0982", "10.5555", "10.5555/../../etc/passwd"])
def test_invalid_doi(doi: str) -> None:
    assert "invalid-doi" in [f.name for f in findings(with_(DOI=doi))]


@pytest.mark.parametrize(
    ("kind", "expected", "severity"),
    [
        pytest.param("retraction", "retracted-work", Severity.ERROR, id="retraction"),
        pytest.param("expression_of_concern", "expression-of-concern", Severity.WARNING, id="concern"),
        pytest.param("correction", "corrected-work", Severity.INFO, id="correction"),
        pytest.param("withdrawal", "withdrawn-work", Severity.ERROR, id="withdrawal"),
        pytest.param("new_version", None, None, id="other-update-types-ignored"),
    ],
)
def test_updates(kind: str, expected: str | None, severity: Severity | None) -> None:
    work = replace(WORK, updated_by=(Update(kind, "10.5555/notice.1", "2020-02-03", "retraction-watch"),))
    found = findings(with_(), work)
    assert [(f.name, f.severity) for f in found] == ([(expected, severity)] if expected else [])
    if expected:
        assert "10.5555/notice.1" in found[0].message and "2020-02-03" in found[0].message
        assert "retraction-watch" in found[0].message


@pytest.mark.parametrize(
    ("csl_type", "status", "expected"),
    [
        pytest.param("article-journal", ResolutionStatus.NOT_FOUND, [("no-registry-match", Severity.WARNING)], id="article-nowhere"),
        pytest.param("book", ResolutionStatus.NOT_FOUND, [("no-registry-match", Severity.INFO)], id="book-not-covered"),
        pytest.param("report", ResolutionStatus.UNVERIFIED, [("no-registry-match", Severity.INFO)], id="report-source-failed"),
        pytest.param("article-journal", ResolutionStatus.UNVERIFIED, [("could-not-verify", Severity.WARNING)], id="article-source-failed"),
        pytest.param("article-journal", ResolutionStatus.AMBIGUOUS, [("ambiguous-match", Severity.INFO)], id="ambiguous"),
    ],
)
def test_unresolved(csl_type: str, status: ResolutionStatus, expected: list) -> None:
    csl = with_(DOI=None, type=csl_type)
    extra = {"failures": ("crossref: connection refused",)} if status is ResolutionStatus.UNVERIFIED else {}
    if status is ResolutionStatus.AMBIGUOUS:
        extra = {"candidates": (WORK, replace(WORK, doi="10.5555/synthetic.2019.2"))}
    assert [(f.name, f.severity) for f in findings(csl, status=status, **extra)] == expected


def test_provenance_and_unverified_fields_are_said() -> None:
    work = replace(WORK, source="snapshot:test", provenance="assembled from a synthetic list",
                   unverified_fields=("issue",))
    found = findings(with_(DOI=None, issue=None), work)
    messages = {f.name: f.message for f in found}
    assert "assembled from a synthetic list" in messages["missing-doi"]
    assert "issue 10 (unverified in the record)" in messages["incomplete-reference"]
