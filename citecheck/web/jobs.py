"""Running one audit in a worker process and streaming its progress back.

Why a process, not a thread: the worker works *in* the upload's temporary directory (its
current directory), so the report names the files as the user named them (`paper.pdf`, not
`/tmp/citecheck-serve-x1y2/paper.pdf`) and a LaTeX manuscript finds its .bib beside it; a
document that makes a reader slow or hungry can be stopped (the user cancels, or leaves the
page) by ending the process; and its memory goes back to the system when it ends. Where the
platform has it, processes fork from a server that has already imported citecheck
(`forkserver`), so a job starts in milliseconds, not the half second of imports.

The worker sends (kind, …) tuples through a pipe: `("stage", text)`, `("note", text)` (the
engine's notes, as the CLI prints them), `("progress", done, total)` (verification, at most ten
a second), then `("done", report, bib_texts)` or `("error", message)`: an input error's one
line, never a traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import anyio

from citecheck.config.options import AuditOptions

PRELOAD = ["citecheck.engine", "citecheck.resolve.setup", "citecheck.fix.output", "citecheck.documents.readers"]
"""Modules the fork server imports once, so every worker starts with them."""
PROGRESS_INTERVAL = 0.1
"""Seconds between two progress messages (the last one is always sent)."""
HEARTBEAT = 2.0
"""Seconds between two messages at most: a quiet worker still shows it is alive."""

Event = tuple[Any, ...]
"""What `AuditJob.events` yields: the worker's messages, and `("alive",)` heartbeats."""

_context: Any = None


def process_context() -> Any:
    """The multiprocessing context for workers: a fork server preloaded with citecheck where
    the platform has one, else spawn (never plain fork: the server has threads)."""
    global _context
    if _context is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
        else:
            _context = multiprocessing.get_context("spawn")
    return _context


@dataclass(frozen=True)
class JobRequest:
    """What the worker audits: file names relative to `directory`, which becomes its cwd."""

    directory: str
    """The upload's temporary directory."""
    manuscript: str
    """The manuscript's file name in it."""
    options: AuditOptions
    """The audit's options (a bibliography in `bibliographies` by its name in the directory)."""


def work(request: JobRequest, pipe: Connection) -> None:
    """The worker: audit the manuscript and send the report, or the error, through `pipe`."""
    # Deferred: the fork server has them imported already; spawn imports them here, once.
    from citecheck.documents.loading import InputError
    from citecheck.engine import audit
    from citecheck.fix.bib import read_bib
    from citecheck.fix.output import bibliography_paths
    from citecheck.sources.snapshot import SnapshotError

    os.chdir(request.directory)
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done == total or now - last >= PROGRESS_INTERVAL:
            last = now
            pipe.send(("progress", done, total))

    try:
        pipe.send(("stage", "reading the manuscript"))
        manuscript = Path(request.manuscript)
        report = audit([manuscript], request.options, notify=lambda note: pipe.send(("note", note)),
                       progress=progress)
        bibs = bibliography_paths(manuscript, request.options.bibliographies, request.options.input_format)
        pipe.send(("done", report, {str(path): read_bib(path) for path in bibs}))
    except (InputError, SnapshotError) as error:
        pipe.send(("error", str(error)))
    except Exception as error:  # noqa: BLE001 - the page gets one line, never a traceback
        pipe.send(("error", f"internal error: {type(error).__name__}: {error} (please report it)"))
    finally:
        pipe.close()


class AuditJob:
    """One audit in its worker process. `events()` yields what the worker says; `stop()` ends it."""

    def __init__(self, request: JobRequest) -> None:
        """Prepare the worker (it starts on the first `events()`)."""
        context = process_context()
        self._receiver, sender = context.Pipe(duplex=False)
        self._sender = sender
        self.process = context.Process(target=work, args=(request, sender), daemon=True,
                                       name="citecheck-audit")

    async def events(self) -> AsyncIterator[Event]:
        """The worker's messages until `done` or `error` (an `error` too when the worker dies)."""
        await anyio.to_thread.run_sync(self.process.start)
        self._sender.close()  # the worker holds the other end; EOF then means it is gone
        quiet_since = time.monotonic()
        while True:
            ready = await anyio.to_thread.run_sync(self._receiver.poll, 0.25)
            if not ready:
                if time.monotonic() - quiet_since >= HEARTBEAT:
                    quiet_since = time.monotonic()
                    yield ("alive",)
                continue
            try:
                message = await anyio.to_thread.run_sync(self._receiver.recv)
            except (EOFError, OSError):
                await anyio.to_thread.run_sync(self.process.join, 5)
                yield ("error", f"the audit stopped unexpectedly (worker exit code {self.process.exitcode})")
                return
            quiet_since = time.monotonic()
            yield message
            if message[0] in ("done", "error"):
                return

    def stop(self) -> None:
        """End the worker if it still runs (the user left), and wait for it (blocks: call it in a
        thread)."""
        self._receiver.close()
        self._sender.close()
        if self.process.pid is None:
            return
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
        self.process.join(5)


__all__ = ["AuditJob", "Event", "JobRequest", "process_context", "work"]
