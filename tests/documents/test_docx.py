"""The Word reader: paragraphs, tables, notes, superscripts, numbering; a corrupt file is an InputError."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.documents.docx import docx_paragraphs, read_docx
from citecheck.documents.loading import InputError
from tests.docx_builder import build_docx

SPEC = {
    "body": [
        "Trials agree^{1,2} and Smith (2019) too.",
        {"table": [["Cell with (Lee, 2020)", "Plain"]]},
        {"style": "Heading 1", "text": "References"},
        "1. Synthetic A. A synthetic title. J Test. 2019;1:1-2.",
        "2. Synthetic B. Another synthetic title. J Test. 2019;1:3-4.",
        "Smith, J. (2019). A synthetic title. Journal of Tests, 1, 5-6.",
    ],
    "footnotes": ["A note citing [2]."],
    "endnotes": ["An endnote citing (Smith, 2019)."],
}


@pytest.fixture(scope="module")
def document_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_docx(SPEC, tmp_path_factory.mktemp("docx") / "doc.docx")


def test_paragraph_lines(document_path: Path) -> None:
    lines = docx_paragraphs(document_path, "doc.docx")
    assert lines[:4] == ["Trials agree¹,² and Smith (2019) too.", "Cell with (Lee, 2020)", "Plain", "References"]


@pytest.mark.parametrize(
    ("path", "line", "text"),
    [
        pytest.param("doc.docx", 1, "¹,²", id="superscript-run"),
        pytest.param("doc.docx", 1, "Smith (2019)", id="narrative"),
        pytest.param("doc.docx", 2, "Lee, 2020", id="table-cell"),
        pytest.param("doc.docx#footnotes", 1, "[2]", id="footnote"),
        pytest.param("doc.docx#endnotes", 1, "Smith, 2019", id="endnote"),
    ],
)
def test_citations(document_path: Path, path: str, line: int, text: str) -> None:
    document = read_docx(document_path, "doc.docx")
    assert any((c.span.path, c.span.line, c.text) == (path, line, text) for c in document.citations), [
        (c.span.path, c.span.line, c.text) for c in document.citations]


def test_reference_list(document_path: Path) -> None:
    document = read_docx(document_path, "doc.docx")
    assert document.reference_list is not None and document.reference_list.line == 4
    assert [e.span.line for e in document.entries][:2] == [5, 6]


@pytest.mark.parametrize(
    "content",
    [pytest.param(b"not a zip at all", id="not-zip"), pytest.param(b"PK\x03\x04broken", id="broken-zip")],
)
def test_corrupt_file_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        read_docx(path, "bad.docx")
    assert "\n" not in str(error.value) and "bad.docx" in str(error.value)
