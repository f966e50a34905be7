"""Settling each document's citation style (issue 11): which candidate markers are citations.

End to end through the audit engine (offline, no registry), on short synthetic manuscripts
written in the shapes met in real articles (`../shared/corpus/realdocs`; the article a shape
comes from is named in the param id). Entries are made up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.checks.style import numeric_form
from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.model import Citation, Span

NUMBERED = "\n\nReferences\n\n" + "\n\n".join(
    f"{n}. Author{chr(64 + n)} A, Writer B (20{n:02d}) A synthetic title number {n}. J Test {n}: {n}–{n + 1}."
    for n in range(1, 11)
) + "\n"
"""Ten numbered entries, PLOS style."""

AUTHOR_YEAR = (
    "\n\nReferences\n\n"
    "Adler I (1975) A synthetic model of space filling. J Test 53: 435–444.\n\n"
    "Brown K, Green L (2001) A synthetic second title. J Test 2: 3–4.\n\n"
    "Clark M, Dunn N, Evans O (2010) A synthetic third title. J Test 3: 5–6.\n"
)


def run(tmp_path: Path, text: str) -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, str | None]]]:
    """(citation text, targets) and (code, reference) of the findings, as `audit --no-verify` gives them."""
    path = tmp_path / "paper.txt"
    path.write_text(text, encoding="utf-8")
    report = audit([path], AuditOptions(verify=False, use_cache=False))
    citations = [(c.text, c.targets) for c in report.documents[0].citations]
    return citations, [(f.code, f.reference) for f in report.findings if f.code in ("C001", "C007", "R001")]


def cite_all_but(*numbers: int) -> str:
    return " ".join(f"[{n}]" for n in range(1, 11) if n not in numbers)


@pytest.mark.parametrize(
    ("body", "citations", "findings"),
    [
        pytest.param(f"Counted {cite_all_but()} and grouped (25) by age (20–30), compared by t-test (3).",
                     [f"[{n}]" for n in range(1, 11)], [], id="issue-parenthesised-numbers-in-a-bracket-document"),
        pytest.param(f"Counted {cite_all_but(7)}. Ages were grouped (5–9), (10–14).",
                     [f"[{n}]" for n in range(1, 11) if n != 7], [("R001", "7")],
                     id="pmed.1001518-age-range-naming-one-uncited-entry"),
        pytest.param(f"Counted {cite_all_but(7)}, as shown (7).",
                     [f"[{n}]" for n in range(1, 11) if n != 7] + ["(7)"], [("C007", "7")],
                     id="parenthesised-number-is-the-only-mention-of-an-entry"),
        pytest.param(f"Counted {cite_all_but(4)} in the bone metastases.4 Next",
                     [f"[{n}]" for n in range(1, 11) if n != 4] + ["4"], [],
                     id="superscript-closing-a-sentence-cites-in-any-document"),
        pytest.param(f"Counted {cite_all_but(4)}, as the metastases,4 showed",
                     [f"[{n}]" for n in range(1, 11) if n != 4] + ["4"], [("C007", "4")],
                     id="glued-number-inside-a-sentence-is-uncertain"),
        pytest.param(f"Counted {cite_all_but()}; the genes Aft1 and Jag1 and plasmids pLKO.1, pMD2.",
                     [f"[{n}]" for n in range(1, 11)], [], id="ppat.0040045-pbio.1001199-gene-and-plasmid-names"),
        pytest.param(f"Counted {cite_all_but()} in 2011.5 and in the cancer.12 Next",
                     [f"[{n}]" for n in range(1, 11)], [], id="glued-past-the-end-in-a-bracket-document"),
        pytest.param(f"Counted {cite_all_but()}; the shell Conus textile Linnaeus, 1758 and Garcia, 2006.",
                     [f"[{n}]" for n in range(1, 11)], [], id="pone.0120924-taxonomic-authorities"),
        pytest.param(f"Counted {cite_all_but()}; AuthorB and Writer (2002) [2] showed it.",
                     [f"[{n}]" for n in range(1, 11)] + ["[2]"], [], id="author-year-mention-beside-its-number"),
        pytest.param(f"Counted {cite_all_but(3)}; AuthorC and Writer (2003) showed it.",
                     [f"[{n}]" for n in range(1, 11) if n != 3] + ["AuthorC and Writer (2003)"], [("C007", "3")],
                     id="pcbi.1004082-narrative-whose-number-is-missing"),
        pytest.param(f"Counted {cite_all_but()} and fixation 17–20. In", [f"[{n}]" for n in range(1, 11)], [],
                     id="pbio.1001473-bare-range-past-the-list"),
        pytest.param(f"Counted {cite_all_but(8, 9)} and fixation 8–9. In",
                     [f"[{n}]" for n in range(1, 11) if n not in (8, 9)] + ["8–9"], [("C007", "8")],
                     id="pbio.1001473-bare-range-of-uncited-entries"),
        pytest.param(f"Counted {cite_all_but()} and [12].", [f"[{n}]" for n in range(1, 11)] + ["[12]"], [("C001", "12")],
                     id="document-form-past-the-end-is-a-missing-entry"),
    ],
)
def test_numeric_documents(tmp_path: Path, body: str, citations: list[str], findings: list[tuple[str, str]]) -> None:
    found, codes = run(tmp_path, "Title\n\n" + body + NUMBERED)
    assert [text for text, _ in found] == citations
    assert codes == findings


@pytest.mark.parametrize(
    ("body", "citations", "findings"),
    [
        pytest.param("As modelled (Adler, 1975) and tested (Brown and Green, 2001; Clark et al., 2010), see [2] and (3).",
                     ["Adler, 1975", "Brown and Green, 2001", "Clark et al., 2010"], [], id="elife02304-numbers-in-an-author-year-document"),
        pytest.param("As modelled (Adler, 1975), tested (Brown and Green, 2001) and missed (Nobody et al., 2012).",
                     ["Adler, 1975", "Brown and Green, 2001", "Nobody et al., 2012"],
                     [("C001", None), ("R001", "clark2010synthetic")], id="missing-entry-still-an-error"),
    ],
)
def test_author_year_documents(tmp_path: Path, body: str, citations: list[str], findings: list[tuple[str, str]]) -> None:
    found, codes = run(tmp_path, "Title\n\n" + body + AUTHOR_YEAR)
    assert [text for text, _ in found] == citations
    assert codes == findings


def test_mixed_document_keeps_both_styles(tmp_path: Path) -> None:
    # A numbered list whose entries are cited by number and by name: a mixed document, where an
    # author-year citation that fits no entry is still a citation of a missing entry.
    body = ("Trials came first [1], [2]. AuthorC and Writer (2003) and (AuthorD and Writer, 2004) disagreed, "
            "(AuthorE and Writer, 2005) too, but (Nobody, 2009) is not listed.")
    path = tmp_path / "paper.txt"
    path.write_text("Title\n\n" + body + "\n\nReferences\n\n" + "\n\n".join(
        f"{n}. Author{chr(64 + n)} A, Writer B (20{n:02d}) A synthetic title number {n}. J Test {n}: {n}–{n + 1}."
        for n in range(1, 6)) + "\n", encoding="utf-8")
    report = audit([path], AuditOptions(verify=False, use_cache=False))
    assert [c.targets for c in report.documents[0].citations] == [("1", "2"), ("3",), ("4",), ("5",), ()]
    assert [f.code for f in report.findings if f.code in ("C001", "C007", "R001")] == ["C001"]


@pytest.mark.parametrize(
    ("text", "form"),
    [
        pytest.param("[1]", "bracket", id="bracket"),
        pytest.param("(1)", "paren", id="paren"),
        pytest.param("¹", "superscript", id="unicode-superscript"),
        pytest.param("<sup>1</sup>", "superscript", id="html-superscript"),
        pytest.param("1", "superscript", id="glued-digits"),
    ],
)
def test_numeric_form_read_from_the_marker(text: str, form: str) -> None:
    assert numeric_form(Citation(Span("d", 1, 1), text, ("1",))) == form


def test_uncertain_citation_sets_no_order(tmp_path: Path) -> None:
    # pone.0008915's shape after its citations of entry 1 are gone: an equation number `(1)`
    # late in the text is the only mention of entry 1. It may be no citation at all, so it
    # must not make entry 1 "first cited after entry 9" (C002).
    path = tmp_path / "paper.txt"
    path.write_text("Title\n\nCounted " + cite_all_but(1) + ". The model reads (1) as shown." + NUMBERED,
                    encoding="utf-8")
    report = audit([path], AuditOptions(verify=False, use_cache=False))
    assert sorted(f.code for f in report.findings if f.code.startswith("C")) == ["C007"]
    (uncertain,) = [c for c in report.documents[0].citations if c.uncertain]
    assert (uncertain.text, uncertain.targets) == ("(1)", ("1",))
