"""Asking a rate-limited web service honestly: each attempt classified from what the server sent,
retried with back-off and Retry-After, paced per class, and stopped by the failure budget.

Every network source (Crossref through habanero; PubMed, DataCite and the DOI system directly
through httpx2) asks through one `Asker`, so the guarantees are the same whichever service is
asked:

* 200 with a reply the source can read → an answer; 404 → "not held" where the source says a 404
  means that; 429, 5xx, timeouts, resets, a 200 that is an HTML page or truncated → retried with
  exponential back-off (at least the Retry-After the server gave, capped), then
  `SourceUnavailable`; connection refused or DNS failure → `SourceUnavailable` at once, and the
  service is marked unreachable for the rest of the run; another 4xx → `SourceUnavailable` without
  retry (the server refused the request, which says nothing about the work).
* Once a tenth of a service's requests have failed (judged over the pacer's minimum), no more are
  sent: the references say they could not be verified.
* Failure messages are one line and never carry credentials (`redact`).
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from citecheck.sources.base import Malformed, Refused, SourceUnavailable
from citecheck.sources.pacing import Departure, Pacer, RequestKind
from citecheck.version import __version__

log = logging.getLogger(__name__)

__all__ = ["RETRY_AFTER_CAP", "USER_AGENT", "Asker", "HttpService", "Malformed", "Outcome", "Refused",
           "departure_trace", "interval_seconds", "read_within", "retry_after", "status_outcome", "transport_outcome"]

#: The longest Retry-After honoured; beyond it, waiting is worse than reporting "could not verify".
RETRY_AFTER_CAP = 30.0

_PROJECT_URL = "https://github.com/citecheck/citecheck"


USER_AGENT = f"citecheck/{__version__} (+{_PROJECT_URL})"
"""How citecheck names itself to every service (Crossref's and NCBI's etiquette ask for it)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt ended."""

    reply: Any = None
    """What the source made of the answer (meaningful when `answered`)."""
    answered: bool = False
    """The server answered and the reply could be read."""
    not_found: bool = False
    """The server answered that it holds nothing under what was asked (a 404)."""
    retry: bool = False
    """The failure is transient: try again after a delay."""
    unreachable: bool = False
    """The service could not be connected to at all."""
    problem: str = ""
    """One line, for the final SourceUnavailable (redacted later)."""
    retry_after: float | None = None
    """Seconds the server asked the client to wait (Retry-After), if it said."""


def retry_after(response: httpx2.Response) -> float | None:
    """The Retry-After of a response in seconds (delay-seconds or an HTTP date), if valid."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:  # delay-seconds: an integer by RFC 9110; a decimal is read too, being unambiguous
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None  # no negatives, no NaN
    try:  # HTTP-date form
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def interval_seconds(text: str) -> float | None:
    """`1s`, `500ms`, `1m` or a bare number of seconds, as seconds."""
    text = text.strip().lower()
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0)):
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)], factor
            break
    else:
        scale = 1.0
    try:
        return float(text) * scale
    except ValueError:
        return None


def transport_outcome(error: Exception) -> Outcome:
    """The outcome of an attempt that got no HTTP response at all."""
    if isinstance(error, httpx2.ConnectError):
        return Outcome(unreachable=True, problem="cannot connect")
    if isinstance(error, httpx2.TimeoutException):
        return Outcome(retry=True, problem="timed out")
    if isinstance(error, httpx2.TransportError):
        return Outcome(retry=True, problem=f"connection failed ({type(error).__name__})")
    return Outcome(problem=f"unexpected error ({type(error).__name__})")


def status_outcome(response: httpx2.Response, token_hint: str = "") -> Outcome | None:
    """The outcome decided by the status alone, or None for a 2xx/3xx whose body decides."""
    status = response.status_code
    if status == 404:
        return Outcome(not_found=True)
    if status == 429 or status >= 500:
        return Outcome(retry=True, problem=f"HTTP {status}", retry_after=retry_after(response))
    if status >= 400:
        hint = token_hint if status in (401, 403) else ""
        return Outcome(problem=f"HTTP {status}{hint}")
    return None


def read_within(client: httpx2.Client, url: str, budget: float | None, **kwargs: Any) -> httpx2.Response:
    """GET `url`, the whole answer within `budget` seconds.

    httpx's timeout bounds each read, not the whole answer: a server that drips a byte now and
    then never times out. The body is therefore read in chunks against the budget, and an answer
    still incomplete by then is a timeout like any other.
    """
    if budget is None:
        return client.get(url, **kwargs)
    deadline = time.monotonic() + budget
    with client.stream("GET", url, **kwargs) as streamed:
        chunks: list[bytes] = []
        for chunk in streamed.iter_raw():
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise httpx2.ReadTimeout("answer not complete in time (slow drip)", request=streamed.request)
    # The raw (still encoded) body with the original headers: decoded once, as usual.
    return httpx2.Response(streamed.status_code, headers=streamed.headers, content=b"".join(chunks),
                           request=streamed.request)


def departure_trace(departure: Departure) -> dict[str, Any]:
    """Request extensions that tell `departure` when the request's headers start going out: the
    time a server counts the request at, after any connection set-up (TLS can take 100 ms)."""

    def trace(event: str, info: dict[str, Any]) -> None:
        if event.endswith("send_request_headers.started"):
            departure.left()

    return {"trace": trace}


