"""Request pacing for a rate-limited registry: per-class rates, a concurrency cap, backoff, and a
failure budget.

Crossref (since December 2025) allows, with an e-mail address (the "polite" pool), 10 single-DOI
lookups and 3 searches per second with 3 requests in flight; without one, 5/s, 1/s and 1 at a
time. Its responses say what applies (`x-rate-limit-limit`, `x-rate-limit-interval`,
`x-concurrency-limit`), and it asks clients to back off exponentially on 429/5xx/timeouts and to
stop once a tenth of their requests fail. One `Pacer` per run, shared by every worker thread,
enforces all of that; the clock and the sleep are injected so tests need no real time.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

#: The two classes of request Crossref limits separately.
RequestKind = Literal["lookup", "search"]


@dataclass(frozen=True, slots=True)
class Limits:
    """How fast and how wide a client may ask."""

    lookups_per_second: float
    """Single-record requests (`/works/{doi}`) per second."""
    searches_per_second: float
    """List requests (`/works?query...`) per second."""
    concurrency: int
    """Requests in flight at once, all classes together."""


#: Crossref's polite pool (an e-mail address is sent).
POLITE = Limits(10, 3, 3)
#: Crossref's public pool (anonymous).
PUBLIC = Limits(5, 1, 1)


class Departure:
    """When one paced request actually left: its slot's time until `left()` says otherwise."""

    __slots__ = ("_entry", "_pacer", "_marked")

    def __init__(self, pacer: Pacer, entry: list[float]) -> None:
        self._pacer = pacer
        self._entry = entry
        self._marked = False

    def left(self) -> None:
        """The request's first bytes are going out now (called once; later calls are ignored)."""
        if not self._marked:
            self._marked = True
            with self._pacer._lock:
                self._entry[0] = max(self._entry[0], self._pacer.clock())


