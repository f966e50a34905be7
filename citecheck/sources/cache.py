"""A persistent cache of registry answers (SQLite), and the `CachedSource` that puts it in front
of any other source.

Answers, not HTTP responses, are cached: `Work` values as JSON, keyed by what was asked
(`("doi", doi)`, `("search", query, rows)`, `("pmid", pmid)`, `("citation", line)`, …), each
source's keys apart from the others' (`cache_namespace`: a DOI is a different question at
Crossref and at DataCite; Crossref's keys are unprefixed, as they always were). A source's "not
mine to answer" (NotCovered) and small values such as a DOI prefix's agency are kept too. Found
works are kept 30 days, "not found" and "not mine" 1 day (a DOI registered this morning should
not stay missing for a month); failures are never kept, because "could not verify" must be asked
again next time. Nothing about the caller (token, e-mail, API key) is ever written.

The database lives in the user's cache directory and may be shared by several processes (an
editor plugin and a CI run, or parallel test workers): WAL mode lets readers and one writer
proceed together, and a busy timeout makes writers queue instead of failing with "database is
locked". Two processes opening a NEW cache at the same moment race to create it and switch it to
WAL, and SQLite reports that race at once ("database is locked", no busy wait): the first open
is retried with jittered pauses, and if the file stays locked (or cannot be created) the
caller runs uncached with a note (`CacheUnavailable`). A file that is not a readable database
(truncated, overwritten) is renamed aside with a warning and rebuilt: a cache is never worth
failing an audit for, so runtime errors of the cache are logged and treated as misses.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from citecheck.model import Name, Reference, Update, Work
from citecheck.references.doi import normalize_doi
from citecheck.sources.base import CacheKey, Coverage, Fresh, Keep, NotAsked, NotCovered, WorkSource, coverage_of

log = logging.getLogger(__name__)

DAY = 86400.0
FOUND_TTL = 30 * DAY
"""How long a found work is trusted."""
MISSING_TTL = 1 * DAY
"""How long "not found" is trusted."""
_SCHEMA_VERSION = "1"
_BUSY_TIMEOUT_MS = 30_000


def default_cache_path() -> Path:
    """`<user cache dir>/citecheck/answers.sqlite3` (platformdirs)."""
    return Path(platformdirs.user_cache_dir("citecheck")) / "answers.sqlite3"


def doi_key(doi: str) -> CacheKey:
    """The cache key of a DOI lookup."""
    return ("doi", normalize_doi(doi))


def search_key(query: str, rows: int) -> CacheKey:
    """The cache key of a search: whitespace collapsed and case folded (Crossref ignores both)."""
    return ("search", " ".join(query.split()).casefold(), rows)


def pmid_key(pmid: str) -> CacheKey:
    """The cache key of a PMID lookup."""
    return ("pmid", pmid.strip())


def pmcid_key(pmcid: str) -> CacheKey:
    """The cache key of a PMCID lookup (upper case, with its `PMC`)."""
    return ("pmcid", pmcid.strip().upper())


# --- Work <-> JSON ------------------------------------------------------------------------------

_NESTED: dict[str, type] = {"authors": Name, "updated_by": Update, "update_to": Update}


def work_to_json(work: Work) -> str:
    """A `Work` as compact JSON (nested names and updates as objects)."""
    return json.dumps(dataclasses.asdict(work), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _build(cls: type, data: Any) -> Any:
    """A dataclass from a dict, ignoring keys it does not know (written by a newer version)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def work_from_json(text: str) -> Work:
    """The `Work` that `work_to_json` wrote. Fields missing from older entries take defaults."""
    return _work_from_data(json.loads(text))


