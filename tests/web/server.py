"""`citecheck serve`'s app running for real on 127.0.0.1 in a background thread of the tests
(uvicorn on a free port), with the offline sources of the committed reports and its own
directory for uploads, so a test can see that nothing is left there."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from citecheck.config.options import AuditOptions
from citecheck.web.settings import ServeSettings

WAIT = 30.0
"""Seconds the server may take to start or stop on a loaded machine."""


def offline_settings(temp_root: Path, **changes: object) -> ServeSettings:
    """The app as `citecheck serve --offline --no-cache` makes it, uploads under `temp_root`."""
    audit = AuditOptions(network=False, use_cache=False)
    return ServeSettings(**{"audit": audit, "temp_root": temp_root, **changes})  # type: ignore[arg-type]


class RunningServer:
    """The app served on 127.0.0.1 until `stop()`."""

    def __init__(self, settings: ServeSettings) -> None:
        """Start serving; returns once the server accepts connections."""
        import uvicorn

        from citecheck.web.app import create_app

        self.settings = settings
        self.app = create_app(settings)
        listener = socket.create_server(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [listener]}, daemon=True,
                                       name="citecheck-serve-test")
        self.thread.start()
        deadline = time.monotonic() + WAIT
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)  # polling a flag the server sets; bounded by WAIT

    def uploads_left(self) -> list[str]:
        """Upload directories that still exist."""
        root = self.settings.temp_root
        return sorted(p.name for p in root.iterdir()) if root is not None else []

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(WAIT)
