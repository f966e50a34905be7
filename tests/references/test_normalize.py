"""Tables of cases for citecheck.references.normalize: folding, titles, names, pages, journals, volumes.

Journal names and page ranges below are those of the review's trial papers
(../shared/records/trial-papers.jsonl); other values are synthetic.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.references.normalize import (
    expand_page_range,
    first_page,
    fold,
    given_names_compatible,
    normalize_issue,
    normalize_volume,
    pages_equal,
    same_family_name,
    same_journal,
    title_similarity,
    title_tokens,
    tokens,
    unwrap,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Diéras", "dieras", id="diacritics"),
        pytest.param("Receptor 2–Negative", "receptor 2-negative", id="en-dash"),
        pytest.param("a — b ‒ c − d", "a - b - c - d", id="other-dashes"),
        pytest.param("“Quoted” ‘word’", "\"quoted\" 'word'", id="curly-quotes"),
        pytest.param("  many\n\tspaces  here ", "many spaces here", id="whitespace"),
        pytest.param("Straße", "strasse", id="casefold-eszett"),
        pytest.param("ﬁnal", "final", id="ligature"),
        pytest.param("", "", id="empty"),
        pytest.param("`Backquoted` text", "'backquoted' text", id="backquote-is-a-quote-in-ascii-too"),
        pytest.param("tab\x0bvertical\x1cfile separator", "tab vertical file separator", id="every-kind-of-whitespace"),
        pytest.param("ASCII ONLY, Upper-Case 123", "ascii only, upper-case 123", id="ascii-fast-path"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def _reference_fold(text: str) -> str:
    """`fold` as its docstring defines it, written the slow, obvious way."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    dashes = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"), "-")
    quotes = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"), "'") | dict.fromkeys(
        map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"')
    return re.sub(r"\s+", " ", stripped.translate(dashes).translate(quotes).casefold()).strip()


# Mostly ASCII (the fast paths), with the characters that make folding or splitting words differ.
_TEXT = st.text(st.sampled_from([*map(chr, range(128)), "é", "–", "“", "ß", "ﬁ", "\u00a0", "\u2003", "´", "Ж", "_"]),
                max_size=40)


@given(_TEXT)
@settings(max_examples=400, deadline=None)
def test_fold_and_tokens_agree_with_their_definition(text: str) -> None:
    assert fold(text) == _reference_fold(text)
    assert tokens(text) == re.findall(r"[^\W_]+", _reference_fold(text))


@pytest.mark.parametrize(
    ("text", "join", "expected"),
    [
        pytest.param("Ger-\nman", True, "German", id="joined"),
        pytest.param("Ger-\nman", False, "Ger-man", id="kept-hyphen"),
        pytest.param("Endo- \n  scopic results", True, "Endoscopic results", id="spaces-around-break"),
        pytest.param("a line\nbreak", True, "a line break", id="plain-break"),
        pytest.param("non-breaking hyphen", True, "non-breaking hyphen", id="real-hyphen-untouched"),
    ],
)
def test_unwrap(text: str, join: bool, expected: str) -> None:
    assert unwrap(text, join_hyphens=join) == expected


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        pytest.param("A synthetic title", "A SYNTHETIC TITLE.", 1.0, 1.0, id="case-punctuation"),
        pytest.param("The synthetic title of a test", "Synthetic title test", 1.0, 1.0, id="stop-words"),
        pytest.param(
            "Synthetic results of a test procedure",
            "Synthetic results of a test procedure: a long follow-up",
            0.85,
            0.95,
            id="missing-subtitle",
        ),
        pytest.param("Synthetic results", "Synthetic results: a long follow-up", 0.0, 0.7, id="short-main-title"),
        pytest.param("Synthetic results of a test", "Unrelated words entirely here", 0.0, 0.1, id="unrelated"),
        pytest.param("Synthetic résumé of tests", "Synthetic resume of tests", 1.0, 1.0, id="diacritics"),
        pytest.param("", "Anything", 0.0, 0.0, id="empty"),
    ],
)
def test_title_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= title_similarity(a, b) <= high
    assert title_similarity(a, b) == title_similarity(b, a)


