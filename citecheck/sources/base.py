"""The one port every source of registry records implements, and the failure they raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from citecheck.model import Work


class SourceUnavailable(Exception):
    """A source could not answer (network down, rate limited, server error, malformed reply).

    This is a failure of the tool's environment, never a statement about the reference: a
    reference whose sources raised this is "could not verify", never "not found". The message
    is one line and never contains credentials.
    """


@dataclass(frozen=True, slots=True)
class Coverage:
    """What part of a registry a source holds, so that absence from it can be weighed.

    Only a complete source's silence is evidence: a reference that no complete source was
    asked about is "not checked", never "may not exist". A source without a `coverage`
    attribute (the live Crossref API, test doubles) counts as complete as of now.
    """

    complete: bool
    """True when the source holds the whole registry (the live service, or a snapshot of the
    whole public data file)."""
    as_of: str = ""
    """The date (YYYY-MM-DD) a complete snapshot holds the registry as of; "" for a live
    service (it holds it as of now) and for partial sources."""
    description: str = ""
    """One line for `snapshot info` and reports: what the source covers."""


def coverage_of(source: object) -> Coverage:
    """A source's coverage: its `coverage` attribute, or complete as of now when it has none."""
    coverage = getattr(source, "coverage", None)
    return coverage if isinstance(coverage, Coverage) else Coverage(complete=True)


@runtime_checkable
class WorkSource(Protocol):
    """Anything that can answer "which work has this DOI?" and "which works fit this text?"."""

    name: str
    """Short name used in reports and evidence (`crossref`, `snapshot:trial-papers`)."""

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under a normalised DOI, or None when the source knows it not.

        Raises SourceUnavailable when the source cannot tell.
        """
        ...

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Candidate works for a free-text bibliographic query, best first, at most `rows`.

        An empty list means the source answered and has nothing. Raises SourceUnavailable when
        the source cannot tell.
        """
        ...
