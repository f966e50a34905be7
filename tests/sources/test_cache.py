"""The answer cache: Work JSON round trip, TTLs, CachedSource behaviour, corrupt files, and
concurrent writers."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from citecheck.model import Name, Update, Work
from citecheck.sources.base import SourceUnavailable, WorkSource
from citecheck.sources.cache import (
    DAY,
    AnswerCache,
    CachedSource,
    doi_key,
    search_key,
    work_from_json,
    work_to_json,
)
from citecheck.sources.crossref import CrossrefSource
from citecheck.sources.memory import InMemorySource
from citecheck.sources.pacing import POLITE, Pacer
from citecheck.sources.records import work_from_record
from tests.crossref_server import CrossrefServer, load_fixture, works_from_fixtures

# The recorded reply for 10.1371/journal.pone.0033693 (tests/fixtures/crossref/), with its correction.
RECORDED = work_from_record(load_fixture("test_works_with_one_id__0__200.json")["message"], source="crossref")
# Obviously synthetic works on Crossref's test prefix.
SYNTHETIC = Work(
    doi="10.5555/synthetic.1",
    title="A synthetic title",
    authors=(Name(family="Smith", given="J."), Name(literal="Synthetic Consortium")),
    year=2019,
    other_years=(2018,),
    issn=("0000-0000",),
    updated_by=(Update(kind="retraction", doi="10.5555/synthetic.2", date="2020-01-02", source="publisher"),),
    source="memory",
)
OTHER = Work(doi="10.5555/synthetic.3", title="Another synthetic title", source="memory")


class Clock:
    """A settable wall clock."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "work",
    [
        pytest.param(RECORDED, id="recorded-crossref-work"),
        pytest.param(SYNTHETIC, id="names-and-updates"),
        pytest.param(Work(doi="10.5555/bare"), id="defaults-only"),
    ],
)
def test_work_json_round_trip(work: Work) -> None:
    assert work_from_json(work_to_json(work)) == work


def test_work_json_tolerates_unknown_and_missing_fields() -> None:
    text = '{"doi": "10.5555/x", "title": "T", "a_field_from_the_future": 1, "authors": [{"family": "Smith", "nick": "J"}]}'
    assert work_from_json(text) == Work(doi="10.5555/x", title="T", authors=(Name(family="Smith"),))


@pytest.mark.parametrize(
    ("works", "age_days", "fresh"),
    [
        pytest.param([SYNTHETIC], 0, True, id="found-just-now"),
        pytest.param([SYNTHETIC], 29.9, True, id="found-29.9-days"),
        pytest.param([SYNTHETIC], 30, False, id="found-30-days-expired"),
        pytest.param([], 0.9, True, id="not-found-0.9-days"),
        pytest.param([], 1, False, id="not-found-1-day-expired"),
        pytest.param([SYNTHETIC, OTHER], 10, True, id="search-list-10-days"),
    ],
)
def test_ttls(tmp_path: Path, works: list[Work], age_days: float, fresh: bool) -> None:
    clock = Clock()
    cache = AnswerCache(tmp_path / "answers.sqlite3", clock=clock)
    cache.put(("search", "q", 5), works)
    clock.now += age_days * DAY
    hit = cache.get(("search", "q", 5))
    assert (hit is not None) is fresh
    if hit is not None:
        assert list(hit.works) == works


def test_custom_ttls_and_persistence(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "nested" / "answers.sqlite3"
    AnswerCache(path, found_ttl=10, missing_ttl=5, clock=clock).put(doi_key(SYNTHETIC.doi), [SYNTHETIC])
    clock.now += 9
    reopened = AnswerCache(path, found_ttl=10, missing_ttl=5, clock=clock)
    assert reopened.get(doi_key(SYNTHETIC.doi.upper())) is not None
    clock.now += 1
    assert reopened.get(doi_key(SYNTHETIC.doi)) is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(search_key("Smith  J. A synthetic\ttitle", 5), search_key("smith j. a synthetic title", 5), True, id="spaces-case"),
        pytest.param(search_key("a synthetic title", 5), search_key("a synthetic title", 1), False, id="rows-differ"),
        pytest.param(doi_key("https://doi.org/10.5555/ABC"), doi_key("10.5555/abc"), True, id="doi-normalised"),
    ],
)
def test_keys(a: tuple, b: tuple, same: bool) -> None:
    assert (a == b) is same


