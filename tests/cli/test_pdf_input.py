"""PDF input on the command line: bad PDFs in one line with exit 2, the review's PDF audited
like its text, reports naming the page, `fix` writing a PDF's bibliography and refusing to
rewrite the PDF, directories. No network: `--offline` or `--no-verify`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.documents.discovery import expand_documents
from citecheck.documents.loading import InputError
from citecheck.documents.pdf import extract_text
from tests.conftest import ROOT
from tests.pdf_builder import image_page, text_page, write_pdf

PDFS = ROOT / "tests" / "fixtures" / "pdf"
REVIEW_TEXT = ROOT / "examples" / "metastatic-breast-cancer-review.txt"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _truncated(tmp: Path) -> Path:
    data = (PDFS / "review.pdf").read_bytes()
    (tmp / "truncated.pdf").write_bytes(data[: len(data) // 2])
    return tmp / "truncated.pdf"


def _garbage(tmp: Path) -> Path:
    (tmp / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return tmp / "garbage.pdf"


def _renamed(tmp: Path) -> Path:
    shutil.copy(PDFS / "encrypted.pdf", tmp / "paper.txt")  # a PDF under a text name is still a PDF
    return tmp / "paper.txt"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(lambda tmp: PDFS / "encrypted.pdf", "is encrypted and needs a password", id="encrypted"),
        pytest.param(_renamed, "is encrypted and needs a password", id="encrypted-named-txt"),
        pytest.param(lambda tmp: write_pdf(tmp / "scan.pdf", [image_page(), image_page()]),
                     "has no text layer (a scanned or image-only PDF)", id="image-only"),
        pytest.param(lambda tmp: write_pdf(tmp / "blank.pdf", [b""]), "has no text layer (no text on any page)",
                     id="blank"),
        pytest.param(_truncated, "is a damaged PDF (truncated", id="truncated"),
        pytest.param(_garbage, "is a damaged PDF that cannot be parsed", id="damaged"),
        pytest.param(lambda tmp: write_pdf(tmp / "huge.pdf", [text_page(["x"])] * 1501, shared=True),
                     "has 1,501 pages, over the 1,500-page limit", id="too-many-pages"),
        pytest.param(lambda tmp: tmp / "nowhere.pdf", "no such file", id="missing"),
    ],
)
def test_bad_pdfs_are_one_line_and_exit_2(tmp_path: Path, make, says: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    code, stdout, stderr = _run("audit", "--no-verify", str(path))
    assert code == 2
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("citecheck: error: ") and says in lines[0], stderr
    if "scan" in path.name:
        assert "OCR" in lines[0]


def test_time_budget_is_one_line() -> None:
    with pytest.raises(InputError, match=r"reading stopped at page 1 of 31: over the 0 s time budget"):
        extract_text(PDFS / "long.pdf", "long.pdf", budget=0.0)


def test_restricted_pdf_is_read_like_the_original() -> None:
    assert _run("audit", "--no-verify", str(PDFS / "restricted.pdf"))[1].replace("restricted", "review") \
        == _run("audit", "--no-verify", str(PDFS / "review.pdf"))[1]


def _without_positions(report: dict) -> list[tuple]:  # type: ignore[type-arg]
    return sorted((f["code"], f["reference"], f["message"].split("; it may support")[0]) for f in report["findings"])


def test_review_pdf_gives_the_findings_of_the_text(tmp_path: Path) -> None:
    common = ["audit", "--offline", "--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    code_text, out_text, _ = _run(*common, str(REVIEW_TEXT))
    code_pdf, out_pdf, _ = _run(*common, str(PDFS / "review.pdf"))
    text, pdf = json.loads(out_text), json.loads(out_pdf)
    assert code_pdf == code_text == 1
    assert _without_positions(pdf) == _without_positions(text)
    uncited = sorted(f["reference"] for f in pdf["findings"] if f["code"] == "R001")
    assert uncited == ["2", "3"]
    verified = sorted(r["id"] for r in pdf["references"] if r["resolution"]["status"] == "matched")
    assert verified == ["2", "3", "4"]
    assert [(c["references"], c["page"]) for c in pdf["citations"]] == [(["1"], 1), (["4"], 1)]
    assert all(f["page"] >= 1 for f in pdf["findings"])
    schema = json.loads((ROOT / "citecheck" / "data" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(pdf)


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        pytest.param("text", lambda out: "review.pdf:p1:l" in out and "R001 uncited-reference" in out, id="text"),
        pytest.param("sarif", lambda out: {r["locations"][0]["physicalLocation"]["region"]["properties"]["page"]
                                           for r in json.loads(out)["runs"][0]["results"]} == {1}, id="sarif"),
        pytest.param("html", lambda out: re.search(r'<div class="l" data-n="p1 l\d+">[^<]*slowing the progression of bone '
                                                  r'metastases\.<a class="cite" id="d1-c1"[^>]*>1</a>', out) is not None
                     and '<a href="#d1-c1">p1:l' in out, id="html-shows-the-line-with-page-and-line"),
        pytest.param("markdown", lambda out: "review.pdf:p1:l" in out, id="markdown"),
        pytest.param("github", lambda out: "(page 1)" in out, id="github"),
    ],
)
def test_reports_name_the_page(fmt: str, check) -> None:  # type: ignore[no-untyped-def]
    code, stdout, _ = _run("audit", "--no-verify", "--format", fmt, str(PDFS / "review.pdf"))
    assert code == 1
    assert check(stdout), stdout[:2000]


def test_fix_writes_a_pdfs_bibliography(tmp_path: Path) -> None:
    code, stdout, _ = _run("fix", "--no-verify", "--to", "csljson", str(PDFS / "review.pdf"))
    assert code == 0
    items = json.loads(stdout)
    assert len(items) == 4 and items[0]["title"].startswith("A Breast Cancer Journey")


@pytest.mark.parametrize("flag", [pytest.param("--renumber", id="renumber"), pytest.param("--in-place", id="in-place")])
def test_fix_refuses_to_rewrite_a_pdf(tmp_path: Path, flag: str) -> None:
    pdf = tmp_path / "review.pdf"
    shutil.copy(PDFS / "review.pdf", pdf)
    before = pdf.read_bytes()
    code, stdout, stderr = _run("fix", "--no-verify", flag, str(pdf))
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and f"{flag} rewrites the document, and a PDF file" in stderr
    assert pdf.read_bytes() == before and not (tmp_path / "review.pdf.bak").exists()


def test_directories_take_a_pdf_unless_its_source_is_beside_it(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text("\\documentclass{article}\n", encoding="utf-8")
    shutil.copy(PDFS / "review.pdf", tmp_path / "paper.pdf")
    shutil.copy(PDFS / "review.pdf", tmp_path / "submitted.pdf")
    assert [p.name for p in expand_documents((str(tmp_path),))] == ["paper.tex", "submitted.pdf"]
