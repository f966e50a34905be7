"""Choosing the reader for a document, and gathering its references from the list or .bib files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.documents.base import ReadDocument
from citecheck.documents.loading import InputError, load_document
from citecheck.model import Reference

if TYPE_CHECKING:
    from citecheck.config import AuditOptions
    from citecheck.engine import ReadResult

INPUT_FORMATS = ("text", "markdown", "pandoc", "latex")
"""Reader names accepted by `--input-format`."""

_PANDOC_HINT = re.compile(r"\[[^\]\n]*@[\w{]|^bibliography:", re.MULTILINE)


def guess_format(path: Path, text: str) -> str:
    """The reader for a file: by extension, then by content (Pandoc citations in a .md file)."""
    suffix = path.suffix.lower()
    if suffix in {".tex", ".ltx", ".latex"}:
        return "latex"
    if suffix in {".qmd", ".rmd"}:
        return "pandoc"
    if suffix in {".md", ".markdown"} and _PANDOC_HINT.search(text[:200_000]):
        return "pandoc"
    return "markdown" if suffix in {".md", ".markdown"} else "text"


def read_any(path: Path, shown: str, options: "AuditOptions") -> "ReadResult":
    """Read a document with the reader its format calls for, and build its references."""
    from citecheck.engine import ReadResult, references_from_entries

    source = load_document(path)
    kind = options.input_format or guess_format(path, source.text)
    if kind not in INPUT_FORMATS:
        raise InputError(f"{shown}: unknown input format {kind!r} (expected one of {', '.join(INPUT_FORMATS)})")
    document: ReadDocument
    if kind == "latex":
        from citecheck.documents.latex import read_latex

        document = read_latex(path, source.text)
    elif kind == "pandoc":
        from citecheck.documents.pandoc import read_pandoc

        document = read_pandoc(source, path.parent)
    else:
        from citecheck.documents.plaintext import read_plain_text

        document = read_plain_text(source)

    bib_files = [Path(p) for p in document.bibliography_files] + list(options.bibliographies)
    if bib_files:
        references = tuple(r for bib in bib_files for r in read_bibliography_file(bib))
        # A document with its own list and a .bib: the list's entries come first.
        if document.entries:
            references = references_from_entries(document.entries) + references
        return ReadResult(document=document, references=references, has_bibliography=True)
    return ReadResult(
        document=document,
        references=references_from_entries(document.entries),
        has_bibliography=False,
    )


def read_bibliography_file(path: Path) -> tuple[Reference, ...]:
    """References from a .bib or CSL-JSON file; a missing file is an input error."""
    if not path.exists():
        candidate = path.with_suffix(".bib") if not path.suffix else path
        if not candidate.exists():
            raise InputError(f"{path}: bibliography file not found")
        path = candidate
    if path.suffix.lower() in {".json"}:
        from citecheck.references.csljson import read_csl_json

        return read_csl_json(path).references
    from citecheck.references.bibtex import read_bibtex

    return read_bibtex(path).references