def test_cached_source_asks_once_then_answers_from_cache(tmp_path: Path) -> None:
    inner = InMemorySource([SYNTHETIC, OTHER])
    source = CachedSource(inner, AnswerCache(tmp_path / "c.sqlite3"))
    assert isinstance(source, WorkSource)
    assert source.lookup_doi(SYNTHETIC.doi) == SYNTHETIC
    assert source.lookup_doi("10.5555/absent") is None
    assert source.search("synthetic title smith") == [SYNTHETIC, OTHER]
    calls = list(inner.calls)
    again = source.lookup_doi(SYNTHETIC.doi)
    assert source.lookup_doi("10.5555/absent") is None
    source.search("Synthetic  title smith")
    assert inner.calls == calls  # nothing more was asked
    # A cached answer still names the registry that gave it, and says when it was stored.
    assert again is not None and again.source == "memory" and again.cached_on and not again.provenance
    assert (again.doi, again.title, again.authors, again.updated_by) == (
        SYNTHETIC.doi, SYNTHETIC.title, SYNTHETIC.authors, SYNTHETIC.updated_by
    )


def test_refresh_ignores_stored_answers_but_stores_new_ones(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c.sqlite3")
    cache.put(doi_key(SYNTHETIC.doi), [])  # stored "not found"
    inner = InMemorySource([SYNTHETIC])
    assert CachedSource(inner, cache, refresh=True).lookup_doi(SYNTHETIC.doi) == SYNTHETIC
    assert inner.calls == [("lookup_doi", SYNTHETIC.doi)]
    hit = cache.get(doi_key(SYNTHETIC.doi))
    assert hit is not None and hit.works == (SYNTHETIC,)


@pytest.mark.parametrize("method", [pytest.param("lookup_doi", id="lookup"), pytest.param("search", id="search")])
def test_failures_are_never_stored(tmp_path: Path, method: str) -> None:
    cache = AnswerCache(tmp_path / "c.sqlite3")
    failing = CachedSource(InMemorySource([SYNTHETIC], fail=True), cache)
    with pytest.raises(SourceUnavailable):
        getattr(failing, method)(SYNTHETIC.doi if method == "lookup_doi" else "a synthetic title")
    working = InMemorySource([SYNTHETIC])
    getattr(CachedSource(working, cache), method)(SYNTHETIC.doi if method == "lookup_doi" else "a synthetic title")
    assert len(working.calls) == 1  # the failure left nothing behind to answer from


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"this is not a database at all" * 100), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:1500]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:100] + b"\x00" * 4000 + p.read_bytes()[4100:]), id="zeroed-pages"),
    ],
)
def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture, damage) -> None:
    path = tmp_path / "answers.sqlite3"
    cache = AnswerCache(path)
    for i in range(50):
        cache.put(("search", f"synthetic query {i}", 5), [SYNTHETIC, OTHER])
    cache.close()
    with sqlite3.connect(path) as conn:  # fold the WAL in so the damage hits real pages
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage(path)
    with caplog.at_level(logging.WARNING, logger="citecheck.sources.cache"):
        rebuilt = AnswerCache(path)
    assert "moved aside" in caplog.text
    assert len(list(tmp_path.glob("answers.sqlite3.corrupt-*"))) >= 1
    assert rebuilt.get(("search", "synthetic query 1", 5)) is None
    rebuilt.put(doi_key(SYNTHETIC.doi), [SYNTHETIC])
    assert rebuilt.get(doi_key(SYNTHETIC.doi)) is not None


def _writer(path: str, prefix: str, count: int) -> None:
    cache = AnswerCache(path)
    for i in range(count):
        cache.put(("doi", f"10.5555/{prefix}.{i}"), [Work(doi=f"10.5555/{prefix}.{i}")])
        cache.get(("doi", f"10.5555/{prefix}.{i // 2}"))


def test_two_processes_write_one_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = str(tmp_path / "shared.sqlite3")
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_writer, args=(path, name, 150)) for name in ("a", "b")]
    with caplog.at_level(logging.WARNING):
        for process in processes:
            process.start()
        _writer(path, "c", 150)  # and this process at the same time
        for process in processes:
            process.join(30)
    assert [p.exitcode for p in processes] == [0, 0]
    cache = AnswerCache(path)
    missing = [
        f"{name}.{i}" for name in "abc" for i in range(150) if cache.get(("doi", f"10.5555/{name}.{i}")) is None
    ]
    assert missing == []  # a "database is locked" would have lost writes
    assert "locked" not in caplog.text


