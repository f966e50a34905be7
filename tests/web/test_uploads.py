"""Receiving the upload form: names made safe, files written only into the request's directory,
every limit refused with its one-line message and status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

pytest.importorskip("python_multipart", reason="citecheck serve needs the web extra: pip install -e '.[web]'")

from citecheck.web.uploads import MAX_PARTS, UploadError, receive_upload, safe_name  # noqa: E402

BOUNDARY = "citecheckboundary"


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


def _form(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _receive(body: bytes, directory: Path, limit: int = 1 << 20, headers: dict[str, str] | None = None,
             chunk: int = 7):
    async def stream() -> AsyncIterator[bytes]:
        for at in range(0, len(body), chunk):
            yield body[at:at + chunk]

    given = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **(headers or {})}
    return anyio.run(receive_upload, given, stream(), directory, limit)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("paper.pdf", "paper.pdf", id="plain"),
        pytest.param("../../etc/passwd", "passwd", id="parent-directories"),
        pytest.param("C:\\Users\\me\\paper.docx", "paper.docx", id="windows-path"),
        pytest.param(".bashrc", "bashrc", id="leading-dot"),
        pytest.param('"><img src=x onerror=alert(1)>.txt', "___img src=x onerror=alert(1)_.txt", id="markup"),
        pytest.param("a\x00b\nc.md", "abc.md", id="control-characters"),
        pytest.param("Müller – Übersicht.tex", "Müller _ Übersicht.tex", id="letters-kept"),
        pytest.param("", "manuscript.txt", id="empty"),
        pytest.param("..", "manuscript.txt", id="dots-only"),
        pytest.param("x" * 300 + ".pdf", "x" * 96 + ".pdf", id="long-keeps-extension"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw, "manuscript.txt") == expected


def test_files_are_written_in_the_directory_fields_kept(tmp_path: Path) -> None:
    body = _form(_part("input_format", b"text"), _part("manuscript", b"Text [1].\n", "../paper.txt"),
                 _part("bibliography", b"@article{a, title={T}}\n", "refs.bib"), _part("verify", b"off"))
    upload = _receive(body, tmp_path)
    assert upload.manuscript == tmp_path / "paper.txt" and upload.manuscript.read_bytes() == b"Text [1].\n"
    assert upload.bibliography == tmp_path / "refs.bib"
    assert upload.fields == {"input_format": "text", "verify": "off"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.txt", "refs.bib"]


def test_two_files_of_one_name_are_both_kept(tmp_path: Path) -> None:
    upload = _receive(_form(_part("manuscript", b"x", "paper.bib"), _part("bibliography", b"@misc{a,}", "paper.bib")),
                      tmp_path)
    assert upload.manuscript.name == "paper.bib" and upload.bibliography is not None
    assert upload.bibliography.name == "bibliography-paper.bib"


def test_no_file_chosen_for_the_bibliography_is_no_bibliography(tmp_path: Path) -> None:
    upload = _receive(_form(_part("manuscript", b"x", "a.txt"), _part("bibliography", b"", "")), tmp_path)
    assert upload.bibliography is None


@pytest.mark.parametrize(
    ("body", "headers", "limit", "status", "message"),
    [
        pytest.param(_form(_part("manuscript", b"x" * 2000, "a.txt")), {}, 1000, 413, "over the 1 KiB limit",
                     id="over-the-limit-while-streaming"),
        pytest.param(_form(_part("manuscript", b"x", "a.txt")), {"content-length": str(3 << 20)}, 1 << 20, 413,
                     "the upload is 3 MiB, over the 1 MiB limit", id="over-the-limit-announced"),
        pytest.param(b"a=b", {"content-type": "application/x-www-form-urlencoded"}, 1 << 20, 415,
                     "multipart/form-data", id="not-multipart"),
        pytest.param(_form(_part("bibliography", b"@misc{a,}", "a.bib")), {}, 1 << 20, 400,
                     "choose a manuscript", id="no-manuscript"),
        pytest.param(_form(_part("manuscript", b"", "a.txt")), {}, 1 << 20, 400, "a.txt: is empty", id="empty"),
        pytest.param(_form(_part("manuscript", b"x", "a.txt"), _part("bibliography", b"x", "notes.docx")), {},
                     1 << 20, 400, "notes.docx: a bibliography must be", id="bibliography-not-a-bibliography"),
        pytest.param(_form(*[_part(f"f{i}", b"x") for i in range(MAX_PARTS + 1)]), {}, 1 << 20, 400,
                     f"more than {MAX_PARTS} parts", id="too-many-parts"),
        pytest.param(_form(_part("input_format", b"x" * 5000), _part("manuscript", b"x", "a.txt")), {}, 1 << 20,
                     400, "over 4096 bytes", id="field-too-big"),
        pytest.param(b"--citecheckboundary\r\nno headers end", {}, 1 << 20, 400, "could not be read",
                     id="broken-body"),
    ],
)
def test_refused(tmp_path: Path, body: bytes, headers: dict[str, str], limit: int, status: int,
                 message: str) -> None:
    with pytest.raises(UploadError) as refused:
        _receive(body, tmp_path, limit, headers)
    assert refused.value.status == status
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_browsers_escaped_quote_in_a_file_name_is_read_back(tmp_path: Path) -> None:
    # Chromium sends `"><b>.txt` as `%22><b>.txt` (the HTML standard's form-data encoding).
    upload = _receive(_form(_part("manuscript", b"x", "%22><b>.txt")), tmp_path)
    assert upload.manuscript.name == "___b_.txt"
