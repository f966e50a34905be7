"""citecheck's matcher: is this registry record the work a reference describes?

Sources return candidates ranked by their own scores, which are not comparable across queries
and say nothing about whether any candidate is right. The matcher validates every candidate
field by field against the reference — title, first author, year, volume, first page, journal —
and decides "matched", "ambiguous" or "no-match" from that evidence alone.

The parsed reference (`reference_csl`) may be incomplete or wrong, so every field is also
checked against the raw reference string: a candidate's title words, family name, volume and
first page either appear in what the author wrote or they do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from citecheck.model import CslItem, Work
from citecheck.references.normalize import (
    first_page,
    fold,
    normalize_volume,
    same_family_name,
    same_journal,
    title_similarity,
    title_tokens,
    tokens,
    unwrap,
)

__all__ = [
    "Comparison",
    "MatchDecision",
    "Verdict",
    "bibliographic_query",
    "compare",
    "decide",
    "same_work",
]

Verdict = Literal["agree", "disagree", "absent"]
"""How one field of a candidate relates to the reference: the reference says the same, says
something else, or does not say (or the candidate has no value)."""

#: Longest query sent as `query.bibliographic`: long enough for any real reference, short
#: enough that a whole pasted paragraph does not become a query.
MAX_QUERY_CHARS = 400
#: Score at or above which a candidate is taken as the referenced work.
MATCH_THRESHOLD = 0.70
#: Score at or above which a candidate is worth showing as a possible match.
AMBIGUOUS_THRESHOLD = 0.50
#: A runner-up this close to the best candidate makes the match ambiguous.
MARGIN = 0.08

_LABEL = re.compile(r"^\s*(?:\[\s*\w{1,12}\s*\]|\(\s*\d{1,4}\s*\)|\d{1,4}\s*[.)]?(?=\s))\s*")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
# Vancouver and similar locators: "1974;99:496-7", "2011;29(10):1252", "29(10):1252", "29:1252".
_LOCATOR = re.compile(
    r"(?:(?<!\d)(?P<year>1[5-9]\d\d|20\d\d)[a-z]?(?:\s+[a-z]{3,}[^;:()]{0,12})?\s*;\s*)?"
    r"(?<![\w.])(?P<volume>[a-z]?\d{1,5}[a-z]?)\s*(?:\((?P<issue>[^()]{1,15})\))?\s*:\s*"
    r"(?P<page>[a-z]{0,2}\d{1,7}[a-z]?)(?![\d:])"
)
# Where a main title ends: a colon, a spaced dash, an em dash, an en dash between words
# ("imaging–executive summary"; not "2–Negative"), a full stop.
_MAIN_TITLE = re.compile(r":|\s[-–—]\s|—|(?<=[^\W\d])–(?=[^\W\d])|\.\s")
_VOLUME_WORD = re.compile(r"\bvol(?:ume)?\.?\s*(?P<volume>\d{1,5})")
_PAGE_WORD = re.compile(r"\bpp?\.?\s*(?P<page>[a-z]?\d{1,7})")


@dataclass(frozen=True, slots=True)
class Comparison:
    """Field-by-field agreement between a reference and one candidate work."""

    title_score: float
    """0..1: the better of the parsed title's similarity and the raw string's coverage of the
    candidate's title words."""
    title: Verdict
    """Title verdict (agree from 0.8)."""
    first_author: Verdict
    """The candidate's first author's family name against the reference."""
    year: Verdict
    """Publication year (one year apart still agrees: print and online dates differ)."""
    volume: Verdict
    """Volume."""
    first_page: Verdict
    """First page."""
    journal: Verdict
    """Journal, full title or abbreviation."""
    evidence: tuple[str, ...]
    """Short human-readable reasons (`title 0.97`, `first author Robert`, `volume 29 absent in
    reference`)."""
    score: float
    """0..1 confidence that the candidate is the referenced work, from the verdicts above."""

    def agreements(self) -> int:
        """How many of the non-title fields agree."""
        return sum(v == "agree" for v in (self.first_author, self.year, self.volume, self.first_page, self.journal))

    def disagreements(self) -> int:
        """How many of the non-title fields disagree."""
        return sum(
            v == "disagree" for v in (self.first_author, self.year, self.volume, self.first_page, self.journal)
        )


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The matcher's verdict on one reference and its candidates."""

    status: Literal["matched", "ambiguous", "no-match"]
    """matched: one candidate is the work; ambiguous: some fit, none with certainty;
    no-match: none fits."""
    work: Work | None
    """The matched work (only when `status` is "matched")."""
    confidence: float
    """0..1: the best candidate's score."""
    evidence: tuple[str, ...]
    """Why: the best candidate's field comparisons, and the runner-up when it made the
    decision ambiguous."""
    candidates: tuple[Work, ...]
    """Candidates worth showing (score at least AMBIGUOUS_THRESHOLD), best first, the matched
    work excluded."""


