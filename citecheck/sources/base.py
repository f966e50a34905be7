"""The one port every source of registry records implements, and the failure they raise."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from citecheck.model import Work


class SourceUnavailable(Exception):
    """A source could not answer (network down, rate limited, server error, malformed reply).

    This is a failure of the tool's environment, never a statement about the reference: a
    reference whose sources raised this is "could not verify", never "not found". The message
    is one line and never contains credentials.
    """


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
