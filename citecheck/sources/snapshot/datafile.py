"""Reading Crossref's public data file (and Metadata Plus snapshots) as Crossref ships them.

Accepted inputs, recognised by content rather than by name:

- up to the 2024 release: one gzipped JSON object per file, `{"items": [work, ...]}`;
- from the 2025 release: gzipped JSON Lines, one work per line (`.jsonl.gz`, ~5,000 works);
- plain (not gzipped) variants of both, and lines holding a `{"message": work}` API reply;
- Metadata Plus snapshots: a tar (or gzipped tar) of such files;
- a directory of any of these (searched recursively, in name order), or a list of them.

Only the fields citecheck reads are decoded (`KeptFields`): msgspec skips the rest — the
reference list, abstract, funders and licences that make up most of a record — without
building Python objects for them. A build asks for `TypedFields` (`typed=True`), which also
skips the parts of authors and dates it never reads, and which its fast path turns into rows
without a dict or a `Work` (`fastpath.py`). Memory per file read: JSON Lines stream a 1 MiB
chunk at a time, each line decoded from a view into the chunk (no copy); an
`{"items": [...]}` file is decoded whole when it is at most `WHOLE_FILE_LIMIT` bytes
uncompressed (Crossref's are ~5,000 works, tens of MB) and streamed item by item beyond, so no
input size makes memory grow without bound. A record that cannot be read is reported with its
position and skipped; a file that breaks off (truncated gzip, broken JSON) keeps the records
read before the break and is reported by name.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgspec

from citecheck.references.doi import normalize_doi

try:  # ISA-L's gzip is 3-4 times faster than zlib's; optional (the `snapshot` extra).
    from isal import igzip as _gzip  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the installation
    _gzip = gzip  # type: ignore[assignment]

__all__ = [
    "Date", "InputFile", "KeptFields", "Person", "ReadProblem", "TypedFields", "discover_inputs", "plain_record",
    "read_input", "stream_members", "typed_record",
]

WHOLE_FILE_LIMIT = 256 * 2**20
"""Largest uncompressed `{"items": [...]}` document decoded in one piece (bytes)."""
_DATA_SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz", ".gz", ".ndjson")
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_ITEMS_START = re.compile(rb'^\s*\{\s*"items"\s*:\s*\[')
_CHUNK = 2**20
_MAX_ITEM = 64 * 2**20


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file of records to read: a file on disk, or a member of a tar archive."""

    name: str
    """What it is called in progress, reports and the snapshot's list of inputs (the path as
    given, or `archive.tar:member`); also its identity when a build resumes."""
    path: Path
    """The file on disk (the archive, for a member)."""
    size: int
    """Bytes as stored (compressed), for progress and ETA."""
    member: str = ""
    """The member's name inside the archive at `path`, or ""."""
    offset: int = 0
    """Where the member's data starts in an uncompressed tar (read directly, in any order)."""
    streamed: bool = False
    """The whole of a gzipped tar: its members can only be read in order, by one reader."""


class ReadProblem(Exception):
    """A file that cannot be opened or read at all (reported by name, then skipped)."""


class KeptFields(msgspec.Struct):
    """The fields of a Crossref work that citecheck reads; everything else is skipped unread."""

    DOI: Any = None
    title: Any = None
    subtitle: Any = None
    author: Any = None
    container_title: Any = msgspec.field(default=None, name="container-title")
    short_container_title: Any = msgspec.field(default=None, name="short-container-title")
    issued: Any = None
    published_print: Any = msgspec.field(default=None, name="published-print")
    published_online: Any = msgspec.field(default=None, name="published-online")
    published: Any = None
    volume: Any = None
    issue: Any = None
    page: Any = None
    type: Any = None
    updated_by: Any = msgspec.field(default=None, name="updated-by")
    update_to: Any = msgspec.field(default=None, name="update-to")
    provenance: Any = msgspec.field(default=None, name="_provenance")
    message: Any = None


class Date(msgspec.Struct):
    """A Crossref date, reduced to its `date-parts` (the rest is skipped unread)."""

    date_parts: Any = msgspec.field(default=None, name="date-parts")


