"""Blocking keys: one definition for the snapshot's tables and the corpus join."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.model import Name, Work
from citecheck.references.blocking import (
    _JOURNAL_IGNORED,
    MAX_POSTINGS,
    BlockingKey,
    key_hash,
    reference_keys,
    select_candidates,
    work_keys,
)
from citecheck.references.normalize import fold
from citecheck.sources.records import work_from_record
from tests.sources.snapshot.records import FIXTURES

RIBBON = Work(
    doi="10.1200/jco.2010.28.0982",
    title="RIBBON-1: Randomized, Double-Blind, Placebo-Controlled, Phase III Trial of Chemotherapy With or Without "
          "Bevacizumab for First-Line Treatment of Human Epidermal Growth Factor Receptor 2–Negative, Locally Recurrent "
          "or Metastatic Breast Cancer",
    authors=(Name("Robert", "Nicholas J."),),
    container_title="Journal of Clinical Oncology",
    short_container_titles=("J Clin Oncol",),
    year=2011, volume="29", page="1252-1260",
)


def _values(keys: tuple[BlockingKey, ...], kind: str) -> list[str]:
    return [k.value for k in keys if k.kind == kind]


def test_key_hash_is_blake2b_of_kind_and_value() -> None:
    digest = hashlib.blake2b(b"journal-page:jco|29|1252", digest_size=6).digest()
    assert key_hash("journal-page", "jco|29|1252") == int.from_bytes(digest, "big") & (2**47 - 1)
    assert BlockingKey("doi", "10.1/x").hash == key_hash("doi", "10.1/x") < 2**47


def test_work_keys_of_a_record() -> None:
    keys = work_keys(RIBBON)
    assert _values(keys, "doi") == ["10.1200/jco.2010.28.0982"]
    # The whole title's first six words, and the main title (before the colon) too short to key.
    assert _values(keys, "title") == ["ribbon 1 randomized double blind placebo"]
    assert _values(keys, "author-page") == ["robert|29|1252"]
    # "Journal of Clinical Oncology" and "J Clin Oncol" meet on the same initials: one key.
    assert _values(keys, "journal-page") == ["jco|29|1252"]


@pytest.mark.parametrize(
    ("work", "kind", "expected"),
    [
        pytest.param(Work("10.5555/a", title="Editorial"), "title", [], id="generic-title-no-key"),
        pytest.param(Work("10.5555/a", title="Glass frogs of the Andes: a field guide to their calls"), "title",
                     ["glass frogs andes field guide calls", "glass frogs andes"], id="main-title-keyed-too"),
        pytest.param(Work("10.5555/a", title="x y z", authors=(Name("van der Berg"),), volume="Vol. 07", page="e1234"),
                     "author-page", ["vanderberg|7|e1234"], id="particles-run-together-volume-normalised"),
        pytest.param(Work("10.5555/a", container_title="The Lancet", volume="362", page="2019-20"), "journal-page",
                     ["lancet|362|2019"], id="one-word-journal-is-the-word"),
        pytest.param(Work("10.5555/a", container_title="Nature", page="5"), "journal-page", [], id="no-volume-no-key"),
    ],
)
def test_work_keys_cases(work: Work, kind: str, expected: list[str]) -> None:
    assert _values(work_keys(work), kind) == expected


@pytest.mark.parametrize(
    ("csl", "raw", "kind", "wanted"),
    [
        pytest.param({}, "Robert NJ, Diéras V, Glaspy J, et al. RIBBON-1: randomized, double-blind, placebo-controlled, "
                         "phase III trial. J Clin Oncol. 2011;29(10):1252-60.", "journal-page", "jco|29|1252",
                     id="vancouver-journal"),
        pytest.param({}, "Robert, N. J. (2011). RIBBON-1: Randomized, double-blind, placebo-controlled phase III trial. "
                         "Journal of Clinical Oncology, 29(10), 1252–1260.", "author-page", "robert|29|1252",
                     id="apa-author"),
        pytest.param({}, "N. J. Robert, V. Dieras, RIBBON-1: Randomized, double-blind, placebo-controlled phase III trial, "
                         "J. Clin. Oncol. 29 (2011) 1252.", "title", "ribbon 1 randomized double blind placebo",
                     id="initials-first-title-after-comma"),
        pytest.param({"title": "RIBBON-1: Randomized, double-blind, placebo-controlled"}, "garbled", "title",
                     "ribbon 1 randomized double blind placebo", id="parsed-title"),
        pytest.param({"DOI": "https://doi.org/10.1200/JCO.2010.28.0982"}, "", "doi", "10.1200/jco.2010.28.0982",
                     id="parsed-doi"),
    ],
)
def test_reference_keys_meet_the_records(csl: dict, raw: str, kind: str, wanted: str) -> None:
    assert wanted in _values(reference_keys(csl, raw), kind)
    assert BlockingKey(kind, wanted) in work_keys(RIBBON)


SUPPLEMENT = Work("10.5555/supplement", title="Synthetic measurements of marsh frogs in an invented supplement",
                  authors=(Name("Inventa", "A."),), container_title="Journal of Synthetic Hydrology", volume="13",
                  page="S157-S160")


@pytest.mark.parametrize(
    ("raw", "kind", "wanted"),
    [
        pytest.param("A Inventa, Synthetic frogs. J. Synth. Hydrol. 13(1), S157-S160 (1992).", "author-page",
                     "inventa|13|s157", id="apa-range-of-supplement-pages"),
        pytest.param("Inventa, A. (1992). Synthetic frogs. Journal of Synthetic Hydrology, 13, S157–S160.", "journal-page",
                     "jsh|13|s157", id="apa-en-dash"),
        pytest.param("Inventa A. Synthetic frogs. J Synth Hydrol. 1992;13:S157-60.", "author-page", "inventa|13|s157",
                     id="vancouver-supplement"),
    ],
)
def test_supplement_pages_meet_the_record(raw: str, kind: str, wanted: str) -> None:
    assert wanted in _values(reference_keys({}, raw), kind)
    assert BlockingKey(kind, wanted) in work_keys(SUPPLEMENT)


def test_real_references_meet_their_records() -> None:
    """The fixture's real reference strings (biblio-glutton) against their real records."""
    records = {}
    for line in (FIXTURES / "matching_glutton_records.jsonl").read_text(encoding="utf-8").splitlines():
        work = work_from_record(json.loads(line), source="test")
        records[work.doi] = set(work_keys(work))
    refs = [json.loads(line) for line in (FIXTURES / "matching_glutton_refs.jsonl").read_text(encoding="utf-8").splitlines()]
    met = sum(bool(records.get(r["doi"].lower(), set()) & set(reference_keys({}, r["reference"]))) for r in refs)
    assert met >= 0.95 * len(refs)