class Asker:
    """The retry loop every network source shares. Thread-safe; one per service and run.

    `attempt` callables make one request (inside a pacer slot) and classify it; `ask` repeats
    them as the outcome allows and either returns an answering outcome (`answered` or
    `not_found`) or raises SourceUnavailable.
    """

    def __init__(self, service: str, pacer: Pacer, where: str, redact: Callable[[str], str] = lambda s: s) -> None:
        self.service = service
        """The service's name, first word of every failure message (`crossref`, `pubmed`)."""
        self.pacer = pacer
        """Pacing, back-off and the failure budget for this service."""
        self.where = where
        """The base URL, for the "cannot connect to …" message."""
        self._redact = redact
        self._unreachable = threading.Event()
        self._waited_long = threading.Event()  # a Retry-After over the cap was honoured once

    @property
    def unreachable(self) -> bool:
        """True once a connection failed outright (refused, DNS): later calls fail at once."""
        return self._unreachable.is_set()

    def fail(self, text: str) -> SourceUnavailable:
        """A SourceUnavailable naming the service, credentials removed."""
        return SourceUnavailable(self._redact(f"{self.service}: {text}"))

    def ask(self, kind: RequestKind, what: str, attempt: Callable[[Departure], Outcome]) -> Outcome:
        """Attempt with pacing and retries until an answer (or a 404); SourceUnavailable otherwise.

        `attempt` gets the request's `Departure` (to say when its bytes left: see `departure_trace`)."""
        delays = self.pacer.backoff_delays()
        attempts = 0
        while True:
            if self._unreachable.is_set():
                raise self.fail(f"unreachable (an earlier connection failed); {what} not asked")
            if self.pacer.exhausted():
                total, failed = self.pacer.counts
                raise self.fail(f"stopped asking: {failed} of {total} requests failed; {what} not asked")
            attempts += 1
            with self.pacer.request(kind) as departure:
                outcome = attempt(departure)
            self.pacer.record(outcome.answered or outcome.not_found)
            if outcome.answered or outcome.not_found:
                return outcome
            if outcome.unreachable:
                self._unreachable.set()
                raise self.fail(f"{outcome.problem} to {self.where} ({what})")
            if not outcome.retry:
                raise self.fail(f"{outcome.problem} ({what})")
            delay = next(delays, None)
            if delay is None:
                raise self.fail(f"{outcome.problem} after {attempts} attempts ({what})")
            wait = outcome.retry_after
            if wait is not None and wait > RETRY_AFTER_CAP and self._waited_long.is_set():
                # Asked twice to stay away longer than a run should wait: stop asking for this
                # run (every later request would be told the same, and each would wait the cap
                # once per retry), and let the references say they could not be verified.
                self._unreachable.set()
                raise self.fail(f"{outcome.problem}, asked to wait {wait:.0f} s (over {RETRY_AFTER_CAP:.0f} s) ({what})")
            if wait is not None:
                if wait > RETRY_AFTER_CAP:
                    self._waited_long.set()
                wait = min(wait, RETRY_AFTER_CAP)
                self.pacer.hold_off(kind, wait)
                delay = max(delay, wait)
            log.debug("%s: %s; retrying %s in %.2fs", self.service, outcome.problem, what, delay)
            self.pacer.sleep(delay)


class HttpService:
    """A JSON/XML/text web service asked with plain GETs through one pooled httpx2 client.

    `get` sends one logical request (with retries) and hands a successful body to `parse`, which
    returns what the source wants or raises `Malformed`. A 404 comes back as None when the
    service's 404 means "not held" (`not_found_is_answer`), else it is a failure.
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        pacer: Pacer,
        *,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        """Where the service answers (no trailing slash)."""
        self._secrets = tuple(s for s in secrets if s)
        self.asker = Asker(service, pacer, self.base_url, self.redact)
        """The retry loop (pacing, back-off, failure budget) for this service."""
        self._client_options: dict[str, Any] = {"headers": dict(headers or {}), "timeout": timeout,
                                                "follow_redirects": True}
        self._client: httpx2.Client | None = None
        self._client_lock = threading.Lock()
        # A whole answer may take twice the per-read timeout; a slower one is a drip.
        self._budget = 2 * timeout

    @property
    def pacer(self) -> Pacer:
        """The pacer every request of this service goes through."""
        return self.asker.pacer

    @property
    def unreachable(self) -> bool:
        """True once the service could not be connected to."""
        return self.asker.unreachable

    def redact(self, text: str) -> str:
        """`text` with every secret (API key, e-mail) replaced by `***`."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def close(self) -> None:
        """Close the pooled connections."""
        if self._client is not None:
            self._client.close()

    @property
    def _http(self) -> httpx2.Client:
        """The pooled client, made on first use: a run that never asks this service (most ask
        DataCite about few DOIs, or PubMed about none) does not pay for its TLS set-up."""
        with self._client_lock:
            if self._client is None:
                self._client = httpx2.Client(**self._client_options)
            return self._client

    def get(
        self,
        path: str,
        params: Mapping[str, str],
        parse: Callable[[httpx2.Response], Any],
        what: str,
        *,
        kind: RequestKind = "lookup",
        not_found_is_answer: bool = True,
    ) -> Any:
        """GET `base_url + path` with `params`; `parse(response)`'s result, None for a 404 that
        means "not held", or SourceUnavailable."""
        url = self.base_url + path

        def attempt(departure: Departure) -> Outcome:
            try:
                response = read_within(self._http, url, self._budget, params=dict(params),
                                       extensions=departure_trace(departure))
            except Exception as error:  # httpx2 transport errors; anything else is classified too
                return transport_outcome(error)
            decided = status_outcome(response)
            if decided is not None:
                if decided.not_found and not not_found_is_answer:
                    return Outcome(problem="HTTP 404")
                return decided
            try:
                return Outcome(reply=parse(response), answered=True)
            except Malformed as problem:
                return Outcome(retry=True, problem=f"malformed reply (HTTP {response.status_code}: {problem})")
            except Refused as problem:
                return Outcome(problem=f"request refused ({problem})")

        outcome = self.asker.ask(kind, what, attempt)
        return None if outcome.not_found else outcome.reply
