"""What a corpus run reads: the documents its command line names, wherever they are.

An input is

- a file (any document citecheck reads), or a bundle of them: `.tar`, `.tar.gz`/`.tgz`, read
  in place (streamed member by member, never unpacked to disk);
- a directory, searched recursively as `citecheck audit` searches one (JATS `.xml`/`.nxml`,
  `.txt`, `.md`, `.tex`, `.docx`, …), bundles included;
- a glob (`'pmc/**/*.nxml'`);
- an object-store URL, through fsspec: `s3://bucket/prefix/` (with `s3fs` installed),
  `gs://…`, `file://…`, `memory://…` and any other protocol fsspec knows; a URL may name an
  object, a prefix (a "directory") or a glob.

Each document becomes a `DocumentRef`: the name it is reported under (the path as given,
`bundle.tar.gz/member/path.nxml`, or the URL), where to read it, and its size. The list is
sorted by name, so that the same inputs always give the same partitions (and a rerun finds
its finished partitions). A name that matches nothing is an `InputError` (one line).

Bundles and object stores suit self-contained documents (JATS articles); a LaTeX or Pandoc
document that names other files should be audited from a directory.
"""

from __future__ import annotations

import glob
import os
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from citecheck.documents.discovery import DOCUMENT_SUFFIXES, expand_documents
from citecheck.documents.loading import MAX_DOCUMENT_BYTES, InputError

__all__ = ["BUNDLE_SUFFIXES", "DocumentRef", "enumerate_inputs", "is_url", "read_documents"]

BUNDLE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
"""Archives read as bundles of documents."""
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_SKIPPED_PARTS = ("__MACOSX",)


@dataclass(frozen=True, slots=True, order=True)
class DocumentRef:
    """One document of a corpus, and where to read it."""

    name: str
    """What findings and outputs call it: the path as given, `BUNDLE/member`, or the URL."""
    location: str
    """The local path or URL of the file that holds it (the bundle, for a member)."""
    member: str = ""
    """Its path inside the bundle; empty for a document that is a file of its own."""
    size: int = 0
    """Its size in bytes, where known."""


def is_url(text: str) -> bool:
    """True for `scheme://…` (an fsspec URL), false for a local path."""
    return bool(_URL.match(text))


def _is_bundle(name: str) -> bool:
    return name.lower().endswith(BUNDLE_SUFFIXES)


def _is_document_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return not base.startswith(".") and base.lower().endswith(DOCUMENT_SUFFIXES) and \
        not any(part in name.split("/") for part in _SKIPPED_PARTS)


def enumerate_inputs(arguments: Iterable[str]) -> list[DocumentRef]:
    """Every document the arguments name, each once, sorted by name; InputError otherwise."""
    found: dict[str, DocumentRef] = {}
    for argument in arguments:
        refs = _remote(argument) if is_url(argument) else _local(argument)
        for ref in refs:
            found.setdefault(ref.name, ref)
    if not found:
        raise InputError("no documents to audit in the inputs given")
    return sorted(found.values())


def _local(argument: str) -> list[DocumentRef]:
    path = Path(argument)
    if path.is_file() and _is_bundle(path.name):
        return _bundle_members(argument, argument)
    bundles: list[str] = []
    if path.is_dir():
        bundles = _bundles_under(path)
    elif not path.exists() and glob.has_magic(argument):
        bundles = [m for m in sorted(glob.glob(argument, recursive=True)) if Path(m).is_file() and _is_bundle(m)]
    elif not path.exists():
        raise InputError(f"{argument}: no such file or directory")
    try:
        documents = expand_documents((argument,))
    except InputError:
        if not bundles:
            raise
        documents = []
    refs = [DocumentRef(str(p), str(p), size=_size(p)) for p in documents if not _is_bundle(p.name)]
    for bundle in bundles:
        refs.extend(_bundle_members(bundle, bundle))
    return refs


