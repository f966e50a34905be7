"""A local stand-in for api.crossref.org: replays recorded responses and injects faults.

A real HTTP server on 127.0.0.1 (an ephemeral port, served from a thread), so the Crossref
adapter is tested through habanero and httpx2 exactly as in production, without the internet.

* `/works/{doi}` answers from a dict of DOI → recorded reply (a path to a JSON file or the
  parsed JSON); unknown DOIs get Crossref's real plain-text 404 `Resource not found.`.
* `/works?query.bibliographic=…&rows=N` answers from a function of the query parameters or a
  canned list of `message.items` records.
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
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from citecheck.sources.pacing import Limits

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crossref"
"""The recorded Crossref replies copied into the test tree (see its README.md)."""

#: Crossref's exact 404 body for an unknown DOI (recorded: test_works_bad_id_warn__0__404.txt).
NOT_FOUND_BODY = b"Resource not found."

SearchAnswer = Callable[[Mapping[str, list[str]]], list[dict[str, Any]]] | list[dict[str, Any]]


def load_fixture(name: str) -> dict[str, Any]:
    """A recorded reply from tests/fixtures/crossref/, parsed."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, served in place of the normal answer to one request."""

    kind: str
    """`status`, `delay`, `malformed`, `html`, `not_found`, `reset`, `drip`, `truncated` or
    `reset_mid_body`."""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    """For `delay`: how long to wait before answering normally."""

    @classmethod
    def http(cls, status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> Fault:
        """Answer with this status (500/502/503, or anything else)."""
        return cls("status", status=status, headers=dict(headers or {}), body=body or f"Error {status}".encode())

    @classmethod
    def rate_limited(cls, limit: int = 5, interval: str = "1s", retry_after: float | None = None) -> Fault:
        """A 429 as Crossref sends it, with the limits that apply and optionally Retry-After."""
        headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-interval": interval}
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        return cls("status", status=429, headers=headers, body=b"Too Many Requests")

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Answer normally, but only after `seconds` (longer than the client's timeout)."""
        return cls("delay", seconds=seconds)

    @classmethod
    def malformed_json(cls) -> Fault:
        """Status 200, `application/json`, and a truncated body."""
        return cls("malformed", body=b'{"status":"ok","message-type":"work","message":{"DOI":')

    @classmethod
    def html_page(cls) -> Fault:
        """Status 200 with an HTML page, as an overloaded gateway sends it."""
        return cls("html", body=b"<html><body><h1>Service temporarily overloaded</h1></body></html>")

    @classmethod
    def not_found(cls) -> Fault:
        """Crossref's plain-text 404."""
        return cls("not_found")

    @classmethod
    def reset(cls) -> Fault:
        """Close the connection with a TCP reset before answering."""
        return cls("reset")

    @classmethod
    def drip(cls, body: bytes, interval: float, chunk: int = 16) -> Fault:
        """Status 200 with `body`, sent `chunk` bytes every `interval` seconds (a slow drip:
        each read comes within a read timeout, the whole answer long after it)."""
        return cls("drip", body=body, seconds=interval, status=chunk)

    @classmethod
    def truncated(cls, body: bytes) -> Fault:
        """Status 200 announcing `body`'s full length, then half of it and a clean close."""
        return cls("truncated", body=body)

    @classmethod
    def reset_mid_body(cls, body: bytes) -> Fault:
        """Status 200 announcing `body`'s full length, then half of it and a TCP reset."""
        return cls("reset_mid_body", body=body)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    path: str
    """The decoded path (`/works/10.1371/journal.pone.0033693`)."""
    query: dict[str, list[str]]
    """Query parameters as parse_qs gives them."""
    headers: dict[str, str]
    """Request headers, names lower-cased."""
    time: float
    """time.monotonic() on arrival."""
    kind: str
    """`lookup`, `search` or `other`."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: CrossrefServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as api.crossref.org
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base-class signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """Serve one GET through the owning CrossrefServer."""
        try:
            self.server.owner._serve(self)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timed out) before the answer; nothing to do.
            self.close_connection = True

    def send(self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] = {}) -> None:
        """Write a complete response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**self.server.owner.response_headers, **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class CrossrefServer:
    """The replay server. Start it with `with` (or `start()`/`stop()`)."""

    def __init__(
        self,
        works: Mapping[str, Path | str | dict[str, Any]] | None = None,
        search: SearchAnswer | None = None,
        latency_ms: float = 0.0,
        enforce: Limits | None = None,
        response_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._works = {k.lower(): v for k, v in (works or {}).items()}
        self.search_answer: SearchAnswer = search if search is not None else []
        """What `/works?query...` answers: a function of the query parameters, or fixed items."""
        self.latency_ms = latency_ms
        """Added to every answer."""
        self.enforce = enforce
        """When set, exceeding these limits earns a 429."""
        self.response_headers: dict[str, str] = dict(response_headers or {})
        """Headers sent with every answer (e.g. x-rate-limit-limit, x-api-pool)."""
        self.requests: list[RecordedRequest] = []
        """Every request received, in arrival order."""
        self.violations = 0
        """Requests refused because the client broke the enforced limits."""
        self.drips_completed = 0
        """`Fault.drip` answers sent to the end (the client did not hang up first)."""
        self._faults: list[tuple[re.Pattern[str], deque[Fault]]] = []
        self._lock = threading.Lock()
        self._active = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> CrossrefServer:
        """Bind an ephemeral port on 127.0.0.1 and serve from a daemon thread."""
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (delayed answers are cut short)."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> CrossrefServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, for `CrossrefSource(base_url=...)`."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # --- scripting ------------------------------------------------------------------------------

    def add_faults(self, pattern: str, *faults: Fault) -> None:
        """Queue faults for requests whose path (with query string) matches `pattern` (re.search)."""
        with self._lock:
            self._faults.append((re.compile(pattern), deque(faults)))

    def add_work(self, doi: str, reply: Path | str | dict[str, Any]) -> None:
        """Serve `reply` (a full recorded reply) for `/works/{doi}`."""
        self._works[doi.lower()] = reply

    def requests_of(self, kind: str) -> list[RecordedRequest]:
        """The recorded requests of one kind."""
        return [r for r in self.requests if r.kind == kind]

    # --- serving --------------------------------------------------------------------------------

    def _next_fault(self, target: str) -> Fault | None:
        with self._lock:
            for pattern, queue in self._faults:
                if queue and pattern.search(target):
                    return queue.popleft()
        return None

    def _over_limits(self, kind: str, now: float) -> bool:
        """True when this request breaks the enforced rate (sliding 1 s window) or concurrency."""
        if self.enforce is None or kind not in ("lookup", "search"):
            return False
        rate = self.enforce.lookups_per_second if kind == "lookup" else self.enforce.searches_per_second
        with self._lock:
            recent = sum(1 for r in self.requests if r.kind == kind and now - r.time < 1.0)
            return recent > rate or self._active > self.enforce.concurrency

    def _serve(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        kind = "lookup" if path.startswith("/works/") else "search" if path.rstrip("/") == "/works" else "other"
        now = time.monotonic()
        with self._lock:
            self.requests.append(
                RecordedRequest(path, query, {k.lower(): v for k, v in handler.headers.items()}, now, kind)
            )
            self._active += 1
        try:
            self._answer(handler, path, query, kind, now, handler.path)
        finally:
            with self._lock:
                self._active -= 1

    def _answer(
        self, handler: _Handler, path: str, query: dict[str, list[str]], kind: str, now: float, target: str
    ) -> None:
        if self.latency_ms:
            self._stopping.wait(self.latency_ms / 1000)
        if self._over_limits(kind, now):
            with self._lock:
                self.violations += 1
            limit = self.enforce.lookups_per_second if kind == "lookup" else self.enforce.searches_per_second  # type: ignore[union-attr]
            handler.send(429, b"Too Many Requests", "text/plain",
                         {"x-rate-limit-limit": f"{limit:g}", "x-rate-limit-interval": "1s"})
            return
        fault = self._next_fault(target)
        if fault is not None:
            if fault.kind == "reset":
                # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset".
                handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                handler.connection.close()
                handler.close_connection = True
                return
            if fault.kind == "status":
                handler.send(fault.status, fault.body, "text/plain", fault.headers)
                return
            if fault.kind == "malformed":
                handler.send(200, fault.body, "application/json")
                return
            if fault.kind == "html":
                handler.send(200, fault.body, "text/html; charset=utf-8")
                return
            if fault.kind == "not_found":
                handler.send(404, NOT_FOUND_BODY, "text/plain")
                return
            if fault.kind == "delay":
                if self._stopping.wait(fault.seconds):
                    return
            if fault.kind in ("drip", "truncated", "reset_mid_body"):
                self._partial(handler, fault)
                return
        if kind == "lookup":
            self._lookup(handler, path[len("/works/"):])
        elif kind == "search":
            self._search_reply(handler, query)
        else:
            handler.send(404, NOT_FOUND_BODY, "text/plain")

    def _partial(self, handler: _Handler, fault: Fault) -> None:
        """Serve a drip, a truncated body or a reset mid-body (see the `Fault` constructors)."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(fault.body)))
        handler.end_headers()
        if fault.kind == "drip":
            for start in range(0, len(fault.body), fault.status):
                if self._stopping.wait(fault.seconds):
                    return
                handler.wfile.write(fault.body[start : start + fault.status])
                handler.wfile.flush()
            with self._lock:
                self.drips_completed += 1
            return
        handler.wfile.write(fault.body[: len(fault.body) // 2])
        handler.wfile.flush()
        if fault.kind == "reset_mid_body":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True

    def _lookup(self, handler: _Handler, doi: str) -> None:
        reply = self._works.get(doi.lower())
        if reply is None:
            handler.send(404, NOT_FOUND_BODY, "text/plain")
            return
        if isinstance(reply, dict):
            body = json.dumps(reply).encode()
        else:
            body = Path(reply).read_bytes()
        handler.send(200, body, "application/json")

    def _search_reply(self, handler: _Handler, query: dict[str, list[str]]) -> None:
        items = self.search_answer(query) if callable(self.search_answer) else list(self.search_answer)
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
                "query": {"start-index": 0, "search-terms": query.get("query.bibliographic", [None])[0]},
            },
        }
        handler.send(200, json.dumps(reply).encode(), "application/json")


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
