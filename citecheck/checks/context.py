"""What a check sees: one document's citations, references and, once resolved, their resolutions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from citecheck.model import Citation, Reference, Resolution


@dataclass(frozen=True)
class DocumentContext:
    """The inputs of every check for one document."""

    path: str
    """The document as the user named it."""
    citations: tuple[Citation, ...]
    """Every citation, in document order."""
    references: tuple[Reference, ...]
    """Every entry, in list order."""
    has_bibliography: bool = False
    """True when the document names a bibliography file (key-based formats), even an empty one."""
    cite_all: bool = False
    """True when the document cites every entry (`\\nocite{*}`)."""
    resolutions: tuple[Resolution, ...] = field(default=())
    """How each reference was resolved (empty before resolution, or when it is off)."""

    @cached_property
    def cited_ids(self) -> frozenset[str]:
        """Ids of every entry some citation points at."""
        return frozenset(t for c in self.citations for t in c.targets)

    @cached_property
    def references_by_id(self) -> dict[str, Reference]:
        """Entries by id (the first, when ids repeat)."""
        found: dict[str, Reference] = {}
        for reference in self.references:
            found.setdefault(reference.id, reference)
        return found