class Person(msgspec.Struct):
    """An author, reduced to the names citecheck reads (affiliations, ORCID... skipped)."""

    family: Any = None
    given: Any = None
    name: Any = None
    literal: Any = None


class TypedFields(KeptFields):
    """`KeptFields` with the author list and dates typed, so that their parts citecheck never
    reads are skipped too (a build's decoding costs a third less). A record whose fields do not
    have these shapes fails to decode this way and is decoded as `KeptFields` instead."""

    author: list[Person] | None = None
    issued: Date | None = None
    published_print: Date | None = msgspec.field(default=None, name="published-print")
    published_online: Date | None = msgspec.field(default=None, name="published-online")
    published: Date | None = None


class _ItemsDocument(msgspec.Struct):
    items: list[KeptFields]


class _TypedItemsDocument(msgspec.Struct):
    items: list[TypedFields]


_FIELD_NAMES = {f: msgspec.structs.fields(KeptFields)[i].encode_name for i, f in enumerate(KeptFields.__struct_fields__)}
_LINE = msgspec.json.Decoder(KeptFields)
_ITEMS = msgspec.json.Decoder(_ItemsDocument)
_TYPED_LINE = msgspec.json.Decoder(TypedFields)
_TYPED_ITEMS = msgspec.json.Decoder(_TypedItemsDocument)

def typed_record(kept: TypedFields) -> dict[str, Any] | None:
    """The dict `read_input` gives without `typed` for a `TypedFields` record (None when it is
    no work with a DOI)."""
    return _as_record(kept)


def _as_record(kept: KeptFields | TypedFields) -> dict[str, Any] | None:
    """The Crossref-named dict of the kept fields, or None when it is no work with a DOI."""
    if kept.message is not None:
        return plain_record(kept.message)
    doi = kept.DOI
    if not isinstance(doi, str) or not normalize_doi(doi):
        return None
    if isinstance(kept, TypedFields):
        return {_FIELD_NAMES[f]: msgspec.to_builtins(v) for f in TypedFields.__struct_fields__
                if (v := getattr(kept, f)) is not None}
    return {_FIELD_NAMES[f]: v for f in KeptFields.__struct_fields__ if (v := getattr(kept, f)) is not None}


def plain_record(value: Any) -> dict[str, Any] | None:
    """The kept fields of a work from an already decoded value (bare, or inside
    `{"message": ...}`), or None when it is no work with a DOI."""
    if isinstance(value, dict) and isinstance(value.get("message"), dict):
        value = value["message"]
    if isinstance(value, dict) and isinstance(value.get("DOI"), str) and normalize_doi(value["DOI"]):
        return {k: v for k, v in value.items() if k in _KEPT_NAMES}
    return None


_KEPT_NAMES = frozenset(_FIELD_NAMES.values()) - {"message"}


def discover_inputs(paths: Sequence[Path]) -> list[InputFile]:
    """Every file of records under `paths` (files, directories, archives), in a stable order.

    Directories are searched recursively for data files and archives, in name order; files
    named on the command line are taken whatever their name. Raises ReadProblem for a path
    that does not exist.
    """
    found: list[InputFile] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for item in sorted(p for p in path.rglob("*") if p.is_file() and _is_data_name(p.name)):
                found.extend(_expand(item))
        elif path.is_file():
            found.extend(_expand(path))
        else:
            raise ReadProblem(f"{path}: no such file or directory")
    return found


def _is_data_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(_DATA_SUFFIXES + _TAR_SUFFIXES) and not lowered.startswith(".")


def _expand(path: Path) -> list[InputFile]:
    lowered = path.name.lower()
    if lowered.endswith(_TAR_SUFFIXES) or (not lowered.endswith(_DATA_SUFFIXES) and _is_tar(path)):
        if lowered.endswith(".tar") or _is_plain_tar(path):
            return _tar_members(path)
        return [InputFile(name=str(path), path=path, size=path.stat().st_size, streamed=True)]
    return [InputFile(name=str(path), path=path, size=path.stat().st_size)]


