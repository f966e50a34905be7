"""The web app's routes, on Starlette:

- `GET /`: the upload form; `GET /static/app.js|app.css`: its script and style;
- `POST /audit`: the form; the manuscript is audited in a worker (`jobs`). A script asking
  for `application/x-ndjson` gets progress as JSON lines (`stage`, `note`, `progress`, then
  `done` with the report's address, or `error`); a plain form post waits and is redirected to
  the report (or shown the error);
- `GET /report/{token}`: the report with its downloads; `GET /download/{token}/bibliography`
  (`to`, `style`, `unsafe`), `/sarif`, `/json`: the files.

Every upload lives in its own temporary directory, deleted when its response ends (finished,
failed or abandoned: the worker is stopped first). Every response carries a strict
Content-Security-Policy (no inline script on the app's own pages; the report's inline blocks
by hash), `nosniff`, no referrer and no framing. Requests naming another host are refused
(DNS rebinding), and so are posts from another site's page. Errors are one line in the page,
never a traceback.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from citecheck.report.html_assets import csp_hash, script, stylesheet
from citecheck.report.markdown import headline
from citecheck.web import downloads, pages
from citecheck.web.jobs import AuditJob, JobRequest
from citecheck.web.settings import LOCAL_HOSTS, ServeSettings
from citecheck.web.store import ReportStore, StoredAudit
from citecheck.web.uploads import UploadError, receive_upload

NDJSON = "application/x-ndjson"
"""The progress stream's content type."""
_APP_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def report_policy() -> str:
    """The report page's policy: only the report's own inline style and script, by hash."""
    return (f"default-src 'none'; style-src {csp_hash(stylesheet())}; script-src {csp_hash(script())}; "
            "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def _headers(policy: str = _APP_POLICY, cache: str = "no-store") -> dict[str, str]:
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": cache}


def _error(request: Request, message: str, status: int) -> Response:
    """An error as the asker wants it: a JSON line for the page's script, else a page."""
    if NDJSON in request.headers.get("accept", ""):
        return Response(json.dumps({"type": "error", "message": message}) + "\n", status, headers=_headers(),
                        media_type=NDJSON)
    return HTMLResponse(pages.error_page(message), status, headers=_headers())


class _Guard:
    """ASGI middleware: refuse requests for another host, and posts from another site."""

    def __init__(self, app: Any, allow_remote: bool) -> None:
        self.app = app
        self.allow_remote = allow_remote

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]").lower()
        problem = None
        if not self.allow_remote and name not in LOCAL_HOSTS:
            problem = (421, "this server answers only to localhost and 127.0.0.1")
        elif scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if headers.get("sec-fetch-site") == "cross-site" or (origin and origin != f"http://{host}"):
                problem = (403, "a form from another site cannot post to this server")
        if problem is None:
            await self.app(scope, receive, send)
            return
        response = Response(problem[1] + "\n", problem[0], headers=_headers(), media_type="text/plain")
        await response(scope, receive, send)


