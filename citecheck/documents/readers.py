"""Choosing the reader for a document and running it.

One way in for every format: `read_document` picks the reader (`--input-format`, else the
extension, else the content) and returns what it found: citations, the entries of the
document's own reference list, the bibliography files it names, and what it could not follow.
Whatever the format, the result has the same shape. Building references and linking them is
the engine's next step (`citecheck.engine.read`).

LaTeX: when a `.bcf` or `.aux` newer than every source file stands beside the main file, the
keys LaTeX recorded there count too, as checkcites counts them: that catches citations made
through the user's own macros (`\\mycite{key}`), which no source reader can expand. Such a
citation, not seen in the source, is reported at its line in the `.aux`/`.bcf`. A stale
record (older than a source) is ignored.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from citecheck.documents.base import ReadDocument, SourceText
from citecheck.documents.loading import InputError, load_bytes, load_document
from citecheck.model import Citation, CitationStyle, Span

INPUT_FORMATS = ("text", "markdown", "pandoc", "latex", "docx", "pdf", "jats")
"""Reader names accepted by `--input-format`."""
JATS_SUFFIXES = (".xml", ".nxml")
"""Extensions read as JATS articles (`.nxml` is PubMed Central's)."""

_PANDOC_HINT = re.compile(r"\[[^\]\n]*@[\w{]|^bibliography:", re.MULTILINE)
_LATEX_HINT = re.compile(r"\\(?:documentclass|begin\{document\}|cite[a-z]*\{|bibliography\{|addbibresource)")


def guess_format(path: Path, text: str) -> str:
    """The reader for a file: by extension, then by content (Pandoc citations in a .md file,
    LaTeX commands in a .txt file, a JATS `<article>` in a file of any other name)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "docx"
    if suffix in JATS_SUFFIXES:
        return "jats"  # the JATS reader says so in one line when the XML is not an article
    if suffix in {".tex", ".ltx", ".latex"}:
        return "latex"
    if suffix in {".qmd", ".rmd"}:
        return "pandoc"
    if suffix in {".md", ".markdown"}:
        return "pandoc" if _PANDOC_HINT.search(text[:200_000]) else "markdown"
    if text.lstrip().startswith("<"):
        # Before LaTeX: a JATS article's `<tex-math>` holds `\documentclass`.
        from citecheck.documents.jats import looks_like_jats  # deferred: see read_document

        if looks_like_jats(text):
            return "jats"
    if suffix not in {".txt", ".text"} and _LATEX_HINT.search(text[:200_000]):
        return "latex"
    return "text"


def sniff_binary_format(path: Path) -> str | None:
    """`pdf` or `docx` for a file whose extension says so, or whose first bytes do (a PDF saved
    as `paper.txt`, a download without an extension); None for anything else."""
    suffix = path.suffix.lower()
    if suffix in {".pdf", ".docx"}:
        return suffix[1:]
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None  # the text loader reports what is wrong with the file
    return "pdf" if head.lstrip().startswith(b"%PDF-") else None


def _sniff_bytes(path: Path, data: bytes) -> str | None:
    """`sniff_binary_format` for a document's bytes (a bundle member, an object in a store)."""
    suffix = path.suffix.lower()
    if suffix in {".pdf", ".docx"}:
        return suffix[1:]
    return "pdf" if data[:1024].lstrip().startswith(b"%PDF-") else None


def read_document(path: Path, shown: str, kind: str | None = None, data: bytes | None = None) -> ReadDocument:
    """Read the file with the reader `kind` (one of `INPUT_FORMATS`; None: guess it from the
    extension and content). Raises InputError for unreadable input or an unknown format.

    `data`: the document's bytes, when they do not come from the file at `path` (a member of
    a bundle, an object in a store); `path` then only names it (and places what it includes).
    """
    def load() -> SourceText:
        return load_document(path) if data is None else load_bytes(data, shown)

    if kind is None:
        binary = sniff_binary_format(path) if data is None else _sniff_bytes(path, data)
        kind = binary or guess_format(path, load().text)
    if kind not in INPUT_FORMATS:
        raise InputError(f"{shown}: unknown input format {kind!r} (expected one of {', '.join(INPUT_FORMATS)})")
    # Each reader is imported when its format is read: python-docx and the LaTeX and Pandoc
    # scanners cost start-up time that a plain-text audit should not pay.
    if kind == "pdf":
        from citecheck.documents.pdf import read_pdf  # deferred: see above (pdfium)

        if data is None:
            return read_pdf(path, shown)
        # pdfium reads files: the bytes go to a temporary file, the findings keep `shown`.
        with tempfile.TemporaryDirectory(prefix="citecheck-pdf-") as directory:
            copy = Path(directory) / "document.pdf"
            copy.write_bytes(data)
            return read_pdf(copy, shown)
    if kind == "docx":
        from citecheck.documents.docx import read_docx

        return read_docx(path if data is None else io.BytesIO(data), shown)
    source = load()
    if kind == "jats":
        from citecheck.documents.jats import read_jats  # deferred: see above

        return read_jats(source)
    if kind == "latex":
        from citecheck.documents.latex import scan_latex  # deferred: see above

        scan = scan_latex(path, source.text)
        return _with_aux(path, scan.document, scan.files)
    if kind == "pandoc":
        from citecheck.documents.pandoc import read_pandoc  # deferred: see above

        return read_pandoc(source, path.parent)
    # Plain text and Markdown, read last: imported here like every other reader (see above).
    from citecheck.documents.authoryear import find_author_year_citations
    from citecheck.documents.plaintext import read_plain_text

    document = read_plain_text(source)
    end = document.reference_list.start if document.reference_list is not None else len(source.text)
    if document.entries:
        # The list may start at its first entry (no heading): never scan the entries themselves.
        end = min(end, document.entries[0].span.start)
    masked = None
    if kind == "markdown":
        from citecheck.documents.pandoc import mask_markdown  # deferred: see above

        masked = mask_markdown(source.text)
    extra = find_author_year_citations(source, end, masked)
    if extra:
        merged = sorted(document.citations + tuple(extra), key=lambda c: c.span.start)
        document = replace(document, citations=tuple(merged))
    return document


def _with_aux(path: Path, document: ReadDocument, files: tuple[Path, ...]) -> ReadDocument:
    """Add what a fresh `.bcf`/`.aux` records and the source scan missed (see the module docs)."""
    from citecheck.documents.aux import read_aux  # deferred: only LaTeX projects have an .aux

    info = read_aux(path, newer_than=files)
    if info is None:
        return document
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
    return replace(
        document,
        citations=document.citations + tuple(added),
        bibliography_files=tuple(bibliography),
        cite_all=document.cite_all or info.cite_all,
        problems=problems,
    )


def _find_in(path: str, text: str, key: str) -> Span:
    """Where `key` is recorded in an `.aux`/`.bcf` text (its first line when not found)."""
    match = re.search(r"[{>,]\s*" + re.escape(key) + r"\s*[},<]", text)
    if match is None:
        return Span(path, 1, 1)
    start = match.start() + 1
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(path, line, column, start, start + len(key))


__all__ = ["INPUT_FORMATS", "JATS_SUFFIXES", "guess_format", "read_document", "sniff_binary_format"]