def _is_plain_tar(path: Path) -> bool:
    with open(path, "rb") as probe:
        return probe.read(2) != b"\x1f\x8b"


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def _tar_members(path: Path) -> list[InputFile]:
    """The data members of an uncompressed tar, with where their bytes start."""
    try:
        with tarfile.open(path, "r:") as archive:
            return [
                InputFile(name=f"{path}:{m.name}", path=path, size=m.size, member=m.name, offset=m.offset_data)
                for m in sorted(archive.getmembers(), key=lambda m: m.name)
                if m.isfile() and _is_data_name(Path(m.name).name)
            ]
    except (tarfile.TarError, OSError) as error:
        raise ReadProblem(f"{path}: not a readable tar archive ({error})") from None


def stream_members(archive: InputFile) -> Iterator[tuple[InputFile, bytes]]:
    """The data members of a gzipped tar, in archive order, with their bytes (one at a time)."""
    try:
        with tarfile.open(archive.path, "r|*") as stream:
            for member in stream:
                if not member.isfile() or not _is_data_name(Path(member.name).name):
                    continue
                handle = stream.extractfile(member)
                data = handle.read() if handle else b""
                yield InputFile(name=f"{archive.path}:{member.name}", path=archive.path, size=member.size,
                                member=member.name), data
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ReadProblem(f"{archive.name}: archive breaks off ({error})") from None


def _open(source: InputFile, data: bytes | None) -> IO[bytes]:
    """A binary stream of the input's decompressed bytes."""
    if data is None:
        raw: IO[bytes] = open(source.path, "rb")
        if source.member:
            raw.seek(source.offset)
            data = raw.read(source.size)
            raw.close()
    if data is not None:
        raw = io.BytesIO(data)
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return _gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def read_input(
    source: InputFile, data: bytes | None = None, *, typed: bool = False
) -> Iterator[tuple[int, dict[str, Any] | TypedFields | None, str]]:
    """The records of one input: `(position, record, "")`, or `(position, None, reason)` for a
    record that cannot be read (position: line number, or item number of an items file).

    A record is the dict of its kept fields, named as Crossref names them; with `typed`, it is
    a `TypedFields` where the record has the usual shapes (a build's fast path reads those
    without a dict; `typed_record` gives the dict) and the dict otherwise. A typed record has
    a DOI string but may still lack a usable DOI.

    Raises ReadProblem when the file cannot be opened, or when it breaks off (after yielding
    every record read before the break; the message says where).
    """
    try:
        stream = _open(source, data)
    except OSError as error:
        raise ReadProblem(f"{source.name}: cannot read ({error.strerror or error})") from None
    position = 0
    decode = _typed_line if typed else _line
    try:
        with stream:
            head = stream.read(64)
            stream.seek(0)
            if _ITEMS_START.match(head):
                yield from _read_items(source, stream, typed)
                return
            for position, line in enumerate(_lines(stream), start=1):
                if not line or (line[0] in _BLANK and not bytes(line).strip()):
                    continue
                record = decode(line)
                yield (position, record, "") if record is not None else (position, None, _NO_WORK)
    except (OSError, EOFError, zlib.error) as error:
        raise ReadProblem(f"{source.name}: breaks off after record {position} ({_reason(error)})") from None


_NO_WORK = "not a JSON work record with a DOI"
_BLANK = b" \t\r\n\f\v"


def _line(line: memoryview) -> dict[str, Any] | None:
    """One line's record as a dict, or None."""
    try:
        return _as_record(_LINE.decode(line))
    except (msgspec.DecodeError, RecursionError):
        return None


def _typed_line(line: memoryview) -> dict[str, Any] | TypedFields | None:
    """One line's record as `TypedFields` when it has the usual shapes, else as a dict; or None."""
    try:
        kept = _TYPED_LINE.decode(line)
    except msgspec.ValidationError:  # some field has an unusual shape: decode it loosely
        return _line(line)
    except (msgspec.DecodeError, RecursionError):
        return None
    return kept if isinstance(kept.DOI, str) or kept.message is not None else None


