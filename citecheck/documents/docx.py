"""The reader for Word documents (`.docx`), through python-docx.

The body becomes a text of one line per paragraph, in document order, table cells included
(row by row, each cell's paragraphs in turn): **a citation's `Span.line` is the number of its
paragraph** (1-based, counting every paragraph of the body, empty ones and those in tables
too) and `Span.column` the character within it. On that text the plain-text machinery runs
unchanged: the reference list is found as in a `.txt` file (`reference_list`), numeric markers
before it (`numeric`) and author-year citations (`authoryear`).

Word keeps things a text export would lose; the reader puts them back:

- runs formatted as superscript (`cancer` + superscript `1,2`) become Unicode superscripts
  (`cancer¹,²`), so the numeric reader sees Word's usual citation marks;
- automatically numbered paragraphs (a numbered reference list) get their number written in
  front (`1. `), counted per list as Word displays them;
- deleted tracked changes are left out, inserted ones kept; line breaks inside a paragraph
  are spaces.

Footnotes and endnotes (python-docx has no API for them: `word/footnotes.xml` and
`word/endnotes.xml` are read from the package with the standard library) are scanned for
citations with the same readers. Their spans name `DOCUMENT#footnotes` or `DOCUMENT#endnotes`
as the path and the paragraph within that part (every note's paragraphs, in order) as the
line.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from citecheck.documents.authoryear import find_author_year_citations
from citecheck.documents.base import ReadDocument, SourceText
from citecheck.documents.loading import InputError
from citecheck.documents.numeric import find_numeric_citations
from citecheck.documents.plaintext import GLUED_PAST_END
from citecheck.documents.reference_list import find_reference_list
from citecheck.model import Citation

__all__ = ["read_docx", "docx_paragraphs", "note_paragraphs"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SUPERSCRIPT = str.maketrans("0123456789,-–", "⁰¹²³⁴⁵⁶⁷⁸⁹,⁻⁻")
_MAX_BYTES = 100 * 1024 * 1024


def _run_text(run: Any) -> str:
    """The text of one `w:r`: text, tabs, breaks; superscript digits as Unicode superscripts."""
    pieces: list[str] = []
    for child in run:
        tag = child.tag
        if tag == f"{_W}t":
            pieces.append(child.text or "")
        elif tag == f"{_W}tab":
            pieces.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            pieces.append(" ")
        elif tag == f"{_W}noBreakHyphen":
            pieces.append("-")
    text = "".join(pieces)
    props = run.find(f"{_W}rPr")
    align = props.find(f"{_W}vertAlign") if props is not None else None
    if align is not None and align.get(f"{_W}val") == "superscript" and text.strip(" 0123456789,-–") == "":
        text = text.translate(_SUPERSCRIPT)
    return text


def _paragraph_text(paragraph: Any) -> str:
    """A `w:p` element's text on one line (runs that tracked changes deleted left out)."""
    runs: list[Any] = []

    def walk(element: Any) -> None:
        for child in element:
            if child.tag in (f"{_W}del", f"{_W}moveFrom"):
                continue
            if child.tag == f"{_W}r":
                runs.append(child)
            else:
                walk(child)

    walk(paragraph)
    return "".join(_run_text(run) for run in runs).replace("\n", " ")


def _numbering(paragraph: Any) -> tuple[str, str] | None:
    """`(numId, ilvl)` of an automatically numbered paragraph, else None."""
    props = paragraph.find(f"{_W}pPr")
    num = props.find(f"{_W}numPr") if props is not None else None
    if num is None:
        return None
    num_id = num.find(f"{_W}numId")
    level = num.find(f"{_W}ilvl")
    ident = num_id.get(f"{_W}val") if num_id is not None else None
    if ident in (None, "0"):
        return None
    return str(ident), str(level.get(f"{_W}val") if level is not None else "0")


