"""The Crossref adapter against the local replay server: answers, classification of failures,
retries and pacing, headers sent, and secrets kept out of messages.

The pacer runs on a fake clock: real requests go to 127.0.0.1 at once, while every wait the
pacer or the backoff asks for is recorded instead of slept.
"""

from __future__ import annotations

import json

import habanero
import pytest

from citecheck.sources.base import SourceUnavailable, WorkSource
from citecheck.sources.crossref import CrossrefSource
from citecheck.sources.pacing import POLITE, Limits, Pacer
from tests.crossref_server import (
    CrossrefServer,
    Fault,
    load_fixture,
    works_from_fixtures,
)
from tests.sources.fakes import FakeClock

# Recorded replies (tests/fixtures/crossref/, from ../shared/crossref-api/responses/).
PONE = "10.1371/journal.pone.0033693"  # carries a real updated-by correction
DELPHI = "10.1371/journal.pone.0020476"
MISSING = "10.1371/notarealdoi"  # recorded as Crossref's plain-text 404
SEARCH_ITEMS = load_fixture("test_works_query__0__200.json")["message"]["items"]
BAD_REQUEST = load_fixture("test_works_query_filters_not_allowed_with_dois__0__400.json")

# Synthetic credentials: they must reach the server and nowhere else.
TOKEN = "synthetic-plus-token-0000"
MAILTO = "synthetic.user@example.org"



@pytest.fixture
def server() -> CrossrefServer:
    works = works_from_fixtures(["test_works_with_one_id__0__200.json", "test_works_mixed_ids_warn__2__200.json"])
    with CrossrefServer(works, search=SEARCH_ITEMS) as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_source(server: CrossrefServer, clock: FakeClock, *, timeout: float = 2.0, **pacer_options: object) -> CrossrefSource:
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep, backoff_base=0.5, **pacer_options)  # type: ignore[arg-type]
    return CrossrefSource(base_url=server.base_url, mailto=MAILTO, token=TOKEN, timeout=timeout, pacer=pacer)


def test_is_a_work_source(server: CrossrefServer, clock: FakeClock) -> None:
    assert isinstance(make_source(server, clock), WorkSource)


def test_recorded_work_with_its_correction(server: CrossrefServer, clock: FakeClock) -> None:
    work = make_source(server, clock).lookup_doi(f"https://doi.org/{PONE.upper()}")
    assert work is not None
    assert work.doi == PONE
    assert work.source == "crossref"
    assert work.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert [(u.kind, u.doi, u.date, u.source) for u in work.updated_by] == [
        ("correction", "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda", "2012-05-08", "publisher")
    ]
    assert server.requests[0].path == f"/works/{PONE}"
    assert server.requests[0].query == {}


@pytest.mark.parametrize(
    ("doi", "faults", "expected", "requests"),
    [
        pytest.param(PONE, [], PONE, 1, id="200"),
        pytest.param(MISSING, [], None, 1, id="plain-text-404-is-not-found"),
        pytest.param(PONE, [Fault.not_found()], None, 1, id="404-fault-is-not-found"),
        pytest.param(PONE, [Fault.rate_limited()] * 2, PONE, 3, id="429-twice-then-200"),
        pytest.param(PONE, [Fault.http(500)], PONE, 2, id="500-then-200"),
        pytest.param(PONE, [Fault.http(502), Fault.http(503)], PONE, 3, id="502-503-then-200"),
        pytest.param(PONE, [Fault.malformed_json()], PONE, 2, id="malformed-json-then-200"),
        pytest.param(PONE, [Fault.html_page()], PONE, 2, id="html-200-then-200"),
        pytest.param(PONE, [Fault.reset()], PONE, 2, id="connection-reset-then-200"),
        pytest.param(PONE, [Fault.http(503)] * 4, SourceUnavailable, 4, id="503-four-times-gives-up"),
        pytest.param(PONE, [Fault.malformed_json()] * 4, SourceUnavailable, 4, id="malformed-json-always"),
        pytest.param(PONE, [Fault.html_page()] * 4, SourceUnavailable, 4, id="html-always"),
        pytest.param(PONE, [Fault.http(400, body=b"")], SourceUnavailable, 1, id="400-not-retried-not-not-found"),
        pytest.param(PONE, [Fault.http(401)], SourceUnavailable, 1, id="401-bad-token-not-retried"),
    ],
)
def test_lookup_outcomes(
    server: CrossrefServer, clock: FakeClock, doi: str, faults: list[Fault], expected: object, requests: int
) -> None:
    server.add_faults(r"^/works/", *faults)
    source = make_source(server, clock)
    if expected is SourceUnavailable:
        with pytest.raises(SourceUnavailable) as failure:
            source.lookup_doi(doi)
        assert TOKEN not in str(failure.value) and MAILTO not in str(failure.value)
        assert "\n" not in str(failure.value)
    else:
        work = source.lookup_doi(doi)
        assert (work.doi if work else None) == expected
    assert len(server.requests) == requests
    assert not source.unreachable


