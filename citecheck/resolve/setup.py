"""Assembling the sources an audit consults, in order: snapshots, then Crossref behind the cache."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from citecheck.config.options import AuditOptions
from citecheck.resolve.resolver import Resolver
from citecheck.sources.base import WorkSource
from citecheck.sources.cache import AnswerCache, CachedSource, CacheUnavailable
from citecheck.sources.pacing import POLITE, PUBLIC, Limits, Pacer
from citecheck.sources.snapshot import SnapshotSource, default_snapshot

Note = Callable[[str], None]


def build_sources(options: AuditOptions, note: Note) -> list[WorkSource]:
    """The sources to ask, local ones first so the network is asked only for what they lack."""
    sources: list[WorkSource] = []
    if options.default_snapshot:
        sources.append(default_snapshot())
    for path in options.snapshots:
        sources.append(SnapshotSource(path))
    if options.network:
        # Deferred: habanero and httpx2 cost half a second, which an offline run never pays.
        from citecheck.sources.crossref import CrossrefSource

        mailto = options.mailto
        if not mailto and options.rate_limits is None:
            note(
                "no e-mail given for Crossref's polite pool (--mailto or CITECHECK_MAILTO): "
                "keeping to the public pool's limits (5 lookups/s, 1 search/s, one at a time)"
            )
        limits = pool_limits(options)
        crossref: WorkSource = CrossrefSource(
            base_url=options.crossref_url,
            mailto=mailto,
            token=options.token or os.environ.get("CITECHECK_CROSSREF_TOKEN") or None,
            timeout=options.timeout,
            # 3% headroom: at exactly the limit, evenly spaced requests that arrive with a few
            # milliseconds of jitter break a sliding one-second window (measured: benchmarks/load.py).
            # Crossref asks clients to stop once a tenth of their requests fail; judged over at
            # least 100 requests, so that three transient faults among a run's first twenty
            # (5% faults do that often) do not end a run of thousands (benchmarks/load.py).
            pacer=Pacer(limits, backoff_base=_backoff_base(), headroom=0.97, min_requests_for_ratio=100),
        )
        if options.use_cache:
            cache = _open_cache(options, note)
            if cache is not None:
                crossref = CachedSource(crossref, cache, refresh=options.refresh)
        sources.append(crossref)
    return sources


def _open_cache(options: AuditOptions, note: Note) -> AnswerCache | None:
    """The answer cache, or None with a note when it cannot be opened: a cache never fails an audit."""
    try:
        return AnswerCache(options.cache_dir / "answers.sqlite3" if options.cache_dir else None)
    except (CacheUnavailable, OSError, sqlite3.Error) as error:
        note(f"the answer cache could not be opened ({error}); running without it, so answers are "
             "asked again and not kept this time")
        return None


def _backoff_base() -> float:
    """The first retry's nominal delay: 0.5 s, or `CITECHECK_BACKOFF_BASE` seconds.

    The variable is for testing only (fault-injection tests shorten the waits); it is not a
    user setting, because Crossref asks clients to back off, not to hurry.
    """
    value = os.environ.get("CITECHECK_BACKOFF_BASE", "")
    try:
        base = float(value)
    except ValueError:
        return 0.5
    return base if 0 < base <= 60 else 0.5


def pool_limits(options: AuditOptions) -> Limits:
    """The limits to keep: `--rate-limits` when given, else the pool's (polite with an e-mail)."""
    if options.rate_limits is not None:
        lookups, searches, concurrent = options.rate_limits
        return Limits(lookups, searches, concurrent)
    return POLITE if options.mailto else PUBLIC


def build_resolver(options: AuditOptions, note: Note) -> Resolver:
    """A resolver over the configured sources, with as many workers as the pool allows."""
    sources = build_sources(options, note)
    limit = pool_limits(options).concurrency
    jobs = min(options.jobs, limit) if options.jobs else limit
    return Resolver(sources, jobs=jobs, note=note)
