"""Reading a document file into text, refusing what is not a text document, with one-line reasons."""

from __future__ import annotations

import codecs
from pathlib import Path

from citecheck.documents.base import SourceText

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
"""Largest document citecheck reads (50 MiB), checked before reading. A manuscript's text is
rarely over 5 MiB; anything larger is almost certainly not a manuscript."""


class InputError(Exception):
    """The user's input cannot be read. The message is one line and names the problem."""


def decode_document(data: bytes, path: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused.

    Line endings are normalised to `\\n` so offsets, lines and columns agree everywhere.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        # A NUL byte in the first 8 KiB of a file without a UTF-16 BOM means binary, not text.
        if b"\x00" in data[:8192]:
            raise InputError(f"{path}: is a binary file, not a text document")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: is not valid {encoding.upper()} text (byte {error.start}); "
            "save it as UTF-8 or UTF-16 with a byte-order mark"
        ) from None
    if encoding == "utf-16" and text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_document(path: str | Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> SourceText:
    """The document at `path` as SourceText; raises InputError with a one-line message otherwise."""
    shown = str(path)
    file = Path(path)
    try:
        if not file.exists():
            raise InputError(f"{shown}: no such file")
        if file.is_dir():
            raise InputError(f"{shown}: is a directory, not a document")
        size = file.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{shown}: is {size / 1024 / 1024:.1f} MiB, over the {max_bytes // 1024 // 1024} MiB "
                "limit for a document"
            )
        if size == 0:
            raise InputError(f"{shown}: is empty")
        data = file.read_bytes()
    except InputError:
        raise
    except OSError as error:
        raise InputError(f"{shown}: cannot be read ({error.strerror or error})") from None
    return load_bytes(data, shown, max_bytes)


def load_bytes(data: bytes, shown: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> SourceText:
    """A document's bytes (read from a bundle or a store) as SourceText, with the checks of
    `load_document`; raises InputError with a one-line message otherwise."""
    if len(data) > max_bytes:
        raise InputError(
            f"{shown}: is {len(data) / 1024 / 1024:.1f} MiB, over the {max_bytes // 1024 // 1024} MiB "
            "limit for a document"
        )
    if not data:
        raise InputError(f"{shown}: is empty")
    text = decode_document(data, shown)
    if not text.strip():
        raise InputError(f"{shown}: holds only whitespace")
    return SourceText(path=shown, text=text)
