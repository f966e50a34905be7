"""The DataCite source against the recorded replies: records read, only DataCite's DOIs asked,
DataCite's 404 as "not registered", and every failure mode as SourceUnavailable."""

from __future__ import annotations

import json

import pytest

from citecheck.sources.agency import DoiAgencies
from citecheck.sources.base import NotCovered, SourceUnavailable, WorkSource
from citecheck.sources.datacite import DataCiteSource, work_from_datacite
from citecheck.sources.pacing import Limits, Pacer
from tests.datacite_server import datacite_records
from tests.registries import RegistryServer
from tests.replay_server import Fault
from tests.sources.fakes import FakeClock

RECORDS = datacite_records()
MAILTO = "synthetic.user@example.org"


def make_source(server: RegistryServer, clock: FakeClock, timeout: float = 2.0) -> DataCiteSource:
    pacer = Pacer(Limits(3, 3, 2), clock=clock, sleep=clock.sleep, backoff_base=0.5)
    agencies = DoiAgencies(server.base_url, pacer=Pacer(Limits(3, 3, 1), clock=clock, sleep=clock.sleep),
                           timeout=timeout)
    return DataCiteSource(agencies, server.base_url, mailto=MAILTO, pacer=pacer, timeout=timeout)


@pytest.mark.parametrize(("doi", "path"), [pytest.param(d, p, id=d) for d, p in RECORDS.items()])
def test_every_recorded_record(doi: str, path) -> None:
    attributes = json.loads(path.read_text(encoding="utf-8"))["data"]["attributes"]
    work = work_from_datacite(json.loads(path.read_text(encoding="utf-8"))["data"])
    assert work.doi == doi and work.source == "datacite"
    assert work.title.startswith(attributes["titles"][0]["title"])
    assert work.year == int(attributes["publicationYear"])
    assert len(work.authors) == len(attributes["creators"])
    # A creator is a person (family, given) when DataCite says so, else a literal name.
    for name, creator in zip(work.authors, attributes["creators"]):
        assert (name.family or name.literal) == (creator.get("familyName") or creator["name"])


@pytest.mark.parametrize(
    ("doi", "expected_type"),
    [
        pytest.param("10.5061/dryad.8515", "dataset", id="dataset"),
        pytest.param("10.5281/zenodo.2598836", "software", id="software"),
        pytest.param("10.48550/arxiv.2311.16162", "posted-content", id="preprint"),
        pytest.param("10.3204/desy-2014-01645", "text", id="thesis-as-text"),
    ],
)
def test_types(doi: str, expected_type: str) -> None:
    assert work_from_datacite(json.loads(RECORDS[doi].read_text(encoding="utf-8"))["data"]).type == expected_type


def test_container_of_a_report() -> None:
    work = work_from_datacite(json.loads(RECORDS["10.3204/desy-2014-01645"].read_text(encoding="utf-8"))["data"])
    assert work.container_title == "University of Hamburg" and work.publisher.startswith("Deutsches Elektronen")


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        pytest.param("10.5061/dryad.8515", "10.5061/dryad.8515", id="datacite-doi-found"),
        pytest.param("10.48550/arxiv.1902.02534", "10.48550/arxiv.1902.02534", id="arxiv-doi-found"),
        pytest.param("10.4124/05f6c379-dd68-4cdb-880d-33d3e9576d52/1", None, id="recorded-404-not-registered"),
        pytest.param("10.0137/anything", None, id="prefix-registered-nowhere"),
        pytest.param("10.1371/journal.pone.0033693", NotCovered, id="crossref-doi-not-datacites"),
        pytest.param("10.1392/anything", NotCovered, id="medra-doi-not-datacites"),
    ],
)
def test_lookup(doi: str, expected: object) -> None:
    clock = FakeClock()
    with RegistryServer() as server:
        source = make_source(server, clock)
        assert isinstance(source, WorkSource)
        if expected is NotCovered:
            with pytest.raises(NotCovered, match="not DataCite"):
                source.lookup_doi(doi)
            assert server.requests_to("datacite") == []  # another agency's DOI is never asked of DataCite
        else:
            work = source.lookup_doi(doi)
            assert (work.doi if work else None) == expected
        asked = server.requests_to("datacite")
    assert all(MAILTO in r.headers["user-agent"] for r in asked)  # DataCite's "identified" tier


def test_no_search() -> None:
    with RegistryServer() as server, pytest.raises(NotCovered):
        make_source(server, FakeClock()).search("anything")


FAULTS = [
    pytest.param([Fault.delay(2.0)] * 4, id="timeouts"),
    pytest.param([Fault.rate_limited(retry_after=1)] * 4, id="429-retry-after"),
    pytest.param([Fault.http(500), Fault.http(502), Fault.http(503), Fault.http(504)], id="5xx"),
    pytest.param([Fault.malformed_json()] * 4, id="malformed-json"),
    pytest.param([Fault.html_page()] * 4, id="html-200"),
    pytest.param([Fault.reset()] * 4, id="connection-reset"),
    pytest.param([Fault.http(401)], id="401-not-retried"),
]


@pytest.mark.parametrize("faults", FAULTS)
@pytest.mark.parametrize("where", [pytest.param(r"^/dois/", id="datacite"), pytest.param(r"^/ra/", id="agency")])
def test_failures_are_source_unavailable(faults: list[Fault], where: str) -> None:
    clock = FakeClock()
    with RegistryServer() as server:
        server.add_faults(where, *faults)
        with pytest.raises(SourceUnavailable) as failure:
            make_source(server, clock, timeout=0.3).lookup_doi("10.5061/dryad.8515")
    assert str(failure.value).startswith("datacite: ") and MAILTO not in str(failure.value)


@pytest.mark.parametrize("faults", [pytest.param([Fault.http(503)], id="5xx-once"),
                                    pytest.param([Fault.rate_limited(retry_after=2)], id="429-once")])
def test_transient_failures_recover(faults: list[Fault]) -> None:
    clock = FakeClock()
    with RegistryServer() as server:
        server.add_faults(r"^/dois/", *faults)
        assert make_source(server, clock).lookup_doi("10.5061/dryad.8515") is not None
        assert len(server.requests_to("datacite")) == 2


def test_refused_connection_is_unreachable() -> None:
    clock = FakeClock()
    with RegistryServer() as server:
        agencies = DoiAgencies(server.base_url, pacer=Pacer(Limits(3, 3, 1), clock=clock, sleep=clock.sleep))
        agencies.agency("10.5061/x")  # the agency is known; DataCite itself is gone
        with RegistryServer() as gone:
            url = gone.base_url
        source = DataCiteSource(agencies, url, pacer=Pacer(Limits(3, 3, 1), clock=clock, sleep=clock.sleep))
        with pytest.raises(SourceUnavailable, match="cannot connect"):
            source.lookup_doi("10.5061/dryad.8515")
    assert source.unreachable
