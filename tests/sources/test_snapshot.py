"""Snapshots: building (plain, gzip, wrappers, bad lines), opening, DOI lookup and search.

Synthetic records use Crossref's test prefix 10.5555; real ones come from
tests/fixtures/matching_glutton_*.jsonl (biblio-glutton, Apache-2.0, see matching_README.md)
and from the shipped citecheck/data/trial-papers.jsonl.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from citecheck.sources.base import SourceUnavailable, WorkSource
from citecheck.sources.snapshot import SnapshotError, SnapshotSource, build_snapshot, default_snapshot, query_terms

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _synthetic(n: int, title: str, family: str, journal: str = "J Test", volume: str = "1", page: str = "1-2") -> dict[str, Any]:
    return {
        "DOI": f"10.5555/synthetic.{n}",
        "type": "journal-article",
        "title": [title],
        "author": [{"family": family, "given": "A."}],
        "container-title": [journal],
        "short-container-title": [journal],
        "issued": {"date-parts": [[2019]]},
        "volume": volume,
        "page": page,
    }


SYNTHETIC = [
    _synthetic(1, "A synthetic title about glass frogs", "Smith", volume="11", page="101-110"),
    _synthetic(2, "Another synthetic study of tree frogs", "Jones", volume="12", page="201-210"),
    _synthetic(3, "Synthetic measurements of German rivers", "Müller", volume="13", page="301-310"),
]


def _write(path: Path, lines: list[str], compress: bool) -> Path:
    data = "".join(line + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def _lines(records: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(r) for r in records]


@pytest.mark.parametrize(
    ("lines", "compress", "name", "stored", "bad"),
    [
        pytest.param(_lines(SYNTHETIC), False, "plain.jsonl", 3, 0, id="plain"),
        pytest.param(_lines(SYNTHETIC), True, "packed.jsonl.gz", 3, 0, id="gzip"),
        pytest.param(_lines(SYNTHETIC), True, "misnamed.jsonl", 3, 0, id="gzip-by-magic-not-name"),
        pytest.param([json.dumps({"message": r}) for r in SYNTHETIC], False, "api.jsonl", 3, 0, id="message-wrappers"),
        pytest.param(
            [*_lines(SYNTHETIC[:2]), "{not json", "[1, 2]", json.dumps({"title": ["no DOI"]}), "", '"text"'],
            False,
            "bad.jsonl",
            2,
            4,
            id="bad-lines-skipped",
        ),
        pytest.param(_lines([SYNTHETIC[0], SYNTHETIC[0]]), False, "dup.jsonl", 1, 0, id="duplicate-doi-once"),
        pytest.param([], False, "empty.jsonl", 0, 0, id="empty-file"),
    ],
)
def test_build_snapshot(tmp_path: Path, lines: list[str], compress: bool, name: str, stored: int, bad: int) -> None:
    source_file = _write(tmp_path / name, lines, compress)
    reported: list[tuple[Path, int, str]] = []
    output = tmp_path / "out" / "snap.sqlite"
    count = build_snapshot([source_file], output, on_bad_line=lambda p, n, why: reported.append((p, n, why)))
    assert count == stored
    assert len(reported) == bad
    snapshot = SnapshotSource(output)
    assert len(snapshot) == stored
    assert snapshot.name == "snapshot:snap"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["snap.sqlite"]  # no temporary left


def test_build_snapshot_reports_missing_and_truncated_files(tmp_path: Path) -> None:
    packed = gzip.compress("".join(line + "\n" for line in _lines(SYNTHETIC)).encode())
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(packed[: len(packed) - 12])
    reported: list[str] = []
    count = build_snapshot(
        [tmp_path / "missing.jsonl", truncated], tmp_path / "s.sqlite", on_bad_line=lambda p, n, why: reported.append(p.name)
    )
    assert "missing.jsonl" in reported and "truncated.jsonl.gz" in reported
    assert count <= 3


def test_build_replaces_existing_snapshot_atomically(tmp_path: Path) -> None:
    output = tmp_path / "s.sqlite"
    build_snapshot([_write(tmp_path / "a.jsonl", _lines(SYNTHETIC), False)], output)
    build_snapshot([_write(tmp_path / "b.jsonl", _lines(SYNTHETIC[:1]), False)], output)
    assert len(SnapshotSource(output)) == 1


def _sqlite_without_meta(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE other (x)")
    conn.commit()
    conn.close()


def _sqlite_with_wrong_format(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('format', 'something-else')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(None, id="missing-file"),
        pytest.param(lambda p: p.write_text("DOI,title\n10.5555/x,Nothing\n"), id="text-file"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty-file"),
        pytest.param(_sqlite_without_meta, id="other-sqlite-database"),
        pytest.param(_sqlite_with_wrong_format, id="wrong-format-marker"),
        pytest.param(lambda p: p.mkdir(), id="directory"),
    ],
)
def test_not_a_snapshot_raises_snapshot_error(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "candidate.sqlite"
    if make is not None:
        make(path)
    with pytest.raises(SnapshotError) as error:
        SnapshotSource(path)
    assert "\n" not in str(error.value)


@pytest.fixture(scope="module")
def glutton(tmp_path_factory: pytest.TempPathFactory) -> SnapshotSource:
    """A file snapshot of the 40 biblio-glutton fixture records plus the synthetic ones."""
    tmp = tmp_path_factory.mktemp("glutton")
    extra = _write(tmp / "synthetic.jsonl.gz", _lines(SYNTHETIC), True)
    output = tmp / "glutton.sqlite"
    build_snapshot([FIXTURES / "matching_glutton_records.jsonl", extra], output)
    return SnapshotSource(output, name="glutton")


def test_snapshot_is_a_work_source(glutton: SnapshotSource) -> None:
    assert isinstance(glutton, WorkSource)
    assert isinstance(default_snapshot(), WorkSource)


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


@pytest.mark.parametrize(
    ("query", "doi"),
    [
        # Real reference strings (biblio-glutton refs-dev, see tests/fixtures/matching_README.md).
        pytest.param(
            "Classen M, Demling L. Endoskopishe shinkterotomie der papilla \nVateri und Stein extraction aus dem "
            "Duktus Choledochus [Ger-\nman]. Dtsch Med Wochenschr. 1974;99:496-7.",
            "10.1055/s-0028-1107790",
            id="hyphenated-line-break",
        ),
        pytest.param(
            "Ikeda S, Tanaka M, Matsumoto S, Yoshimoto H, Itoh H. Endo-\nscopic sphincterotomy: Long-term results "
            "in 408 patients with \ncomplete follow-up. Endoscopy. 1988;20:13-7.",
            "10.1055/s-2007-1018117",
            id="split-word",
        ),
        pytest.param("Gerke H, Baillie J. To cut or stretch? Am J Gastroenterol. \n2004;99:1461-3.", "10.1111/j.1572-0241.2004.40358.x", id="short-title"),
        pytest.param("SMITH (2019) glass FROGS, synthetic", "10.5555/synthetic.1", id="case-and-order"),
        pytest.param("Muller A. Synthetic measurements of German rivers. J Test 13:301", "10.5555/synthetic.3", id="diacritics-folded"),
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
    snapshot = SnapshotSource.from_records([{"message": SYNTHETIC[0]}, SYNTHETIC[1], {"no": "doi"}, "junk"], name="mem")  # type: ignore[list-item]
    assert len(snapshot) == 2
    assert snapshot.name == "snapshot:mem"
    work = snapshot.lookup_doi("10.5555/synthetic.1")
    assert work is not None and work.source == "snapshot:mem" and work.volume == "11"


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
    work = snapshot.lookup_doi(doi)
    assert work is not None
    assert "not a live Crossref response" in work.provenance
    assert set(unverified) <= set(work.unverified_fields)


def test_closed_snapshot_raises_source_unavailable() -> None:
    snapshot = SnapshotSource.from_records(SYNTHETIC, name="closing")
    snapshot.close()
    with pytest.raises(SourceUnavailable):
        snapshot.lookup_doi("10.5555/synthetic.1")
    with pytest.raises(SourceUnavailable):
        snapshot.search("synthetic frogs")
