"""The resolver's decisions against in-memory sources: which source is asked, and how it ends."""

from __future__ import annotations

import pytest

from citecheck.model import Name, Reference, ResolutionStatus, Work
from citecheck.resolve.resolver import Resolver
from citecheck.sources.memory import InMemorySource

# Synthetic works under Crossref's test prefix.
ALPHA = Work(doi="10.5555/alpha", title="Synthetic alpha trial of an imaginary drug in invented patients",
             authors=(Name("Smith", "Jane"),), container_title="Journal of Synthetic Results", year=2019,
             volume="12", issue="3", page="101-110", type="journal-article", source="memory")
BETA = Work(doi="10.5555/beta", title="Unrelated beta survey of fictional gardens and their hedges",
            authors=(Name("Jones", "Ed"),), container_title="Annals of Invented Botany", year=2015,
            volume="4", page="1-9", type="journal-article", source="memory")
RAW = "Smith J. Synthetic alpha trial of an imaginary drug in invented patients. J Synth Results. 2019;12(3):101-10."
CSL = {"type": "article-journal", "title": "Synthetic alpha trial of an imaginary drug in invented patients",
       "author": [{"family": "Smith", "given": "J."}], "container-title": "J Synth Results",
       "issued": {"date-parts": [[2019]]}, "volume": "12", "issue": "3", "page": "101-10"}


def reference(**extra: str) -> Reference:
    return Reference(id="1", raw=RAW, csl={**CSL, **extra}, number=1)


@pytest.mark.parametrize(
    ("extra", "sources", "status", "method", "doi"),
    [
        pytest.param({}, [InMemorySource([ALPHA, BETA])], ResolutionStatus.MATCHED, "search", "10.5555/alpha", id="search-match"),
        pytest.param({"DOI": "10.5555/alpha"}, [InMemorySource([ALPHA])], ResolutionStatus.MATCHED, "doi", "10.5555/alpha", id="doi-match"),
        pytest.param({"DOI": "10.5555/beta"}, [InMemorySource([ALPHA, BETA])], ResolutionStatus.MATCHED, "doi-mismatch", "10.5555/alpha", id="doi-of-another-work"),
        pytest.param({"DOI": "10.5555/missing"}, [InMemorySource([ALPHA])], ResolutionStatus.MATCHED, "doi-unknown", "10.5555/alpha", id="unknown-doi-found-by-search"),
        pytest.param({}, [InMemorySource([BETA])], ResolutionStatus.NOT_FOUND, "search", None, id="nowhere"),
        pytest.param({}, [InMemorySource([], fail=True)], ResolutionStatus.UNVERIFIED, "search", None, id="source-failed"),
        pytest.param({}, [InMemorySource([BETA]), InMemorySource([], fail=True)], ResolutionStatus.UNVERIFIED, "search", None,
                     id="one-answered-one-failed-is-not-not-found"),
        pytest.param({}, [InMemorySource([], fail=True), InMemorySource([ALPHA])], ResolutionStatus.MATCHED, "search", "10.5555/alpha",
                     id="failed-then-found"),
        pytest.param({"DOI": "10.5555/alpha"}, [InMemorySource([], fail=True)], ResolutionStatus.UNVERIFIED, "doi", None,
                     id="doi-lookup-failed"),
    ],
)
def test_resolution(extra: dict, sources: list, status: ResolutionStatus, method: str, doi: str | None) -> None:
    resolution = Resolver(sources).resolve(reference(**extra))
    assert resolution.status is status
    assert resolution.method == method
    assert (resolution.work.doi if resolution.work else None) == doi
    if status is ResolutionStatus.UNVERIFIED:
        assert resolution.failures


def test_network_not_asked_when_a_snapshot_matches() -> None:
    snapshot, network = InMemorySource([ALPHA], name="snapshot"), InMemorySource([ALPHA], name="network")
    Resolver([snapshot, network]).resolve(reference())
    assert network.calls == []


def test_parallel_resolution_keeps_order() -> None:
    references = [Reference(id=str(i), raw=RAW if i % 2 else "Jones E. Unrelated beta survey of fictional gardens and their hedges. Ann Invent Bot. 2015;4:1-9.",
                            csl={}, number=i) for i in range(1, 9)]
    results = Resolver([InMemorySource([ALPHA, BETA])], jobs=3).resolve_all(references)
    assert [r.reference_id for r in results] == [str(i) for i in range(1, 9)]