def test_credentials_never_reach_the_cache(tmp_path: Path) -> None:
    token, mailto = "synthetic-plus-token-1111", "synthetic.user@example.org"
    works = works_from_fixtures(["test_works_with_one_id__0__200.json"])
    with CrossrefServer(works, search=load_fixture("test_works_query__0__200.json")["message"]["items"]) as server:
        crossref = CrossrefSource(base_url=server.base_url, mailto=mailto, token=token, pacer=Pacer(POLITE))
        source = CachedSource(crossref, AnswerCache(tmp_path / "c.sqlite3"))
        assert source.lookup_doi(RECORDED.doi) == RECORDED
        assert source.lookup_doi("10.1371/notarealdoi") is None
        assert len(source.search("ecology")) == 2
        assert source.lookup_doi(RECORDED.doi) is not None
        assert len(server.requests) == 3
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert RECORDED.title.encode() in stored
    assert token.encode() not in stored and mailto.encode() not in stored


# --- issue 11: a new cache opened by two processes at once ------------------------------------
# SQLite answers "database is locked" AT ONCE, without the busy timeout, when two connections
# switch a new file to WAL together (measured before the fix: 4 failed rounds in 300 here, 3 in 60
# with two processes). Threads in one process meet the same race, many rounds in a second.


def test_two_connections_opening_a_new_cache_at_once(tmp_path: Path) -> None:
    import threading

    failures: list[str] = []

    def open_cache(path: Path, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            cache = AnswerCache(path)
            cache.put(doi_key(SYNTHETIC.doi), [SYNTHETIC])
            cache.close()
        except Exception as error:  # noqa: BLE001 - any failure is the test's finding
            failures.append(f"{type(error).__name__}: {error}")

    for round_number in range(300):
        path = tmp_path / f"round{round_number}" / "answers.sqlite3"
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=open_cache, args=(path, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []


def test_a_cache_that_stays_locked_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import citecheck.sources.cache as cache_module
    from citecheck.sources.cache import CacheUnavailable

    path = tmp_path / "answers.sqlite3"
    calls: list[int] = []

    def always_locked(self: AnswerCache) -> None:
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(AnswerCache, "_open_once", always_locked)
    monkeypatch.setattr(cache_module, "_OPEN_PATIENCE", 0.3)
    with pytest.raises(CacheUnavailable, match="database is locked"):
        AnswerCache(path)
    assert len(calls) > 1  # retried before giving up


@pytest.mark.parametrize(
    "problem",
    [
        pytest.param("locked", id="stays-locked"),
        pytest.param("not-a-directory", id="cache-dir-is-a-file"),
    ],
)
def test_an_audit_runs_uncached_when_the_cache_cannot_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           problem: str) -> None:
    from citecheck.config.options import AuditOptions
    from citecheck.resolve.setup import build_sources
    from citecheck.sources.cache import CacheUnavailable

    cache_dir = tmp_path / "cache"
    if problem == "locked":
        def unavailable(self: AnswerCache, *args: object, **kwargs: object) -> None:
            raise CacheUnavailable(f"{cache_dir}/answers.sqlite3: database is locked")

        monkeypatch.setattr(AnswerCache, "__init__", unavailable)
    else:
        cache_dir.write_text("a file where the cache directory should be", encoding="utf-8")
    notes: list[str] = []
    sources = build_sources(AuditOptions(cache_dir=cache_dir, default_snapshot=False), notes.append)
    # Every registry asked, none with a CachedSource in front.
    assert [type(s).__name__ for s in sources] == ["CrossrefSource", "PubMedSource", "DataCiteSource"]
    assert any("answer cache could not be opened" in n and "running without it" in n for n in notes), notes


def test_offline_stand_ins_key_answers_as_their_registries_do(tmp_path: Path) -> None:
    """An offline run finds what an online run stored: same names, same cache namespaces, same
    citation-matcher keys."""
    from citecheck.model import Reference
    from citecheck.sources.datacite import DataCiteSource
    from citecheck.sources.offline import NAMESPACES, offline_registry
    from citecheck.sources.pubmed import PubMedSource

    registries = {"crossref": CrossrefSource, "pubmed": PubMedSource, "datacite": DataCiteSource}
    for name, cls in registries.items():
        stand_in = offline_registry(name)
        assert stand_in.name == cls.name == name
        assert stand_in.cache_namespace == getattr(cls, "cache_namespace", "") == NAMESPACES[name]
    reference = Reference(id="1", raw="", csl={"container-title": "Science", "issued": {"date-parts": [[1987]]},
                                               "volume": "235", "page": "182"})
    assert offline_registry("pubmed").candidates_key(reference) == PubMedSource().candidates_key(reference)
