"""Linking rules, each as a table of small documents: citations and entries in, findings out."""

from __future__ import annotations

import pytest

from citecheck.checks.context import DocumentContext
from citecheck.checks.linking import check_linking
from citecheck.model import Citation, CitationStyle, Reference, Resolution, ResolutionStatus, Span, Work


def cite(*targets: str, line: int = 1, style: CitationStyle = CitationStyle.NUMERIC) -> Citation:
    return Citation(span=Span("doc.txt", line, 1), text=",".join(targets), targets=targets, style=style)


def entry(number: int, title: str = "", family: str = "", year: int | None = None, doi: str = "",
          parsed: bool = True, ident: str | None = None) -> Reference:
    csl: dict = {}
    if title:
        csl["title"] = title
    if family:
        csl["author"] = [{"family": family, "given": "A."}]
    if year:
        csl["issued"] = {"date-parts": [[year]]}
    if doi:
        csl["DOI"] = doi
    raw = f"{family} A. {title}. J Test. {year}." if title else "?"
    return Reference(id=ident or str(number), raw=raw, csl=csl, span=Span("doc.txt", 100 + number, 1),
                     number=number, parsed=parsed)


# Synthetic titles, obviously not real works.
A = dict(title="A synthetic study of alpha", family="Smith", year=2019)
B = dict(title="Beta outcomes in a made-up cohort", family="Jones", year=2020)
C = dict(title="Gamma: a fictional trial", family="Lee", year=2021)


def codes(citations: list[Citation], references: list[Reference], **kwargs: object) -> list[tuple[str, str | None]]:
    context = DocumentContext("doc.txt", tuple(citations), tuple(references), **kwargs)  # type: ignore[arg-type]
    return sorted((f.name, f.reference) for f in check_linking(context))


@pytest.mark.parametrize(
    ("citations", "references", "expected"),
    [
        pytest.param([cite("1"), cite("2")], [entry(1, **A), entry(2, **B)], [], id="all-cited-in-order"),
        pytest.param([cite("1"), cite("4")], [entry(1, **A), entry(2, **B), entry(3, **C), entry(4, title="Delta", family="Kim", year=2008)],
                     [("uncited-reference", "2"), ("uncited-reference", "3")], id="review-shape-two-uncited-no-order-finding"),
        pytest.param([cite("1"), cite("5")], [entry(1, **A)], [("citation-without-entry", "5")], id="citation-without-entry"),
        pytest.param([cite("2"), cite("1"), cite("3")], [entry(1, **A), entry(2, **B), entry(3, **C)],
                     [("citation-order", "1")], id="order-2-1-3"),
        pytest.param([cite("1", "2"), cite("3")], [entry(1, **A), entry(2, **B), entry(4, **C, ident=None)],
                     [("citation-without-entry", "3"), ("numbering-gap", "4"), ("uncited-reference", "4")], id="gap-3-missing"),
        pytest.param([cite("1"), cite("2")], [entry(1, **A), entry(2, **B), entry(2, **C, ident="2#2")],
                     [("numbering-gap", "2"), ("uncited-reference", "2#2")], id="number-repeated"),
        pytest.param([cite("1"), cite("2")], [entry(1, **A), entry(2, title="A synthetic study of alpha.", family="Smith", year=2019)],
                     [("duplicate-reference", "2")], id="duplicate-differing-in-detail"),
        pytest.param([cite("1"), cite("2")], [entry(1, **A, doi="10.5555/abc"), entry(2, **B, doi="https://doi.org/10.5555/ABC")],
                     [("duplicate-reference", "2")], id="duplicate-by-doi"),
        pytest.param([cite("1"), cite("2")], [entry(1, **A), entry(2, title="A synthetic study of alpha", family="Smith", year=2015)],
                     [], id="same-title-other-year-not-duplicate"),
        pytest.param([cite("1")], [entry(1, parsed=False)], [("unparseable-reference", "1")], id="unparseable"),
        pytest.param([cite("1")], [], [("missing-reference-list", None)], id="no-list-with-citations"),
        pytest.param([], [], [("missing-reference-list", None)], id="no-list-no-citations"),
    ],
)
def test_linking_rules(citations: list[Citation], references: list[Reference], expected: list[tuple[str, str | None]]) -> None:
    assert codes(citations, references) == sorted(expected)


def test_cite_all_marks_every_entry_cited() -> None:
    assert codes([], [entry(1, **A)], has_bibliography=True, cite_all=True) == []


@pytest.mark.parametrize(
    ("target", "keys", "hint"),
    [
        pytest.param("Smith2019", ["smith2019"], "did you mean 'smith2019'", id="case-differs"),
        pytest.param("nobody", ["smith2019"], None, id="unknown-key"),
    ],
)
def test_key_citation_without_entry_suggests_case_fix(target: str, keys: list[str], hint: str | None) -> None:
    references = [Reference(id=k, raw="x", csl={"title": "t"}, key=k) for k in keys]
    context = DocumentContext("doc.tex", (cite(target, style=CitationStyle.KEY),), tuple(references), has_bibliography=True)
    messages = [f.message for f in check_linking(context) if f.name == "citation-without-entry"]
    assert len(messages) == 1
    assert (hint in messages[0]) if hint else ("did you mean" not in messages[0])


def _resolved(reference_id: str, doi: str, status: ResolutionStatus = ResolutionStatus.MATCHED) -> Resolution:
    return Resolution(reference_id, status, work=Work(doi=doi) if status is ResolutionStatus.MATCHED else None)


@pytest.mark.parametrize(
    ("references", "resolutions", "expected"),
    [
        # The review's variant (issue 11): two entries written differently (one a shortened
        # title, no DOI) that the registry resolves to one record. Synthetic titles and DOIs.
        pytest.param([entry(1, **A), entry(2, title="Alpha, a synthetic study", family="Smith", year=2019)],
                     [_resolved("1", "10.5555/alpha"), _resolved("2", "10.5555/ALPHA")],
                     [("duplicate-reference", "2")], id="resolved-to-one-doi"),
        pytest.param([entry(1, **A, doi="10.5555/alpha"), entry(2, title="Alpha, a synthetic study", family="Smith", year=2019)],
                     [_resolved("2", "10.5555/alpha")], [("duplicate-reference", "2")], id="given-doi-and-resolved-doi"),
        pytest.param([entry(1, **A), entry(2, **B)], [_resolved("1", "10.5555/alpha"), _resolved("2", "10.5555/beta")],
                     [], id="resolved-to-two-dois"),
        pytest.param([entry(1, **A), entry(2, title="Alpha, a synthetic study", family="Smith", year=2019)],
                     [_resolved("1", "10.5555/alpha"), _resolved("2", "", ResolutionStatus.AMBIGUOUS)],
                     [], id="ambiguous-resolution-decides-nothing"),
    ],
)
def test_duplicates_by_resolved_doi(references: list[Reference], resolutions: list[Resolution],
                                    expected: list[tuple[str, str]]) -> None:
    cited = [cite(r.id) for r in references]
    found = codes(cited, references, resolutions=tuple(resolutions))
    assert [f for f in found if f[0] == "duplicate-reference"] == expected