class _AuditStream(Response):
    """The progress of one audit as JSON lines, streamed while the worker runs.

    It listens for the client going away the whole time (not only when it next writes), and
    whatever ends the response, stops the worker and deletes the upload's directory."""

    media_type = NDJSON

    def __init__(self, app: "CitecheckApp", job: AuditJob, directory: Path, name: str) -> None:
        # Not Response.__init__: it would announce a Content-Length for a body that is a stream.
        self.status_code, self.background = 200, None
        self.init_headers(_headers())
        self.app, self.job, self.directory, self.name = app, job, directory, name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:
                async def watch() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
                # Closed explicitly, so the turn it holds is given back the moment the client leaves.
                async with aclosing(self.app.run(self.job, self.name)) as events:
                    async for event in events:
                        if event["type"] in ("done", "error"):
                            await self._clean_up()  # the files are gone before the page hears "done"
                        await send({"type": "http.response.body", "body": (json.dumps(event) + "\n").encode(),
                                    "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._clean_up()

    async def _clean_up(self) -> None:
        """Stop the worker and delete the upload's directory (once)."""
        if self.directory.exists():
            await anyio.to_thread.run_sync(self.job.stop)
            await anyio.to_thread.run_sync(shutil.rmtree, self.directory, True)


class CitecheckApp:
    """The app: its settings, the finished reports, and one audit at a time."""

    def __init__(self, settings: ServeSettings) -> None:
        """Build the routes for these settings."""
        self.settings = settings
        self.store = ReportStore(settings.keep_reports, settings.keep_seconds)
        # One audit at a time: two workers would each keep to Crossref's limits, and so together
        # break them; a second upload waits, and says so.
        self.turn = anyio.Lock()
        routes = [
            Route("/", self.index, methods=["GET"]),
            Route("/static/{name}", self.static, methods=["GET"]),
            Route("/favicon.ico", self.favicon, methods=["GET"]),
            Route("/audit", self.audit, methods=["POST"]),
            Route("/report/{token}", self.report, methods=["GET"]),
            Route("/download/{token}/{kind}", self.download, methods=["GET"]),
        ]
        starlette = Starlette(routes=routes, exception_handlers={404: self.not_found, 405: self.not_allowed,
                                                                 500: self.failure})
        self.asgi = _Guard(starlette, settings.allow_remote)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.asgi(scope, receive, send)

    async def index(self, request: Request) -> Response:
        """The upload form."""
        return HTMLResponse(pages.index_page(self.settings), headers=_headers())

    async def static(self, request: Request) -> Response:
        """The upload page's script and style."""
        name = request.path_params["name"]
        types = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
        if name not in types:
            return _error(request, "no such page", 404)
        return Response(pages.static_file(name), headers=_headers(cache="no-cache"), media_type=types[name])

    async def favicon(self, request: Request) -> Response:
        """No icon (browsers ask for one; an empty answer keeps their console quiet)."""
        return Response(status_code=204, headers=_headers(cache="max-age=86400"))

    async def audit(self, request: Request) -> Response:
        """Receive the upload and audit it (streamed progress, or wait and redirect)."""
        directory = Path(tempfile.mkdtemp(prefix="citecheck-serve-", dir=self.settings.temp_root))
        handed_over = False
        try:
            upload = await receive_upload(dict(request.headers), request.stream(), directory,
                                          self.settings.max_upload_bytes)
            options = self.settings.audit
            if upload.fields.get("verify") == "off":
                options = replace(options, verify=False)
            chosen = upload.fields.get("input_format") or None
            if chosen is not None:
                from citecheck.documents.readers import INPUT_FORMATS  # deferred: a small module

                if chosen not in INPUT_FORMATS:
                    raise UploadError(f"unknown input format {chosen!r}")
            options = replace(options, input_format=chosen,
                              bibliographies=(Path(upload.bibliography.name),) if upload.bibliography else ())
            job = AuditJob(JobRequest(str(directory), upload.manuscript.name, options))
            if NDJSON in request.headers.get("accept", ""):
                handed_over = True
                return _AuditStream(self, job, directory, upload.manuscript.name)
            return await self._wait(request, job, upload.manuscript.name)
        except UploadError as error:
            return _error(request, str(error), error.status)
        finally:
            if not handed_over:
                await anyio.to_thread.run_sync(shutil.rmtree, directory, True)

    async def _wait(self, request: Request, job: AuditJob, name: str) -> Response:
        """The audit run to its end for a plain form post: redirect to the report, or the error."""
        try:
            async with aclosing(self.run(job, name)) as events:
                async for event in events:
                    if event["type"] == "done":
                        return RedirectResponse(event["report"], 303, headers=_headers())
                    if event["type"] == "error":
                        return _error(request, event["message"], 422)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(job.stop)
        return _error(request, "the audit ended without a report", 500)

    async def run(self, job: AuditJob, name: str) -> AsyncIterator[dict[str, Any]]:
        """The audit's events as JSON-ready dicts; stores the report when it is done."""
        yield {"type": "stage", "message": f"received {name}"}
        if self.turn.locked():
            yield {"type": "stage", "message": "waiting for the audit before this one to finish"}
        async with self.turn, aclosing(job.events()) as events:
            async for event in events:
                kind = event[0]
                if kind == "stage":
                    yield {"type": "stage", "message": event[1]}
                elif kind == "note":
                    yield {"type": "note", "message": event[1]}
                elif kind == "progress":
                    yield {"type": "progress", "done": event[1], "total": event[2]}
                elif kind == "alive":
                    yield {"type": "alive"}
                elif kind == "error":
                    yield {"type": "error", "message": event[1]}
                    return
                elif kind == "done":
                    report, bib_texts = event[1], event[2]
                    token = self.store.put(StoredAudit(report, name, bib_texts))
                    summary = report.summary
                    yield {"type": "done", "report": f"/report/{token}", "headline": headline(report),
                           "complete": summary.complete, "unverified": summary.unverified}
                    return

    async def report(self, request: Request) -> Response:
        """A finished audit's report page."""
        token = request.path_params["token"]
        stored = self.store.get(token)
        if stored is None:
            return _gone(request)
        return HTMLResponse(pages.report_page(stored, token), headers=_headers(report_policy()))

    async def download(self, request: Request) -> Response:
        """The corrected bibliography, the SARIF or the JSON report of a finished audit."""
        stored = self.store.get(request.path_params["token"])
        if stored is None:
            return _gone(request)
        kind = request.path_params["kind"]
        try:
            if kind == "bibliography":
                query = request.query_params
                made = downloads.bibliography(stored, query.get("to", "bibtex"), query.get("style", "vancouver"),
                                              query.get("unsafe") in ("1", "on", "true"))
            else:
                made = downloads.report(stored, kind)
        except downloads.DownloadError as error:
            return _error(request, str(error), 400)
        headers = {**_headers(), "Content-Disposition": made.disposition()}
        return Response(made.body, headers=headers, media_type=made.media_type)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        """404 as a page."""
        return _error(request, "no such page", 404)

    async def not_allowed(self, request: Request, exc: Exception) -> Response:
        """405 as a page."""
        return _error(request, f"{request.method} is not allowed here", 405)

    async def failure(self, request: Request, exc: Exception) -> Response:
        """Anything unexpected: one line, never a traceback."""
        return _error(request, f"internal error: {type(exc).__name__}: {exc} (please report it)", 500)


def _gone(request: Request) -> Response:
    return _error(request, "this report is no longer kept (reports stay in memory for a while, and are gone "
                           "when the server restarts); check the manuscript again", 404)


def create_app(settings: ServeSettings | None = None) -> CitecheckApp:
    """The ASGI application for these settings."""
    return CitecheckApp(settings or ServeSettings())


__all__ = ["CitecheckApp", "NDJSON", "create_app", "report_policy"]
