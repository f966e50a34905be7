"""Opening a PDF with pypdfium2, and refusing, in one line each, the PDFs citecheck cannot read.

Refused before any text is read: a missing, empty or oversized file, a file that is not a PDF,
a truncated PDF (no end-of-file marker near its end: pdfium would quietly read what is left,
and an audit of half a manuscript would report its missing half's entries as uncited), a PDF
pdfium cannot parse, a PDF that needs a password to open, and a PDF of more pages than a
manuscript has. A PDF that only restricts printing or copying (an owner password) opens and is
read: extracting its text to check it is what a reviewer does by eye.

The time budget is checked while reading, page by page (`ReadingClock`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from citecheck.documents.loading import InputError

MAX_PDF_BYTES = 200 * 1024 * 1024
"""Largest PDF citecheck opens (200 MiB): manuscripts with figures run to tens of MiB."""
MAX_PDF_PAGES = 1500
"""Most pages citecheck reads: a thesis has hundreds; thousands are a book or a proceedings volume."""
TIME_BUDGET_SECONDS = 120.0
"""Longest citecheck spends reading one PDF (a 30-page paper takes well under a second)."""

_EOF_WINDOW = 4096
"""How far from the end the `%%EOF` marker must stand (writers may append a little junk)."""

# pdfium's FPDF_ERR_* codes for a document that will not load.
_ERR_FILE, _ERR_FORMAT, _ERR_PASSWORD, _ERR_SECURITY = 2, 3, 4, 6


class ReadingClock:
    """The time budget of reading one PDF: `check` raises InputError once it is spent."""

    def __init__(self, shown: str, pages: int, budget: float = TIME_BUDGET_SECONDS) -> None:
        self.shown, self.pages, self.budget = shown, pages, budget
        self.started = time.perf_counter()

    def check(self, page: int) -> None:
        """Raise InputError when the budget is spent before page `page` (1-based) is read."""
        if time.perf_counter() - self.started > self.budget:
            raise InputError(
                f"{self.shown}: reading stopped at page {page:,} of {self.pages:,}: over the "
                f"{self.budget:g} s time budget for one PDF"
            )


def _check_file(path: Path, shown: str) -> None:
    """Refuse what is not a complete PDF file, by its size, header and end-of-file marker."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{shown}: is a directory, not a document")
        if size == 0:
            raise InputError(f"{shown}: is empty")
        if size > MAX_PDF_BYTES:
            raise InputError(f"{shown}: is {size / 1024 / 1024:.1f} MiB, over the "
                             f"{MAX_PDF_BYTES // 1024 // 1024} MiB limit for a PDF")
        with path.open("rb") as handle:
            head = handle.read(1024)
            handle.seek(max(0, size - _EOF_WINDOW))
            tail = handle.read()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except OSError as error:
        raise InputError(f"{shown}: cannot be read ({error.strerror or error})") from None
    if b"%PDF-" not in head:
        raise InputError(f"{shown}: is not a PDF file (no %PDF header)")
    if b"%%EOF" not in tail:
        raise InputError(f"{shown}: is a damaged PDF (truncated: no end-of-file marker); "
                         "export or download it again")


def open_pdf(path: Path, shown: str, max_pages: int = MAX_PDF_PAGES) -> Any:
    """The `pypdfium2.PdfDocument` of `path`; InputError (one line) when it cannot be read."""
    _check_file(path, shown)
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code == _ERR_PASSWORD:
            raise InputError(f"{shown}: is encrypted and needs a password to open; "
                             "audit an unprotected copy") from None
        if code == _ERR_SECURITY:
            raise InputError(f"{shown}: uses an unsupported security handler; audit an unprotected copy") from None
        if code == _ERR_FILE:
            raise InputError(f"{shown}: cannot be opened") from None
        raise InputError(f"{shown}: is a damaged PDF that cannot be parsed") from None
    pages = len(document)
    if pages > max_pages:
        document.close()
        raise InputError(f"{shown}: has {pages:,} pages, over the {max_pages:,}-page limit for a manuscript")
    return document
