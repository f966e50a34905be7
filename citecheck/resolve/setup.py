"""Assembling the sources an audit consults, in order: snapshots, then the registries the user
chose (`sources`, default Crossref, PubMed, DataCite), each behind the answer cache.

Offline, each chosen registry is represented by what the cache holds from it, and nothing else
(a stand-in that is never asked, `sources.offline`): a question the cache cannot answer leaves
the reference unchecked.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from citecheck.config.options import AuditOptions
from citecheck.resolve.resolver import Resolver
from citecheck.sources.base import WorkSource
from citecheck.sources.cache import AnswerCache, CachedSource, CacheUnavailable
from citecheck.sources.offline import offline_registry
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
    cache = _cache(options, note)
    if not options.network:
        if cache is not None:
            # The registries are not asked: what the cache holds from each answers, or nothing.
            sources.extend(CachedSource(offline_registry(name), cache, offline=True)  # type: ignore[arg-type]
                           for name in options.sources)
        return sources
    registries = _registries(options, note, cache)
    for name in options.sources:
        source = registries[name]()
        if cache is not None:
            source = CachedSource(source, cache, refresh=options.refresh)
        sources.append(source)
    return sources


def _cache(options: AuditOptions, note: Note) -> AnswerCache | None:
    """The answer cache, or None with a note when it cannot be opened: a cache never fails an audit."""
    if not options.use_cache:
        return None
    try:
        return AnswerCache(options.cache_dir / "answers.sqlite3" if options.cache_dir else None)
    except (CacheUnavailable, OSError, sqlite3.Error) as error:
        note(f"the answer cache could not be opened ({error}); running without it, so answers are "
             "asked again and not kept this time")
        return None


def _registries(options: AuditOptions, note: Note, cache: AnswerCache | None) -> dict[str, Callable[[], WorkSource]]:
    """A constructor per registry, sharing one DOI-agency lookup."""
    # Deferred: the network clients (httpx2, habanero) cost half a second, which an offline run
    # never pays.
    from citecheck.sources.agency import DEFAULT_DOI_URL, DOI_RA_LIMITS, DoiAgencies
    from citecheck.sources.http import USER_AGENT

    mailto = options.mailto
    agencies = DoiAgencies(
        options.doi_url or DEFAULT_DOI_URL, timeout=options.timeout, cache=cache, refresh=options.refresh,
        user_agent=USER_AGENT, pacer=Pacer(DOI_RA_LIMITS, backoff_base=_backoff_base(), min_requests_for_ratio=100),
    )

    def crossref() -> WorkSource:
        from citecheck.sources.crossref import CrossrefSource

        if not mailto and options.rate_limits is None:
            note(
                "no e-mail given for Crossref's polite pool (--mailto or CITECHECK_MAILTO): "
                "keeping to the public pool's limits (5 lookups/s, 1 search/s, one at a time)"
            )
        return CrossrefSource(
            base_url=options.crossref_url,
            mailto=mailto,
            token=options.token or os.environ.get("CITECHECK_CROSSREF_TOKEN") or None,
            timeout=options.timeout,
            # 3% headroom: at exactly the limit, evenly spaced requests that arrive with a few
            # milliseconds of jitter break a sliding one-second window (measured: benchmarks/load.py).
            # Crossref asks clients to stop once a tenth of their requests fail; judged over at
            # least 100 requests, so that three transient faults among a run's first twenty
            # (5% faults do that often) do not end a run of thousands (benchmarks/load.py).
            pacer=Pacer(pool_limits(options), backoff_base=_backoff_base(), headroom=0.97, min_requests_for_ratio=100),
            agencies=agencies,
            batch_size=_batch_size(),
        )

    def pubmed() -> WorkSource:
        from citecheck.sources.pubmed import EUTILS_URL, NCBI_KEY_LIMITS, NCBI_LIMITS, PMC_URL, PubMedSource

        key = options.ncbi_api_key or os.environ.get("NCBI_API_KEY") or None
        return PubMedSource(
            options.pubmed_url or EUTILS_URL, options.pubmed_url or PMC_URL, api_key=key, email=mailto,
            timeout=options.timeout, user_agent=USER_AGENT,
            pacer=Pacer(NCBI_KEY_LIMITS if key else NCBI_LIMITS, backoff_base=_backoff_base(), headroom=0.97,
                        min_requests_for_ratio=100),
        )

    def datacite() -> WorkSource:
        from citecheck.sources.datacite import (
            DATACITE_IDENTIFIED_LIMITS,
            DATACITE_LIMITS,
            DEFAULT_DATACITE_URL,
            DataCiteSource,
        )

        return DataCiteSource(
            agencies, options.datacite_url or DEFAULT_DATACITE_URL, mailto=mailto, timeout=options.timeout,
            user_agent=USER_AGENT,
            pacer=Pacer(DATACITE_IDENTIFIED_LIMITS if mailto else DATACITE_LIMITS, backoff_base=_backoff_base(),
                        min_requests_for_ratio=100),
        )

    return {"crossref": crossref, "pubmed": pubmed, "datacite": datacite}


def _backoff_base() -> float:
    """The first retry's nominal delay: 0.5 s, or `CITECHECK_BACKOFF_BASE` seconds.

    The variable is for testing only (fault-injection tests shorten the waits); it is not a
    user setting, because the registries ask clients to back off, not to hurry.
    """
    value = os.environ.get("CITECHECK_BACKOFF_BASE", "")
    try:
        base = float(value)
    except ValueError:
        return 0.5
    return base if 0 < base <= 60 else 0.5


def _batch_size() -> int:
    """DOIs per Crossref list request: `crossref.BATCH_DOIS`, or `CITECHECK_CROSSREF_BATCH`.

    The variable is for testing and benchmarks only (0 or 1: every DOI asked alone, to compare
    batched and single lookups); it is not a user setting.
    """
    from citecheck.sources.crossref import BATCH_DOIS

    value = os.environ.get("CITECHECK_CROSSREF_BATCH", "")
    return max(1, int(value)) if value.isdigit() else BATCH_DOIS


def pool_limits(options: AuditOptions) -> Limits:
    """Crossref's limits to keep: `--rate-limits` when given, else the pool's (polite with an e-mail)."""
    if options.rate_limits is not None:
        lookups, searches, concurrent = options.rate_limits
        return Limits(lookups, searches, concurrent)
    return POLITE if options.mailto else PUBLIC


def build_resolver(options: AuditOptions, note: Note) -> Resolver:
    """A resolver over the configured sources, with as many workers as Crossref's pool allows
    (every other registry's pacer holds its own requests to its own limits)."""
    sources = build_sources(options, note)
    limit = pool_limits(options).concurrency
    jobs = min(options.jobs, limit) if options.jobs else limit
    return Resolver(sources, jobs=jobs, note=note)
