"""`citecheck serve`'s app running on 127.0.0.1 in a background thread (uvicorn on a free port),
for the tests and the screenshots: `RunningServer(settings)` starts it, `.url` is where it
answers, `.stop()` ends it. Needs the web extra."""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citecheck.web.settings import ServeSettings

START_WAIT = 30.0
"""Seconds the server may take to start or stop on a loaded machine."""


class RunningServer:
    """The app served on 127.0.0.1 until `stop()`."""

    def __init__(self, settings: "ServeSettings") -> None:
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
                                       name="citecheck-serve")
        self.thread.start()
        deadline = time.monotonic() + START_WAIT
        while not self.server.started:  # uvicorn sets the flag once it accepts connections
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)

    def uploads_left(self) -> list[str]:
        """Upload directories that still exist under the settings' `temp_root`."""
        root = self.settings.temp_root
        return sorted(p.name for p in root.iterdir()) if root is not None else []

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(START_WAIT)


__all__ = ["RunningServer"]
