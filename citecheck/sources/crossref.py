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
* It never retries or paces: the retry loop every network source shares (`http.Asker`, with a
  `Pacer`) does both. Rate-limit headers are visible through the stand-in, so `x-rate-limit-*`
  and `x-concurrency-limit` lower the pacer's limits.

DOIs are verified in batches (`prefetch`, see `CrossrefSource`): a list request filtering on up to
50 DOIs, counted against the list budget, with single lookups for what a batch did not return or
for a batch that failed. A 404 is trusted only for a DOI whose prefix the DOI system says is
Crossref's (`agency.DoiAgencies`); another agency's DOI is NotCovered.

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
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import habanero
import habanero.request
import habanero.request_class
import httpx2

from citecheck.model import Reference, Work
from citecheck.references.doi import is_valid_doi, normalize_doi, quote_doi
from citecheck.sources.agency import DoiAgencies
from citecheck.sources.base import Fresh, Keep, NotCovered, SourceUnavailable
from citecheck.sources.cache import doi_key
from citecheck.sources.http import (
    USER_AGENT,
    Asker,
    Outcome,
    departure_trace,
    interval_seconds,
    read_within,
    status_outcome,
    transport_outcome,
)
from citecheck.sources.pacing import POLITE, PUBLIC, Departure, Pacer, RequestKind
from citecheck.sources.records import work_from_record

log = logging.getLogger(__name__)

BATCH_DOIS = 50
"""Most DOIs asked in one list request. Client authors report 50 working at Crossref; at 3 list
requests a second that is 150 DOIs a second, fifteen times the single-lookup rate, while a reply
(about 30 KB per real record) stays near 1.5 MB. See reports/url-limits.md for the measurements."""

BATCH_URL_CHARS = 4000
"""Longest list-request URL sent. nginx's default request-line buffer and Jetty's default header
buffer (Crossref answers from Jetty behind a load balancer) are both 8 KB, request line and
headers together: half of it leaves room for headers, a long User-Agent and the Plus token.
50 typical DOIs (about 30 characters, 45 encoded) need about 2.4 KB."""

#: DOIs Crossref's filter syntax carries safely: Crossref's recommended pattern for modern DOIs
#: (lower case: DOIs are normalised). Others (commas would split the filter) are asked alone.
_BATCHABLE = re.compile(r"^10\.\d{4,9}/[-._;()/:a-z0-9]+$")


USER_AGENT_SUFFIX = USER_AGENT
"""What citecheck adds to habanero's User-Agent, as Crossref's etiquette asks."""


# --- the httpx2 stand-in inside habanero ----------------------------------------------------------


class _Call:
    """One `CrossrefSource` attempt: the client to use and what the server answered (read whole
    within `budget` seconds, see `http.read_within`)."""

    def __init__(self, client: httpx2.Client, budget: float | None = None, departure: Departure | None = None) -> None:
        self.client = client
        self.budget = budget
        self.departure = departure
        self.response: httpx2.Response | None = None
        self.error: Exception | None = None

    def get(self, url: str, **kwargs: Any) -> httpx2.Response:
        if self.departure is not None:
            kwargs["extensions"] = departure_trace(self.departure)
        try:
            self.response = read_within(self.client, url, self.budget, **kwargs)
        except Exception as exc:
            self.error = exc
            raise
        return self.response


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


def _classify(call: _Call, reply: Any, error: Exception | None) -> Outcome:
    """Decide what one attempt meant, from what the server actually sent."""
    if call.error is not None or (call.response is None and error is not None):
        return transport_outcome(call.error or error)  # type: ignore[arg-type]
    response = call.response
    if response is None:
        return Outcome(problem="no request was made")
    decided = status_outcome(response, token_hint=" (is the Metadata Plus token valid?)")
    if decided is not None:
        return decided
    if error is not None or not isinstance(reply, dict) or not isinstance(reply.get("message"), dict):
        # A 200 that is an HTML page, truncated or otherwise not Crossref JSON: proxies and
        # overloaded gateways do this, and it usually passes.
        return Outcome(retry=True, problem=f"malformed reply (HTTP {response.status_code})")
    return Outcome(reply=reply, answered=True)


