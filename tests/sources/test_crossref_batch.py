"""Crossref's DOI batches against the local replay server: the recorded `filter=doi:` reply read,
batches sized by count and URL length, a batch's answers handed out per DOI, single lookups for
what a batch did not return or for a batch that failed, and the agency deciding whose 404 counts.

The pacer runs on a fake clock: every wait is recorded instead of slept.
"""

from __future__ import annotations

import json

import pytest

from citecheck.model import Reference
from citecheck.sources.agency import DoiAgencies
from citecheck.sources.base import NotCovered, SourceUnavailable
from citecheck.sources.crossref import BATCH_DOIS, BATCH_URL_CHARS, CrossrefSource
from citecheck.sources.pacing import POLITE, Pacer
from tests.crossref_server import FIXTURES, Fault, load_fixture, works_from_fixtures
from tests.registries import RegistryServer
from tests.sources.fakes import FakeClock

BATCH_REPLY = FIXTURES / "works_filter_doi_3-dois_rows3.json"
# The three DOIs of the recorded list request, as its request asked them (in the filter's order).
RECORDED_DOIS = ["10.1007/s11192-025-05390-3", "10.1162/qss_a_00348", "10.1007/10452.1573-5125"]
RECORDED = works_from_fixtures(["test_works_with_one_id__0__200.json", "test_works_mixed_ids_warn__2__200.json"])
PONE, DELPHI = "10.1371/journal.pone.0033693", "10.1371/journal.pone.0020476"


def refs(*dois: str) -> list[Reference]:
    return [Reference(id=str(i), raw=f"Entry {i}. doi:{d}", csl={"DOI": d}) for i, d in enumerate(dois, 1)]


def never(_key: object) -> bool:
    return False


def keep_all(kept: dict) -> object:
    return lambda key, answer: kept.__setitem__(key, answer)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_source(server: RegistryServer, clock: FakeClock, **options: object) -> CrossrefSource:
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep, backoff_base=0.5)
    agencies = DoiAgencies(server.base_url, pacer=Pacer(POLITE, clock=clock, sleep=clock.sleep))
    return CrossrefSource(base_url=server.base_url, mailto="tester@example.org", pacer=pacer, agencies=agencies,
                          **options)  # type: ignore[arg-type]


def test_recorded_batch_reply_answers_each_doi(clock: FakeClock) -> None:
    with RegistryServer() as server:
        server.crossref.list_replies[frozenset(RECORDED_DOIS)] = BATCH_REPLY
        source = make_source(server, clock)
        kept: dict = {}
        source.prefetch(refs(*RECORDED_DOIS), never, keep_all(kept))
        works = {doi: source.lookup_doi(doi) for doi in RECORDED_DOIS}
        (batch,) = server.requests
    items = {i["DOI"].lower(): i for i in json.loads(BATCH_REPLY.read_text(encoding="utf-8"))["message"]["items"]}
    assert batch.kind == "search" and batch.query["rows"] == ["3"]  # counted against the list budget
    assert batch.query["filter"] == [",".join(f"doi:{d}" for d in RECORDED_DOIS)]
    for doi, work in works.items():  # the reply's order differs from the filter's; each is found
        assert work is not None and work.doi == doi
        assert work.title == items[doi]["title"][0] and work.type == items[doi]["type"]
    assert works["10.1007/10452.1573-5125"].type == "journal"  # a journal-level DOI
    assert sorted(key[1] for key in kept) == sorted(RECORDED_DOIS)  # every answer handed to the cache


def test_doi_missing_from_a_batch_is_asked_alone(clock: FakeClock) -> None:
    with RegistryServer(RECORDED, agencies={}) as server:
        source = make_source(server, clock)
        source.prefetch(refs(PONE, "10.1371/notarealdoi"), never, lambda key, answer: None)
        assert source.lookup_doi(PONE) is not None
        assert source.lookup_doi("10.1371/notarealdoi") is None  # 404, and 10.1371 is Crossref's
        kinds = [(r.kind, r.path) for r in server.requests]
    assert kinds == [("search", "/works"), ("lookup", "/works/10.1371/notarealdoi"), ("doi-ra", "/ra/10.1371")]


@pytest.mark.parametrize(
    ("faults", "batches"),
    [
        pytest.param([Fault.http(503)] * 4, 4, id="5xx-until-retries-run-out"),
        pytest.param([Fault.malformed_json()] * 4, 4, id="malformed-json"),
        pytest.param([Fault.http(400, body=b'{"status":"failed"}')], 1, id="400-not-retried"),
        pytest.param([Fault.http(414, body=b"Request-URI Too Large")], 1, id="414-uri-too-long"),
    ],
)
def test_failed_batch_falls_back_to_single_lookups(clock: FakeClock, faults: list[Fault], batches: int) -> None:
    with RegistryServer(RECORDED) as server:
        server.add_faults(r"^/works\?filter=", *faults)
        source = make_source(server, clock)
        source.prefetch(refs(PONE, DELPHI), never, lambda key, answer: None)
        assert source.lookup_doi(PONE) is not None and source.lookup_doi(DELPHI) is not None
        assert len(server.requests_of("search")) == batches
        assert len(server.requests_of("lookup")) == 2


