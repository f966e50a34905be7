"""Answering from a snapshot: opening, DOI lookup, blocking-key candidates, bounded search."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from citecheck.sources.base import SourceUnavailable, WorkSource
from citecheck.sources.snapshot import SnapshotError, SnapshotSource, build_snapshot, default_snapshot, query_terms
from tests.sources.snapshot.records import GLUTTON, SYNTHETIC, jsonl, write


@pytest.fixture(scope="module")
def glutton(tmp_path_factory: pytest.TempPathFactory) -> SnapshotSource:
    """A file snapshot of the 40 biblio-glutton fixture records plus the synthetic ones."""
    tmp = tmp_path_factory.mktemp("glutton")
    real = write(tmp / "glutton.jsonl", jsonl(GLUTTON), compress=False)
    extra = write(tmp / "synthetic.jsonl.gz", jsonl(SYNTHETIC))
    output = tmp / "glutton.sqlite"
    build_snapshot([real, extra], output, workers=0)
    return SnapshotSource(output, name="glutton")


def _sqlite_without_meta(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE other (x)")
    conn.commit()
    conn.close()


def _sqlite_with(rows: list[tuple[str, str]]) -> Any:
    def make(path: Path) -> None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        conn.executemany("INSERT INTO meta VALUES (?, ?)", rows)
        conn.commit()
        conn.close()

    return make


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(None, "no such snapshot file", id="missing-file"),
        pytest.param(lambda p: p.write_text("DOI,title\n10.5555/x,Nothing\n"), "not a citecheck snapshot", id="text-file"),
        pytest.param(lambda p: p.write_bytes(b""), "not a citecheck snapshot", id="empty-file"),
        pytest.param(_sqlite_without_meta, "not a citecheck snapshot", id="other-sqlite-database"),
        pytest.param(_sqlite_with([("format", "something-else")]), "not a citecheck snapshot", id="wrong-format-marker"),
        pytest.param(_sqlite_with([("format", "citecheck-snapshot"), ("version", "1")]), "version 1 is not supported",
                     id="format-version-1"),
        pytest.param(lambda p: p.mkdir(), "no such snapshot file", id="directory"),
    ],
)
def test_not_a_snapshot_raises_snapshot_error(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "candidate.sqlite"
    if make is not None:
        make(path)
    with pytest.raises(SnapshotError) as error:
        SnapshotSource(path)
    assert "\n" not in str(error.value) and message in str(error.value)


def test_snapshot_is_a_work_source(glutton: SnapshotSource) -> None:
    assert isinstance(glutton, WorkSource)
    assert isinstance(default_snapshot(), WorkSource)
    assert len(glutton) == 43 and glutton.name == "snapshot:glutton"


@pytest.mark.parametrize(
    ("doi", "title"),
    [
        pytest.param("10.5555/synthetic.1", "A synthetic title about glass frogs", id="exact"),
        pytest.param("https://doi.org/10.5555/SYNTHETIC.2", "Another synthetic study of tree frogs", id="url-uppercase"),
        pytest.param("doi:10.5555/synthetic.3.", "Synthetic measurements of German rivers", id="prefix-trailing-dot"),
        # Record from records-dev (biblio-glutton): a DOI with parentheses.
        pytest.param("10.1016/S0016-5107(74)73914-1", "Endoscopic sphincterotomy of the ampulla of Vater", id="parentheses"),
        pytest.param("10.5555/synthetic.404", None, id="unknown"),
        pytest.param("", None, id="empty"),
        pytest.param("not a doi", None, id="garbage"),
    ],
)
def test_lookup_doi(glutton: SnapshotSource, doi: str, title: str | None) -> None:
    work = glutton.lookup_doi(doi)
    if title is None:
        assert work is None
    else:
        assert work is not None and work.title == title
        assert work.source == "snapshot:glutton"


# Real reference strings (biblio-glutton refs-dev, see tests/fixtures/matching_README.md).
CLASSEN = ("Classen M, Demling L. Endoskopishe shinkterotomie der papilla \nVateri und Stein extraction aus dem "
           "Duktus Choledochus [Ger-\nman]. Dtsch Med Wochenschr. 1974;99:496-7.")
IKEDA = ("Ikeda S, Tanaka M, Matsumoto S, Yoshimoto H, Itoh H. Endo-\nscopic sphincterotomy: Long-term results "
         "in 408 patients with \ncomplete follow-up. Endoscopy. 1988;20:13-7.")
GERKE = "Gerke H, Baillie J. To cut or stretch? Am J Gastroenterol. \n2004;99:1461-3."


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        pytest.param(CLASSEN, "10.1055/s-0028-1107790", id="hyphenated-line-break"),
        pytest.param(IKEDA, "10.1055/s-2007-1018117", id="split-word"),
        pytest.param(GERKE, "10.1111/j.1572-0241.2004.40358.x", id="short-title-by-author-and-locator"),
        pytest.param("Muller A. Synthetic measurements of German rivers. J Test 13:301", "10.5555/synthetic.3",
                     id="diacritics-folded"),
    ],
)
def test_candidates_by_keys_put_the_record_first(glutton: SnapshotSource, raw: str, doi: str) -> None:
    found = glutton.candidates({}, raw)
    assert found and found[0].doi == doi


def test_candidates_use_the_parsed_fields_too(glutton: SnapshotSource) -> None:
    # Nothing in the raw string is a key; the parsed title and locator are.
    csl = {"title": "A synthetic title about glass frogs", "author": [{"family": "Smith"}], "volume": "11", "page": "101"}
    assert [w.doi for w in glutton.candidates(csl, "see the frogs paper")][:1] == ["10.5555/synthetic.1"]
    assert glutton.candidates({}, "see the frogs paper") == []


@pytest.mark.parametrize(
    ("query", "doi"),
    [
        pytest.param(CLASSEN, "10.1055/s-0028-1107790", id="hyphenated-line-break"),
        pytest.param(IKEDA, "10.1055/s-2007-1018117", id="split-word"),
        pytest.param(GERKE, "10.1111/j.1572-0241.2004.40358.x", id="short-title"),
        pytest.param("SMITH (2019) glass FROGS, synthetic", "10.5555/synthetic.1", id="case-and-order"),
        pytest.param("Muller A. Synthetic measurements of German rivers. J Test 13:301", "10.5555/synthetic.3",
                     id="diacritics-folded"),
    ],
)
def test_search_finds_the_record_first(glutton: SnapshotSource, query: str, doi: str) -> None:
    results = glutton.search(query, rows=5)
    assert results and results[0].doi == doi
    assert len(results) <= 5


@pytest.mark.parametrize(
    ("query", "rows", "expected"),
    [
        pytest.param("", 5, 0, id="empty"),
        pytest.param("the of and et al.", 5, 0, id="stop-words-only"),
        pytest.param('" OR NEAR( * ^ -', 5, 0, id="fts-syntax-is-quoted-away"),
        pytest.param("zzzunknownword qqqnothing", 5, 0, id="no-hit"),
        pytest.param("synthetic", 2, 2, id="rows-caps-results"),
        pytest.param("synthetic", 0, 0, id="zero-rows"),
        pytest.param("frogs zzzunknownword", 5, 2, id="one-known-word-alone"),
    ],
)
def test_search_edge_cases(glutton: SnapshotSource, query: str, rows: int, expected: int) -> None:
    assert len(glutton.search(query, rows=rows)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("Ger-\nman", ["german", "ger", "man"], id="both-readings-of-a-break"),
        pytest.param("Welters MJ, Kenter GG. Title words", ["welters", "kenter", "title", "words"], id="initials-dropped"),
        pytest.param("The effect of x on y", ["effect"], id="stop-words-and-single-letters"),
        pytest.param("496-7 1974;99", ["496", "1974", "99"], id="numbers"),
    ],
)
def test_query_terms(query: str, expected: list[str]) -> None:
    assert query_terms(query) == expected


def test_from_records_in_memory_and_wrappers() -> None:
    snapshot = SnapshotSource.from_records([{"message": SYNTHETIC[0]}, SYNTHETIC[1], {"no": "doi"}, "junk", SYNTHETIC[0]],
                                           name="mem")
    assert len(snapshot) == 2
    assert snapshot.name == "snapshot:mem"
    work = snapshot.lookup_doi("10.5555/synthetic.1")
    assert work is not None and work.source == "snapshot:mem" and work.volume == "11"
    assert not snapshot.coverage.complete


@pytest.mark.parametrize(
    ("doi", "unverified"),
    [
        # The shipped records (../shared/records/trial-papers.jsonl): DOI single-source, issue unverified.
        pytest.param("10.1200/jco.2010.28.0982", ("DOI", "issue"), id="ribbon-1"),
        pytest.param("10.1056/nejmoa072113", (), id="e2100"),
        pytest.param("10.1200/jco.2007.14.4659", ("DOI", "authors"), id="eortc"),
    ],
)
def test_default_snapshot_keeps_provenance(doi: str, unverified: tuple[str, ...]) -> None:
    snapshot = default_snapshot()
    assert snapshot.name == "snapshot:citecheck-default" and len(snapshot) == 3
    assert not snapshot.coverage.complete and "three" in snapshot.coverage.description
    work = snapshot.lookup_doi(doi)
    assert work is not None
    assert "not a live Crossref response" in work.provenance
    assert set(unverified) <= set(work.unverified_fields)


def test_stored_work_keeps_what_citecheck_reads(tmp_path: Path) -> None:
    # A record with everything citecheck reads, and bulk it never reads.
    record = {**SYNTHETIC[0], "subtitle": ["a subtitle"], "published-online": {"date-parts": [[2018, 5]]}, "issue": "4",
              "updated-by": [{"type": "retraction", "DOI": "10.5555/notice.1", "source": "retraction-watch",
                              "updated": {"date-parts": [[2020, 1, 2]]}}],
              "author": [{"family": "Smith", "given": "A."}, {"name": "The Frog Consortium"}],
              "abstract": "<jats:p>Long abstract</jats:p>", "reference": [{"key": "r1"}], "funder": [{"name": "x"}]}
    snapshot = SnapshotSource.from_records([record], name="full")
    work = snapshot.lookup_doi("10.5555/synthetic.1")
    assert work is not None
    assert work.title == "A synthetic title about glass frogs: a subtitle"
    assert (work.year, work.other_years, work.issue) == (2019, (2018,), "4")
    assert [a.display() for a in work.authors] == ["Smith, A.", "The Frog Consortium"]
    assert [(u.kind, u.doi, u.date, u.source) for u in work.updated_by] == [
        ("retraction", "10.5555/notice.1", "2020-01-02", "retraction-watch")]
    assert work.abstract == ""  # never read by the checks: not stored


def test_closed_snapshot_raises_source_unavailable() -> None:
    snapshot = SnapshotSource.from_records(SYNTHETIC, name="closing")
    snapshot.close()
    with pytest.raises(SourceUnavailable):
        snapshot.lookup_doi("10.5555/synthetic.1")
    with pytest.raises(SourceUnavailable):
        snapshot.search("synthetic frogs")
    with pytest.raises(SourceUnavailable):
        snapshot.candidates({}, "Smith A. A synthetic title about glass frogs. J Test. 2019;11:101-10.")
