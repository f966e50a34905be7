"""What every document reader receives and returns."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from citecheck.model import Citation, RawEntry, Span, TextLayout


@dataclass(frozen=True, slots=True)
class SourceText:
    """A decoded document and the means to turn offsets into lines and columns."""

    path: str
    """The file as the user named it."""
    text: str
    """Its decoded text, line endings normalised to `\\n`."""
    line_starts: tuple[int, ...] = field(default=(), compare=False)
    """Offset of the first character of each line (computed when not given)."""

    def __post_init__(self) -> None:
        if not self.line_starts:
            starts = [0]
            find = self.text.find
            position = find("\n")
            while position != -1:
                starts.append(position + 1)
                position = find("\n", position + 1)
            object.__setattr__(self, "line_starts", tuple(starts))

    def span(self, start: int, end: int) -> Span:
        """The span of text[start:end], with 1-based line and column."""
        line_index = bisect.bisect_right(self.line_starts, start) - 1
        return Span(
            path=self.path,
            line=line_index + 1,
            column=start - self.line_starts[line_index] + 1,
            start=start,
            end=end,
        )


@dataclass(frozen=True, slots=True)
class ReadDocument:
    """What a reader found in a document."""

    source: SourceText
    """The document itself."""
    citations: tuple[Citation, ...]
    """Every citation, in document order."""
    entries: tuple[RawEntry, ...]
    """The entries of the document's own reference list, in order (empty when there is none)."""
    reference_list: Span | None = None
    """Where the reference list starts (its heading, or its first entry)."""
    bibliography_files: tuple[str, ...] = ()
    """Bibliography databases the document names (`\\bibliography{refs}`, YAML `bibliography:`)."""
    cite_all: bool = False
    """True when the document cites every entry (`\\nocite{*}`, `nocite: '@*'`)."""
    prose: str = ""
    """The text with its markup blanked out, offsets unchanged (XML formats), for what reads
    sentences; empty when `source.text` is already prose."""
    problems: tuple[str, ...] = ()
    """Things the reader could not follow or refused (a missing `\\input` file, an include
    cycle, an unterminated front matter), one readable line each; never raised as errors."""
    layout: TextLayout | None = field(default=None, compare=False, repr=False)
    """For a paged document (PDF): where each character of `source.text` stands on the pages."""