def test_batch_honours_retry_after_and_the_failure_budget(clock: FakeClock) -> None:
    with RegistryServer(RECORDED) as server:
        server.add_faults(r"^/works\?filter=", Fault.rate_limited(limit=2, retry_after=4))
        source = make_source(server, clock)
        source.prefetch(refs(PONE, DELPHI), never, lambda key, answer: None)
        assert len(server.requests_of("search")) == 2 and source.lookup_doi(PONE) is not None
        assert server.requests_of("lookup") == []  # the batch, retried, answered both
    assert clock.sleeps[0] == pytest.approx(4.0)
    assert source.pacer.rate("search") == 2.0  # the 429's advertised limit lowers the list rate
    assert source.pacer.counts == (2, 1)


def test_cached_dois_are_not_batched(clock: FakeClock) -> None:
    with RegistryServer(RECORDED) as server:
        source = make_source(server, clock)
        source.prefetch(refs(PONE, DELPHI), lambda key: key == ("doi", PONE), lambda key, answer: None)
        (batch,) = server.requests
    assert batch.query["filter"] == [f"doi:{DELPHI}"]


@pytest.mark.parametrize(
    ("agencies", "expected"),
    [
        pytest.param({"10.5555": "Crossref"}, None, id="crossref-prefix-404-is-not-found"),
        pytest.param({"10.5555": "DataCite"}, NotCovered, id="datacite-prefix-not-crossrefs-to-answer"),
        pytest.param({"10.5555": "mEDRA"}, NotCovered, id="medra-prefix"),
        pytest.param({}, None, id="unregistered-prefix-is-not-found"),
    ],
)
def test_a_404_counts_only_for_crossrefs_own_dois(clock: FakeClock, agencies: dict, expected: object) -> None:
    with RegistryServer(agencies=agencies) as server:
        source = make_source(server, clock)
        if expected is NotCovered:
            with pytest.raises(NotCovered, match="registered with"):
                source.lookup_doi("10.5555/synthetic-absent")
        else:
            assert source.lookup_doi("10.5555/synthetic-absent") is None


def test_a_404_whose_agency_cannot_be_asked_is_a_failure(clock: FakeClock) -> None:
    with RegistryServer() as server:
        server.add_faults(r"^/ra/", *([Fault.http(503)] * 4))
        with pytest.raises(SourceUnavailable, match="its agency could not be asked"):
            make_source(server, clock).lookup_doi("10.5555/synthetic-absent")


@pytest.mark.parametrize(
    ("dois", "sizes"),
    [
        pytest.param([f"10.5555/b{i:04d}" for i in range(120)], [50, 50, 20], id="fifty-per-batch"),
        pytest.param(["10.5555/with,comma", "10.5555/plain"], [1], id="comma-never-batched"),
        pytest.param([f"10.5555/{'y' * 4000}"], [], id="one-doi-too-long-for-any-batch"),
    ],
)
def test_batch_sizes(clock: FakeClock, dois: list[str], sizes: list[int]) -> None:
    with RegistryServer() as server:
        source = make_source(server, clock)
        batches = source.batches(dois)
    assert [len(b) for b in batches] == sizes
    assert all(source.batch_url_length(b) <= BATCH_URL_CHARS for b in batches)


def test_long_dois_fill_batches_up_to_the_url_bound(clock: FakeClock) -> None:
    dois = [f"10.5555/{'x' * 150}{i:03d}" for i in range(60)]
    with RegistryServer() as server:
        source = make_source(server, clock)
        batches = source.batches(dois)
        assert [d for b in batches for d in b] == dois
        assert all(source.batch_url_length(b) <= BATCH_URL_CHARS for b in batches)
        # Each batch but the last is full: one more DOI would cross the bound.
        assert all(source.batch_url_length([*b, after[0]]) > BATCH_URL_CHARS for b, after in zip(batches, batches[1:]))
        assert all(len(b) < BATCH_DOIS for b in batches)


def test_default_batch_size() -> None:
    assert (BATCH_DOIS, BATCH_URL_CHARS) == (50, 4000)  # the choice measured in reports/url-limits.md


def test_batch_size_one_asks_every_doi_alone(clock: FakeClock) -> None:
    with RegistryServer(RECORDED) as server:
        source = make_source(server, clock, batch_size=1)
        source.prefetch(refs(PONE, DELPHI), never, lambda key, answer: None)
        assert server.requests == []
        assert source.lookup_doi(PONE) is not None
        assert [r.kind for r in server.requests] == ["lookup"]


def test_recorded_envelope_matches_the_composed_one() -> None:
    """The replay server wraps records in the recorded list reply's envelope (same keys)."""
    recorded = load_fixture(BATCH_REPLY.name)
    with RegistryServer(RECORDED) as server:
        import httpx2

        composed = httpx2.get(f"{server.base_url}/works", params={"filter": f"doi:{PONE}", "rows": "1"}).json()
    assert composed.keys() == recorded.keys() and composed["message"].keys() == recorded["message"].keys()
