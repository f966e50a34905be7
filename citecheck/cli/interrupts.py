"""Ending a run cleanly on SIGINT (Ctrl-C) and SIGTERM (CI cancelling a job): exit 130 or 143,
one line on stderr, nothing half-written left behind.

Why not Python's default: SIGINT becomes KeyboardInterrupt, which click turns into "Aborted!"
and exit code 1, indistinguishable from "findings"; SIGTERM kills the process outright, which
leaves a temporary file from `fileio.atomic_write` behind if it lands mid-write.

What `install()` does instead: the first signal raises `Interrupted` (a `SystemExit` with code
128 + signal number) in the main thread, so every `finally`/`except BaseException` on the way
out runs — `atomic_write` removes its temporary file, and the user's file is untouched because
it is only ever replaced by a rename. Worker threads blocked on the network cannot be
interrupted, and the interpreter waits for them at exit; a watchdog therefore ends the process
`grace` seconds after the signal if it has not ended by then (the main thread's clean-up has
long run; workers write nothing but cache entries, which SQLite keeps consistent). A second
signal ends the process at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
"""The conventional exit code for each handled signal (128 + its number)."""

DEFAULT_GRACE = 2.0
"""Seconds the process may take to end after the first signal before it is ended outright."""


class Interrupted(SystemExit):
    """Raised in the main thread when a handled signal arrives; its `code` is the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(EXIT_CODES.get(signal.Signals(signum), 128 + signum))
        self.signum = signum


_state = {"signalled": False}


def _exit_now(code: int) -> None:
    """End the process without waiting for threads (flushing what was already printed)."""
    try:
        sys.stderr.flush()
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def _handler(grace: float) -> Callable[[int, FrameType | None], None]:
    """The signal handler: raise `Interrupted` once, with a watchdog; end at once the second time."""

    def handle(signum: int, frame: FrameType | None) -> None:
        code = EXIT_CODES.get(signal.Signals(signum), 128 + signum)
        if _state["signalled"]:
            _exit_now(code)  # asked twice: the user means it
        _state["signalled"] = True
        word = "interrupted" if signum == signal.SIGINT else "terminated"
        try:
            sys.stderr.write(f"citecheck: {word} ({signal.Signals(signum).name})\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        watchdog = threading.Timer(grace, _exit_now, args=(code,))
        watchdog.daemon = True
        watchdog.start()
        raise Interrupted(signum)

    return handle


def install(grace: float = DEFAULT_GRACE) -> bool:
    """Handle SIGINT and SIGTERM as described above. Only from the main thread (signal handlers
    can only be set there); returns False, changing nothing, elsewhere."""
    if threading.current_thread() is not threading.main_thread():
        return False
    handle = _handler(grace)
    for signum in EXIT_CODES:
        signal.signal(signum, handle)
    return True