# --- the source ----------------------------------------------------------------------------------


class CrossrefSource:
    """Crossref's REST API as a `WorkSource`. Thread-safe; share one per run.

    DOIs are verified in batches when the resolver prefetches (`prefetch`): one list request,
    `/works?filter=doi:A,doi:B,…&rows=N`, counted against the list budget, answers for up to
    `batch_size` DOIs at once (see `batches` for the URL-length bound). What a batch holds is
    kept for the run and handed out by `lookup_doi`; a DOI a batch did not return, and every
    DOI of a batch that failed, is asked alone (`/works/{doi}`), whose 404 is Crossref's own
    word. With `agencies`, a 404 is trusted only for a DOI Crossref registered: a DOI of
    another agency is NotCovered, never "not found".
    """

    name = "crossref"
    remote = True
    """A network source: batched, and asked after local sources."""

    def __init__(
        self,
        base_url: str = "https://api.crossref.org",
        mailto: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        pacer: Pacer | None = None,
        client: habanero.Crossref | None = None,
        agencies: DoiAgencies | None = None,
        batch_size: int = BATCH_DOIS,
        max_url_chars: int = BATCH_URL_CHARS,
    ) -> None:
        if token and not _HOOKED:
            raise RuntimeError("this habanero version cannot send the Metadata Plus token")
        self._cr = client or habanero.Crossref(
            base_url=base_url.rstrip("/"), mailto=mailto, ua_string=USER_AGENT_SUFFIX, timeout=timeout
        )
        self._secrets = tuple(s for s in (token, mailto, getattr(self._cr, "mailto", None)) if s)
        self.asker = Asker("crossref", pacer or Pacer(POLITE if mailto else PUBLIC), self._cr.base_url, self._redact)
        """The retry loop (pacing per class, back-off, failure budget) every request goes through."""
        headers = {"Crossref-Plus-API-Token": f"Bearer {token}"} if token else {}
        # One pooled client per source: habanero alone opens a new connection per request.
        self._http = httpx2.Client(headers=headers, timeout=timeout)
        # A whole answer may take twice the per-read timeout (a large search reply arriving
        # steadily); a slower one is a drip and counts as timed out.
        self._budget = 2 * timeout
        self.agencies = agencies
        """Who registered a DOI, asked when Crossref does not hold it (None: a 404 is trusted)."""
        if batch_size < 1 or max_url_chars < 200:
            raise ValueError("batch_size must be positive and max_url_chars at least 200")
        self.batch_size = batch_size
        """Most DOIs per list request."""
        self.max_url_chars = max_url_chars
        """Longest list-request URL sent (see BATCH_URL_CHARS)."""
        self._batched: dict[str, Work] = {}
        self._batched_lock = threading.Lock()

    @property
    def pacer(self) -> Pacer:
        """The pacer every request goes through."""
        return self.asker.pacer

    @property
    def unreachable(self) -> bool:
        """True once a connection failed outright (refused, DNS): later calls fail at once."""
        return self.asker.unreachable

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._http.close()

    def lookup_doi(self, doi: str) -> Work | None:
        """The work registered under `doi`, from this run's batches or asked alone.

        None when Crossref answers 404 and the DOI is Crossref's (or registered nowhere);
        NotCovered when another agency registered it. ValueError for an invalid DOI.
        """
        normalised = normalize_doi(doi)
        if not is_valid_doi(normalised):
            raise ValueError(f"not a valid DOI: {doi!r}")
        with self._batched_lock:
            batched = self._batched.get(normalised)
        if batched is not None:
            return batched
        reply = self._ask("lookup", normalised, lambda: self._cr.works(ids=quote_doi(normalised)))
        if reply is None:
            return self._not_held(normalised)
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

    # --- batches ------------------------------------------------------------------------------

    def prefetch(self, references: Sequence[Reference], fresh: Fresh, keep: Keep) -> None:
        """Ask for the references' DOIs in batches (those `fresh` says are cached excepted).
        With `batch_size` 1 nothing is batched: every DOI is asked alone by `lookup_doi`."""
        if self.batch_size <= 1:
            return
        wanted: list[str] = []
        seen: set[str] = set()
        for reference in references:
            written = reference.csl.get("DOI")
            doi = normalize_doi(str(written)) if written else ""
            if not doi or doi in seen or not is_valid_doi(doi) or fresh(doi_key(doi)):
                continue
            seen.add(doi)
            with self._batched_lock:
                if doi in self._batched:
                    continue
            wanted.append(doi)
        batches = self.batches(wanted)
        if not batches:
            return
        pool = ThreadPoolExecutor(max_workers=max(1, min(len(batches), self.pacer.concurrency)))
        try:
            for future in [pool.submit(self._fetch_batch, batch) for batch in batches]:
                for doi, work in future.result().items():
                    keep(doi_key(doi), [work])
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # interrupted: do not wait for the rest
            raise
        pool.shutdown(wait=True)

    def batches(self, dois: Sequence[str]) -> list[list[str]]:
        """`dois` cut into list requests: at most `batch_size` each, and no request URL longer
        than `max_url_chars`. DOIs the filter syntax cannot carry (a comma, characters outside
        Crossref's recommended DOI pattern) are left out: they are asked alone."""
        batches: list[list[str]] = []
        current: list[str] = []
        for doi in dois:
            if not _BATCHABLE.match(doi):
                continue
            candidate = [*current, doi]
            if current and (len(candidate) > self.batch_size or self.batch_url_length(candidate) > self.max_url_chars):
                batches.append(current)
                candidate = [doi]
            if self.batch_url_length(candidate) > self.max_url_chars:
                continue  # one DOI too long for any batch: asked alone
            current = candidate
        if current:
            batches.append(current)
        return batches

    def batch_url_length(self, dois: Sequence[str]) -> int:
        """The length of the list request's URL for these DOIs, encoded as it is sent."""
        params = httpx2.QueryParams({"filter": ",".join(f"doi:{d}" for d in dois), "rows": str(len(dois))})
        return len(f"{self._cr.base_url}/works?{params}")

    def _fetch_batch(self, dois: list[str]) -> dict[str, Work]:
        """Ask for a batch; the works it held, by DOI (none when it failed)."""
        what = f"batch of {len(dois)} DOIs"
        try:
            reply = self._ask("search", what, lambda: self._cr.works(filter={"doi": list(dois)}, limit=len(dois)))
        except SourceUnavailable as error:
            log.debug("crossref: %s; its DOIs are asked one by one", error)
            return {}
        items = reply["message"].get("items") if reply is not None else None
        if not isinstance(items, list):
            log.debug("crossref: %s answered without an item list; asked one by one", what)
            return {}
        asked = set(dois)
        found: dict[str, Work] = {}
        for item in items:
            if isinstance(item, dict) and item.get("DOI"):
                work = work_from_record(item, source=self.name)
                if work.doi in asked:
                    found[work.doi] = work
        with self._batched_lock:
            self._batched.update(found)
        return found

    # --- internals ----------------------------------------------------------------------------

    def _not_held(self, doi: str) -> None:
        """Crossref answered 404: None when that settles it, NotCovered when the DOI is another
        agency's, SourceUnavailable when who registered it cannot be told."""
        if self.agencies is None:
            return None
        try:
            agency = self.agencies.agency(doi)
        except SourceUnavailable as error:
            raise self.asker.fail(f"{doi} not found, and its agency could not be asked ({error})") from None
        if not agency.exists or agency.key == "crossref":
            return None
        raise NotCovered(f"crossref: DOI {doi} is registered with {agency.name}, not Crossref")

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @contextmanager
    def _attempt(self, departure: Departure | None = None) -> Iterator[_Call]:
        call = _Call(self._http, self._budget, departure)
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
            seconds = interval_seconds(interval)
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

        def attempt(departure: Departure) -> Outcome:
            with self._attempt(departure) as call:
                reply: Any = None
                error: Exception | None = None
                try:
                    reply = send()
                except Exception as exc:  # habanero raises RequestError, httpx2 errors, ValueError, KeyError…
                    error = exc
                outcome = _classify(call, reply, error)
            self._observe_headers(kind, call.response)
            return outcome

        outcome = self.asker.ask(kind, what, attempt)
        return None if outcome.not_found else outcome.reply