class Pacer:
    """Spaces requests out per class, caps concurrency, and keeps the failure budget.

    Thread-safe. Slots are reserved evenly (one every `1/rate` seconds per class) rather than in
    bursts: a burst of 10 at the top of a second can still trip a server that counts in sliding
    windows, while even spacing never does.
    """

    def __init__(
        self,
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_failure_ratio: float = 0.10,
        min_requests_for_ratio: int = 20,
        *,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retries: int = 3,
        rng: random.Random | None = None,
        headroom: float = 1.0,
    ) -> None:
        if limits.lookups_per_second <= 0 or limits.searches_per_second <= 0 or limits.concurrency < 1:
            raise ValueError(f"limits must be positive: {limits}")
        self.limits = limits
        """The limits this pacer started with (it may lower its own rates from there)."""
        self.clock = clock
        """The clock slots are measured on."""
        self.sleep = sleep
        """How the pacer (and its callers' backoff) waits."""
        self.max_failure_ratio = max_failure_ratio
        self.min_requests_for_ratio = min_requests_for_ratio
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retries = max_retries
        if not 0 < headroom <= 1:
            raise ValueError(f"headroom must be in (0, 1]: {headroom}")
        self.headroom = headroom
        """Share of each rate actually used. Below 1, slots are spaced a little wider than the
        limit, so that a request delayed on its way (thread wake-up, a busy machine) cannot
        land within one second of the request ten slots later at a server that counts in
        sliding windows."""
        self._rng = rng or random.Random()
        self._rates: dict[str, float] = {
            "lookup": float(limits.lookups_per_second),
            "search": float(limits.searches_per_second),
        }
        self._next_slot: dict[str, float] = {"lookup": float("-inf"), "search": float("-inf")}
        self._sent: dict[str, list[list[float]]] = {"lookup": [], "search": []}  # when the last requests left
        self._max_active = limits.concurrency
        self._active = 0
        self._lock = threading.Lock()
        self._slots_free = threading.Condition(self._lock)
        self._total = 0
        self._failed = 0

    # --- pacing -------------------------------------------------------------------------------

    def rate(self, kind: RequestKind) -> float:
        """The current allowed rate for a class, in requests per second."""
        with self._lock:
            return self._rates[kind]

    @property
    def concurrency(self) -> int:
        """The current cap on requests in flight."""
        with self._lock:
            return self._max_active

    @contextmanager
    def request(self, kind: RequestKind) -> Iterator[Departure]:
        """Hold one request slot of `kind` for the duration of the `with` block.

        Blocks first for a concurrency slot, then until the class's next rate slot comes round.
        Yields the request's `Departure`: call `left()` when its first bytes go out (opening a
        connection can take a while), so that the requests after it are spaced from then.
        """
        if kind not in self._rates:
            raise ValueError(f"unknown request kind: {kind!r}")
        with self._slots_free:
            while self._active >= self._max_active:
                self._slots_free.wait()
            self._active += 1
        try:
            with self._lock:
                now = self.clock()
                slot = max(now, self._next_slot[kind])
                self._next_slot[kind] = slot + 1.0 / (self._rates[kind] * self.headroom)
            if slot > now:
                # Sleep outside the lock so other classes and threads can reserve their slots.
                self.sleep(slot - now)
            yield self._window_guard(kind)
        finally:
            with self._slots_free:
                self._active -= 1
                self._slots_free.notify()

    def _window_guard(self, kind: RequestKind) -> Departure:
        """Wait, if need be, so that no sliding window holds more requests than the rate allows,
        counted on the times requests actually left, not the slots they were given.

        Slots are evenly spaced, but a thread may wake late for its slot (a busy machine, a long
        reply being parsed in another thread): its request then leaves closer to the next ones
        than the spacing says, and a server counting in sliding windows sees one too many. With
        `n` the requests a window of `n / rate` seconds may hold (at least one, as many as the
        rate gives in a second), a request leaves only when the `n`-th before it left that long
        ago (widened by the headroom).
        """
        while True:
            with self._lock:
                rate = self._rates[kind]
                count = max(1, int(rate))
                window = count / (rate * self.headroom)
                sent = self._sent[kind]
                now = self.clock()
                # (A nanosecond's tolerance: slots are sums of 1/rate, and a fake clock cannot
                # move by less than a float's last digit.)
                if len(sent) < count or now - sent[-count][0] >= window - 1e-9:
                    entry = [now]
                    sent.append(entry)
                    del sent[:-count]
                    return Departure(self, entry)
                wait = window - (now - sent[-count][0])
            self.sleep(wait)

    def observe_limits(self, kind: RequestKind, limit: float, interval_seconds: float) -> None:
        """Take in what the server says applies (`x-rate-limit-limit` per `x-rate-limit-interval`).

        Only ever lowers the rate: a server advertising more than we were configured for is not
        a reason to ask faster than the user chose.
        """
        if limit <= 0 or interval_seconds <= 0:
            return
        with self._lock:
            self._rates[kind] = min(self._rates[kind], limit / interval_seconds)

    def observe_concurrency(self, limit: int) -> None:
        """Take in `x-concurrency-limit`; only ever lowers the cap (never below 1)."""
        if limit >= 1:
            with self._lock:
                self._max_active = min(self._max_active, limit)

    def hold_off(self, kind: RequestKind, seconds: float) -> None:
        """Push the class's next slot `seconds` into the future (after a 429 with Retry-After),
        so that every thread waits, not just the one that was told."""
        if seconds > 0:
            with self._lock:
                self._next_slot[kind] = max(self._next_slot[kind], self.clock() + seconds)

    # --- failure budget -----------------------------------------------------------------------

    def record(self, ok: bool) -> None:
        """Count one finished request attempt (a 404 is an answer, so `ok`)."""
        with self._lock:
            self._total += 1
            if not ok:
                self._failed += 1

    def exhausted(self) -> bool:
        """True when enough requests failed that the client should stop asking."""
        with self._lock:
            if self._total < self.min_requests_for_ratio:
                return False
            return self._failed / self._total > self.max_failure_ratio

    @property
    def counts(self) -> tuple[int, int]:
        """(requests recorded, of which failed)."""
        with self._lock:
            return self._total, self._failed

    # --- backoff ------------------------------------------------------------------------------

    def backoff_delays(self, retries: int | None = None) -> Iterator[float]:
        """Delays before each retry: exponential (`base * 2**i`, capped) with "equal jitter".

        Half of each delay is fixed and half random, so retries from several threads spread out
        yet never come back sooner than half the nominal delay. Yields `retries` values
        (default `max_retries`), so callers make at most `retries + 1` attempts.
        """
        count = self.max_retries if retries is None else retries
        for attempt in range(count):
            nominal = min(self.backoff_cap, self.backoff_base * (2**attempt))
            yield nominal / 2 + self._rng.uniform(0, nominal / 2)
