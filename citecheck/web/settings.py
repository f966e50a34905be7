"""What `citecheck serve`'s flags decide, as one value the app is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citecheck.config.options import AuditOptions

MIB = 1024 * 1024
"""Bytes in a mebibyte."""
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Names of this machine's loopback interface: the only ones `citecheck serve` listens on
unless told otherwise."""


@dataclass(frozen=True)
class ServeSettings:
    """The app's configuration."""

    audit: AuditOptions = field(default_factory=AuditOptions)
    """How every upload is audited (sources, cache, pacing): the CLI's flags, never a
    configuration file found near the upload."""
    max_upload_bytes: int = 50 * MIB
    """The largest request body accepted (the manuscript and its .bib together)."""
    allow_remote: bool = False
    """Listening on an interface other than the loopback was asked for explicitly: any Host
    header is then accepted."""
    keep_reports: int = 16
    """Finished reports kept in memory for their downloads (the oldest goes first)."""
    keep_seconds: float = 3600.0
    """How long a finished report is kept in memory."""
    temp_root: Path | None = None
    """Where each upload's temporary directory is made (None: the system's temporary directory)."""

    def describe_sources(self) -> str:
        """One line saying what uploads are verified against (shown on the page)."""
        options = self.audit
        if not options.verify:
            return "References are not verified (linking checks only)."
        sources = []
        if options.default_snapshot:
            sources.append("the small snapshot shipped with citecheck")
        sources.extend(f"the snapshot {path.name}" for path in options.snapshots)
        if options.network:
            pool = "polite pool" if options.mailto else "public pool, no e-mail given"
            sources.append(f"Crossref ({pool}" + (", answers cached" if options.use_cache else "") + ")")
        elif options.use_cache:
            sources.append("the answer cache")
        return "References are verified against " + (", ".join(sources) or "no source") + "."


__all__ = ["LOCAL_HOSTS", "MIB", "ServeSettings"]
