"""The pacer: per-class rates, the concurrency cap, server-advertised limits, the failure budget
and backoff, on an injected fake clock (no real waiting)."""

from __future__ import annotations

import random
import threading
from contextlib import ExitStack

import pytest

from citecheck.sources.pacing import POLITE, PUBLIC, Limits, Pacer
from tests.sources.fakes import FakeClock


def entry_times(pacer: Pacer, clock: FakeClock, kinds: list[str]) -> list[tuple[str, float]]:
    """When (on the fake clock) each request got its slot."""
    times = []
    for kind in kinds:
        with pacer.request(kind):  # type: ignore[arg-type]
            times.append((kind, clock()))
    return times


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most requests that started within any half-open window of `window` seconds."""
    eps = 1e-9  # slots are sums of 1/rate: allow for float rounding at the window edge
    return max(sum(1 for t in times if start - eps <= t < start + window - eps) for start in times)


@pytest.mark.parametrize(
    ("limits", "kind", "per_second"),
    [
        pytest.param(POLITE, "lookup", 10, id="polite-lookups-10/s"),
        pytest.param(POLITE, "search", 3, id="polite-searches-3/s"),
        pytest.param(PUBLIC, "lookup", 5, id="public-lookups-5/s"),
        pytest.param(PUBLIC, "search", 1, id="public-searches-1/s"),
    ],
)
def test_each_class_is_held_to_its_rate(limits: Limits, kind: str, per_second: int) -> None:
    clock = FakeClock()
    pacer = Pacer(limits, clock=clock, sleep=clock.sleep)
    times = [t for _, t in entry_times(pacer, clock, [kind] * (3 * per_second))]
    assert max_in_window(times) == per_second
    assert times == pytest.approx([i / per_second for i in range(3 * per_second)])


def test_searches_do_not_slow_lookups_down() -> None:
    clock = FakeClock()
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    times = entry_times(pacer, clock, ["search", "lookup", "lookup", "search", "lookup"])
    lookups = [t for kind, t in times if kind == "lookup"]
    searches = [t for kind, t in times if kind == "search"]
    # The second search waits its 1/3 s; the lookups keep their own 1/10 s spacing around it.
    assert searches == pytest.approx([0.0, 1 / 3])
    assert lookups[1] - lookups[0] == pytest.approx(0.1)
    assert lookups[2] == pytest.approx(1 / 3)  # only because the search's sleep moved the clock


@pytest.mark.parametrize("cap", [pytest.param(1, id="public-1"), pytest.param(3, id="polite-3")])
def test_concurrency_cap_blocks_the_next_request_until_one_ends(cap: int) -> None:
    pacer = Pacer(Limits(1000, 1000, cap))
    entered = threading.Event()

    def one_more() -> None:
        with pacer.request("lookup"):
            entered.set()

    with ExitStack() as held:
        for _ in range(cap):
            held.enter_context(pacer.request("search"))
        worker = threading.Thread(target=one_more)
        worker.start()
        assert not entered.wait(0.1), "a request got past a full concurrency cap"
    worker.join(5)
    assert entered.is_set()


@pytest.mark.parametrize(
    ("advertised", "interval", "expected"),
    [
        pytest.param(5, 1.0, 5.0, id="server-says-5/s-lowers-10"),
        pytest.param(50, 1.0, 10.0, id="server-says-50/s-never-raises"),
        pytest.param(30, 60.0, 0.5, id="30-per-minute"),
        pytest.param(0, 1.0, 10.0, id="nonsense-ignored"),
    ],
)
def test_advertised_limits_only_lower_the_rate(advertised: float, interval: float, expected: float) -> None:
    clock = FakeClock()
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    pacer.observe_limits("lookup", advertised, interval)
    assert pacer.rate("lookup") == expected
    assert pacer.rate("search") == 3.0
    times = [t for _, t in entry_times(pacer, clock, ["lookup"] * 3)]
    assert times == pytest.approx([0.0, 1 / expected, 2 / expected])


@pytest.mark.parametrize(
    ("advertised", "expected"),
    [pytest.param(1, 1, id="lowered-to-1"), pytest.param(8, 3, id="not-raised"), pytest.param(0, 3, id="zero-ignored")],
)
def test_advertised_concurrency_only_lowers_the_cap(advertised: int, expected: int) -> None:
    pacer = Pacer(POLITE)
    pacer.observe_concurrency(advertised)
    assert pacer.concurrency == expected


def test_hold_off_delays_every_thread_of_that_class() -> None:
    clock = FakeClock()
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    pacer.hold_off("lookup", 2.5)
    times = entry_times(pacer, clock, ["lookup", "search"])
    assert times[0] == ("lookup", pytest.approx(2.5))
    assert times[1] == ("search", pytest.approx(2.5))  # searches were not held: no extra wait


@pytest.mark.parametrize(
    ("ok", "failed", "exhausted"),
    [
        pytest.param(0, 19, False, id="19-failures-below-minimum-count"),
        pytest.param(18, 2, False, id="10-percent-is-not-more-than-10"),
        pytest.param(17, 3, True, id="15-percent-stops"),
        pytest.param(90, 10, False, id="exactly-10-percent-of-100"),
        pytest.param(89, 11, True, id="11-percent-of-100"),
        pytest.param(100, 0, False, id="no-failures"),
    ],
)
def test_failure_budget(ok: int, failed: int, exhausted: bool) -> None:
    pacer = Pacer(POLITE)
    for _ in range(ok):
        pacer.record(True)
    for _ in range(failed):
        pacer.record(False)
    assert pacer.exhausted() is exhausted
    assert pacer.counts == (ok + failed, failed)


@pytest.mark.parametrize(
    ("base", "cap", "retries", "nominal"),
    [
        pytest.param(0.5, 8.0, 3, [0.5, 1.0, 2.0], id="default-shape"),
        pytest.param(1.0, 3.0, 5, [1.0, 2.0, 3.0, 3.0, 3.0], id="capped"),
        pytest.param(0.5, 8.0, 0, [], id="no-retries"),
    ],
)
def test_backoff_is_exponential_bounded_and_jittered(base: float, cap: float, retries: int, nominal: list[float]) -> None:
    pacer = Pacer(POLITE, backoff_base=base, backoff_cap=cap, max_retries=retries, rng=random.Random(7))
    delays = list(pacer.backoff_delays())
    assert len(delays) == len(nominal)
    for delay, expected in zip(delays, nominal, strict=True):
        assert expected / 2 <= delay <= expected
    runs = {tuple(Pacer(POLITE, rng=random.Random(seed)).backoff_delays()) for seed in range(5)}
    assert len(runs) > 1, "delays carry no jitter"


@pytest.mark.parametrize(
    "limits",
    [pytest.param(Limits(0, 1, 1), id="zero-rate"), pytest.param(Limits(1, 1, 0), id="zero-concurrency")],
)
def test_impossible_limits_are_refused(limits: Limits) -> None:
    with pytest.raises(ValueError):
        Pacer(limits)


class LateClock(FakeClock):
    """A fake clock whose second sleep overruns by `late` seconds (a thread woken late)."""

    def __init__(self, late: float) -> None:
        super().__init__()
        self.late = late

    def sleep(self, seconds: float) -> None:
        if len(self.sleeps) == 0 and self.late:
            seconds += self.late
        super().sleep(seconds)


@pytest.mark.parametrize(("limits", "kind", "per_second"), [pytest.param(POLITE, "search", 3, id="3/s"),
                                                            pytest.param(POLITE, "lookup", 10, id="10/s")])
@pytest.mark.parametrize("late", [pytest.param(0.0, id="on-time"), pytest.param(0.2, id="one-request-late")])
def test_a_late_request_never_crowds_a_window(limits: Limits, kind: str, per_second: int, late: float) -> None:
    """A request that leaves late (its thread woke late) pushes the ones after it: no one-second
    window ever holds more than the rate, counted on the times requests actually left."""
    clock = LateClock(late)
    pacer = Pacer(limits, clock=clock, sleep=clock.sleep)
    times = [t for _, t in entry_times(pacer, clock, [kind] * (4 * per_second))]
    assert max_in_window(times) == per_second


def test_requests_are_spaced_from_when_the_first_actually_left() -> None:
    """Opening a connection delays a request's departure past its slot: the requests after it
    are spaced from when it left (Departure.left, called as its headers go out)."""
    clock = FakeClock()
    pacer = Pacer(POLITE, clock=clock, sleep=clock.sleep)
    with pacer.request("search") as first:
        clock.now += 0.3  # connecting, handshaking
        first.left()
    departures = [clock()]
    for _ in range(3):
        with pacer.request("search") as departure:
            departure.left()
            departures.append(clock())
    assert departures[3] - departures[0] == pytest.approx(1.0)  # not 0.7: four in one second
    assert max_in_window(departures) == 3
