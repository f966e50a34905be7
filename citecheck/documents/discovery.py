"""Which files a command line names: files as given, directories scanned, globs expanded."""

from __future__ import annotations

import glob
import os
from pathlib import Path

from citecheck.documents.loading import InputError

DOCUMENT_SUFFIXES = (".txt", ".md", ".qmd", ".rmd", ".tex", ".docx", ".pdf", ".xml", ".nxml")
"""What a directory scan picks up (case-insensitive); `.xml` and `.nxml` only when they hold a
JATS article (a project's other XML files are no manuscripts)."""
_SOURCE_SUFFIXES = frozenset(DOCUMENT_SUFFIXES) - {".pdf"}
_SKIPPED_DIRECTORIES = ("node_modules", "__pycache__")


def _latex_fragment(path: Path) -> bool:
    """A .tex file without `\\documentclass` is a part included by a main file, not a document."""
    try:
        with path.open("rb") as handle:
            return b"\\documentclass" not in handle.read(65536)
    except OSError:
        return False  # let the reader report it


def _has_source(pdf: Path, names: list[str]) -> bool:
    """A PDF beside its own source (`paper.pdf` next to `paper.tex` or `paper.docx`) is the
    same manuscript: the source is audited, the PDF would only repeat its findings."""
    return any(Path(name).stem == pdf.stem and Path(name).suffix.lower() in _SOURCE_SUFFIXES for name in names)


def _not_jats(path: Path) -> bool:
    """An XML file that does not hold a JATS article (a build file, a TEI document)."""
    from citecheck.documents.jats import looks_like_jats  # deferred: only XML files need it

    try:
        with path.open("rb") as handle:
            return not looks_like_jats(handle.read(20_000).decode("utf-8", errors="replace"))
    except OSError:
        return False  # let the reader report it


def _scan(directory: Path) -> list[Path]:
    """The documents under a directory, in a stable order, skipping hidden and tool directories."""
    found: list[Path] = []
    for root, directories, files in os.walk(directory):
        # Hidden directories (.git, .venv) and virtual environments hold no manuscripts.
        directories[:] = sorted(d for d in directories if not d.startswith(".") and d not in _SKIPPED_DIRECTORIES
                                and not (Path(root) / d / "pyvenv.cfg").exists())
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or path.suffix.lower() not in DOCUMENT_SUFFIXES:
                continue
            if path.suffix.lower() == ".tex" and _latex_fragment(path):
                continue
            if path.suffix.lower() == ".pdf" and _has_source(path, files):
                continue
            if path.suffix.lower() in (".xml", ".nxml") and _not_jats(path):
                continue
            found.append(path)
    return found


def expand_documents(arguments: tuple[str, ...]) -> list[Path]:
    """Files as named, directories scanned recursively, globs expanded; each file once, in order.

    A file named explicitly is read whatever its suffix; a name that is neither a file, a
    directory nor a matching glob is kept, so that the reader reports it as missing.
    """
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            scanned = _scan(path)
            if not scanned:
                raise InputError(f"{argument}: no documents in this directory ({', '.join(DOCUMENT_SUFFIXES)})")
            found.extend(scanned)
        elif not path.exists() and glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                raise InputError(f"{argument}: no file matches")
            for match in matches:
                found.extend(_scan(Path(match)) if Path(match).is_dir() else [Path(match)])
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())