def _lines(paragraphs: Iterable[Any], numbered: bool) -> list[str]:
    """Each paragraph's text, automatic numbers written in front when `numbered`."""
    counters: dict[tuple[str, str], int] = {}
    lines: list[str] = []
    for paragraph in paragraphs:
        text = _paragraph_text(paragraph)
        key = _numbering(paragraph) if numbered else None
        if key is not None and text.strip():
            counters[key] = counters.get(key, 0) + 1
            text = f"{counters[key]}. {text.lstrip()}"
        lines.append(text)
    return lines


def _block_paragraphs(container: Any) -> Iterator[Any]:
    """The `w:p` elements of a body or a table cell in order, table cells row by row."""
    for child in container:
        if child.tag == f"{_W}p":
            yield child
        elif child.tag == f"{_W}tbl":
            # The XML holds each cell once (merged cells too, unlike python-docx's row.cells);
            # nested tables are reached through their cell.
            for row in child.findall(f"{_W}tr"):
                for cell in row.findall(f"{_W}tc"):
                    yield from _block_paragraphs(cell)
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins"):
            yield from _block_paragraphs(child)


def _size(path: Path | IO[bytes]) -> int:
    if isinstance(path, Path):
        return path.stat().st_size
    return path.seek(0, io.SEEK_END) - path.seek(0)


def docx_paragraphs(path: Path | IO[bytes], shown: str) -> list[str]:
    """The body's paragraphs as lines (see the module docs); InputError for a corrupt file."""
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover - a dependency of the package
        raise InputError(f"{shown}: reading .docx needs python-docx (pip install python-docx)") from None
    try:
        if _size(path) > _MAX_BYTES:
            raise InputError(f"{shown}: larger than {_MAX_BYTES // (1024 * 1024)} MB, not read")
        document = docx.Document(str(path) if isinstance(path, Path) else path)
        body = document.element.body
    except InputError:
        raise
    except OSError as error:
        raise InputError(f"{shown}: cannot be read ({error.strerror or error})") from None
    except Exception as error:  # python-docx raises many kinds on a damaged package
        raise InputError(f"{shown}: not a readable .docx file ({type(error).__name__})") from None
    return _lines(_block_paragraphs(body), numbered=True)


def note_paragraphs(path: Path | IO[bytes], part: str) -> list[str]:
    """The paragraphs of `word/footnotes.xml` or `word/endnotes.xml` (empty when absent)."""
    try:
        with zipfile.ZipFile(path) as package:
            if f"word/{part}.xml" not in package.namelist():
                return []
            root = ElementTree.fromstring(package.read(f"word/{part}.xml"))
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError, KeyError):
        return []
    paragraphs: list[Any] = []
    for note in root:
        # Separator "notes" (ids -1 and 0, or typed) hold Word's rule lines, not text.
        if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        paragraphs += list(note.iter(f"{_W}p"))
    return _lines(paragraphs, numbered=False)


def _scan(source: SourceText, end: int, max_number: int | None) -> list[Citation]:
    """Numeric and author-year citations of `source.text[:end]`, in document order."""
    found = find_numeric_citations(source, end, max_number=max_number, glued_past_end=GLUED_PAST_END,
                                       bare_ranges=True)
    found += find_author_year_citations(source, end)
    return sorted(found, key=lambda c: c.span.start)


def read_docx(path: Path | IO[bytes], shown: str) -> ReadDocument:
    """Citations (numeric and author-year) and reference-list entries of a Word document (a
    file, or its bytes as a binary stream)."""
    source = SourceText(shown, "\n".join(docx_paragraphs(path, shown)))
    heading, entries, region_start = find_reference_list(source)
    numbers = [entry.number for entry in entries if entry.number is not None]
    max_number = max(numbers) if numbers else (len(entries) if entries else None)
    citations = _scan(source, region_start, max_number)
    for part in ("footnotes", "endnotes"):
        lines = note_paragraphs(path, part)
        if lines:
            notes = SourceText(f"{shown}#{part}", "\n".join(lines))
            citations += _scan(notes, len(notes.text), max_number)
    return ReadDocument(source=source, citations=tuple(citations), entries=tuple(entries), reference_list=heading)