def test_recorded_400_body_is_source_unavailable(server: CrossrefServer, clock: FakeClock) -> None:
    server.add_faults(r"^/works/", Fault("status", status=400, body=json.dumps(BAD_REQUEST).encode()))
    with pytest.raises(SourceUnavailable, match="HTTP 400"):
        make_source(server, clock).lookup_doi(PONE)


def test_retry_waits_follow_backoff_and_retry_after(server: CrossrefServer, clock: FakeClock) -> None:
    server.add_faults(r"^/works/", Fault.rate_limited(limit=5, interval="1s", retry_after=3), Fault.http(503))
    source = make_source(server, clock)
    assert source.lookup_doi(PONE) is not None
    # Wait 1: Retry-After (3 s) beats the first backoff (0.25-0.5 s); the slot is then free.
    # Wait 2: the second backoff (0.5-1 s), then the 5/s slot spacing (0.2 s) the 429 imposed.
    assert clock.sleeps[0] == pytest.approx(3.0)
    assert 0.5 <= clock.sleeps[1] <= 1.0
    assert source.pacer.rate("lookup") == 5.0
    assert source.pacer.counts == (3, 2)


def test_retry_after_is_capped(server: CrossrefServer, clock: FakeClock) -> None:
    server.add_faults(r"^/works/", Fault.rate_limited(retry_after=3600))
    assert make_source(server, clock).lookup_doi(PONE) is not None
    assert max(clock.sleeps) == pytest.approx(30.0)


def test_timeouts_give_up_after_bounded_retries(server: CrossrefServer, clock: FakeClock) -> None:
    server.add_faults(r"^/works/", *[Fault.delay(5)] * 5)
    source = make_source(server, clock, timeout=0.1, max_retries=2)
    with pytest.raises(SourceUnavailable, match="timed out after 3 attempts"):
        source.lookup_doi(PONE)
    # The client gave up on the last one after 0.1 s; under load the server may read it later.
    assert server.wait_for_requests(3) == 3 and server.wait_for_requests(4, timeout=0.2) == 3
    assert not source.unreachable


def test_closed_port_is_unreachable_at_once(clock: FakeClock) -> None:
    with CrossrefServer() as gone:
        base_url = gone.base_url
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    source = CrossrefSource(base_url=base_url, mailto=MAILTO, token=TOKEN, pacer=pacer)
    with pytest.raises(SourceUnavailable) as failure:
        source.lookup_doi(PONE)
    assert source.unreachable
    assert clock.sleeps == []  # no backoff for a refused connection
    assert pacer.counts == (1, 1)
    with pytest.raises(SourceUnavailable, match="unreachable"):
        source.search("anything at all")
    assert pacer.counts == (1, 1)  # the second call never tried the network
    assert TOKEN not in str(failure.value) and MAILTO not in str(failure.value)


def test_search_sends_query_bibliographic_and_rows_only(server: CrossrefServer, clock: FakeClock) -> None:
    query = "Smith J. A synthetic title. J Test. 2019;1:1-2."
    works = make_source(server, clock).search(query)
    assert [w.doi for w in works] == [item["DOI"].lower() for item in SEARCH_ITEMS]
    assert works[0].title == "Communicating Ecology"
    (request,) = server.requests
    assert request.path == "/works"
    assert request.query == {"query.bibliographic": [query], "rows": ["5"]}


@pytest.mark.parametrize(
    ("items", "rows", "expected"),
    [
        pytest.param([], 5, [], id="no-candidates"),
        pytest.param(SEARCH_ITEMS, 1, [SEARCH_ITEMS[0]["DOI"].lower()], id="rows-1"),
        pytest.param([{"title": ["no DOI"]}, *SEARCH_ITEMS], 5, [i["DOI"].lower() for i in SEARCH_ITEMS], id="item-without-doi-skipped"),
    ],
)
def test_search_results(server: CrossrefServer, clock: FakeClock, items: list[dict], rows: int, expected: list[str]) -> None:
    server.search_answer = items
    assert [w.doi for w in make_source(server, clock).search("synthetic query", rows=rows)] == expected
    assert server.requests[0].query["rows"] == [str(rows)]