def test_select_candidates_ranks_by_kinds_shared_and_drops_common_keys() -> None:
    title, author, journal = BlockingKey("title", "t"), BlockingKey("author-page", "a"), BlockingKey("journal-page", "j")
    common = BlockingKey("title", "editorial")
    postings = {title: [5, 9], author: [9], journal: [9, 7], common: list(range(100, 100 + MAX_POSTINGS + 1))}
    assert select_candidates(postings) == [9, 5, 7]
    assert select_candidates(postings, limit=1) == [9]
    assert select_candidates({}) == []


_LETTER_RUNS = re.compile(r"[^\W\d_]+")
_NAME_TEXT = st.text(st.sampled_from([*map(chr, range(32, 127)), "é", "ß", "–", "\t", "Ж"]), max_size=30)


@given(family=_NAME_TEXT, journal=_NAME_TEXT)
@settings(max_examples=300, deadline=None)
def test_name_and_journal_keys_follow_their_definition(family: str, journal: str) -> None:
    """Family names key as their folded letters, journals as the initials of their folded words
    (connectives dropped; a one-word journal is that word): whatever the characters."""
    keys = work_keys(Work("10.5555/p", authors=(Name(family),), container_title=journal, volume="7", page="9"))
    letters = "".join(_LETTER_RUNS.findall(fold(family)))
    assert _values(keys, "author-page") == ([f"{letters}|7|9"] if letters else [])
    words = [w for w in _LETTER_RUNS.findall(fold(journal.replace("&", " "))) if w not in _JOURNAL_IGNORED]
    initials = words[0] if len(words) == 1 else "".join(w[0] for w in words)
    assert _values(keys, "journal-page") == ([f"{initials}|7|9"] if len(initials) >= 2 else [])
