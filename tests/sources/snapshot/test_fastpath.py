"""The build's fast path stores exactly what the general path (through a `Work`) stores.

Every record is read twice, as a build reads it (`typed=True`: the fast path where it can) and
as the general path reads it (a dict, turned into a `Work`, its `work_keys` and `words_text`),
and the two rows must be equal: the same DOI key, the same body, the same key hashes, the same
indexed words. Real records: Crossref API responses (tests/fixtures/crossref), biblio-glutton
records (tests/fixtures/matching_glutton_records.jsonl), the shipped trial papers; synthetic
ones (10.5555) shaped to break it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.references.blocking import key_hash, work_keys
from citecheck.sources.records import work_from_record
from citecheck.sources.snapshot.datafile import InputFile, TypedFields, read_input
from citecheck.references.doi import normalize_doi
from citecheck.sources.snapshot.fastpath import _doi, stored_values
from citecheck.sources.snapshot.rows import RowMaker
from citecheck.sources.snapshot.store import RecordCodec, words_text
from tests.conftest import ROOT
from tests.sources.snapshot.records import FIXTURES, GLUTTON, items, jsonl

_SOURCE = InputFile(name="records", path=Path("records"), size=0)


def _rows(data: bytes) -> list[tuple[int, Any, Any]]:
    """(position, fast-path row or None, general-path row or None) of every record in `data`."""
    maker = RowMaker(None)
    fast = list(read_input(_SOURCE, data, typed=True))
    general = list(read_input(_SOURCE, data))
    assert [p for p, _, _ in fast] == [p for p, _, _ in general]
    out = []
    for (position, typed, _), (_, record, _) in zip(fast, general):
        out.append((position, maker.plain(typed) if typed is not None else None,
                    maker.plain(record) if record is not None else None))
    return out


def _general(record: dict[str, Any]) -> tuple[int, bytes, list[int], str]:
    """The row as the definitions give it: `work_from_record`, `RecordCodec`, `work_keys`, `words_text`."""
    work = work_from_record(record, source="snapshot")
    hashes = [key_hash(k.kind, k.value) for k in work_keys(work)]
    return hashes[0], RecordCodec(None).plain(work), hashes, words_text(work)


def _typed(record: dict[str, Any]) -> TypedFields | dict[str, Any] | None:
    return next(iter(read_input(_SOURCE, jsonl([record]), typed=True)))[1]


def _usual(n: int, **changes: Any) -> dict[str, Any]:
    """A journal article as Crossref deposits them (10.5555: no real work), with `changes`."""
    record: dict[str, Any] = {
        "indexed": {"date-parts": [[2026, 3, 1]], "date-time": "2026-03-01T00:00:00Z", "timestamp": 1},
        "publisher": "Synthetic Publisher", "DOI": f"10.5555/fastpath.{n}", "type": "journal-article",
        "title": ["Synthetic measurements of river flow in invented valleys"],
        "author": [{"given": "Ada", "family": "Inventa", "sequence": "first", "affiliation": [{"name": "Nowhere"}],
                    "ORCID": "https://orcid.org/0000-0000-0000-0000"},
                   {"given": "B.", "family": "Second", "sequence": "additional", "affiliation": []}],
        "container-title": ["Journal of Synthetic Hydrology"], "short-container-title": ["J Synth Hydrol"],
        "issued": {"date-parts": [[2019, 5]]}, "published-print": {"date-parts": [[2019, 6, 1]]},
        "published-online": {"date-parts": [[2018, 12, 30]]}, "volume": "12", "issue": "3", "page": "101-110",
        "reference": [{"key": f"r{i}", "DOI": f"10.5555/cited.{i}", "unstructured": "An invented reference."}
                      for i in range(5)],
        "license": [{"URL": "https://example.org/licence", "content-version": "vor"}],
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


CASES = [
    pytest.param(_usual(1), True, id="usual-article"),
    pytest.param(_usual(2, title=["A title with <i>Escherichia coli</i> &amp; markup in it"]), False, id="markup-title"),
    pytest.param(_usual(3, subtitle=["a synthetic subtitle for the test"]), True, id="subtitle-added"),
    pytest.param(_usual(4, title=["Rivers: a synthetic subtitle"], subtitle=["A Synthetic Subtitle"]), True,
                 id="subtitle-already-in-title"),
    pytest.param(_usual(5, author=[{"name": "The Synthetic Consortium"}, {"literal": "Literal Person"}, {},
                                   {"family": 42, "given": None}, {"given": "Only"},
                                   {"family": "Inventa", "name": "A name beside a family name"}]), True, id="odd-names"),
    pytest.param(_usual(6, author="Inventa A"), False, id="author-not-a-list"),
    pytest.param(_usual(7, author=["Inventa A", {"family": "Inventa"}]), False, id="author-item-not-an-object"),
    pytest.param(_usual(8, issued="2019"), False, id="date-not-an-object"),
    pytest.param(_usual(9, issued={"date-parts": [["2019"]]}, **{"published-print": {"date-parts": [[True]]},
                 "published-online": {"date-parts": [[]]}, "published": {"date-parts": None}}), True, id="odd-dates"),
    pytest.param(_usual(10, DOI="https://doi.org/10.5555/FASTPATH.10."), True, id="doi-with-resolver-and-case"),
    pytest.param(_usual(11, **{"short-container-title": "J Synth Hydrol", "container-title": [],
                               "title": "A title given as a string, not a list"}), True, id="strings-not-lists"),
    pytest.param(_usual(12, title=["  Wrapped\n\ttitle with\u00a0odd   spaces and `quotes´  "]), True, id="whitespace"),
    pytest.param(_usual(13, title=["Diéras – « Müller » Straße ﬁnal 中文标题 Жук"],
                        author=[{"family": "Ó Súilleabháin", "given": "Á"}, {"family": "van der Berg"}]), True,
                 id="non-ascii"),
    pytest.param(_usual(14, volume=12, page=5, issue=None, type=None), True, id="numbers-and-nulls"),
    pytest.param(_usual(15, **{"updated-by": [{"type": "correction", "DOI": "10.5555/notice.15",
                                               "updated": {"date-parts": [[2020, 1, 2]]}, "source": "publisher"}]}),
                 False, id="update-notice"),
    pytest.param(_usual(16, _provenance={"assembled_from": "a test", "field_status": {"page": "unverified"}}), False,
                 id="provenance"),
    pytest.param({"message": _usual(17)}, False, id="api-reply-wrapper"),
    pytest.param(_usual(18, title=..., author=..., issued=..., volume=...), True, id="no-title-authors-year-volume"),
    pytest.param(_usual(19, title=["Editorial"], page="e1234", volume="Vol. 07"), True, id="short-title-odd-locator"),
    pytest.param(_usual(20, title=["Glass frogs of the Andes: a field guide to their calls"]), True, id="main-title-key"),
    pytest.param(_usual(21, author=[{"family": "", "name": "Group Name", "given": ""}]), True, id="empty-family"),
]


@pytest.mark.parametrize(("record", "fast"), CASES)
def test_fast_and_general_paths_store_the_same(record: dict[str, Any], fast: bool) -> None:
    [(_, quick, general)] = _rows(jsonl([record]))
    assert quick == general
    plain = record.get("message", record)
    assert quick == _general(plain)
    typed = _typed(record)
    took_fast_path = isinstance(typed, TypedFields) and stored_values(typed) is not None
    assert took_fast_path is fast


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(_usual(30, DOI="   "), id="blank-doi"),
        pytest.param(_usual(31, DOI=10.5555), id="doi-not-a-string"),
        pytest.param(_usual(32, DOI=...), id="no-doi"),
        pytest.param(_usual(33, DOI="https://doi.org/"), id="doi-normalising-to-nothing"),
    ],
)
def test_records_without_a_usable_doi_are_rejected_by_both_paths(record: dict[str, Any]) -> None:
    assert _rows(jsonl([record])) == [(1, None, None)]


def _real_records() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "crossref").glob("test_works_*.json")):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        if isinstance(message, dict):
            found.extend(message.get("items", [message]) if "items" in message else [message])
    trial = ROOT / "citecheck" / "data" / "trial-papers.jsonl"
    found.extend(json.loads(line) for line in trial.read_text(encoding="utf-8").splitlines() if line.strip())
    return [*found, *GLUTTON]


def test_real_records_store_the_same_both_ways_in_both_file_formats() -> None:
    records = _real_records()
    assert len(records) >= 45
    for data in (jsonl(records), items(records)):
        rows = _rows(data)
        assert len(rows) == len(records)
        assert all(quick == general and quick is not None for _, quick, general in rows)
    typed = [r for _, r, _ in read_input(_SOURCE, jsonl(records), typed=True)]
    assert sum(isinstance(r, TypedFields) and stored_values(r) is not None for r in typed) >= 40  # the fast path's share


_STRINGS = st.text(st.sampled_from(list("abcXYZ é–“<&:.-` \t\n\u00a0Жß0129")), max_size=24)
_VALUE = st.one_of(st.none(), _STRINGS, st.integers(-3, 3000), st.booleans(), st.lists(_STRINGS, max_size=3))
_DATE = st.one_of(st.none(), _STRINGS, st.fixed_dictionaries({"date-parts": st.one_of(
    st.none(), st.lists(st.lists(st.one_of(st.integers(0, 2100), _STRINGS, st.booleans()), max_size=3), max_size=2))}))
_PERSON = st.one_of(_STRINGS, st.fixed_dictionaries({}, optional={k: _VALUE for k in ("family", "given", "name", "literal")}))
_RECORD = st.fixed_dictionaries(
    {"DOI": st.one_of(st.just("10.5555/prop.1"), st.just(" HTTPS://doi.org/10.5555/Prop.2 "), _VALUE)},
    optional={"title": _VALUE, "subtitle": _VALUE, "container-title": _VALUE, "short-container-title": _VALUE,
              "author": st.one_of(st.lists(_PERSON, max_size=7), _VALUE), "issued": _DATE, "published-print": _DATE,
              "published-online": _DATE, "published": _DATE, "volume": _VALUE, "issue": _VALUE, "page": _VALUE,
              "type": _VALUE, "reference": st.lists(_STRINGS, max_size=3)},
)


@given(st.lists(_RECORD, min_size=1, max_size=4))
@settings(max_examples=150, deadline=None)
def test_any_record_stores_the_same_both_ways(records: list[dict[str, Any]]) -> None:
    for _, quick, general in _rows(jsonl(records)):
        assert quick == general


@pytest.mark.parametrize(
    "doi",
    ["10.5555/ABC.123", "10.5555/abc.", "10.5555/x)", "10.1016/s0016-5107(74)73914-1", "10.5555/a%2Fb", "10.5555/a b",
     "10.5555/a\t", "10.5555/a ", "10.5555/é", "10.5555/a;", "10.5555/a]", "10.5555/\x7f", "10.5555/a\u200b",
     "10.", "doi:10.5555/x", " 10.5555/x"],
)
def test_the_fast_doi_is_the_normalised_doi(doi: str) -> None:
    assert _doi(doi) == normalize_doi(doi)


@given(st.text(st.sampled_from(list("10.5/aZ()[]%;:, \t\x7fé")), max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_fast_doi_is_the_normalised_doi(suffix: str) -> None:
    assert _doi("10." + suffix) == normalize_doi("10." + suffix)
