"""The Crossref REST API as a `WorkSource`, through habanero: paced, retried, and classified.

The only module that imports habanero, and the only place raw Crossref replies exist: records
leave as `Work` values (via `records.work_from_record`), failures as `SourceUnavailable`.

What habanero 2.9.2 does not do, and how this module makes up for it (read from its source):

* It calls the module function `httpx2.get` for every request, without a session, hooks, or a
  way to add headers; `Crossref(api_key=...)` is stored but never sent. To send the Metadata
  Plus token (`Crossref-Plus-API-Token: Bearer …`), reuse connections, and see the status and
  headers of every reply, habanero's own `httpx2` module references are replaced, once, by a
  stand-in whose `get` looks up the calling `CrossrefSource` in a `ContextVar`. Outside a
  `CrossrefSource` call the stand-in is plain `httpx2.get`, so other habanero users in the same
  process see no difference; inside one, the token goes only to that source's own client.
* With `warn=True` it answers `None` for a 429 exactly as for a 404, so it is never used:
  failures are classified from the status the stand-in saw, not from habanero's exceptions.
* It never retries or paces: a shared `Pacer` does both. Rate-limit headers are visible through
  the stand-in, so `x-rate-limit-*` and `x-concurrency-limit` lower the pacer's limits.

Classification (one attempt): 200 with a well-formed JSON `message` → answer; 404 (Crossref's
plain-text "Resource not found.") → not found; 429, 5xx, timeouts, connection reset, malformed
JSON, an HTML page with status 200 → retried with backoff, then SourceUnavailable; connection
refused or DNS failure → SourceUnavailable at once, and the source turns `unreachable`. A 400 is
not "not found": the recorded 400 bodies are `validation-failure` / `parameter-not-allowed`,
i.e. Crossref rejecting the request, which says nothing about whether the DOI exists; so a 400
(and any other 4xx, e.g. 401/403 for a bad token) is SourceUnavailable without retry.
"""

from __future__ import annotations

import contextvars
import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import habanero
import habanero.request
import habanero.request_class
import httpx2

from citecheck.model import Work
from citecheck.references.doi import is_valid_doi, normalize_doi, quote_doi
from citecheck.sources.base import SourceUnavailable
from citecheck.sources.pacing import POLITE, PUBLIC, Pacer, RequestKind
from citecheck.sources.records import work_from_record
from citecheck.version import __version__

log = logging.getLogger(__name__)

_PROJECT_URL = "https://github.com/citecheck/citecheck"
#: The longest Retry-After honoured; beyond it, waiting is worse than reporting "could not verify".
RETRY_AFTER_CAP = 30.0


USER_AGENT_SUFFIX = f"citecheck/{__version__} (+{_PROJECT_URL})"
"""What citecheck adds to habanero's User-Agent, as Crossref's etiquette asks."""


# --- the httpx2 stand-in inside habanero ----------------------------------------------------------


class _Call:
    """One `CrossrefSource` attempt: the client to use and what the server answered.

    httpx's timeout bounds each read, not the whole answer: a server that drips a byte now and
    then never times out. The body is therefore read in chunks against `budget` seconds in all,
    and an answer still incomplete by then is a timeout like any other.
    """

    def __init__(self, client: httpx2.Client, budget: float | None = None) -> None:
        self.client = client
        self.budget = budget
        self.response: httpx2.Response | None = None
        self.error: Exception | None = None

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        try:
            self.response = self._get(url, kwargs)
        except Exception as exc:
            self.error = exc
            raise
        return self.response

    def _get(self, url: str, kwargs: dict[str, Any]) -> httpx2.Response:
        if self.budget is None:
            return self.client.get(url, **kwargs)
        deadline = time.monotonic() + self.budget
        with self.client.stream("GET", url, **kwargs) as streamed:
            chunks: list[bytes] = []
            for chunk in streamed.iter_raw():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise httpx2.ReadTimeout("answer not complete in time (slow drip)", request=streamed.request)
        # The raw (still encoded) body with the original headers: decoded once, as usual.
        return httpx2.Response(streamed.status_code, headers=streamed.headers, content=b"".join(chunks),
                               request=streamed.request)


_CURRENT: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("citecheck_crossref_call", default=None)