def _lines(stream: IO[bytes]) -> Iterator[memoryview]:
    """The lines of a stream, without their newline, read in large chunks (a line at a time
    costs a call into the decompressor per few kilobytes) and handed out as views into the
    chunk (a copy of each line would cost as much as decoding it). A view is valid until the
    next one is asked for."""
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        buffer = carry + chunk if carry else chunk
        view = memoryview(buffer)
        start, find = 0, buffer.find
        while (end := find(b"\n", start)) >= 0:
            yield view[start:end]
            start = end + 1
        carry = buffer[start:]
        if len(carry) > _MAX_ITEM:
            raise OSError(f"a line longer than {_MAX_ITEM} bytes")
    if carry:
        yield memoryview(carry)


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:120]


def _read_items(
    source: InputFile, stream: IO[bytes], typed: bool
) -> Iterator[tuple[int, dict[str, Any] | TypedFields | None, str]]:
    """An `{"items": [...]}` document: decoded whole when small enough, else streamed."""
    whole = stream.read(WHOLE_FILE_LIMIT + 1)
    if len(whole) <= WHOLE_FILE_LIMIT:
        items: list[KeptFields] | list[TypedFields] | None = None
        try:
            items = _TYPED_ITEMS.decode(whole).items if typed else _ITEMS.decode(whole).items
        except msgspec.ValidationError:
            try:
                items = _ITEMS.decode(whole).items
            except (msgspec.DecodeError, RecursionError):
                pass
        except (msgspec.DecodeError, RecursionError):
            pass
        if items is not None:
            for position, kept in enumerate(items, start=1):
                record: dict[str, Any] | TypedFields | None
                if isinstance(kept, TypedFields):
                    record = kept if isinstance(kept.DOI, str) or kept.message is not None else None
                else:
                    record = _as_record(kept)
                yield (position, record, "") if record is not None else (position, None, "not a work record with a DOI")
            return
        rest: IO[bytes] = io.BytesIO(whole)
    else:
        rest = _Chained(whole, stream)
    # Malformed somewhere, or too large to hold: item by item with the standard library,
    # keeping every item before a break.
    yield from _stream_items(source, rest)


class _Chained(io.RawIOBase):
    """Bytes already read followed by the rest of a stream."""

    def __init__(self, first: bytes, rest: IO[bytes]) -> None:
        self._first = io.BytesIO(first)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._first.readinto(buffer)
        return count if count else self._rest.readinto(buffer)  # type: ignore[attr-defined]


def _stream_items(source: InputFile, stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Items one at a time with the standard library's decoder; the buffer holds at most one
    item and a chunk (an item larger than `_MAX_ITEM` characters counts as a break)."""
    raw = io.BufferedReader(stream) if isinstance(stream, io.RawIOBase) else stream
    reader = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")  # type: ignore[arg-type]
    decoder = json.JSONDecoder()
    buffer = reader.read(_CHUNK)
    ended = not buffer
    start = re.match(r'\s*\{\s*"items"\s*:\s*\[', buffer)
    if not start:
        raise ReadProblem(f"{source.name}: not an items document")
    at, position = start.end(), 0
    while True:
        while True:  # skip the separators, reading on when the buffer runs out
            while at < len(buffer) and buffer[at] in " \t\r\n,":
                at += 1
            if at < len(buffer) or ended:
                break
            more = reader.read(_CHUNK)
            ended = not more
            buffer, at = buffer[at:] + more, 0
        if at >= len(buffer):
            raise ReadProblem(f"{source.name}: breaks off after item {position} (the items list is not closed)")
        if buffer[at] == "]":
            return
        try:
            value, end = decoder.raw_decode(buffer, at)
        except json.JSONDecodeError as error:
            if not ended and len(buffer) - at < _MAX_ITEM:
                more = reader.read(_CHUNK)
                ended = not more
                buffer, at = buffer[at:] + more, 0
                continue
            raise ReadProblem(f"{source.name}: breaks off after item {position} ({error.msg})") from None
        position += 1
        record = plain_record(value)
        yield (position, record, "") if record else (position, None, "not a work record with a DOI")
        at = end
        if at > _CHUNK:
            buffer, at = buffer[at:], 0
