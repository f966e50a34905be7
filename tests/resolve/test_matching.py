"""The matcher: the review's acceptance entries, field comparisons, decisions, same_work.

Real data: examples/metastatic-breast-cancer-review.txt (the project's acceptance document,
copied by the lead from ../shared/corpus/) against the shipped default snapshot
(citecheck/data/trial-papers.jsonl), and biblio-glutton reference/record pairs in
tests/fixtures/matching_glutton_*.jsonl (Apache-2.0, see matching_README.md).
Synthetic works use the test prefix 10.5555 and obviously synthetic titles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from citecheck.resolve.matching import (
    MAX_QUERY_CHARS,
    bibliographic_query,
    compare,
    decide,
    same_work,
)
from citecheck.model import Name, Work
from citecheck.sources.snapshot import SnapshotSource, default_snapshot

ROOT = Path(__file__).resolve().parents[2]
REVIEW = ROOT / "examples" / "metastatic-breast-cancer-review.txt"
FIXTURES = ROOT / "tests" / "fixtures"


def _review_entries() -> dict[str, str]:
    """The numbered reference-list entries of the review, by number."""
    entries = {}
    for line in REVIEW.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([1-4]) ([A-Z].*)$", line)
        if match and "(" in line:
            entries[match.group(1)] = line
    return entries


@pytest.fixture(scope="module")
def review() -> dict[str, str]:
    if not REVIEW.is_file():
        pytest.skip(f"{REVIEW} is absent (the lead adds the acceptance document to examples/)")
    entries = _review_entries()
    assert sorted(entries) == ["1", "2", "3", "4"]
    return entries


@pytest.mark.parametrize(
    ("entry", "doi"),
    [
        # DOIs from ../shared/records/trial-papers.jsonl: RIBBON-1, E2100, EORTC exemestane trial.
        pytest.param("2", "10.1200/jco.2010.28.0982", id="entry-2-ribbon-1"),
        pytest.param("3", "10.1056/nejmoa072113", id="entry-3-e2100"),
        pytest.param("4", "10.1200/jco.2007.14.4659", id="entry-4-eortc"),
        pytest.param("1", None, id="entry-1-guidebook-matches-nothing"),
    ],
)
def test_review_entries_against_default_snapshot(review: dict[str, str], entry: str, doi: str | None) -> None:
    raw = review[entry]
    source = default_snapshot()
    decision = decide({}, raw, source.search(bibliographic_query({}, raw), rows=5))
    if doi is None:
        assert decision.status == "no-match" and decision.work is None
    else:
        assert decision.status == "matched"
        assert decision.work is not None and decision.work.doi == doi
        assert decision.confidence >= 0.9
        assert any(e.startswith("title ") for e in decision.evidence)


def _work(**fields: Any) -> Work:
    base: dict[str, Any] = {
        "doi": "10.5555/synthetic.1",
        "title": "A synthetic title about glass frogs in mountain streams",
        "authors": (Name(family="Smith", given="Jane"), Name(family="Jones", given="K.")),
        "container_title": "Journal of Synthetic Tests",
        "short_container_titles": ("J Synth Tests",),
        "year": 2019,
        "volume": "11",
        "issue": "2",
        "page": "101-110",
    }
    base.update(fields)
    return Work(**base)


RAW = "Smith J, Jones K. A synthetic title about glass frogs in mountain streams. J Synth Tests. 2019;11(2):101-10."
CSL = {
    "title": "A synthetic title about glass frogs in mountain streams",
    "author": [{"family": "Smith", "given": "J."}],
    "container-title": "J Synth Tests",
    "issued": {"date-parts": [[2019]]},
    "volume": "11",
    "page": "101-110",
}


@pytest.mark.parametrize(
    ("csl", "raw", "work", "expected"),
    [
        pytest.param(CSL, RAW, _work(), dict(title="agree", first_author="agree", year="agree", volume="agree", first_page="agree", journal="agree"), id="all-agree-parsed"),
        pytest.param({}, RAW, _work(), dict(title="agree", first_author="agree", year="agree", volume="agree", first_page="agree", journal="agree"), id="all-agree-raw-only"),
        pytest.param({}, RAW, _work(volume="12"), dict(volume="disagree"), id="volume-differs-in-locator"),
        pytest.param({}, RAW, _work(page="111-120"), dict(first_page="disagree"), id="page-differs-in-locator"),
        pytest.param({}, RAW, _work(year=2015), dict(year="disagree"), id="year-differs"),
        pytest.param({}, RAW, _work(year=2020), dict(year="agree"), id="year-one-off-agrees"),
        pytest.param({}, RAW, _work(year=None), dict(year="absent"), id="record-without-year"),
        pytest.param({}, RAW, _work(authors=(Name(family="Brown"),)), dict(first_author="disagree"), id="other-author"),
        pytest.param({}, RAW, _work(authors=()), dict(first_author="absent"), id="record-without-author"),
        pytest.param({}, RAW, _work(title="Unrelated synthetic words on ceramic kilns"), dict(title="disagree"), id="other-title"),
        pytest.param(
            {},
            "Smith J. A synthetic title about glass frogs in mountain streams. Journal of Synthetic Tests.",
            _work(),
            dict(volume="absent", first_page="absent", year="absent", journal="agree"),
            id="no-locator-is-absent-not-disagree",
        ),
        pytest.param(
            {"title": "Smith J", "volume": "11"},
            RAW,
            _work(),
            dict(title="agree", volume="agree"),
            id="badly-parsed-title-rescued-by-raw",
        ),
        pytest.param(
            {"container-title": "Journal of Other Things"},
            "Smith J. A synthetic title about glass frogs in mountain streams. 2019;11(2):101-10.",
            _work(),
            dict(journal="disagree"),
            id="journal-differs",
        ),
        pytest.param(
            {"container-title": "Journal of Other Things"}, RAW, _work(), dict(journal="agree"), id="journal-in-raw-beats-parse"
        ),
        pytest.param(
            {"volume": "101", "page": "11"},
            "Smith, J. (2019). A synthetic title about glass frogs in mountain streams. J Synth Tests, 11, 101-110.",
            _work(),
            dict(volume="agree", first_page="agree"),
            id="misparsed-locator-rescued-by-raw",
        ),
        pytest.param(
            {"volume": "99", "page": "1"},
            RAW,
            _work(),
            dict(volume="agree", first_page="agree"),
            id="raw-locator-beats-parse",
        ),
    ],
)
def test_compare(csl: dict[str, Any], raw: str, work: Work, expected: dict[str, str]) -> None:
    comparison = compare(csl, raw, work)
    for field, verdict in expected.items():
        assert getattr(comparison, field) == verdict, (field, comparison.evidence)


def test_compare_evidence_is_short_and_readable() -> None:
    evidence = compare({}, "Smith J. A synthetic title about glass frogs in mountain streams. 2019.", _work()).evidence
    assert "title 1.00" in evidence
    assert "first author Smith" in evidence
    assert "year 2019" in evidence
    assert "volume 11 absent in reference" in evidence
    assert all(len(e) < 80 for e in evidence)


TWIN = _work(doi="10.5555/synthetic.2")  # same metadata, another DOI: cannot be told apart
DECOY = _work(doi="10.5555/synthetic.3", title="Synthetic notes on ceramic kilns", authors=(Name(family="Brown"),), volume="40", page="5-9")
NEAR = _work(doi="10.5555/synthetic.4", volume="12", page="300-310")  # same title, other locator


@pytest.mark.parametrize(
    ("raw", "candidates", "status", "doi"),
    [
        pytest.param(RAW, [_work()], "matched", "10.5555/synthetic.1", id="single-right"),
        pytest.param(RAW, [DECOY, _work()], "matched", "10.5555/synthetic.1", id="source-order-ignored"),
        pytest.param(RAW, [DECOY], "no-match", None, id="only-wrong"),
        pytest.param(RAW, [], "no-match", None, id="no-candidates"),
        pytest.param(RAW, [_work(), TWIN], "ambiguous", None, id="indistinguishable-twins"),
        pytest.param(RAW, [_work(), _work()], "matched", "10.5555/synthetic.1", id="same-doi-twice-is-one"),
        pytest.param(RAW, [NEAR, _work()], "matched", "10.5555/synthetic.1", id="locator-decides-between-same-titles"),
        pytest.param(
            "Smith J. A synthetic title about glass frogs in mountain streams.",
            [NEAR, _work()],
            "ambiguous",
            None,
            id="same-titles-no-locator",
        ),
        pytest.param("", [_work()], "no-match", None, id="empty-reference"),
        pytest.param("American Synthetic Society. A guidebook. 2004.", [_work(), DECOY], "no-match", None, id="book-vs-articles"),
    ],
)
def test_decide(raw: str, candidates: list[Work], status: str, doi: str | None) -> None:
    decision = decide({}, raw, candidates)
    assert decision.status == status, decision.evidence
    assert (decision.work.doi if decision.work else None) == doi
    if status == "ambiguous":
        assert len(decision.candidates) >= 2
    if status == "matched":
        assert decision.work not in decision.candidates


@pytest.mark.parametrize(
    ("csl", "raw", "work", "expected"),
    [
        pytest.param(CSL, RAW, _work(), True, id="same"),
        pytest.param({}, RAW, _work(page="101"), True, id="record-with-first-page-only"),
        pytest.param({}, RAW, DECOY, False, id="another-work"),
        pytest.param({}, "Smith J. Synthetic glass frogs. 2019.", _work(), True, id="terse-reference"),
        pytest.param({}, RAW, _work(title="", authors=(Name(family="Smith"),)), True, id="record-without-title"),
    ],
)
def test_same_work(csl: dict[str, Any], raw: str, work: Work, expected: bool) -> None:
    assert same_work(csl, raw, work) is expected


@pytest.mark.parametrize(
    ("csl", "raw", "expected"),
    [
        pytest.param({}, "12. Smith J. Glass frogs. J Test. 2019;1:1-2.", "Smith J. Glass frogs. J Test. 2019;1:1-2.", id="number-label"),
        pytest.param({}, "[3] Smith J. Glass frogs.", "Smith J. Glass frogs.", id="bracket-label"),
        pytest.param({}, "Smith J. Endo-\nscopic  frogs\n of glass.", "Smith J. Endoscopic frogs of glass.", id="unwrapped"),
        pytest.param(
            {"title": "Glass frogs", "author": [{"family": "Smith"}], "issued": {"date-parts": [[2019]]}},
            "",
            "Smith Glass frogs 2019",
            id="from-fields-when-no-raw",
        ),
    ],
)
def test_bibliographic_query(csl: dict[str, Any], raw: str, expected: str) -> None:
    assert bibliographic_query(csl, raw) == expected


def test_bibliographic_query_is_capped() -> None:
    raw = "Smith J. " + "glass frogs " * 200
    query = bibliographic_query({}, raw)
    assert MAX_QUERY_CHARS - 10 <= len(query) <= MAX_QUERY_CHARS
    assert raw.startswith(query + " ")  # cut between words


def _glutton() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    refs = [json.loads(line) for line in (FIXTURES / "matching_glutton_refs.jsonl").read_text(encoding="utf-8").splitlines()]
    records = [json.loads(line) for line in (FIXTURES / "matching_glutton_records.jsonl").read_text(encoding="utf-8").splitlines()]
    return refs, records


@pytest.mark.parametrize("held_out", [pytest.param(False, id="record-present"), pytest.param(True, id="record-held-out")])
def test_real_references_match_or_stay_unmatched(held_out: bool) -> None:
    """The 40 fixture references: each matched to its DOI, or unmatched when its record is gone."""
    refs, records = _glutton()
    wrong: list[str] = []
    for ref in refs:
        pool = [r for r in records if r["DOI"].lower() != ref["doi"]] if held_out else records
        source = SnapshotSource.from_records(pool, name="glutton")
        decision = decide({}, ref["reference"], source.search(bibliographic_query({}, ref["reference"]), rows=5))
        got = decision.work.doi if decision.work else None
        if got != (None if held_out else ref["doi"]):
            wrong.append(f"{ref['id']}: {got} {decision.evidence}")
    assert wrong == []


@pytest.mark.parametrize(
    "csl",
    [
        pytest.param({"title": 5, "author": "Smith", "issued": "2019", "volume": None, "page": ["101"]}, id="wrong-types"),
        pytest.param({"author": [None, 3], "issued": {"date-parts": [["x"]]}, "container-title": ["", None]}, id="odd-nesting"),
        pytest.param({"issued": {"date-parts": []}, "page": "--", "volume": "Vol."}, id="empty-values"),
    ],
)
def test_malformed_parsed_fields_never_raise(csl: dict[str, Any]) -> None:
    decision = decide(csl, RAW, [_work(), DECOY])
    assert decision.status == "matched" and decision.work is not None and decision.work.doi == "10.5555/synthetic.1"
    assert isinstance(same_work(csl, RAW, _work()), bool)
    assert isinstance(bibliographic_query(csl, ""), str)  # uses whatever fields are usable
