"""`citecheck fix`: which fixes apply, the corrected BibTeX, --diff with patch, .bib round trips.

Real bibliographic data comes from the review (examples/, the user's document) and the shipped
snapshot (citecheck/data/trial-papers.jsonl, see citecheck/data/README.md). Everything else is
obviously synthetic (`A synthetic title`, `J Test`, DOIs under Crossref's test prefix 10.5555).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.findings import Finding, Fix, Severity
from citecheck.fix.plan import FixOptions, citation_order, plan_fixes, protect_names, unified_diff
from citecheck.fix.bib import update_bib
from citecheck.model import Citation, Reference, Resolution, ResolutionStatus, Span, Work
from citecheck.results import DocumentResult
from tests.conftest import EXAMPLE

OFFLINE = ["--offline", "--no-cache", "-q"]

# -- Plans, on synthetic values ------------------------------------------------------------------

SYNTHETIC = {"type": "article-journal", "title": "A synthetic title", "container-title": "J Test",
             "issued": {"date-parts": [[2019]]}, "page": "1-2", "author": [{"family": "Smith", "given": "J."}]}


def _document(status: ResolutionStatus, csl: dict | None = None) -> DocumentResult:
    reference = Reference(id="1", raw="Smith J. A synthetic title. J Test. 2019;1-2.", csl=csl or dict(SYNTHETIC),
                          span=Span("doc.txt", 5, 1), number=1, key="smith2019synthetic")
    work = Work(doi="10.5555/synthetic.1", title="A synthetic title", year=2019, volume="1")
    resolution = Resolution("1", status, work=work if status is ResolutionStatus.MATCHED else None)
    citation = Citation(Span("doc.txt", 1, 10), "1", ("1",))
    return DocumentResult("doc.txt", (citation,), (reference,), (resolution,))


def _finding(*fixes: Fix) -> Finding:
    return Finding("M008", "incomplete-reference", Severity.WARNING, "synthetic", Span("doc.txt", 5, 1), "1", fixes)


SAFE_DOI = Fix("DOI", "10.5555/synthetic.1", None, safe=True, source="snapshot:test")
SAFE_VOLUME = Fix("volume", "1", None, safe=True, source="snapshot:test")
UNSAFE_YEAR = Fix("issued", {"date-parts": [[2020]]}, "2019", safe=False, source="snapshot:test")
UNSAFE_TITLE = Fix("title", "A synthetic title, corrected", "A synthetic title", safe=False, source="snapshot:test")


@pytest.mark.parametrize(("status", "options", "fixes", "applied", "withheld"), [
    pytest.param(ResolutionStatus.MATCHED, FixOptions(), (SAFE_DOI, SAFE_VOLUME, UNSAFE_YEAR),
                 {"DOI", "volume"}, {("issued", "unsafe")}, id="safe-only-by-default"),
    pytest.param(ResolutionStatus.MATCHED, FixOptions(unsafe=True), (SAFE_DOI, UNSAFE_YEAR, UNSAFE_TITLE),
                 {"DOI", "issued", "title"}, set(), id="unsafe-when-asked"),
    pytest.param(ResolutionStatus.MATCHED, FixOptions(unsafe=True, protect=protect_names(["title", "year"])),
                 (SAFE_DOI, UNSAFE_YEAR, UNSAFE_TITLE), {"DOI"}, {("issued", "protected"), ("title", "protected")},
                 id="protect-list"),
    pytest.param(ResolutionStatus.MATCHED, FixOptions(protected={"1": frozenset({"doi"})}), (SAFE_DOI, SAFE_VOLUME),
                 {"volume"}, {("DOI", "protected")}, id="entry-protection"),
    pytest.param(ResolutionStatus.AMBIGUOUS, FixOptions(unsafe=True), (SAFE_DOI,), set(), set(), id="ambiguous-kept"),
    pytest.param(ResolutionStatus.NOT_FOUND, FixOptions(), (SAFE_DOI,), set(), set(), id="not-found-kept"),
    pytest.param(ResolutionStatus.UNVERIFIED, FixOptions(), (SAFE_DOI,), set(), set(), id="unverified-kept"),
])
def test_plan_applies_what_it_may(status: ResolutionStatus, options: FixOptions, fixes: tuple[Fix, ...],
                                  applied: set[str], withheld: set[tuple[str, str]]) -> None:
    document = _document(status)
    plan = plan_fixes(document, [_finding(*fixes)], options)
    (entry,) = plan.entries
    assert {f.field for f in entry.applied} == applied
    assert {(f.field, why) for f, why in entry.withheld} == withheld
    for fix in entry.applied:
        assert entry.csl[fix.field] == fix.value
    if not applied:  # kept exactly as written, never dropped
        assert entry.csl == document.references[0].csl


@pytest.mark.parametrize(("written", "expected"), [
    pytest.param("https://doi.org/10.5555/SYNTHETIC.1", "10.5555/synthetic.1", id="resolver-prefix"),
    pytest.param("10.5555/synthetic.1", None, id="already-normal"),
])
def test_doi_normalisation_is_a_safe_fix(written: str, expected: str | None) -> None:
    plan = plan_fixes(_document(ResolutionStatus.MATCHED, {**SYNTHETIC, "DOI": written}), [])
    (entry,) = plan.entries
    assert [f.value for f in entry.applied if f.field == "DOI"] == ([expected] if expected else [])


def test_citation_order_puts_uncited_last_in_list_order() -> None:
    refs = tuple(Reference(id=str(n), raw="x", csl={}, number=n, key=f"k{n}") for n in (1, 2, 3, 4))
    cites = (Citation(Span("d", 1, 1), "3", ("3",)), Citation(Span("d", 2, 1), "1,3", ("1", "3")))
    document = DocumentResult("d", cites, refs)
    assert [r.id for r in citation_order(document)] == ["3", "1", "2", "4"]


@pytest.mark.parametrize(("old", "new"), [
    pytest.param("a\nb\n", "a\nc\n", id="changed-line"),
    pytest.param("a\nb", "a\nb\nc\n", id="old-without-final-newline"),
    pytest.param("a\n", "a\nb", id="new-without-final-newline"),
])
def test_unified_diff_applies_with_patch(tmp_path: Path, old: str, new: str) -> None:
    if shutil.which("patch") is None:
        pytest.skip("the patch program is not installed")
    target = tmp_path / "refs.bib"
    target.write_text(old, encoding="utf-8")
    diff = unified_diff(old, new, "refs.bib", "refs.bib")
    subprocess.run(["patch", "-s", str(target)], input=diff.encode(), check=True, cwd=tmp_path)
    assert target.read_text(encoding="utf-8") == new


# -- The review ------------------------------------------------------------------------------------

def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["fix", *args])
    return result.exit_code, result.stdout, result.stderr


def test_review_corrected_bibtex_has_four_entries() -> None:
    code, out, _ = _run(*OFFLINE, str(EXAMPLE))
    assert code == 0
    entries = re.findall(r"@(\w+)\{(\w+),\n(.*?)\n\}", out, re.S)
    assert [key for _, key, _ in entries] == [
        "american2004breast", "paridaens2008phase", "robert2011ribbon", "miller2007paclitaxel"]  # citation order
    fields = {key: dict(re.findall(r"  ([\w-]+) = \{(.*)\},", body)) for _, key, body in entries}
    # Volume, issue and DOI from the shipped snapshot; pages as the review wrote them.
    assert {k: (v["doi"], v["volume"], v["number"], v["pages"]) for k, v in fields.items() if "doi" in v} == {
        "paridaens2008phase": ("10.1200/jco.2007.14.4659", "26", "30", "4883--4890"),
        "robert2011ribbon": ("10.1200/jco.2010.28.0982", "29", "10", "1252--1260"),
        "miller2007paclitaxel": ("10.1056/nejmoa072113", "357", "26", "2666--2676"),
    }
    assert all("citecheck-source" in v for k, v in fields.items() if k != "american2004breast")
    extract = CliRunner().invoke(main, ["extract", str(EXAMPLE)]).stdout
    guidebook = re.search(r"@book\{american2004breast,.*?\n\}\n", extract, re.S)
    assert guidebook and guidebook.group(0) in out  # the guidebook exactly as written


def test_review_diff_applies_to_extract_output(tmp_path: Path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("the patch program is not installed")
    original = tmp_path / "refs.bib"
    assert CliRunner().invoke(main, ["extract", str(EXAMPLE), "-o", str(original)]).exit_code == 0
    code, diff, _ = _run(*OFFLINE, "--diff", str(EXAMPLE))
    assert code == 0 and diff.startswith("--- ")
    subprocess.run(["patch", "-s", str(original)], input=diff.encode(), check=True, cwd=tmp_path)
    assert original.read_text(encoding="utf-8") == _run(*OFFLINE, str(EXAMPLE))[1]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--to", "text", "--style", "no-such-style"], "unknown style", id="unknown-style"),
    pytest.param(["--in-place"], "part of the document", id="in-place-on-text"),
    pytest.param(["--diff", "--to", "csljson"], "--diff compares BibTeX", id="diff-csljson"),
    pytest.param(["-o", str(EXAMPLE)], "refusing to overwrite", id="output-is-input"),
])
def test_usage_errors_exit_2_in_one_line(args: list[str], message: str) -> None:
    code, _, err = _run(*OFFLINE, *args, str(EXAMPLE))
    assert code == 2
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_missing_document_exits_2() -> None:
    code, _, err = _run(*OFFLINE, "no-such-file.txt")
    assert code == 2 and err.startswith("citecheck: error:")


# -- .bib documents ----------------------------------------------------------------------------

# RIBBON-1 as the review writes it (examples/), as a BibTeX entry without DOI, volume or issue.
RIBBON = """@article{robert2011ribbon,
    author    = {Robert, N. J. and Dieras, V. and Glaspy, J. and others},
    title     = {{RIBBON-1}: Randomized, Double-Blind, Placebo-Controlled, Phase {III} Trial of Chemotherapy With or Without Bevacizumab for First-Line Treatment of Human Epidermal Growth Factor Receptor 2--Negative, Locally Recurrent or Metastatic Breast Cancer},
    journal   = {Journal of Clinical Oncology},
    year      = 2011,
    pages     = {1252--1260},
    note      = {an unknown-to-citecheck field, kept},%s
}
"""


def _synthetic_bib(count: int) -> str:
    macros = "% a comment\n@string{jt = {J Test}}\n\n"
    entries = "".join(
        f"@article{{syn{n},\n  author = {{Smith{n}, J.}},\n  title = {{A synthetic title {n}}},\n"
        f"  journal = jt,\n  year = {{2019}},\n  volume = {{1}},\n  pages = {{{n}--{n + 1}}},\n}}\n\n"
        for n in range(count))
    return macros + entries


def _latex(tmp_path: Path, bib: str) -> Path:
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    keys = ",".join(re.findall(r"@article\{(\w+),", bib)[:3])
    tex = tmp_path / "main.tex"
    tex.write_text(f"\\documentclass{{article}}\n\\begin{{document}}\nText \\cite{{{keys}}}.\n\\nocite{{*}}\n"
                   "\\bibliography{refs}\n\\end{document}\n", encoding="utf-8")
    return tex


def test_500_entry_bib_with_nothing_to_fix_is_byte_identical(tmp_path: Path) -> None:
    bib = _synthetic_bib(500)
    tex = _latex(tmp_path, bib)
    out = tmp_path / "out.bib"
    code, _, err = _run(*OFFLINE, str(tex), "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == bib.encode("utf-8")


@pytest.mark.parametrize(("protect_field", "args", "has_number", "has_doi"), [
    pytest.param("", [], True, True, id="unprotected"),
    pytest.param("\n    citecheck-protect = {title, number},", [], False, True, id="entry-protects-number"),
    pytest.param("", ["--protect", "number,doi"], False, False, id="protect-option"),
])
def test_bib_changes_are_surgical_and_respect_protection(
        tmp_path: Path, protect_field: str, args: list[str], has_number: bool, has_doi: bool) -> None:
    bib = _synthetic_bib(3) + RIBBON % protect_field
    tex = _latex(tmp_path, bib)
    code, out, err = _run(*OFFLINE, "--unsafe-fixes", *args, str(tex))
    assert code == 0, err
    assert out.startswith(_synthetic_bib(3))  # untouched entries, comment and @string unchanged
    ribbon = out[len(_synthetic_bib(3)):]
    assert "{{RIBBON-1}: Randomized" in ribbon  # the title as written (protected or not: it matches)
    assert bool(re.search(r"\n    doi\s*= \{10\.1200/jco\.2010\.28\.0982\},\n", ribbon)) is has_doi
    assert bool(re.search(r"\n    number\s*= \{10\},\n", ribbon)) is has_number
    assert re.search(r"\n    volume\s*= \{29\},\n", ribbon) and "note      = {an unknown" in ribbon
    assert "citecheck-source = {" in ribbon


def test_in_place_keeps_a_backup_and_original_untouched_otherwise(tmp_path: Path) -> None:
    bib = RIBBON % ""
    tex = _latex(tmp_path, bib)
    refs = tmp_path / "refs.bib"
    assert _run(*OFFLINE, str(tex), "-o", str(tmp_path / "copy.bib"))[0] == 0
    assert refs.read_text(encoding="utf-8") == bib
    code, _, err = _run(*OFFLINE, "--in-place", str(tex))
    assert code == 0, err
    assert (tmp_path / "refs.bib.bak").read_text(encoding="utf-8") == bib
    assert refs.read_text(encoding="utf-8") == (tmp_path / "copy.bib").read_text(encoding="utf-8") != bib


def test_update_bib_with_no_applied_fix_returns_the_text() -> None:
    bib = _synthetic_bib(5)
    plan = plan_fixes(DocumentResult("d", (), ()), [])
    assert update_bib(plan, bib) == bib


@pytest.mark.parametrize(
    ("extra", "expect_doi_added"),
    [
        pytest.param([], True, id="safe-fixes"),
        pytest.param(["--unsafe-fixes"], True, id="unsafe-fixes-too"),
    ],
)
def test_audit_fix_writes_the_corrected_bibliography_beside_the_document(
        tmp_path: Path, extra: list[str], expect_doi_added: bool) -> None:
    from click.testing import CliRunner

    from citecheck.cli.app import main
    from tests.conftest import EXAMPLE

    document = tmp_path / EXAMPLE.name
    document.write_bytes(EXAMPLE.read_bytes())
    result = CliRunner().invoke(main, ["audit", "--offline", "--no-cache", "--fix", *extra, str(document)])
    assert result.exit_code == 1, result.stderr
    corrected = tmp_path / "metastatic-breast-cancer-review.corrected.bib"
    text = corrected.read_text(encoding="utf-8")
    assert ("doi = {10.1200/jco.2010.28.0982}" in text) is expect_doi_added
    assert document.read_bytes() == EXAMPLE.read_bytes()  # the document itself is untouched
