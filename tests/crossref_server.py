"""A local stand-in for api.crossref.org: replays recorded responses and injects faults.

A real HTTP server on 127.0.0.1 (an ephemeral port, served from a thread; see
`tests.replay_server`), so the Crossref adapter is tested through habanero and httpx2 exactly as
in production, without the internet.

* `/works/{doi}` answers from a dict of DOI → recorded reply (a path to a JSON file or the
  parsed JSON); unknown DOIs get Crossref's real plain-text 404 `Resource not found.`.
* `/works?query.bibliographic=…&rows=N` answers from a function of the query parameters or a
  canned list of `message.items` records.
* `/works?filter=doi:A,doi:B,…&rows=N` (a DOI batch) replays a recorded list reply for exactly
  its DOIs (`list_replies`), else answers the held records of those DOIs in the envelope of
  Crossref's recorded list reply (the items in the order asked; Crossref's own order differs).
* Faults are queued per path pattern and served once each, in order: any status with headers
  (`Fault.rate_limited()` gives a 429 with `x-rate-limit-*` and `Retry-After`), a delay past the
  client's timeout, malformed JSON, an HTML page with status 200, the plain-text 404, and a
  connection reset.
* `latency_ms` slows every answer; `enforce=Limits(...)` answers 429 (and counts a violation)
  when a client exceeds the per-class rate in any one-second window or the concurrency cap.
  Benchmarks reuse both.
* Every request is recorded (path, query, headers, monotonic time) for tests to assert on.

Use it as a context manager (`with CrossrefServer(works) as server: server.base_url`) or
through the `crossref_server` pytest fixture (import it into a test module or conftest).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from citecheck.sources.pacing import Limits
from tests.replay_server import NOT_FOUND_BODY, ClassLimit, Fault, Handler, RecordedRequest, ReplayServer

__all__ = ["FIXTURES", "NOT_FOUND_BODY", "CrossrefServer", "CrossrefService", "Fault", "RecordedRequest",
           "load_fixture", "works_from_fixtures"]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crossref"
"""The recorded Crossref replies copied into the test tree (see its README.md)."""

SearchAnswer = Callable[[Mapping[str, list[str]]], list[dict[str, Any]]] | list[dict[str, Any]]


def load_fixture(name: str) -> dict[str, Any]:
    """A recorded reply from tests/fixtures/crossref/, parsed."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class CrossrefService:
    """Crossref's REST API: `/works/{doi}`, `/works?query.bibliographic=…`, `/works?filter=doi:…`."""

    name = "crossref"

    def __init__(
        self,
        works: Mapping[str, Path | str | dict[str, Any]] | None = None,
        search: SearchAnswer | None = None,
        enforce: Limits | None = None,
    ) -> None:
        self.works: dict[str, Path | str | dict[str, Any]] = {k.lower(): v for k, v in (works or {}).items()}
        """DOI → a full recorded `/works/{doi}` reply (path or parsed JSON)."""
        self.search_answer: SearchAnswer = search if search is not None else []
        """What `/works?query...` answers: a function of the query parameters, or fixed items."""
        self.list_replies: dict[frozenset[str], Path] = {}
        """Recorded `filter=doi:…` replies, replayed byte for byte for exactly their DOIs."""
        self.headers_by_kind: dict[str, dict[str, str]] = {}
        """Headers sent with the answers of one class (`lookup`, `search`): the limits that apply
        to that class, as Crossref advertises them."""
        self.enforce = enforce

    @property
    def enforce(self) -> Limits | None:
        """The polite/public limits enforced (None: none)."""
        return self._enforce

    @enforce.setter
    def enforce(self, limits: Limits | None) -> None:
        self._enforce = limits
        self.limits = {} if limits is None else {
            "lookup": ClassLimit(limits.lookups_per_second), "search": ClassLimit(limits.searches_per_second)}
        self.concurrency = None if limits is None else limits.concurrency

    def kind(self, path: str, query: dict[str, list[str]]) -> str | None:
        """`lookup` for `/works/{doi}`, `search` for every `/works` list request (searches and DOI
        filters alike: Crossref counts both against its list limit)."""
        if path.startswith("/works/"):
            return "lookup"
        if path.rstrip("/") == "/works":
            return "search"
        return None

    def answer(self, handler: Handler, path: str, query: dict[str, list[str]], kind: str) -> None:
        """Replay or compose the answer."""
        if kind == "lookup":
            self._lookup(handler, path[len("/works/"):])
        elif "filter" in query:
            self._filter(handler, query)
        else:
            self._search(handler, query)

    def _lookup(self, handler: Handler, doi: str) -> None:
        reply = self.works.get(doi.lower())
        if reply is None:
            handler.send(404, NOT_FOUND_BODY, "text/plain", self.headers_by_kind.get("lookup", {}))
            return
        body = json.dumps(reply).encode() if isinstance(reply, dict) else Path(reply).read_bytes()
        handler.send(200, body, "application/json", self.headers_by_kind.get("lookup", {}))

    def _message(self, doi: str) -> dict[str, Any] | None:
        reply = self.works.get(doi)
        if reply is None:
            return None
        data = reply if isinstance(reply, dict) else json.loads(Path(reply).read_text(encoding="utf-8"))
        return data["message"]

    def _filter(self, handler: Handler, query: dict[str, list[str]]) -> None:
        """`filter=doi:A,doi:B,…`: the recorded reply for exactly those DOIs, else the held records
        in the envelope of the recorded list reply (works_filter_doi_3-dois_rows3.json)."""
        parts = [p for p in query["filter"][0].split(",") if p]
        if not parts or not all(p.startswith("doi:") for p in parts):
            handler.send(400, b"filter not supported by the replay server", "text/plain")
            return
        dois = [p[len("doi:"):].lower() for p in parts]
        recorded = self.list_replies.get(frozenset(dois))
        if recorded is not None:
            handler.send(200, recorded.read_bytes(), "application/json", self.headers_by_kind.get("search", {}))
            return
        items = [m for m in (self._message(d) for d in dict.fromkeys(dois)) if m is not None]
        self._list(handler, items, query, None)

    def _search(self, handler: Handler, query: dict[str, list[str]]) -> None:
        items = self.search_answer(query) if callable(self.search_answer) else list(self.search_answer)
        self._list(handler, items, query, query.get("query.bibliographic", [None])[0])

    def _list(self, handler: Handler, items: list[dict[str, Any]], query: dict[str, list[str]], terms: str | None) -> None:
        rows = int(query.get("rows", ["20"])[0])
        reply = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(items),
                "items": items[:rows],
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": terms},
            },
        }
        handler.send(200, json.dumps(reply).encode(), "application/json", self.headers_by_kind.get("search", {}))


