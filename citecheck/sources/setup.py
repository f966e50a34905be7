"""Assembling the sources an audit consults, in order: snapshots, then Crossref behind the cache."""

from __future__ import annotations

import os
from collections.abc import Callable

from citecheck.config import AuditOptions
from citecheck.resolve import Resolver
from citecheck.sources.base import WorkSource

Note = Callable[[str], None]


def build_sources(options: AuditOptions, note: Note) -> list[WorkSource]:
    """The sources to ask, local ones first so the network is asked only for what they lack."""
    from citecheck.sources.snapshot import SnapshotSource, default_snapshot

    sources: list[WorkSource] = []
    if options.default_snapshot:
        sources.append(default_snapshot())
    for path in options.snapshots:
        sources.append(SnapshotSource(path))
    if options.network:
        from citecheck.sources.cache import AnswerCache, CachedSource
        from citecheck.sources.crossref import CrossrefSource
        from citecheck.sources.pacing import POLITE, PUBLIC, Pacer

        mailto = options.mailto
        if not mailto:
            note(
                "no e-mail given for Crossref's polite pool (--mailto or CITECHECK_MAILTO): "
                "keeping to the public pool's limits (5 lookups/s, 1 search/s, one at a time)"
            )
        limits = POLITE if mailto else PUBLIC
        crossref: WorkSource = CrossrefSource(
            base_url=options.crossref_url,
            mailto=mailto,
            token=options.token or os.environ.get("CITECHECK_CROSSREF_TOKEN") or None,
            timeout=options.timeout,
            pacer=Pacer(limits),
        )
        if options.use_cache:
            cache = AnswerCache(options.cache_dir / "answers.sqlite3" if options.cache_dir else None)
            crossref = CachedSource(crossref, cache, refresh=options.refresh)
        sources.append(crossref)
    return sources


def build_resolver(options: AuditOptions, note: Note) -> Resolver:
    """A resolver over the configured sources, with as many workers as the pool allows."""
    sources = build_sources(options, note)
    from citecheck.sources.pacing import POLITE, PUBLIC

    limit = (POLITE if options.mailto else PUBLIC).concurrency
    jobs = min(options.jobs, limit) if options.jobs else limit
    return Resolver(sources, jobs=jobs, note=note)
