"""A local stand-in for the registries' web services: replays recorded responses, enforces each
service's published limits, and injects faults.

A real HTTP server on 127.0.0.1 (an ephemeral port, served from a thread), so the sources are
tested through their real HTTP clients, without the internet. One server hosts any number of
services (`Service`), each owning its paths: Crossref (`/works…`), NCBI (`/entrez/eutils/…`,
`/pmc/utils/idconv/…`), DataCite (`/dois/…`) and the DOI system (`/ra/…`) can share one base URL.

* Each service classifies its requests into classes (`lookup`, `search`, `ncbi`, …) and may
  enforce a limit per class (`ClassLimit`: so many requests per window) and a concurrency cap;
  a request beyond them earns a 429 and counts as a violation. Benchmarks reuse this.
* Faults are queued per path pattern and served once each, in order (`Fault`): any status with
  headers (`Fault.rate_limited()` gives a 429 with `x-rate-limit-*` and `Retry-After`), a delay
  past the client's timeout, malformed JSON, an HTML page with status 200, a plain-text 404, a
  connection reset, a slow drip, a truncated body, a reset mid-body.
* `max_request_line` refuses longer request lines with 414, as a proxy would (nginx's default
  buffer is 8 KB); without it, Python's http.server refuses lines over 65,536 bytes itself.
* `latency_ms` slows every answer. Every request is recorded (path, query, headers, time, class).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit
import re

#: Crossref's exact 404 body for an unknown DOI (recorded: test_works_bad_id_warn__0__404.txt).
NOT_FOUND_BODY = b"Resource not found."


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
    """The class the owning service put it in (`lookup`, `search`, `ncbi`, …), `other` if none."""
    service: str = ""
    """The service that owned the path ('' if none did)."""
    target: str = ""
    """The request target as sent (path and query string, still encoded)."""


@dataclass(frozen=True)
class ClassLimit:
    """At most `count` requests of one class in any `window` seconds."""

    count: float
    window: float = 1.0


class Service(Protocol):
    """One web service the replay server hosts."""

    name: str
    """Its name, in recorded requests."""
    limits: dict[str, ClassLimit]
    """Enforced limits per request class (empty: none)."""
    concurrency: int | None
    """Requests of this service in flight at once (None: no cap)."""

    def kind(self, path: str, query: dict[str, list[str]]) -> str | None:
        """The class of a request for this service, or None when the path is not its own."""
        ...

    def answer(self, handler: Handler, path: str, query: dict[str, list[str]], kind: str) -> None:
        """Send the normal answer."""
        ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: ReplayServer


class Handler(BaseHTTPRequestHandler):
    """Serves each request through the owning ReplayServer."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the real services
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base-class signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """Serve one GET through the owning server."""
        try:
            self.server.owner._serve(self)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timed out) before the answer; nothing to do.
            self.close_connection = True

    def send(self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] = {}) -> None:
        """Write a complete response (with the server's extra headers)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**self.server.owner.response_headers, **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class ReplayServer:
    """The replay server. Start it with `with` (or `start()`/`stop()`)."""

    def __init__(
        self,
        services: Iterable[Service] = (),
        latency_ms: float = 0.0,
        response_headers: Mapping[str, str] | None = None,
        max_request_line: int | None = None,
        enforce: bool = True,
    ) -> None:
        self.services: list[Service] = list(services)
        """The services hosted, asked in order which owns a path."""
        self.latency_ms = latency_ms
        """Added to every answer."""
        self.response_headers: dict[str, str] = dict(response_headers or {})
        """Headers sent with every answer (e.g. x-rate-limit-limit, x-api-pool)."""
        self.max_request_line = max_request_line
        """Longest request line accepted (`GET target HTTP/1.1`); longer ones get 414."""
        self.enforcing = enforce
        """When False, no service's limits are enforced."""

        self.requests: list[RecordedRequest] = []
        """Every request received, in arrival order."""
        self.violations = 0
        """Requests refused because the client broke an enforced limit."""
        self.violations_by_service: dict[str, int] = {}
        """The same, per service."""
        self.violation_reasons: dict[str, int] = {}
        """Violations by the limit broken: `rate` (too many in a window) or `concurrency`."""
        self.drips_completed = 0
        """`Fault.drip` answers sent to the end (the client did not hang up first)."""
        self._faults: list[tuple[re.Pattern[str], deque[Fault]]] = []
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> ReplayServer:
        """Bind an ephemeral port on 127.0.0.1 and serve from a daemon thread."""
        self._httpd = _Server(("127.0.0.1", 0), Handler)
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

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, for every source's base URL."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def service(self, name: str) -> Service:
        """The hosted service of that name."""
        return next(s for s in self.services if s.name == name)

    # --- scripting ------------------------------------------------------------------------------

    def add_faults(self, pattern: str, *faults: Fault) -> None:
        """Queue faults for requests whose path (with query string) matches `pattern` (re.search)."""
        with self._lock:
            self._faults.append((re.compile(pattern), deque(faults)))

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> int:
        """How many requests have arrived, once `count` have or `timeout` seconds passed.

        A client that gives up on a request (its timeout) may do so before the server's thread
        has read it; the request still arrives. Count after waiting, not at once."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.requests)

    def requests_of(self, kind: str) -> list[RecordedRequest]:
        """The recorded requests of one class."""
        return [r for r in self.requests if r.kind == kind]

    def requests_to(self, service: str) -> list[RecordedRequest]:
        """The recorded requests one service received."""
        return [r for r in self.requests if r.service == service]

    # --- serving --------------------------------------------------------------------------------

    def _next_fault(self, target: str) -> Fault | None:
        with self._lock:
            for pattern, queue in self._faults:
                if queue and pattern.search(target):
                    return queue.popleft()
        return None

    def _over_limits(self, service: Service | None, kind: str, now: float) -> bool:
        """True when this request breaks its service's limit for its class (sliding window) or
        the service's concurrency cap. Called with the request already recorded and counted."""
        if service is None or not self.enforcing:
            return False
        limit = service.limits.get(kind)
        with self._lock:
            if limit is not None:
                # Only the requests that arrived up to this one: the check runs after the answer's
                # latency, when later requests may have arrived too (counting them made a client
                # that kept to the limit look as if it broke it).
                recent = sum(1 for r in self.requests if r.service == service.name and r.kind == kind
                             and 0 <= now - r.time < limit.window)
                if recent > limit.count:
                    self.violation_reasons["rate"] = self.violation_reasons.get("rate", 0) + 1
                    return True
            if service.concurrency is not None and self._active.get(service.name, 0) > service.concurrency:
                self.violation_reasons["concurrency"] = self.violation_reasons.get("concurrency", 0) + 1
                return True
            return False

    def _serve(self, handler: Handler) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        owner: Service | None = None
        kind = "other"
        for service in self.services:
            found = service.kind(path, query)
            if found is not None:
                owner, kind = service, found
                break
        now = time.monotonic()
        name = owner.name if owner else ""
        with self._lock:
            self.requests.append(RecordedRequest(path, query, {k.lower(): v for k, v in handler.headers.items()},
                                                 now, kind, name, handler.path))
            self._active[name] = self._active.get(name, 0) + 1
        try:
            self._answer(handler, owner, path, query, kind, now)
        finally:
            with self._lock:
                self._active[name] -= 1

    def _answer(self, handler: Handler, owner: Service | None, path: str, query: dict[str, list[str]], kind: str,
                now: float) -> None:
        if self.max_request_line is not None and len(handler.requestline) > self.max_request_line:
            handler.send(414, b"Request-URI Too Large", "text/plain")
            return
        if self.latency_ms:
            self._stopping.wait(self.latency_ms / 1000)
        if self._over_limits(owner, kind, now):
            with self._lock:
                self.violations += 1
                self.violations_by_service[owner.name] = self.violations_by_service.get(owner.name, 0) + 1  # type: ignore[union-attr]

            limit = owner.limits.get(kind) if owner else None  # type: ignore[union-attr]
            headers = {"x-rate-limit-limit": f"{limit.count:g}", "x-rate-limit-interval": f"{limit.window:g}s"} if limit else {}
            handler.send(429, b"Too Many Requests", "text/plain", headers)
            return
        fault = self._next_fault(handler.path)
        if fault is not None and self._fault(handler, fault):
            return
        if owner is None:
            handler.send(404, NOT_FOUND_BODY, "text/plain")
            return
        owner.answer(handler, path, query, kind)

    def _fault(self, handler: Handler, fault: Fault) -> bool:
        """Serve a fault; False when it only delayed the normal answer."""
        if fault.kind == "reset":
            # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset".
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
            return True
        if fault.kind == "status":
            handler.send(fault.status, fault.body, "text/plain", fault.headers)
            return True
        if fault.kind == "malformed":
            handler.send(200, fault.body, "application/json")
            return True
        if fault.kind == "html":
            handler.send(200, fault.body, "text/html; charset=utf-8")
            return True
        if fault.kind == "not_found":
            handler.send(404, NOT_FOUND_BODY, "text/plain")
            return True
        if fault.kind == "delay":
            return self._stopping.wait(fault.seconds)  # stopping: cut short, no answer
        if fault.kind in ("drip", "truncated", "reset_mid_body"):
            self._partial(handler, fault)
            return True
        return False

    def _partial(self, handler: Handler, fault: Fault) -> None:
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