def test_title_tokens_drop_stop_words() -> None:
    assert title_tokens("The Effect of a Test on the Tests") == ["effect", "test", "tests"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("Dieras", "Diéras", True, id="diacritics"),
        pytest.param("O'Shaughnessy", "OShaughnessy", True, id="apostrophe"),
        pytest.param("Martin-Ruiz", "Martin Ruiz", True, id="hyphen-space"),
        pytest.param("van der Berg", "Berg", True, id="particles"),
        pytest.param("Robert", "Roberts", False, id="different"),
        pytest.param("Berg", "Bergman", False, id="prefix-is-not-same"),
        pytest.param("", "Robert", False, id="empty"),
    ],
)
def test_same_family_name(a: str, b: str, expected: bool) -> None:
    assert same_family_name(a, b) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("N. J.", "Nicholas J.", True, id="initials-vs-name"),
        pytest.param("NJ", "Nicholas James", True, id="vancouver-initials"),
        pytest.param("Nicholas", "N. J.", True, id="fewer-parts"),
        pytest.param("K.", "Kathy", True, id="one-initial"),
        pytest.param("K.", "Nicholas", False, id="wrong-initial"),
        pytest.param("Kathy", "Katherine", False, id="two-different-names"),
        pytest.param("Jean-Pierre", "J.-P.", True, id="hyphenated"),
        pytest.param("", "Anyone", True, id="absent-is-compatible"),
    ],
)
def test_given_names_compatible(a: str, b: str, expected: bool) -> None:
    assert given_names_compatible(a, b) is expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        pytest.param("2666-76", ("2666", "2676"), id="abbreviated-end"),
        pytest.param("1252-1260", ("1252", "1260"), id="full-range"),
        pytest.param("4883–4890", ("4883", "4890"), id="en-dash"),
        pytest.param("496-7", ("496", "497"), id="one-digit-end"),
        pytest.param("A194-201", ("a194", "a201"), id="letter-prefix"),
        pytest.param("S12–S15", ("s12", "s15"), id="supplement"),
        pytest.param("e1234", ("e1234", ""), id="article-number"),
        pytest.param("1252", ("1252", ""), id="single"),
        pytest.param("", ("", ""), id="empty"),
    ],
)
def test_expand_page_range(pages: str, expected: tuple[str, str]) -> None:
    assert expand_page_range(pages) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("2666-76", "2666-2676", True, id="abbreviated"),
        pytest.param("2666", "2666-2676", True, id="first-page-only"),
        pytest.param("2666-77", "2666-2676", False, id="different-end"),
        pytest.param("2667-2676", "2666-2676", False, id="different-start"),
        pytest.param("", "", False, id="empty"),
    ],
)
def test_pages_equal(a: str, b: str, expected: bool) -> None:
    assert pages_equal(a, b) is expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [pytest.param("1252-60", "1252", id="range"), pytest.param("", "", id="empty"), pytest.param("e5", "e5", id="eid")],
)
def test_first_page(pages: str, expected: str) -> None:
    assert first_page(pages) == expected


@pytest.mark.parametrize(
    ("written", "full", "abbreviations", "expected"),
    [
        pytest.param("J Clin Oncol", "Journal of Clinical Oncology", (), True, id="nlm-vs-full"),
        pytest.param("N Engl J Med", "The New England Journal of Medicine", (), True, id="nlm-vs-full-with-the"),
        pytest.param("The New England Journal of Medicine", "New England Journal of Medicine", (), True, id="the"),
        pytest.param("J. Clin. Oncol.", "Journal of Clinical Oncology", ("J Clin Oncol",), True, id="iso-dots"),
        pytest.param("Journal of Clinical Oncology", "", ("J Clin Oncol",), True, id="full-vs-abbreviation"),
        pytest.param("J Clin Oncol", "Journal of Cell Biology", (), False, id="different-journal"),
        pytest.param("J Clin", "Journal of Clinical Oncology", (), False, id="missing-word"),
        pytest.param("Journal of Synthetic Tests & Methods", "J Synth Tests Methods", (), True, id="ampersand"),
        pytest.param("", "Journal of Clinical Oncology", (), False, id="empty"),
    ],
)
def test_same_journal(written: str, full: str, abbreviations: tuple[str, ...], expected: bool) -> None:
    assert same_journal(written, full, abbreviations) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("29", "29", id="plain"),
        pytest.param("Vol. 29", "29", id="label"),
        pytest.param("029", "29", id="leading-zero"),
        pytest.param("Suppl 2", "suppl2", id="supplement"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalize_volume(value: str, expected: str) -> None:
    assert normalize_volume(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("10", "10", id="plain"),
        pytest.param("No. 10", "10", id="label"),
        pytest.param("(10)", "10", id="parentheses"),
        pytest.param("3-4", "3-4", id="double-issue"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalize_issue(value: str, expected: str) -> None:
    assert normalize_issue(value) == expected