@pytest.mark.parametrize(
    ("token", "mailto"),
    [
        pytest.param(TOKEN, MAILTO, id="token-and-mailto"),
        pytest.param(None, MAILTO, id="mailto-only"),
        pytest.param(None, None, id="anonymous"),
    ],
)
def test_headers_sent(server: CrossrefServer, clock: FakeClock, token: str | None, mailto: str | None) -> None:
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    CrossrefSource(base_url=server.base_url, mailto=mailto, token=token, pacer=pacer).lookup_doi(PONE)
    headers = server.requests[0].headers
    assert headers.get("crossref-plus-api-token") == (f"Bearer {token}" if token else None)
    assert "citecheck/" in headers["user-agent"] and "habanero/" in headers["user-agent"]
    assert (f"(mailto:{mailto})" in headers["user-agent"]) is bool(mailto)


def test_token_is_not_sent_by_other_habanero_clients(server: CrossrefServer, clock: FakeClock) -> None:
    make_source(server, clock).lookup_doi(PONE)
    habanero.Crossref(base_url=server.base_url).works(ids=DELPHI)
    assert [r.headers.get("crossref-plus-api-token") for r in server.requests] == [f"Bearer {TOKEN}", None]


def test_advertised_limits_lower_the_pacer(server: CrossrefServer, clock: FakeClock) -> None:
    # The recorded public-pool headers (cassettes/test_works_mixed_ids_warn.yaml).
    server.response_headers = {"x-rate-limit-limit": "5", "x-rate-limit-interval": "1s", "x-concurrency-limit": "1"}
    source = make_source(server, clock)
    source.lookup_doi(PONE)
    assert source.pacer.rate("lookup") == 5.0
    assert source.pacer.rate("search") == 3.0
    assert source.pacer.concurrency == 1


def test_failure_budget_stops_asking(server: CrossrefServer, clock: FakeClock) -> None:
    server.add_faults(r"^/works/", *[Fault.http(503)] * 3)
    source = make_source(server, clock, min_requests_for_ratio=4)
    assert source.lookup_doi(PONE) is not None  # 3 failures then a success: 3 of 4 failed
    asked = len(server.requests)
    with pytest.raises(SourceUnavailable, match="stopped asking: 3 of 4"):
        source.lookup_doi(DELPHI)
    assert len(server.requests) == asked


@pytest.mark.parametrize(
    "doi", [pytest.param("", id="empty"), pytest.param("not a doi", id="words"), pytest.param("10.12/x", id="short-prefix")]
)
def test_invalid_doi_is_a_caller_error(server: CrossrefServer, clock: FakeClock, doi: str) -> None:
    with pytest.raises(ValueError):
        make_source(server, clock).lookup_doi(doi)
    assert server.requests == []


def test_doi_is_url_encoded(server: CrossrefServer, clock: FakeClock) -> None:
    doi = "10.5555/synthetic?x=1#frag"  # Crossref's test prefix; characters that must be escaped
    assert make_source(server, clock).lookup_doi(doi) is None
    assert server.requests[0].path == "/works/" + doi
    assert server.requests[0].query == {}


def test_paced_client_never_trips_an_enforcing_server() -> None:
    """Real clock: a client paced below the server's limits earns no 429; an unpaced one does."""
    enforced = Limits(20, 3, 1)
    with CrossrefServer(works_from_fixtures(["test_works_with_one_id__0__200.json"]), enforce=enforced) as strict:
        polite = CrossrefSource(base_url=strict.base_url, pacer=Pacer(Limits(16, 3, 1)))
        for _ in range(10):
            assert polite.lookup_doi(PONE) is not None
        assert strict.violations == 0
    with CrossrefServer(works_from_fixtures(["test_works_with_one_id__0__200.json"]), enforce=enforced) as strict:
        greedy = CrossrefSource(base_url=strict.base_url, pacer=Pacer(Limits(1000, 3, 1), backoff_base=0.01))
        for _ in range(25):
            try:
                greedy.lookup_doi(PONE)
            except SourceUnavailable:  # the failure budget may stop it first: fine
                break
        assert strict.violations > 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2", 2.0, id="integer-seconds"),
        pytest.param("0.5", 0.5, id="decimal-seconds-read-too"),
        pytest.param("-1", None, id="negative-ignored"),
        pytest.param("nan", None, id="nan-ignored"),
        pytest.param("soon", None, id="garbage-ignored"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="http-date-in-the-past"),
    ],
)
def test_retry_after_header(value: str, expected: float | None) -> None:
    import httpx2

    from citecheck.sources.http import retry_after as _retry_after

    assert _retry_after(httpx2.Response(429, headers={"Retry-After": value})) == expected
