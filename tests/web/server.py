"""`citecheck serve`'s app running for real on 127.0.0.1 in a background thread of the tests
(`scripts.local_server.RunningServer`), with the offline sources of the committed reports and
its own directory for uploads, so a test can see that nothing is left there."""

from __future__ import annotations

from pathlib import Path

from citecheck.config.options import AuditOptions
from citecheck.web.settings import ServeSettings
from scripts.local_server import START_WAIT as WAIT
from scripts.local_server import RunningServer


def offline_settings(temp_root: Path, **changes: object) -> ServeSettings:
    """The app as `citecheck serve --offline --no-cache` makes it, uploads under `temp_root`."""
    audit = AuditOptions(network=False, use_cache=False)
    return ServeSettings(**{"audit": audit, "temp_root": temp_root, **changes})  # type: ignore[arg-type]


__all__ = ["WAIT", "RunningServer", "offline_settings"]
