"""Receiving the upload form: the manuscript and an optional bibliography streamed straight
into the request's temporary directory, the other fields kept in memory, everything bounded.

Limits, each refused with a one-line message and its HTTP status: the whole body (the
`Content-Length` announced, then the bytes actually received: 413), the number of parts and
of header bytes per part, the size of a plain field, a form that is not `multipart/form-data`
(415), a missing manuscript or a bibliography that is not .bib, CSL-JSON or CSL-YAML (400).
File names are reduced to a safe base name (no directory, no leading dot, no control or
markup characters), so nothing is ever written outside the directory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

MANUSCRIPT = "manuscript"
"""The form field of the manuscript."""
BIBLIOGRAPHY = "bibliography"
"""The form field of the optional bibliography file."""
BIBLIOGRAPHY_SUFFIXES = (".bib", ".json", ".yaml", ".yml")
"""What a bibliography upload may be: BibTeX/BibLaTeX, CSL-JSON, CSL-YAML."""
MAX_PARTS = 16
"""Parts a form may have (it has a handful)."""
MAX_FIELD_BYTES = 4096
"""Bytes a plain (non-file) field may hold."""
MAX_NAME_CHARS = 100
"""Characters kept of an uploaded file's name."""


class UploadError(Exception):
    """An upload that cannot be taken: a one-line message for the page, and the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Upload:
    """A received form."""

    manuscript: Path
    """The manuscript, saved in the request's directory under its safe name."""
    bibliography: Path | None = None
    """The bibliography file, when one was sent."""
    fields: dict[str, str] = field(default_factory=dict)
    """The plain fields (input format, whether to verify)."""


_UNSAFE = re.compile(r"[^\w.\- ()+,@=]")


def safe_name(raw: str, default: str) -> str:
    """A file name that stays inside a directory and means nothing to HTML or a shell: the last
    path component, Unicode-normalised, without control characters, markup or leading dots."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        name = name[: MAX_NAME_CHARS - len(keep) - 1].rstrip(" .") + ("." + keep if keep else "")
    return name or default


def _mib(count: int) -> str:
    """`3 MiB`, `1.5 MiB`, `977 KiB`: a size as a person reads it."""
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count / 1024 / 1024:.1f}".rstrip("0").rstrip(".") + " MiB"


class _Receiver:
    """The callbacks of python-multipart's streaming parser, writing file parts to disk."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, Path] = {}
        self.fields: dict[str, str] = {}
        self.parts = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._filename: str | None = None
        self._handle: IO[bytes] | None = None
        self._data = bytearray()

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise UploadError(f"the form has more than {MAX_PARTS} parts")
        self._disposition, self._name, self._filename, self._handle = b"", "", None, None
        self._data = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            return
        # Browsers send `"`, CR and LF in a file name as %22, %0D and %0A (the HTML standard's
        # multipart/form-data encoding); read them back before the name is made safe.
        raw = options[b"filename"].decode("utf-8", "replace")
        raw = raw.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
        if not raw or self._name not in (MANUSCRIPT, BIBLIOGRAPHY) or self._name in self.files:
            return  # no file chosen in that field, a field this form does not have, or a repeat
        self._filename = raw
        default = "manuscript.txt" if self._name == MANUSCRIPT else "bibliography.bib"
        name = safe_name(raw, default)
        if any(path.name == name for path in self.files.values()):
            name = f"{self._name}-{name}"  # the two files share a name: keep both
        path = self.directory / name
        self.files[self._name] = path
        self._handle = path.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._handle is not None:
            self._handle.write(data[start:end])
        elif self._filename is None:
            if len(self._data) + end - start > MAX_FIELD_BYTES:
                raise UploadError(f"the form field {self._name!r} is over {MAX_FIELD_BYTES} bytes")
            self._data.extend(data[start:end])

    def on_part_end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        elif self._filename is None and self._name:
            self.fields[self._name] = self._data.decode("utf-8", "replace")

    def close(self) -> None:
        """Close a file left open by a broken form."""
        if self._handle is not None:
            self._handle.close()


async def receive_upload(headers: dict[str, str], body: AsyncIterator[bytes], directory: Path,
                         limit: int) -> Upload:
    """Read a `multipart/form-data` body into `directory`. Raises UploadError."""
    content_type, options = parse_options_header(headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise UploadError("send the manuscript as a multipart/form-data form", 415)
    announced = headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise UploadError(f"the upload is {_mib(int(announced))}, over the {_mib(limit)} limit of this server "
                          "(citecheck serve --max-upload-mb raises it)", 413)
    receiver = _Receiver(directory)
    parser = MultipartParser(options[b"boundary"], {
        "on_part_begin": receiver.on_part_begin, "on_header_field": receiver.on_header_field,
        "on_header_value": receiver.on_header_value, "on_header_end": receiver.on_header_end,
        "on_headers_finished": receiver.on_headers_finished, "on_part_data": receiver.on_part_data,
        "on_part_end": receiver.on_part_end,
    }, max_header_count=8, max_header_size=4096)
    received = 0
    try:
        async for chunk in body:
            received += len(chunk)
            if received > limit:
                raise UploadError(f"the upload is over the {_mib(limit)} limit of this server "
                                  "(citecheck serve --max-upload-mb raises it)", 413)
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise UploadError("the form could not be read (a broken multipart body)") from None
    finally:
        receiver.close()
    manuscript = receiver.files.get(MANUSCRIPT)
    if manuscript is None:
        raise UploadError("choose a manuscript to check")
    if manuscript.stat().st_size == 0:
        raise UploadError(f"{manuscript.name}: is empty")
    bibliography = receiver.files.get(BIBLIOGRAPHY)
    if bibliography is not None and bibliography.suffix.lower() not in BIBLIOGRAPHY_SUFFIXES:
        raise UploadError(f"{bibliography.name}: a bibliography must be a .bib, CSL-JSON (.json) or "
                          "CSL-YAML (.yaml) file")
    return Upload(manuscript, bibliography, receiver.fields)


__all__ = ["BIBLIOGRAPHY", "MANUSCRIPT", "Upload", "UploadError", "receive_upload", "safe_name"]
