"""The reader for plain text and Markdown documents with numeric citations (`.txt`, `.md`).

It finds the document's own reference list first (`reference_list`), then the numeric markers
in the text before it (`numeric`), bounded by the list's largest entry number so that a number
no entry carries (`in 2011.5`, `[40]` with four entries) is not taken for a citation; markers
just past it are citations of missing entries. Nothing
in or after the reference list is scanned for citations: entries are full of numbers (years,
volumes, pages) and a trailing colophon ("originally published on July 27,2012") holds none.
"""

from __future__ import annotations

from citecheck.documents.base import ReadDocument, SourceText
from citecheck.documents.numeric import find_numeric_citations
from citecheck.documents.reference_list import find_reference_list

__all__ = ["GLUED_PAST_END", "read_plain_text"]

GLUED_PAST_END = 2
"""How far past the list's last number a glued marker (`methotrexate.5` with four entries) is
still read: a citation of a missing entry when the document cites with glued markers, dropped
otherwise (`citecheck.checks.style`)."""


def read_plain_text(source: SourceText) -> ReadDocument:
    """Citations and reference-list entries of a plain-text or Markdown document."""
    heading, entries, region_start = find_reference_list(source)
    numbers = [entry.number for entry in entries if entry.number is not None]
    if numbers:
        max_number: int | None = max(numbers)
    elif entries:
        # An unnumbered list: numeric markers can only count its entries in order.
        max_number = len(entries)
    else:
        max_number = None
    citations = find_numeric_citations(source, region_start, max_number=max_number, glued_past_end=GLUED_PAST_END,
                                       bare_ranges=True)
    return ReadDocument(
        source=source,
        citations=tuple(citations),
        entries=tuple(entries),
        reference_list=heading,
    )
