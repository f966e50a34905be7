"""The options of an audit, as the engine sees them (the CLI and configuration files fill them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citecheck.findings import Severity

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
"""Crossref's public REST API."""
SOURCES = ("crossref", "pubmed", "datacite")
"""The registries citecheck can ask, in the default order."""


@dataclass(frozen=True)
class AuditOptions:
    """Everything that changes what an audit does. Defaults are what a first-time user gets."""

    select: tuple[str, ...] = ("ALL",)
    """Rule codes, prefixes or names to report."""
    ignore: tuple[str, ...] = ()
    """Rule codes, prefixes or names never to report (wins over `select`)."""
    fail_on: Severity | None = Severity.WARNING
    """Lowest severity that makes the run fail (None: never fail)."""
    verify: bool = True
    """Resolve references against the sources. False: linking checks only."""
    network: bool = True
    """Ask the registries. False: cache and snapshots only."""
    sources: tuple[str, ...] = SOURCES
    """The registries to ask, in order (`crossref`, `pubmed`, `datacite`)."""
    snapshots: tuple[Path, ...] = ()
    """Snapshot files to consult, in order, before the network."""
    default_snapshot: bool = True
    """Also consult the small snapshot shipped with the package."""
    cache_dir: Path | None = None
    """Where the answer cache lives (None: the user's cache directory)."""
    use_cache: bool = True
    """Keep and reuse answers between runs."""
    refresh: bool = False
    """Ignore stored answers (but store new ones)."""
    crossref_url: str = DEFAULT_CROSSREF_URL
    """Crossref API base URL (a mirror, or a test server)."""
    pubmed_url: str | None = None
    """An NCBI mirror or test server (E-utilities and the PMC ID converter under one root);
    None: NCBI's own hosts."""
    datacite_url: str | None = None
    """A DataCite API mirror or test server; None: api.datacite.org."""
    doi_url: str | None = None
    """A DOI proxy (for registration-agency lookups) or test server; None: doi.org."""
    ncbi_api_key: str | None = field(default=None, repr=False)
    """NCBI API key (10 requests/s instead of 3; never printed)."""
    mailto: str | None = None
    """E-mail for Crossref's polite pool (also sent to NCBI and DataCite)."""
    token: str | None = field(default=None, repr=False)
    """Crossref Metadata Plus token (never printed)."""
    jobs: int = 0
    """Parallel requests (0: as many as the pool's concurrency limit allows)."""
    timeout: float = 10.0
    """Seconds to wait for one Crossref answer."""
    rate_limits: tuple[float, float, int] | None = None
    """Crossref pacing (lookups/s, searches/s, concurrent requests); None: the pool's published limits."""
    bibliographies: tuple[Path, ...] = ()
    """Bibliography files given on the command line (`--bib`)."""
    input_format: str | None = None
    """Force a reader (`text`, `markdown`, `latex`, `pandoc`, `docx`) instead of guessing."""
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(glob, rule selectors) pairs: rules never reported for files the glob matches."""
    config_dir: Path | None = None
    """Directory of the configuration file the options came from: `per-file-ignores` globs are
    relative to it (None: relative to the working directory)."""
    style: str | None = None
    """Citation style the documents are expected to use (`numeric`, `author-year`, `key`);
    None: find out from the document."""
    protect: tuple[str, ...] = ()
    """CSL fields no fix may change, in every reference (as `citecheck-protect` on one entry)."""
