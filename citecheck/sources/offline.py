"""Stand-ins for the registries in an offline run: each knows its registry's name and how its
answers are keyed in the answer cache, and is never asked anything (the cache wrapper, offline,
answers from what it holds or declines first). They keep an offline run from loading the
network clients (habanero and httpx2 cost half a second)."""

from __future__ import annotations

from citecheck.model import Reference, Work
from citecheck.sources.base import CacheKey, NotAsked
from citecheck.sources.pubmed_records import citation_line

NAMESPACES = {"crossref": "", "pubmed": "pubmed", "datacite": "datacite"}
"""Each registry's prefix in the answer cache (its source's `cache_namespace`)."""


class OfflineRegistry:
    """A registry that is not asked: every question is NotAsked."""

    remote = True
    """It stands for a network source (asked after local ones)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cache_namespace = NAMESPACES.get(name, name)

    def _offline(self) -> NotAsked:
        return NotAsked(f"{self.name}: offline")

    def lookup_doi(self, doi: str) -> Work | None:
        """Not asked offline."""
        raise self._offline()

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Not asked offline."""
        raise self._offline()


class OfflinePubMed(OfflineRegistry):
    """PubMed offline: its PMID, PMCID and citation-matcher answers are keyed as PubMed keys them."""

    def __init__(self) -> None:
        super().__init__("pubmed")

    def lookup_pmid(self, pmid: str) -> Work | None:
        """Not asked offline."""
        raise self._offline()

    def lookup_pmcid(self, pmcid: str) -> Work | None:
        """Not asked offline."""
        raise self._offline()

    def candidates_for(self, reference: Reference) -> list[Work]:
        """Not asked offline."""
        raise self._offline()

    def candidates_key(self, reference: Reference) -> CacheKey | None:
        """The key PubMed's citation-matcher answer for the reference is cached under."""
        line = citation_line(reference)
        return ("citation", line.question()) if line is not None else None


def offline_registry(name: str) -> OfflineRegistry:
    """The stand-in for one registry."""
    return OfflinePubMed() if name == "pubmed" else OfflineRegistry(name)