class CrossrefServer(ReplayServer):
    """A replay server hosting Crossref alone (other services may be added to `services`)."""

    def __init__(
        self,
        works: Mapping[str, Path | str | dict[str, Any]] | None = None,
        search: SearchAnswer | None = None,
        latency_ms: float = 0.0,
        enforce: Limits | None = None,
        response_headers: Mapping[str, str] | None = None,
        max_request_line: int | None = None,
    ) -> None:
        self.crossref = CrossrefService(works, search, enforce)
        """The Crossref service (its works, search answers, recorded list replies)."""
        super().__init__([self.crossref], latency_ms=latency_ms, response_headers=response_headers,
                         max_request_line=max_request_line)

    @property
    def search_answer(self) -> SearchAnswer:
        """What `/works?query...` answers."""
        return self.crossref.search_answer

    @search_answer.setter
    def search_answer(self, answer: SearchAnswer) -> None:
        self.crossref.search_answer = answer

    @property
    def enforce(self) -> Limits | None:
        """The Crossref limits enforced."""
        return self.crossref.enforce

    @enforce.setter
    def enforce(self, limits: Limits | None) -> None:
        self.crossref.enforce = limits

    def add_work(self, doi: str, reply: Path | str | dict[str, Any]) -> None:
        """Serve `reply` (a full recorded reply) for `/works/{doi}`."""
        self.crossref.works[doi.lower()] = reply


def works_from_fixtures(names: Iterable[str]) -> dict[str, Path]:
    """DOI → fixture path for recorded `/works/{doi}` replies (the DOI read from each file)."""
    table: dict[str, Path] = {}
    for name in names:
        path = FIXTURES / name
        table[json.loads(path.read_text(encoding="utf-8"))["message"]["DOI"].lower()] = path
    return table


try:
    import pytest

    @pytest.fixture
    def crossref_server() -> Iterable[CrossrefServer]:
        """A started CrossrefServer with no works; tests add works, search answers and faults."""
        with CrossrefServer() as server:
            yield server

except ImportError:  # benchmarks may run without pytest
    pass
