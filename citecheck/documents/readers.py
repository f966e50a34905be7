"""Choosing the reader for a document, and gathering its references from the list or .bib files.

One way in for every format: `read_any` picks the reader (`--input-format`, else the extension,
else the content), reads the bibliography the document names or `--bib` gives, links
author-year citations to entries by names and year, and turns what could not be read (bad
.bib blocks, missing `\\input` files) into findings. Whatever the format, the result has the
same shape: citations with entry ids as targets, references whose `id` is the number (numbered
lists) or the key (.bib, CSL-JSON, author-year lists).

LaTeX: when a `.bcf` or `.aux` newer than every source file stands beside the main file, the
keys LaTeX recorded there count too, as checkcites counts them: that catches citations made
through the user's own macros (`\\mycite{key}`), which no source reader can expand. Such a
citation, not seen in the source, is reported at its line in the `.aux`/`.bcf`. A stale
record (older than a source) is ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.checks.authoryear import link_author_year
from citecheck.checks.bibliography import bibliography_findings, reader_findings
from citecheck.documents.base import ReadDocument
from citecheck.documents.loading import InputError, load_document
from citecheck.findings import Finding
from citecheck.model import Citation, CitationStyle, Span
from citecheck.references.bibtex import Bibliography

if TYPE_CHECKING:
    from citecheck.config import AuditOptions
    from citecheck.engine import ReadResult

INPUT_FORMATS = ("text", "markdown", "pandoc", "latex", "docx")
"""Reader names accepted by `--input-format`."""

_PANDOC_HINT = re.compile(r"\[[^\]\n]*@[\w{]|^bibliography:", re.MULTILINE)
_LATEX_HINT = re.compile(r"\\(?:documentclass|begin\{document\}|cite[a-z]*\{|bibliography\{|addbibresource)")


def guess_format(path: Path, text: str) -> str:
    """The reader for a file: by extension, then by content (Pandoc citations in a .md file,
    LaTeX commands in a .txt file)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "docx"
    if suffix in {".tex", ".ltx", ".latex"}:
        return "latex"
    if suffix in {".qmd", ".rmd"}:
        return "pandoc"
    if suffix in {".md", ".markdown"}:
        return "pandoc" if _PANDOC_HINT.search(text[:200_000]) else "markdown"
    if suffix not in {".txt", ".text"} and _LATEX_HINT.search(text[:200_000]):
        return "latex"
    return "text"


@dataclass(frozen=True)
class _Read:
    """A document as its reader left it, with what the format adds."""

    document: ReadDocument
    findings: tuple[Finding, ...] = ()


def _read_document(path: Path, shown: str, kind: str) -> _Read:
    """Run the reader `kind` on the file."""
    if kind == "docx":
        from citecheck.documents.docx import read_docx

        return _Read(read_docx(path, shown))
    source = load_document(path)
    if kind == "latex":
        from citecheck.documents.latex import scan_latex

        scan = scan_latex(path, source.text)
        return _with_aux(path, scan.document, scan.files)
    if kind == "pandoc":
        from citecheck.documents.pandoc import read_pandoc

        return _Read(read_pandoc(source, path.parent))
    from citecheck.documents.authoryear import find_author_year_citations
    from citecheck.documents.plaintext import read_plain_text

    document = read_plain_text(source)
    end = document.reference_list.start if document.reference_list is not None else len(source.text)
    if document.entries:
        # The list may start at its first entry (no heading): never scan the entries themselves.
        end = min(end, document.entries[0].span.start)
    masked = None
    if kind == "markdown":
        from citecheck.documents.pandoc import mask_markdown

        masked = mask_markdown(source.text)
    extra = find_author_year_citations(source, end, masked)
    if extra:
        merged = sorted(document.citations + tuple(extra), key=lambda c: c.span.start)
        document = replace(document, citations=tuple(merged))
    return _Read(document)


