"""The reader for PDF documents: text with its layout, then the plain-text machinery.

`read_pdf` opens the file (refusing bad PDFs in one line, `opening`), reads each page's
characters (`glyphs`), lays them out in rows and columns (`rows`), drops running headers and
page numbers (`furniture`), and builds the text and its layout (`text`). On that text the
reference list is found and split as in a `.txt` file, numeric markers (superscripts included)
and author-year citations are found before it, and a raised number that typography says is not
a citation (`typography`) is dropped. Every span is then given its page and the line on the
page, and the document keeps its layout (`ReadDocument.layout`) for reports and viewers that
highlight citations on the page.

A PDF without any text (a scan) is refused: it needs OCR first; so is one whose text layer is
mostly characters without Unicode meaning (fonts embedded without a character map), since
what citecheck would read is not what the page shows. Pages without text in a PDF
that has text elsewhere are reported (`R009 unreadable-input`), never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from citecheck.documents.authoryear import find_author_year_citations
from citecheck.documents.base import RawEntry, ReadDocument, SourceText
from citecheck.documents.loading import InputError
from citecheck.documents.numeric import find_numeric_citations
from citecheck.documents.pdf.furniture import mark_furniture
from citecheck.documents.pdf.glyphs import PageGlyphs, read_page
from citecheck.documents.pdf.opening import MAX_PDF_PAGES, TIME_BUDGET_SECONDS, ReadingClock, open_pdf
from citecheck.documents.pdf.rows import page_rows
from citecheck.documents.pdf.text import PdfText, build_text
from citecheck.documents.reference_list import find_reference_list
from citecheck.model import Citation, TextLayout

__all__ = ["read_pdf", "extract_text", "unreadable_share"]

_MOST_UNREADABLE = 0.3
"""Above this share of characters without Unicode meaning, the text layer is refused."""

_PARAGRAPH_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def extract_text(path: Path, shown: str, *, max_pages: int = MAX_PDF_PAGES,
                 budget: float = TIME_BUDGET_SECONDS) -> tuple[PdfText, tuple[int, ...]]:
    """The PDF's text and layout, and the pages that hold no text; InputError for a bad PDF."""
    document = open_pdf(path, shown, max_pages)
    pages: list[PageGlyphs] = []
    rows = []
    try:
        clock = ReadingClock(shown, len(document), budget)
        for number in range(1, len(document) + 1):
            clock.check(number)
            try:
                page = read_page(document, number)
            except Exception:  # pdfium fails on a damaged page object: the file is damaged
                raise InputError(f"{shown}: is a damaged PDF (page {number} cannot be read)") from None
            pages.append(page)
            rows.append(page_rows(page.glyphs, page.width, number))
        empty = tuple(p.number for p in pages if not p.glyphs)
        if len(empty) == len(pages):
            scanned = any(p.has_images for p in pages)
            raise InputError(
                f"{shown}: has no text layer ({'a scanned or image-only PDF' if scanned else 'no text on any page'}); "
                "citecheck reads text, so run OCR on it first (e.g. ocrmypdf) and audit the result"
            )
        share = unreadable_share([g.char for page in pages for g in page.glyphs])
        if share > _MOST_UNREADABLE:
            raise InputError(
                f"{shown}: its text layer cannot be read ({share:.0%} of its characters have no Unicode "
                "meaning: fonts without a character map); run OCR on it first (e.g. ocrmypdf) and audit the result"
            )
        mark_furniture([(page_rows_, page.height) for page_rows_, page in zip(rows, pages)])
        text = build_text(pages, rows)
    finally:
        for page in pages:
            page.close()
        document.close()
    return text, empty


def unreadable_share(chars: list[str]) -> float:
    """The share of characters that carry no text: private-use code points, control characters
    and U+FFFD, which a font without a Unicode map gives (its text cannot be audited)."""
    if not chars:
        return 0.0
    bad = sum(1 for c in chars if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or (c < " " and c != "\x02"))
    return bad / len(chars)


def _place(layout: TextLayout, citation: Citation) -> Citation:
    span = citation.span
    return replace(citation, span=layout.span(span.path, span.start, span.end))


def _place_entry(layout: TextLayout, entry: RawEntry) -> RawEntry:
    span = entry.span
    return replace(entry, span=layout.span(span.path, span.start, span.end))


def read_pdf(path: Path, shown: str) -> ReadDocument:
    """Citations (numeric, superscript and author-year) and reference-list entries of a PDF."""
    pdf, empty = extract_text(path, shown)
    source = SourceText(shown, pdf.text)
    heading, entries, region_start = find_reference_list(source)
    numbers = [entry.number for entry in entries if entry.number is not None]
    max_number = max(numbers) if numbers else (len(entries) if entries else None)
    if entries:
        region_start = min(region_start, entries[0].span.start)
    # A row ends where the page did, not where the author did: within a paragraph, line breaks
    # are read as spaces (same length, so offsets hold), so that `(13)` wrapped to the start of
    # a row is not taken for an enumeration, nor a citation for a list entry.
    flowing = SourceText(shown, _PARAGRAPH_LINE_BREAK.sub(" ", pdf.text), source.line_starts)
    found = find_numeric_citations(flowing, region_start, max_number=max_number)
    found += find_author_year_citations(flowing, region_start)
    not_citations = [(m.start, m.end) for m in pdf.raised if m.reason]
    kept = [c for c in found if not any(s < c.span.end and c.span.start < e for s, e in not_citations)]
    kept.sort(key=lambda c: c.span.start)
    layout = pdf.layout
    problems = ()
    if empty:
        listed = ", ".join(str(n) for n in empty[:10]) + (" …" if len(empty) > 10 else "")
        problems = (f"page{'s' if len(empty) > 1 else ''} {listed} of the PDF hold{'' if len(empty) > 1 else 's'} "
                    "no text (scanned?): citations there were not read; run OCR on the PDF",)
    return ReadDocument(
        source=source,
        citations=tuple(_place(layout, c) for c in kept),
        entries=tuple(_place_entry(layout, e) for e in entries),
        reference_list=layout.span(shown, heading.start, heading.end) if heading else None,
        problems=problems,
        layout=layout,
    )
