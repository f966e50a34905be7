"""The one port every source of registry records implements, the optional abilities some have,
and the two ways a source can decline to answer.

Three outcomes are kept apart, because the report must never confuse them:

* an answer: the work (`Work`), or "not held" (`None`, an empty candidate list). "Not held" is a
  statement about the reference only from a source that *covers* it: Crossref about a DOI that
  Crossref registered, DataCite about a DataCite DOI, PubMed about a PMID;
* `NotCovered`: the question is outside what the source can speak to (a DOI another agency
  registered, a free-text search at a registry without one). It is neither evidence for nor
  against the reference: a reference that no asked source covers is not checked, never "may not
  exist". `NotAsked` (an offline run with nothing cached) and the silence of a source holding
  only part of its registry (`Coverage`) likewise, and the run says it was incomplete;
* `SourceUnavailable`: the source could not answer (network, rate limit, server error). The
  reference is "could not verify", never "not found".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from citecheck.model import Reference, Work


class SourceUnavailable(Exception):
    """A source could not answer (network down, rate limited, server error, malformed reply).

    This is a failure of the tool's environment, never a statement about the reference: a
    reference whose sources raised this is "could not verify", never "not found". The message
    is one line and never contains credentials.
    """


class NotCovered(Exception):
    """The source cannot speak to this question: it neither holds nor excludes the work.

    Raised for a DOI registered with another agency, or a kind of lookup the source does not
    offer. The message is one line saying why (`crossref: 10.5061/dryad.8515 is registered with
    DataCite`). Asking again will not change it.
    """


class NotAsked(NotCovered):
    """The source would cover the question but was not asked: an offline run whose cache holds no
    answer from it. Like a partial source's silence, it leaves the reference not checked (run
    online to check it), never "may not exist"."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """What part of a registry a source holds, so that absence from it can be weighed.

    Only a complete source's silence is evidence: a reference that no complete source was
    asked about is "not checked", never "may not exist". A source without a `coverage`
    attribute (the live registries, test doubles) counts as complete as of now.
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


class Malformed(Exception):
    """A reply with status 200 that is not what the service sends (HTML from a gateway, truncated
    or otherwise unreadable): transient, so retried (raised by the parsers of replies)."""


class Refused(Exception):
    """A reply with status 200 in which the service refuses the request itself (an error object
    naming a bad parameter): asking again would be refused again, so not retried."""


CacheKey = tuple[str | int, ...]
"""What an answer is stored under in the answer cache (see `sources.cache`)."""

Fresh = Callable[[CacheKey], bool]
"""Tells a prefetching source whether a fresh answer for a key is already cached."""

Keep = Callable[[CacheKey, "Sequence[Work] | NotCovered"], None]
"""Takes an answer a prefetching source fetched (the works, or why it cannot answer) to keep in
the answer cache, so that a later run need not ask again even if this run never uses it."""


@runtime_checkable
class WorkSource(Protocol):
    """Anything that can answer "which work has this DOI?" and "which works fit this text?"."""

    name: str
    """Short name used in reports and evidence (`crossref`, `snapshot:trial-papers`)."""

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under a normalised DOI, or None when the source knows it not.

        Raises SourceUnavailable when the source cannot tell, NotCovered when the DOI is outside
        what the source covers.
        """
        ...

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Candidate works for a free-text bibliographic query, best first, at most `rows`.

        An empty list means the source answered and has nothing. Raises SourceUnavailable when
        the source cannot tell, NotCovered when it offers no such search.
        """
        ...


@runtime_checkable
class Prefetching(Protocol):
    """A source that answers many references at once (batched requests) before they are
    resolved one by one; the one-by-one calls are then answered from what it fetched."""

    def prefetch(self, references: Sequence[Reference], fresh: Fresh, keep: Keep) -> None:
        """Fetch, in as few requests as the service allows, what resolving `references` will ask.

        Skips what `fresh` says is cached, and hands every answer it got to `keep`. Never raises
        for a failed batch: the one-by-one calls ask again (and fail honestly if the service is
        down).
        """
        ...


@runtime_checkable
class ReferenceMatcher(Protocol):
    """A source that finds candidates from a reference's fields rather than from a text query
    (PubMed's citation matcher needs journal, year, volume, first page and author apart)."""

    def candidates_for(self, reference: Reference) -> list[Work]:
        """Candidate works for the reference (validated by the caller like any candidates)."""
        ...

    def candidates_key(self, reference: Reference) -> CacheKey | None:
        """The cache key of `candidates_for(reference)`, or None when it cannot be asked."""
        ...


@runtime_checkable
class PubMedIdentifiers(Protocol):
    """A source that looks works up by PubMed and PubMed Central identifiers."""

    def lookup_pmid(self, pmid: str) -> Work | None:
        """The work with this PMID, or None when PubMed has no such record."""
        ...

    def lookup_pmcid(self, pmcid: str) -> Work | None:
        """The work with this PMCID (`PMC1234567`), or None when PMC has no such article."""
        ...


def is_remote(source: object) -> bool:
    """True for a source that asks a service over the network (directly or behind the cache).

    Local sources (snapshots, in-memory) are cheap to ask and are consulted before batching, so
    that batches never carry what a local source already holds.
    """
    return bool(getattr(source, "remote", False))