def _work_from_data(data: dict[str, Any]) -> Work:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Work):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in _NESTED:
            value = tuple(_build(_NESTED[f.name], item) for item in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return Work(**values)


# --- the store ----------------------------------------------------------------------------------


class CacheUnavailable(Exception):
    """The answer cache could not be opened (locked past every retry, or not writable): the run
    goes on without it (`citecheck.sources.setup` says so in a note)."""


_OPEN_PATIENCE = 15.0
"""Seconds to keep retrying a locked first open before running uncached."""

_T = TypeVar("_T")


def _is_lock(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _patiently(action: Callable[[], _T], what: str, patience: float | None = None) -> _T:
    """`action()`, retried with growing, jittered pauses while SQLite says the file is locked
    (for `patience` seconds, `_OPEN_PATIENCE` when not given: read at call time, so that it
    can be set for a process, or a test)."""
    deadline = time.monotonic() + (_OPEN_PATIENCE if patience is None else patience)
    pause = 0.02
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _is_lock(exc) or time.monotonic() + pause > deadline:
                raise
            log.debug("%s: %s; retrying in %.2f s", what, exc, pause)
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)


@dataclasses.dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A fresh stored answer."""

    works: tuple[Work, ...]
    """The works answered; empty means "not found" (or a search with no candidates)."""
    stored_at: float
    """When it was stored (the cache's clock, seconds since the epoch)."""


class AnswerCache:
    """SQLite store of answers with per-outcome TTLs. Thread-safe (one connection per thread)."""

    def __init__(
        self,
        path: Path | str | None = None,
        found_ttl: float = FOUND_TTL,
        missing_ttl: float = MISSING_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        """The database file."""
        self.found_ttl = found_ttl
        self.missing_ttl = missing_ttl
        self._clock = clock
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._open_checked()

    # --- connections ----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: autocommit; each put is one short implicit transaction, so the
        # write lock is held for microseconds and other processes wait (busy_timeout) briefly.
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            # Switching to WAL takes an exclusive lock and SQLite answers "database is locked"
            # AT ONCE, without the busy timeout, when another process opens the new file at the
            # same moment: retried here (`_patiently`).
            _patiently(lambda: conn.execute("PRAGMA journal_mode=WAL"), "switching the answer cache to WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable enough for a cache
        except BaseException:
            conn.close()
            raise
        return conn

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS answers ("
            " key TEXT PRIMARY KEY, found INTEGER NOT NULL, payload TEXT NOT NULL, stored_at REAL NOT NULL)"
        )
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))

    def _open_checked(self) -> None:
        """Open, verify and set up the file; move it aside and start afresh if it is unusable.

        A first open that races another process's (both creating the file, one switching it to
        WAL) is retried; if the file stays locked, `CacheUnavailable` says so and the caller
        runs without the cache.
        """
        try:
            _patiently(self._open_once, "opening the answer cache")
        except sqlite3.OperationalError as exc:
            raise CacheUnavailable(f"{self.path}: {exc}") from exc

    def _open_once(self) -> None:
        """One attempt of `_open_checked`."""
        try:
            conn = self._connect()
            check = conn.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {check}")
            self._create_schema(conn)
            version = conn.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            if version is None or version[0] != _SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"unknown cache schema {version}")
        except sqlite3.OperationalError as exc:
            if _is_lock(exc):
                self._close_all()
                raise  # another process holds it: not corruption (retried by `_open_checked`)
            self._move_aside(exc)
            conn = self._connect()
            self._create_schema(conn)
        except sqlite3.DatabaseError as exc:
            self._move_aside(exc)
            conn = self._connect()
            self._create_schema(conn)
        self._remember(conn)

    def _move_aside(self, exc: Exception) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        log.warning("answer cache %s is unusable (%s); moved aside to %s and rebuilt", self.path, exc, aside.name)
        self._close_all()
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                # The WAL must go with its database: replayed onto a fresh file it would corrupt it.
                part.replace(Path(f"{aside}{suffix}"))

    def _remember(self, conn: sqlite3.Connection) -> None:
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._remember(conn)
        return conn

    def _close_all(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def close(self) -> None:
        """Close every connection this cache opened."""
        self._close_all()

    # --- answers --------------------------------------------------------------------------------

    @staticmethod
    def _key_text(key: CacheKey) -> str:
        return json.dumps(list(key), ensure_ascii=False)

    def _fresh_row(self, key: CacheKey) -> tuple[str, float] | None:
        """The stored (payload, stored_at) for `key` if it is still fresh, else None (a read
        that fails is logged and counts as nothing stored: the source is asked)."""
        try:
            row = self._conn().execute(
                "SELECT found, payload, stored_at FROM answers WHERE key = ?", (self._key_text(key),)
            ).fetchone()
        except sqlite3.Error as exc:
            log.warning("answer cache read failed (%s); asking the source", exc)
            return None
        if row is None:
            return None
        found, payload, stored_at = row
        if self._clock() - stored_at >= (self.found_ttl if found else self.missing_ttl):
            return None
        return payload, stored_at

    def get(self, key: CacheKey) -> CachedAnswer | None:
        """The stored answer for `key` if it is still fresh, else None."""
        fresh = self._fresh_row(key)
        if fresh is None:
            return None
        payload, stored_at = fresh
        try:
            works = tuple(_work_from_data(item) for item in json.loads(payload))
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("answer cache entry unreadable (%s); asking the source", exc)
            return None
        return CachedAnswer(works=works, stored_at=stored_at)

    def get_value(self, key: CacheKey) -> Any:
        """A stored JSON value (not works: e.g. a DOI prefix's agency) if still fresh, else None."""
        fresh = self._fresh_row(key)
        if fresh is None:
            return None
        try:
            return json.loads(fresh[0])
        except ValueError:
            return None

    def put_value(self, key: CacheKey, value: Any, found: bool = True) -> None:
        """Store a JSON value; `found=False` gives it the short "not found" lifetime."""
        try:
            self._conn().execute(
                "INSERT OR REPLACE INTO answers (key, found, payload, stored_at) VALUES (?, ?, ?, ?)",
                (self._key_text(key), 1 if found else 0, json.dumps(value, ensure_ascii=False), self._clock()),
            )
        except sqlite3.Error as exc:
            log.warning("answer cache write failed (%s); answer not kept", exc)

    def put(self, key: CacheKey, works: Sequence[Work]) -> None:
        """Store an answer: the works found, or none for "not found". Never call it for failures."""
        payload = json.dumps([dataclasses.asdict(w) for w in works], ensure_ascii=False, separators=(",", ":"))
        try:
            self._conn().execute(
                "INSERT OR REPLACE INTO answers (key, found, payload, stored_at) VALUES (?, ?, ?, ?)",
                (self._key_text(key), 1 if works else 0, payload, self._clock()),
            )
        except sqlite3.Error as exc:
            log.warning("answer cache write failed (%s); answer not kept", exc)


class CachedSource:
    """A source that answers from an `AnswerCache` first and stores what `inner` answers.

    Every kind of question a source may answer is cached per question: a DOI, a PMID, a PMCID, a
    search, a reference's citation-matcher candidates. `refresh=True` ignores stored answers (but
    stores the new ones). Failures (SourceUnavailable) and questions outside the source's
    coverage (NotCovered) pass through and are never stored. Works served from the cache keep
    the registry's name as their `source` and say in `cached_on` when they were stored, so a
    finding reads the same whether its record was asked today or last week.

    With `offline=True` the inner source is never asked: a question the cache cannot answer is
    NotCovered ("offline, nothing cached"), which leaves the reference unchecked rather than
    accused.
    """

    remote = True
    """A network source (behind its cache): batched, and asked after local sources."""

    def __init__(self, inner: WorkSource, cache: AnswerCache, refresh: bool = False, offline: bool = False) -> None:
        self.inner = inner
        self.cache = cache
        self.refresh = refresh
        self.offline = offline
        self.name = inner.name
        # A DOI is a different question at Crossref and at DataCite: sources other than Crossref
        # keep their answers under their own prefix (`cache_namespace`). Crossref's keep the
        # keys they always had, so existing caches stay valid.
        namespace = str(getattr(inner, "cache_namespace", "") or "")
        self._namespace: tuple[str, ...] = (namespace,) if namespace else ()
        self._kept: set[CacheKey] = set()  # answers fetched ahead this run (and stored)

    @property
    def unreachable(self) -> bool:
        """True when the wrapped source found its service unreachable (so the run can say so once)."""
        return bool(getattr(self.inner, "unreachable", False))

    @property
    def coverage(self) -> Coverage:
        """What part of its registry the wrapped source holds (the cache adds nothing)."""
        return coverage_of(self.inner)

    def offers(self, method: str) -> bool:
        """True when the wrapped source offers `method` (`lookup_pmid`, `candidates_for`, …)."""
        return hasattr(self.inner, method)

    def key(self, key: CacheKey) -> CacheKey:
        """`key` in this source's namespace."""
        return self._namespace + tuple(key)

    def fresh(self, key: CacheKey) -> bool:
        """True when a fresh answer (or "not covered") for `key` is stored in this source's namespace."""
        if self.refresh:
            return False
        return self.cache.get(self.key(key)) is not None or self.cache.get_value(self._declined(key)) is not None

    def _declined(self, key: CacheKey) -> CacheKey:
        """Where the source's "not covered" for `key` is kept (apart from its answers)."""
        return self.key(key) + ("not-covered",)

    def _stored(self, key: CacheKey) -> tuple[Work, ...] | None:
        if self.refresh:
            return None
        hit = self.cache.get(self.key(key))
        if hit is None:
            return None
        day = time.strftime("%Y-%m-%d", time.gmtime(hit.stored_at))
        return tuple(
            dataclasses.replace(w, source=w.source if w.source not in ("", "cache") else self.name, cached_on=day)
            for w in hit.works
        )

    def _ask(self, key: CacheKey, what: str, ask: Callable[[], Sequence[Work]]) -> tuple[Work, ...]:
        if self.key(key) in self._kept:
            # Fetched ahead this run and already stored: the source hands it out from memory, as
            # an answer of this run (not a cached one), and nothing is written twice.
            return tuple(ask())
        stored = self._stored(key)
        if stored is not None:
            return stored
        if not self.refresh:
            declined = self.cache.get_value(self._declined(key))
            if isinstance(declined, str):
                raise NotCovered(declined)
        if self.offline:
            raise NotAsked(f"{self.name}: offline, and no cached answer for {what}")
        try:
            works = tuple(ask())
        except NotCovered as why:
            # "Not mine to answer" (another agency's DOI, a journal PubMed does not index) is an
            # answer too: kept for the short lifetime, so the next run need not ask again.
            self.cache.put_value(self._declined(key), str(why), found=False)
            raise
        self.cache.put(self.key(key), works)
        return works

    def lookup_doi(self, doi: str) -> Work | None:
        """The work with this DOI, from the cache when fresh, else from `inner`."""
        def ask() -> list[Work]:
            work = self.inner.lookup_doi(doi)
            return [work] if work is not None else []

        found = self._ask(doi_key(doi), f"DOI {normalize_doi(doi)}", ask)
        return found[0] if found else None

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Candidates for the query, from the cache when fresh, else from `inner`."""
        return list(self._ask(search_key(query, rows), "this search", lambda: self.inner.search(query, rows)))

    def candidates_for(self, reference: Reference) -> list[Work]:
        """The inner source's citation-matcher candidates for the reference, from the cache when
        fresh (only for a source that has a matcher: see `offers`)."""
        matcher = getattr(self.inner, "candidates_for", None)
        if matcher is None:
            raise NotCovered(f"{self.name}: no citation matcher")
        key = self.inner.candidates_key(reference)  # type: ignore[attr-defined]
        if key is None:
            return list(matcher(reference))  # raises NotCovered: nothing to ask, nothing to keep
        return list(self._ask(key, "this reference", lambda: matcher(reference)))

    def lookup_pmid(self, pmid: str) -> Work | None:
        """The work with this PMID, from the cache when fresh, else from `inner`."""
        return self._identifier("lookup_pmid", pmid_key(pmid), f"PMID {pmid}", pmid)

    def lookup_pmcid(self, pmcid: str) -> Work | None:
        """The work with this PMCID, from the cache when fresh, else from `inner`."""
        return self._identifier("lookup_pmcid", pmcid_key(pmcid), f"PMCID {pmcid}", pmcid)

    def _identifier(self, method: str, key: CacheKey, what: str, value: str) -> Work | None:
        look = getattr(self.inner, method, None)
        if look is None:
            raise NotCovered(f"{self.name}: no {what.split()[0]} lookups")

        def ask() -> list[Work]:
            work = look(value)
            return [work] if work is not None else []

        found = self._ask(key, what, ask)
        return found[0] if found else None

    def prefetch(self, references: Sequence[Reference], fresh: Fresh | None = None, keep: Keep | None = None) -> None:
        """Let the inner source fetch in batches what is not cached yet, and keep every answer it
        got (nothing when offline)."""
        prefetch = getattr(self.inner, "prefetch", None)
        if prefetch is None or self.offline:
            return
        prefetch(references, self.fresh, self.keep)

    def keep(self, key: CacheKey, answer: Sequence[Work] | NotCovered) -> None:
        """Store an answer the inner source fetched ahead (works, or why it cannot answer)."""
        if isinstance(answer, NotCovered):
            self.cache.put_value(self._declined(key), str(answer), found=False)
        else:
            self.cache.put(self.key(key), list(answer))
            self._kept.add(self.key(key))