@dataclass(frozen=True, slots=True)
class _Reference:
    """What the reference says, from the parsed fields and the raw string, prepared once."""

    title: str
    author: str
    years: tuple[int, ...]
    volume: str
    page: str
    journal: str
    raw_seqs: tuple[tuple[str, ...], ...]
    raw_words: frozenset[str]
    raw_text: str
    raw_numbers: frozenset[str]
    locators: tuple[tuple[str, str], ...]
    raw_years: tuple[int, ...]


def _strip_label(text: str) -> str:
    return _LABEL.sub("", text, count=1)


def _csl_text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _csl_years(csl: CslItem) -> tuple[int, ...]:
    issued = csl.get("issued")
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            return (int(parts[0][0]),)
        except (TypeError, ValueError):
            return ()
    return ()


def _csl_author(csl: CslItem) -> str:
    authors = csl.get("author")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        first = authors[0]
        return str(first.get("family") or first.get("literal") or "")
    return ""


def _prepare(csl: CslItem, raw: str) -> _Reference:
    csl = csl if isinstance(csl, dict) else {}
    raw = _strip_label(raw or "")
    joined, split = unwrap(raw, join_hyphens=True), unwrap(raw, join_hyphens=False)
    seqs = tuple(tuple(w for w in tokens(text) if w) for text in (joined, split)) if raw.strip() else ()
    words = frozenset(w for seq in seqs for w in seq)
    folded = fold(joined)
    volume = normalize_volume(_csl_text(csl.get("volume")))
    page = first_page(_csl_text(csl.get("page")))
    years = _csl_years(csl)
    # Every locator in the string: a ratio in a title ("1:100") or the next reference glued
    # on by PDF extraction makes more than one; a candidate agrees with any of them.
    locators = tuple(
        (normalize_volume(m.group("volume")), first_page(m.group("page"))) for m in _LOCATOR.finditer(folded)
    )
    if not locators:
        if not volume and (m := _VOLUME_WORD.search(folded)):
            volume = normalize_volume(m.group("volume"))
        if not page and (m := _PAGE_WORD.search(folded)):
            page = first_page(m.group("page"))
    numbers = frozenset(w for w in words if any(c.isdigit() for c in w))
    return _Reference(
        title=_csl_text(csl.get("title")),
        author=_csl_author(csl),
        years=years,
        volume=volume,
        page=page,
        journal=_csl_text(csl.get("container-title")),
        raw_seqs=seqs,
        raw_words=words,
        raw_text=" ".join(seqs[0]) if seqs else "",
        raw_numbers=numbers,
        locators=locators,
        raw_years=tuple(sorted({int(y) for y in _YEAR.findall(folded)})),
    )


def _covered(wanted: list[str], ref: _Reference) -> float:
    """Share of `wanted` words that the raw string holds, in the same order."""
    if not wanted or not ref.raw_seqs:
        return 0.0
    best = 0
    present = set(wanted)
    for seq in ref.raw_seqs:
        informative = [w for w in seq if w in present]
        matcher = SequenceMatcher(None, wanted, informative, autojunk=False)
        best = max(best, sum(block.size for block in matcher.get_matching_blocks()))
    return best / len(wanted)


def _coverage(title: str, ref: _Reference) -> float:
    """How much of the candidate's title the raw string holds, in order; a reference that
    gives only the main title (before `:` or an em dash) scores 0.9 times its coverage."""
    wanted = title_tokens(title)
    score = _covered(wanted, ref)
    main = title_tokens(_MAIN_TITLE.split(title, maxsplit=1)[0])
    if score < 0.9 and 3 <= len(main) < len(wanted):
        score = max(score, 0.9 * _covered(main, ref))
    return score


def _title(ref: _Reference, work: Work) -> tuple[float, Verdict, str]:
    if not work.title:
        # Neutral: records without a title (some Crossref records) are judged on the rest.
        return 0.5, "absent", "title absent in record"
    parsed = title_similarity(ref.title, work.title) if ref.title else 0.0
    covered = _coverage(work.title, ref)
    # Short titles ("To cut or stretch?") are covered by chance by other references' words:
    # coverage counts fully only from four informative words.
    n = len(title_tokens(work.title))
    if n < 4:
        covered *= 0.75 + 0.0625 * n
    score = round(max(parsed, covered), 2)
    if not ref.title and not ref.raw_seqs:
        return 0.0, "absent", "title absent in reference"
    return score, ("agree" if score >= 0.8 else "disagree"), f"title {score:.2f}"


