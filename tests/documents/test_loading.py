"""Bad input gets a one-line InputError naming the problem; good encodings decode the same text."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from citecheck.documents.loading import InputError, decode_document, load_document

TEXT = "Résumé of trials.1\n\n1 Smith A. A synthetic title. J Test. 2019.\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(TEXT.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
    ],
)
def test_accepted_encodings_decode_to_the_same_text(data: bytes) -> None:
    assert decode_document(data, "doc.txt") == TEXT


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: d / "missing.txt", "no such file", id="missing-path"),
        pytest.param(lambda d: d, "is a directory", id="directory"),
        pytest.param(lambda d: _write(d / "empty.txt", b""), "is empty", id="empty"),
        pytest.param(lambda d: _write(d / "blank.txt", b"  \n\n "), "only whitespace", id="whitespace-only"),
        pytest.param(lambda d: _write(d / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "binary file", id="binary"),
        pytest.param(lambda d: _write(d / "latin1.txt", "Résumé".encode("latin-1")), "not valid UTF-8", id="latin-1"),
        pytest.param(lambda d: _write(d / "utf16-no-bom.txt", "abc".encode("utf-16-le")), "binary file", id="utf-16-without-bom"),
    ],
)
def test_bad_input_is_one_line_error(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as caught:
        load_document(path)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert str(path) in text


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.txt", b"a" * 2048)
    with pytest.raises(InputError, match="over the 0 MiB limit|limit"):
        load_document(path, max_bytes=1024)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
