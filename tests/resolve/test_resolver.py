"""The resolver's decisions against in-memory sources: which source is asked, and how it ends."""

from __future__ import annotations

import pytest

from citecheck.model import Name, Reference, ResolutionStatus, Work
from citecheck.resolve.resolver import Resolver
from citecheck.sources.base import NotCovered
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


# --- sources that cannot speak to a reference, PubMed identifiers, batches --------------------------


class Declining:
    """A source that covers nothing asked of it (another agency's DOIs, no search, offline)."""

    def __init__(self, name: str = "declining") -> None:
        self.name = name

    def lookup_doi(self, doi: str) -> Work | None:
        raise NotCovered(f"{self.name}: not mine")

    def search(self, query: str, rows: int = 5) -> list[Work]:
        raise NotCovered(f"{self.name}: no search")


class ByPmid(InMemorySource):
    """An in-memory source that also looks works up by PMID (as PubMed does)."""

    def __init__(self, works: dict[str, Work], name: str = "pubmed") -> None:
        super().__init__(works.values(), name=name)
        self.pmids = works

    def lookup_pmid(self, pmid: str) -> Work | None:
        self.calls.append(("lookup_pmid", pmid))
        return self.pmids.get(pmid)


@pytest.mark.parametrize(
    ("extra", "sources", "status", "method", "decided_by"),
    [
        pytest.param({"DOI": "10.5555/alpha"}, [Declining("a"), Declining("b")], ResolutionStatus.SKIPPED, "doi", "",
                     id="doi-nobody-covers-is-not-checked"),
        pytest.param({"DOI": "10.5555/missing"}, [Declining(), InMemorySource([BETA], name="registry")],
                     ResolutionStatus.NOT_FOUND, "doi-unknown", "registry", id="doi-unknown-decided-by-the-covering-source"),
        pytest.param({}, [Declining(), InMemorySource([BETA], name="registry")], ResolutionStatus.NOT_FOUND, "search",
                     "registry", id="search-not-found-decided-by-who-answered"),
        pytest.param({}, [Declining("a"), Declining("b")], ResolutionStatus.SKIPPED, "search", "",
                     id="search-nobody-covers-is-not-checked"),
        pytest.param({}, [Declining(), InMemorySource([], fail=True)], ResolutionStatus.UNVERIFIED, "search", "",
                     id="declined-and-failed-is-could-not-verify"),
        pytest.param({}, [Declining(), InMemorySource([ALPHA], name="registry")], ResolutionStatus.MATCHED, "search",
                     "registry", id="declined-then-matched"),
    ],
)
def test_sources_that_do_not_cover(extra: dict, sources: list, status: ResolutionStatus, method: str,
                                   decided_by: str) -> None:
    resolution = Resolver(sources).resolve(reference(**extra))
    assert (resolution.status, resolution.method, resolution.decided_by) == (status, method, decided_by)
    declined = [s.name for s in sources if isinstance(s, Declining)]
    assert {line.split(":")[0] for line in resolution.not_covered} == set(declined)


@pytest.mark.parametrize(
    ("extra", "pmids", "status", "method", "doi"),
    [
        pytest.param({"PMID": "123"}, {"123": ALPHA}, ResolutionStatus.MATCHED, "pmid", "10.5555/alpha", id="pmid-found"),
        pytest.param({"PMCID": "pmc77"}, {}, ResolutionStatus.MATCHED, "search", "10.5555/alpha",
                     id="pmcid-without-a-pmcid-source-is-searched"),
        pytest.param({"PMID": "123"}, {"123": BETA}, ResolutionStatus.MATCHED, "pmid-mismatch", "10.5555/alpha",
                     id="pmid-of-another-work-then-searched"),
        pytest.param({"PMID": "999"}, {}, ResolutionStatus.MATCHED, "pmid-unknown", "10.5555/alpha",
                     id="pmid-unknown-then-searched"),
    ],
)
def test_pubmed_identifiers(extra: dict, pmids: dict, status: ResolutionStatus, method: str, doi: str) -> None:
    pubmed = ByPmid(pmids)
    resolution = Resolver([pubmed, InMemorySource([ALPHA], name="registry")]).resolve(reference(**extra))
    assert (resolution.status, resolution.method) == (status, method)
    assert resolution.work is not None and resolution.work.doi == doi
    assert resolution.decided_by == ("pubmed" if method == "pmid" else "registry")


class Batching(InMemorySource):
    """A remote in-memory source that records what it was asked to prefetch."""

    remote = True

    def __init__(self, works: list[Work]) -> None:
        super().__init__(works, name="network")
        self.prefetched: list[list[str]] = []

    def prefetch(self, references: list[Reference], fresh: object, keep: object) -> None:
        self.prefetched.append([r.id for r in references])


def test_prefetch_leaves_out_what_a_local_source_holds() -> None:
    snapshot, network = InMemorySource([ALPHA], name="snapshot"), Batching([ALPHA, BETA])
    references = [reference(DOI="10.5555/alpha"), Reference(id="2", raw="Beta. doi:10.5555/beta", csl={"DOI": "10.5555/beta"}),
                  Reference(id="3", raw="", csl={}, parsed=False)]
    Resolver([snapshot, network]).resolve_all(references)
    assert network.prefetched == [["2"]]