def _author(ref: _Reference, work: Work) -> tuple[Verdict, str]:
    if not work.authors:
        return "absent", "no author in record"
    first = work.authors[0]
    family = first.family or first.literal
    if ref.author:
        if same_family_name(ref.author, family):
            return "agree", f"first author {family}"
    words = tokens(family)
    if words and ref.raw_words and all(w in ref.raw_words for w in words):
        return "agree", f"first author {family}"
    if ref.raw_words and "".join(words) in ref.raw_words:  # "O'Shaughnessy" written "OShaughnessy"
        return "agree", f"first author {family}"
    if not ref.author and not ref.raw_words:
        return "absent", f"first author {family} absent in reference"
    return "disagree", f"first author {family} not in reference"


def _year(ref: _Reference, work: Work) -> tuple[Verdict, str]:
    years = [y for y in (work.year, *work.other_years) if y]
    if not years:
        return "absent", "no year in record"
    # Years in the parsed fields or anywhere in the raw string (a misparse, or two references
    # glued together, must not make a right year disagree).
    written = (*ref.years, *ref.raw_years)
    if not written:
        return "absent", f"year {years[0]} absent in reference"
    if any(abs(y - r) <= 1 for y in years for r in written):
        exact = [y for y in years if y in written]
        return "agree", f"year {exact[0] if exact else years[0]}"
    return "disagree", f"year {years[0]} (reference {written[0]})"


def _in_raw(ref: _Reference, value: str) -> bool:
    """The raw string shows `value` although the parsed field says otherwise: the parser
    misread (only trusted without a locator, and for values of two characters or more)."""
    return not ref.locators and len(value) >= 2 and value in ref.raw_numbers


def _volume(ref: _Reference, work: Work) -> tuple[Verdict, str]:
    return _locator_part("volume", normalize_volume(work.volume), ref.volume, [v for v, _ in ref.locators], ref)


def _page(ref: _Reference, work: Work) -> tuple[Verdict, str]:
    return _locator_part("page", first_page(work.page), ref.page, [p for _, p in ref.locators], ref)


def _locator_part(label: str, registered: str, parsed: str, in_locators: list[str], ref: _Reference) -> tuple[Verdict, str]:
    """Agreement on a volume or first page: the record's value against the raw string's
    `volume:page` locators first, then the parsed field, then any number in the raw string."""
    if not registered:
        return "absent", f"no {label} in record"
    if parsed == registered or registered in in_locators:
        return "agree", f"{label} {registered}"
    if in_locators:
        # The raw string's locator beats the parser's reading of it (parsers mistake
        # "2010, 6:e1001231" for page 6): the raw string is what the author wrote.
        return "disagree", f"{label} {registered} (reference {in_locators[0]})"
    if parsed:
        if _in_raw(ref, registered):
            return "agree", f"{label} {registered}"
        return "disagree", f"{label} {registered} (reference {parsed})"
    if registered in ref.raw_numbers:
        return "agree", f"{label} {registered}"
    return "absent", f"{label} {registered} absent in reference"


def _journal(ref: _Reference, work: Work) -> tuple[Verdict, str]:
    names = [n for n in (work.container_title, *work.short_container_titles) if n]
    if not names:
        return "absent", "no journal in record"
    if ref.journal and same_journal(ref.journal, work.container_title, work.short_container_titles):
        return "agree", f"journal {names[-1]}"
    for name in names:
        words = " ".join(tokens(name))
        if words and f" {words} " in f" {ref.raw_text} ":
            return "agree", f"journal {name}"
    if ref.journal:
        return "disagree", f"journal {names[-1]} (reference {ref.journal})"
    return "absent", f"journal {names[-1]} not found in reference"


# Weights of the fields in the score; a disagreement costs what an agreement earns.
_WEIGHTS = {"first_author": 0.12, "year": 0.06, "volume": 0.08, "first_page": 0.12, "journal": 0.06}
_VALUE = {"agree": 1.0, "absent": 0.0, "disagree": -1.0}