class _Httpx2InHabanero:
    """Stands in for the `httpx2` module inside habanero: everything is httpx2's own except
    `get`, which goes through the current `CrossrefSource` call's client when there is one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx2, name)

    @staticmethod
    def get(url: str, **kwargs: Any) -> httpx2.Response:
        call = _CURRENT.get()
        if call is None:
            return httpx2.get(url, **kwargs)
        return call.get(url, **kwargs)


_STAND_IN = _Httpx2InHabanero()
_HOOKED_MODULES = (habanero.request, habanero.request_class)


def _install_stand_in() -> bool:
    """Point habanero's `httpx2` references at the stand-in (idempotent). False if habanero's
    layout changed so that it cannot be done; the token then cannot be sent (see __init__)."""
    ok = True
    for module in _HOOKED_MODULES:
        current = getattr(module, "httpx2", None)
        if current is httpx2:
            module.httpx2 = _STAND_IN  # type: ignore[attr-defined]
        elif current is not _STAND_IN:
            ok = False
    return ok


_HOOKED = _install_stand_in()


# --- classification ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Outcome:
    """How one attempt ended."""

    reply: dict[str, Any] | None = None
    """The parsed JSON reply (on success)."""
    not_found: bool = False
    retry: bool = False
    """The failure is transient: try again after a delay."""
    unreachable: bool = False
    problem: str = ""
    """One line, for the final SourceUnavailable (redacted later)."""
    retry_after: float | None = None


def _retry_after(response: httpx2.Response) -> float | None:
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


def _interval_seconds(text: str) -> float | None:
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


def _classify(call: _Call, reply: Any, error: Exception | None) -> _Outcome:
    """Decide what one attempt meant, from what the server actually sent."""
    if call.error is not None or (call.response is None and error is not None):
        exc = call.error or error
        if isinstance(exc, httpx2.ConnectError):
            return _Outcome(unreachable=True, problem="cannot connect")
        if isinstance(exc, httpx2.TimeoutException):
            return _Outcome(retry=True, problem="timed out")
        if isinstance(exc, httpx2.TransportError):
            return _Outcome(retry=True, problem=f"connection failed ({type(exc).__name__})")
        return _Outcome(problem=f"unexpected error ({type(exc).__name__})")
    response = call.response
    if response is None:
        return _Outcome(problem="no request was made")
    status = response.status_code
    if status == 404:
        return _Outcome(not_found=True)
    if status == 429 or status >= 500:
        return _Outcome(retry=True, problem=f"HTTP {status}", retry_after=_retry_after(response))
    if status >= 400:
        hint = " (is the Metadata Plus token valid?)" if status in (401, 403) else ""
        return _Outcome(problem=f"HTTP {status}{hint}")
    if error is not None or not isinstance(reply, dict) or not isinstance(reply.get("message"), dict):
        # A 200 that is an HTML page, truncated or otherwise not Crossref JSON: proxies and
        # overloaded gateways do this, and it usually passes.
        return _Outcome(retry=True, problem=f"malformed reply (HTTP {status})")
    return _Outcome(reply=reply)


# --- the source ----------------------------------------------------------------------------------


class CrossrefSource:
    """Crossref's REST API as a `WorkSource`. Thread-safe; share one per run."""

    name = "crossref"

    def __init__(
        self,
        base_url: str = "https://api.crossref.org",
        mailto: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        pacer: Pacer | None = None,
        client: habanero.Crossref | None = None,
    ) -> None:
        if token and not _HOOKED:
            raise RuntimeError("this habanero version cannot send the Metadata Plus token")
        self._cr = client or habanero.Crossref(
            base_url=base_url.rstrip("/"), mailto=mailto, ua_string=USER_AGENT_SUFFIX, timeout=timeout
        )
        self._secrets = tuple(s for s in (token, mailto, getattr(self._cr, "mailto", None)) if s)
        self.pacer = pacer or Pacer(POLITE if mailto else PUBLIC)
        """The pacer every request goes through (shared with other sources of the same run)."""
        headers = {"Crossref-Plus-API-Token": f"Bearer {token}"} if token else {}
        # One pooled client per source: habanero alone opens a new connection per request.
        self._http = httpx2.Client(headers=headers, timeout=timeout)
        # A whole answer may take twice the per-read timeout (a large search reply arriving
        # steadily); a slower one is a drip and counts as timed out.
        self._budget = 2 * timeout
        self._unreachable = threading.Event()
        self._waited_long = threading.Event()  # a Retry-After over the cap was honoured once

    @property
    def unreachable(self) -> bool:
        """True once a connection failed outright (refused, DNS): later calls fail at once."""
        return self._unreachable.is_set()

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._http.close()

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under `doi`, or None on a 404. ValueError for an invalid DOI."""
        normalised = normalize_doi(doi)
        if not is_valid_doi(normalised):
            raise ValueError(f"not a valid DOI: {doi!r}")
        reply = self._ask("lookup", normalised, lambda: self._cr.works(ids=quote_doi(normalised)))
        if reply is None:
            return None
        message = reply["message"]
        if not message.get("DOI"):
            raise SourceUnavailable(f"crossref: reply for {normalised} carries no DOI")
        return work_from_record(message, source=self.name)

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Candidates for a bibliographic query (`query.bibliographic`, `rows`; nothing else)."""
        query = " ".join(query.split())
        if not query:
            return []
        reply = self._ask(
            "search", f"search {query[:60]!r}", lambda: self._cr.works(query_bibliographic=query, limit=rows)
        )
        if reply is None:  # a 404 on /works is not an answer about the query
            raise SourceUnavailable("crossref: search route answered 404")
        items = reply["message"].get("items")
        if not isinstance(items, list):
            raise SourceUnavailable("crossref: search reply carries no item list")
        return [
            work_from_record(item, source=self.name)
            for item in items[:rows]
            if isinstance(item, dict) and item.get("DOI")
        ]

    # --- internals ----------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _fail(self, text: str) -> SourceUnavailable:
        return SourceUnavailable(self._redact(f"crossref: {text}"))

    @contextmanager
    def _attempt(self) -> Iterator[_Call]:
        call = _Call(self._http, self._budget)
        token = _CURRENT.set(call)
        try:
            yield call
        finally:
            _CURRENT.reset(token)

    def _observe_headers(self, kind: RequestKind, response: httpx2.Response | None) -> None:
        if response is None:
            return
        limit = response.headers.get("x-rate-limit-limit")
        interval = response.headers.get("x-rate-limit-interval")
        if limit and interval:
            seconds = _interval_seconds(interval)
            try:
                if seconds:
                    self.pacer.observe_limits(kind, float(limit), seconds)
            except ValueError:
                pass
        concurrency = response.headers.get("x-concurrency-limit")
        if concurrency and concurrency.strip().isdigit():
            self.pacer.observe_concurrency(int(concurrency))

    def _ask(self, kind: RequestKind, what: str, send: Callable[[], Any]) -> dict[str, Any] | None:
        """Send with pacing and retries; the reply, None for a 404, or SourceUnavailable."""
        delays = self.pacer.backoff_delays()
        attempts = 0
        while True:
            if self._unreachable.is_set():
                raise self._fail(f"unreachable (an earlier connection failed); {what} not asked")
            if self.pacer.exhausted():
                total, failed = self.pacer.counts
                raise self._fail(f"stopped asking: {failed} of {total} requests failed; {what} not asked")
            attempts += 1
            with self.pacer.request(kind), self._attempt() as call:
                reply: Any = None
                error: Exception | None = None
                try:
                    reply = send()
                except Exception as exc:  # habanero raises RequestError, httpx2 errors, ValueError, KeyError…
                    error = exc
                outcome = _classify(call, reply, error)
            self._observe_headers(kind, call.response)
            ok = outcome.reply is not None or outcome.not_found
            self.pacer.record(ok)
            if outcome.reply is not None:
                return outcome.reply
            if outcome.not_found:
                return None
            if outcome.unreachable:
                self._unreachable.set()
                raise self._fail(f"{outcome.problem} to {self._cr.base_url} ({what})")
            if not outcome.retry:
                raise self._fail(f"{outcome.problem} ({what})")
            delay = next(delays, None)
            if delay is None:
                raise self._fail(f"{outcome.problem} after {attempts} attempts ({what})")
            if outcome.retry_after is not None and outcome.retry_after > RETRY_AFTER_CAP and self._waited_long.is_set():
                # Asked twice to stay away longer than a run should wait: stop asking for this
                # run (every later request would be told the same, and each would wait the cap
                # once per retry), and let the references say they could not be verified.
                self._unreachable.set()
                raise self._fail(
                    f"{outcome.problem}, asked to wait {outcome.retry_after:.0f} s "
                    f"(over {RETRY_AFTER_CAP:.0f} s) ({what})"
                )
            if outcome.retry_after is not None:
                if outcome.retry_after > RETRY_AFTER_CAP:
                    self._waited_long.set()
                wait = min(outcome.retry_after, RETRY_AFTER_CAP)
                self.pacer.hold_off(kind, wait)
                delay = max(delay, wait)
            log.debug("crossref: %s; retrying %s in %.2fs", outcome.problem, what, delay)
            self.pacer.sleep(delay)
