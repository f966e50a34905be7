"""The DOI system's registration-agency lookup against the recorded replies: every recorded
prefix, one question per prefix, the cache, offline, and failures (never "unregistered")."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.sources.agency import DoiAgencies
from citecheck.sources.base import NotCovered, SourceUnavailable
from citecheck.sources.cache import AnswerCache
from citecheck.sources.pacing import Limits, Pacer
from tests.datacite_server import recorded_agencies
from tests.registries import RegistryServer
from tests.replay_server import Fault
from tests.sources.fakes import FakeClock

RECORDED = recorded_agencies()


def agencies(server: RegistryServer, clock: FakeClock, **options: object) -> DoiAgencies:
    pacer = Pacer(Limits(3, 3, 1), clock=clock, sleep=clock.sleep, backoff_base=0.5)
    return DoiAgencies(server.base_url, pacer=pacer, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("prefix", "recorded"), [pytest.param(p, r, id=p) for p, (r, _) in sorted(RECORDED.items())])
def test_every_recorded_prefix(prefix: str, recorded: str) -> None:
    clock = FakeClock()
    with RegistryServer() as server:
        agency = agencies(server, clock).agency(f"{prefix}/anything")
    assert agency.name == recorded and agency.exists == bool(recorded)
    assert agency.key == recorded.lower()


def test_one_question_per_prefix_and_the_cache_between_runs(tmp_path: Path) -> None:
    clock, cache = FakeClock(), AnswerCache(tmp_path / "answers.sqlite3")
    with RegistryServer() as server:
        first = agencies(server, clock, cache=cache)
        assert {first.agency(f"10.5061/dryad.{i}").key for i in range(5)} == {"datacite"}
        assert len(server.requests) == 1
        again = agencies(server, clock, cache=cache)  # a later run
        assert again.agency("10.5061/dryad.other").key == "datacite"
        assert len(server.requests) == 1
        assert agencies(server, clock, cache=cache, refresh=True).agency("10.5061/x").key == "datacite"
        assert len(server.requests) == 2


def test_offline_knows_only_what_is_cached(tmp_path: Path) -> None:
    clock, cache = FakeClock(), AnswerCache(tmp_path / "answers.sqlite3")
    with RegistryServer() as server:
        agencies(server, clock, cache=cache).agency("10.1371/journal.pone.0033693")
        offline = agencies(server, clock, cache=cache, offline=True)
        assert offline.agency("10.1371/another").key == "crossref"
        with pytest.raises(NotCovered):
            offline.agency("10.5061/dryad.8515")
        assert len(server.requests) == 1


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param([Fault.http(503)] * 4, id="5xx"),
        pytest.param([Fault.rate_limited(retry_after=1)] * 4, id="429-retry-after"),
        pytest.param([Fault.delay(2.0)] * 4, id="timeouts"),
        pytest.param([Fault.malformed_json()] * 4, id="malformed-json"),
        pytest.param([Fault.html_page()] * 4, id="html-200"),
        pytest.param([Fault.not_found()], id="404-is-not-an-answer"),
        pytest.param([Fault.reset()] * 4, id="connection-reset"),
    ],
)
def test_failures_never_say_unregistered(faults: list[Fault]) -> None:
    clock = FakeClock()
    with RegistryServer() as server:
        server.add_faults(r"^/ra/", *faults)
        with pytest.raises(SourceUnavailable, match="^doi.org: "):
            agencies(server, clock, timeout=0.3).agency("10.5061/dryad.8515")


def test_refused_connection_is_unreachable() -> None:
    clock = FakeClock()
    with RegistryServer() as gone:
        url = gone.base_url
    lookup = DoiAgencies(url, pacer=Pacer(Limits(3, 3, 1), clock=clock, sleep=clock.sleep))
    with pytest.raises(SourceUnavailable, match="cannot connect"):
        lookup.agency("10.5061/dryad.8515")
    assert lookup.unreachable and clock.sleeps == []