def _bundles_under(directory: Path) -> list[str]:
    found = []
    for root, directories, files in os.walk(directory):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        found.extend(str(Path(root) / name) for name in sorted(files) if _is_bundle(name) and not name.startswith("."))
    return found


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _bundle_members(shown: str, location: str) -> list[DocumentRef]:
    """The documents in a bundle (one streaming pass over it)."""
    refs = []
    try:
        with _open_binary(location) as raw, tarfile.open(fileobj=raw, mode="r|*") as archive:
            for member in archive:
                if member.isfile() and _is_document_name(member.name):
                    refs.append(DocumentRef(f"{shown}/{member.name}", location, member.name, member.size))
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InputError(f"{shown}: not a readable tar bundle ({_reason(error)})") from None
    if not refs:
        raise InputError(f"{shown}: no documents in this bundle ({', '.join(DOCUMENT_SUFFIXES)})")
    return refs


def _reason(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise InputError(f"{url}: reading URLs needs fsspec: pip install 'citecheck-audit[corpus]'") from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as error:
        # fsspec says which package a protocol needs (s3fs for s3://, gcsfs for gs://).
        raise InputError(f"{url}: {_reason(error)}") from None


def _remote(url: str) -> list[DocumentRef]:
    fs, path = _filesystem(url)
    try:
        if glob.has_magic(path):
            names = sorted(fs.glob(path))
        elif fs.isdir(path):
            names = sorted(fs.find(path))
        elif fs.exists(path):
            names = [path]
        else:
            raise InputError(f"{url}: no such object")
        refs: list[DocumentRef] = []
        for name in names:
            full = fs.unstrip_protocol(name)  # the canonical URL of what was listed
            if _is_bundle(name):
                refs.extend(_bundle_members(full, full))
            elif _is_document_name(name) or name == path:
                info = fs.info(name)
                if info.get("type", "file") == "file":
                    refs.append(DocumentRef(full, full, size=int(info.get("size") or 0)))
    except InputError:
        raise
    except (OSError, ValueError) as error:
        raise InputError(f"{url}: cannot be listed ({_reason(error)})") from None
    if not refs:
        raise InputError(f"{url}: no documents there ({', '.join(DOCUMENT_SUFFIXES)})")
    return refs


def _open_binary(location: str) -> IO[bytes]:
    if is_url(location):
        fs, path = _filesystem(location)
        return fs.open(path, "rb")
    return open(location, "rb")


def read_documents(refs: list[DocumentRef]) -> Iterator[tuple[DocumentRef, bytes | None, str]]:
    """(ref, its bytes, "") for each document, or (ref, None, why) when it cannot be read; in
    the order given. Members of one bundle are read in one streaming pass (to the last wanted)."""
    by_bundle: dict[str, list[DocumentRef]] = {}
    for ref in refs:
        if ref.member:
            by_bundle.setdefault(ref.location, []).append(ref)
    read: dict[DocumentRef, tuple[bytes | None, str]] = {}
    for location, members in by_bundle.items():
        read.update(_read_members(location, members))
    for ref in refs:
        if ref.member:
            data, why = read.get(ref, (None, "not found in its bundle"))
            yield ref, data, why
        else:
            yield (ref, *_read_file(ref))


def _read_file(ref: DocumentRef) -> tuple[bytes | None, str]:
    try:
        with _open_binary(ref.location) as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except InputError as error:
        return None, str(error)
    except (OSError, ValueError) as error:
        return None, f"{ref.name}: cannot be read ({_reason(error)})"
    return data, ""


def _read_members(location: str, wanted: list[DocumentRef]) -> dict[DocumentRef, tuple[bytes | None, str]]:
    names = {ref.member: ref for ref in wanted}
    out: dict[DocumentRef, tuple[bytes | None, str]] = {}
    try:
        with _open_binary(location) as raw, tarfile.open(fileobj=raw, mode="r|*") as archive:
            for member in archive:
                ref = names.get(member.name)
                if ref is None or ref in out:
                    continue
                if member.size > MAX_DOCUMENT_BYTES:
                    out[ref] = (None, f"{ref.name}: is {member.size / 2**20:.1f} MiB, over the "
                                      f"{MAX_DOCUMENT_BYTES // 2**20} MiB limit for a document")
                else:
                    handle = archive.extractfile(member)
                    out[ref] = (handle.read(), "") if handle is not None else (None, f"{ref.name}: not a file")
                if len(out) == len(names):
                    break  # the rest of the bundle is not needed
    except (tarfile.TarError, OSError, EOFError, InputError) as error:
        for ref in wanted:
            out.setdefault(ref, (None, f"{ref.name}: its bundle cannot be read ({_reason(error)})"))
    return out