def _with_aux(path: Path, document: ReadDocument, files: tuple[Path, ...]) -> _Read:
    """Add what a fresh `.bcf`/`.aux` records and the source scan missed (see the module docs)."""
    from citecheck.documents.aux import read_aux

    info = read_aux(path, newer_than=files)
    if info is None:
        return _Read(document)
    seen = {key for citation in document.citations for key in citation.targets}
    try:
        aux_text = Path(info.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        aux_text = ""
    added: list[Citation] = []
    for key in info.citations:
        if key in seen:
            continue
        span = _find_in(info.path, aux_text, key)
        added.append(Citation(span=span, text=key, targets=(key,), style=CitationStyle.KEY))
    bibliography = document.bibliography_files or info.bibliography_files
    problems = document.problems + info.problems
    return _Read(replace(
        document,
        citations=document.citations + tuple(added),
        bibliography_files=tuple(bibliography),
        cite_all=document.cite_all or info.cite_all,
        problems=problems,
    ))


def _find_in(path: str, text: str, key: str) -> Span:
    """Where `key` is recorded in an `.aux`/`.bcf` text (its first line when not found)."""
    match = re.search(r"[{>,]\s*" + re.escape(key) + r"\s*[},<]", text)
    if match is None:
        return Span(path, 1, 1)
    start = match.start() + 1
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(path, line, column, start, start + len(key))


def read_any(path: Path, shown: str, options: "AuditOptions") -> "ReadResult":
    """Read a document with the reader its format calls for, and build its references."""
    from citecheck.engine import ReadResult, references_from_entries

    kind = options.input_format
    if kind is None:
        if path.suffix.lower() == ".docx":
            kind = "docx"
        else:
            kind = guess_format(path, load_document(path).text)
    if kind not in INPUT_FORMATS:
        raise InputError(f"{shown}: unknown input format {kind!r} (expected one of {', '.join(INPUT_FORMATS)})")
    read = _read_document(path, shown, kind)
    document = read.document
    findings = list(read.findings) + list(reader_findings(document.problems, shown))

    bib_files = [Path(p) for p in document.bibliography_files] + list(options.bibliographies)
    references = references_from_entries(document.entries) if document.entries else ()
    parents: dict[str, str] = {}
    for bib in _unique(bib_files):
        bibliography = read_bibliography_file(bib)
        references += bibliography.references
        parents.update(bibliography.parents)
        findings += bibliography_findings(bibliography.problems, str(bib))
    citations, linking = link_author_year(document.citations, references)
    findings += linking
    known = {r.id for r in references}
    citations = _with_parents(citations, {k: v for k, v in parents.items() if v in known})
    document = replace(document, citations=citations)
    return ReadResult(
        document=document,
        references=references,
        has_bibliography=bool(bib_files),
        findings=tuple(findings),
    )


def _unique(paths: list[Path]) -> list[Path]:
    """Paths in order, each once (a .bib named by the document and by `--bib` is read once)."""
    seen: set[str] = set()
    kept: list[Path] = []
    for path in paths:
        name = str(path.resolve()) if path.exists() else str(path)
        if name not in seen:
            seen.add(name)
            kept.append(path)
    return kept


def _with_parents(citations: tuple[Citation, ...], parents: dict[str, str]) -> tuple[Citation, ...]:
    """Citations of an entry with a BibTeX `crossref` also cite its parent: BibTeX prints the
    parent (a proceedings, a book) when its children are cited, so it is not uncited.

    The parent is appended to the citation's targets after the keys written.
    """
    if not parents:
        return citations
    out: list[Citation] = []
    for citation in citations:
        extra = []
        for target in citation.targets:
            parent = parents.get(target)
            # Follow a chain (a chapter in a book in a series), bounded.
            hops = 0
            while parent and hops < 8 and parent not in citation.targets and parent not in extra:
                extra.append(parent)
                parent = parents.get(parent)
                hops += 1
        out.append(replace(citation, targets=citation.targets + tuple(extra)) if extra else citation)
    return tuple(out)


def read_bibliography_file(path: Path) -> Bibliography:
    """A .bib, CSL-JSON or CSL-YAML file read into references and problems; a missing file is an
    input error (the run cannot say anything true about citations without it)."""
    if not path.exists():
        candidate = path.with_suffix(".bib") if not path.suffix else path
        if not candidate.exists():
            raise InputError(f"{path}: bibliography file not found")
        path = candidate
    suffix = path.suffix.lower()
    if suffix == ".json":
        from citecheck.references.csljson import read_csl_json

        return read_csl_json(path)
    if suffix in {".yaml", ".yml"}:
        return _read_csl_yaml(path)
    from citecheck.references.bibtex import read_bibtex

    return read_bibtex(path)


def _read_csl_yaml(path: Path) -> Bibliography:
    """CSL-YAML (Pandoc's `references:` list) through the CSL-JSON reader."""
    from citecheck.references.bibtex import BibProblem
    from citecheck.references.csljson import read_csl_json

    try:
        import yaml
    except ImportError:
        raise InputError(f"{path}: reading CSL-YAML needs PyYAML (pip install pyyaml)") from None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem = BibProblem("failed-block", f"not valid YAML: {str(error).splitlines()[0]}", Span(str(path), 1, 1))
        return Bibliography((), (problem,))
    items = data.get("references", []) if isinstance(data, dict) else data
    return read_csl_json(path, json.dumps(items if isinstance(items, list) else [], default=str))