def _compare(ref: _Reference, work: Work) -> Comparison:
    title_score, title, title_note = _title(ref, work)
    verdicts = {
        "first_author": _author(ref, work),
        "year": _year(ref, work),
        "volume": _volume(ref, work),
        "first_page": _page(ref, work),
        "journal": _journal(ref, work),
    }
    score = 0.56 * title_score + sum(_WEIGHTS[f] * _VALUE[v] for f, (v, _) in verdicts.items())
    nothing_against = all(v != "disagree" for v, _ in verdicts.values())
    if title_score >= 0.95 and len(title_tokens(work.title)) >= 6 and nothing_against:
        # A long title found whole, with no field against it, identifies a work on its own
        # (a reference may give no volume or page, and a record may have no author).
        score = max(score, 0.9 * (MATCH_THRESHOLD + 0.1))
    if title == "disagree" and title_score < 0.5:
        # Without the title, agreeing numbers (volume, page) are too often coincidence.
        score = min(score, AMBIGUOUS_THRESHOLD - 0.01)
    score = round(min(1.0, max(0.0, score / 0.9)), 3)
    return Comparison(
        title_score=title_score,
        title=title,
        first_author=verdicts["first_author"][0],
        year=verdicts["year"][0],
        volume=verdicts["volume"][0],
        first_page=verdicts["first_page"][0],
        journal=verdicts["journal"][0],
        evidence=(title_note, *(note for _, note in verdicts.values())),
        score=score,
    )


def bibliographic_query(reference_csl: CslItem, raw: str) -> str:
    """The text to send as a bibliographic query: the raw reference with its label dropped,
    words broken across lines joined, whitespace collapsed, cut at MAX_QUERY_CHARS on a word
    boundary. When there is no raw text, the parsed fields joined."""
    text = unwrap(_strip_label(raw or ""), join_hyphens=True)
    if not text and isinstance(reference_csl, dict):
        parts = [
            _csl_author(reference_csl),
            _csl_text(reference_csl.get("title")),
            _csl_text(reference_csl.get("container-title")),
            " ".join(str(y) for y in _csl_years(reference_csl)),
            _csl_text(reference_csl.get("volume")),
            _csl_text(reference_csl.get("page")),
        ]
        text = " ".join(p for p in parts if p)
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


def compare(reference_csl: CslItem, raw: str, work: Work) -> Comparison:
    """Each field of `work` checked against the reference: its parsed fields and its raw
    string. Where they conflict, what the raw string shows wins (a value the candidate shares
    with the raw string agrees even if the parser read the string otherwise)."""
    return _compare(_prepare(reference_csl, raw), work)


def decide(reference_csl: CslItem, raw: str, candidates: Sequence[Work]) -> MatchDecision:
    """Validate every candidate and decide. The sources' order and scores are ignored.

    matched: the best candidate scores at least MATCH_THRESHOLD and no other candidate (with
    another DOI) comes within MARGIN of it; ambiguous: the best scores at least
    AMBIGUOUS_THRESHOLD otherwise; no-match: nothing does.
    """
    ref = _prepare(reference_csl, raw)
    scored: list[tuple[float, int, Work, Comparison]] = []
    seen: set[str] = set()
    for index, work in enumerate(candidates):
        if work.doi in seen:
            continue
        seen.add(work.doi)
        comparison = _compare(ref, work)
        scored.append((comparison.score, index, work, comparison))
    if not scored:
        return MatchDecision("no-match", None, 0.0, ("no candidates",), ())
    scored.sort(key=lambda item: (-item[0], item[1]))
    best_score, _, best, comparison = scored[0]
    shown = tuple(w for s, _, w, _ in scored if s >= AMBIGUOUS_THRESHOLD)
    if best_score < AMBIGUOUS_THRESHOLD:
        return MatchDecision("no-match", None, best_score, comparison.evidence, ())
    runner_up = scored[1] if len(scored) > 1 else None
    if best_score >= MATCH_THRESHOLD and (runner_up is None or best_score - runner_up[0] >= MARGIN):
        return MatchDecision("matched", best, best_score, comparison.evidence, shown[1:])
    evidence = comparison.evidence
    if runner_up is not None and best_score - runner_up[0] < MARGIN:
        evidence = (*evidence, f"also fits {runner_up[2].doi} ({runner_up[0]:.2f})")
    return MatchDecision("ambiguous", None, best_score, evidence, shown)


def same_work(reference_csl: CslItem, raw: str, work: Work) -> bool:
    """For a reference that gives a DOI: is the DOI's record the work the reference describes?

    Lenient, since the author chose this DOI: False only when the evidence says another work
    (title unlike the reference, and the other fields do not make up for it), which is what
    a doi-mismatch finding reports.
    """
    comparison = compare(reference_csl, raw, work)
    if comparison.title == "agree":
        return comparison.disagreements() <= 2
    if comparison.title == "absent":
        return comparison.agreements() >= 2 or comparison.disagreements() == 0
    # The title differs: still this work when the reference is merely terse (part of the title
    # and the first author) or mangled (most other fields agree).
    if comparison.title_score >= 0.4 and comparison.first_author == "agree":
        return True
    return comparison.agreements() >= 3 and comparison.disagreements() == 0
