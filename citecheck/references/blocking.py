"""Blocking keys: the exact keys on which a reference meets the registry records it may describe.

Finding candidates by full-text search costs more the larger the index; looking up exact keys
in a B-tree (or joining on them) costs the same at ten thousand records and at 180 million.
This module defines the keys once, for every place that generates candidates: the local
snapshot (`citecheck.sources.snapshot`, indexed tables of key hashes) and the corpus run
(a join of references against a Parquet export of a snapshot on the same hashes). Both then
hand the candidates to `citecheck.matching.decide`, which stays the judge: a key only says
"worth comparing", never "the same work".

Pure functions of bibliographic values, no I/O, no SQLite: `work_keys(work)` for a registry
record, `reference_keys(csl, raw)` for a reference (its parsed CSL-JSON fields and the string
as written). Each key is a `BlockingKey(kind, value)`; `key.hash` is the 47-bit integer both
sides store and join on (BLAKE2b of `kind:value`, the same in every process and language).

The kinds (`KINDS`), each robust to a different way a reference goes wrong:

- `doi`: the normalised DOI.
- `title`: the first `TITLE_WORDS` informative words of the title (`title_tokens`: folded,
  stop-words dropped). A record also keys its main title (before a subtitle separator), so a
  reference that omits the subtitle still meets it. A reference tries the parsed title and every
  sentence-like segment of its raw string, with words broken across lines both joined and kept
  apart, since a PDF does not say which hyphens were real.
- `author-page`: the first author's family name (letters only: `van der Berg` → `vanderberg`),
  volume and first page. Robust to a mangled title.
- `journal-page`: the journal's initials (`J Clin Oncol` and `Journal of Clinical Oncology`
  both → `jco`), volume and first page. Robust to a mangled first author.

Why it lives in `references/`: it is normalisation of bibliographic values (a sibling of
`normalize.py`, whose functions it uses) and imports nothing but `model` and `references`, so
the snapshot (`sources/`), the resolver and a corpus package can all import it without a cycle,
and without SQLite or any I/O coming along.

A key that many records share says little (`title` of an editorial called "Editorial"): the
record side leaves out titles of fewer than `MIN_TITLE_WORDS` words, and a lookup that finds
more than `MAX_POSTINGS` records for one key ignores that key (`select_candidates`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from citecheck.model import CslItem, Work
from citecheck.references.normalize import first_page, fold, normalize_volume, title_tokens, unwrap
from citecheck.references.doi import normalize_doi

__all__ = [
    "BLOCKING_VERSION",
    "KINDS",
    "MAX_CANDIDATES",
    "MAX_POSTINGS",
    "BlockingKey",
    "key_hash",
    "record_key_values",
    "reference_keys",
    "select_candidates",
    "work_keys",
]

BLOCKING_VERSION = "2"
"""Changes whenever a key's definition changes: stores built with another version must be rebuilt.
2: a reference's volume and first page are read from ranges of supplement pages too
(`Int J Sports Med 13(1), S157-S160`)."""

KINDS = ("doi", "title", "author-page", "journal-page")
"""Every kind of key, in the order `work_keys` emits them."""

TITLE_WORDS = 6
"""Informative title words in a title key: enough to be specific, few enough that a reference
with a mangled end of title still meets its record."""
MIN_TITLE_WORDS = 3
"""Titles with fewer informative words get no title key: "Editorial", "Reply", "Breast cancer"
are shared by thousands of records."""
MAX_POSTINGS = 48
"""A key found on more records than this is not specific enough to block on: ignored."""
MAX_CANDIDATES = 8
"""Records handed to the matcher per reference, best supported first."""

WEIGHTS: Mapping[str, int] = {"doi": 8, "title": 4, "author-page": 3, "journal-page": 3}
"""How much a shared key of each kind counts when ranking candidates (`select_candidates`)."""

_HASH_MASK = (1 << 47) - 1
_LETTERS = re.compile(r"[^\W\d_]+")
_JOURNAL_IGNORED = frozenset({"the", "of", "and", "for", "in", "on", "a", "an", "de", "la", "le", "der", "und", "fur"})
# Where a sentence-like segment of a reference string ends: a full stop, question or
# exclamation mark followed by a space, a closing or opening quote, a year in brackets.
_SEGMENT_END = re.compile(r"(?<=[^\s.])[.?!]\s+|[\"“”«»]|\(\s*(?:1[5-9]\d\d|20\d\d)[a-z]?\s*\)[.,]?|\[\s*\w+\s*\]")
# Volume and first page as references write them: "1974;99:496-7", "29(10):1252", "29:1252",
# "vol. 29, pp. 1252", "29, 1252-1260" (APA: "Journal, 29(10), 1252–1260"; "13(1), S157-S160").
_LOCATORS = (
    re.compile(r"(?<![\w.])(?P<volume>[a-z]?\d{1,5}[a-z]?)\s*(?:\([^()]{1,15}\))?\s*:\s*(?P<page>[a-z]{0,2}\d{1,7}[a-z]?)(?![\d:])"),
    re.compile(r"\bvol(?:ume)?\.?\s*(?P<volume>\d{1,5})\b.{0,30}?\bpp?\.?\s*(?P<page>[a-z]?\d{1,7})"),
    re.compile(r"(?<![\w.])(?P<volume>\d{1,5})\s*(?:\([^()]{1,15}\))?\s*,\s*(?:pp?\.?\s*)?(?P<page>[a-z]?\d{1,7})\s*[-–]\s*[a-z]?\d"),
    re.compile(r"(?<![\w.])(?P<volume>\d{1,5})\s*(?:\([^()]{1,15}\))?\s*,\s*(?P<page>e\d{1,7}|\d{1,7})\s*(?:[.;(]|$)"),
)
_AFTER_COLON = re.compile(r":\s+(\S.*)")
# After a comma that follows a capitalised name ("J Thunberg, Influences on ..."): only the
# commas of the first 200 characters, where author lists stand.
_AFTER_COMMA = re.compile(r"(?<=[^\W\d_]{2}),\s+(?=[A-Z])(.{20,})")
_LEADING_YEAR = re.compile(r"^\s*(?:1[5-9]\d\d|20\d\d)[a-z]?\b[.,:]?\s*")
_YEAR_PREFIX = re.compile(r"^(?:1[5-9]\d\d|20\d\d)[a-z]?\s*(?:[a-z]{3}\s*\d{0,2})?\s*;\s*")


@dataclass(frozen=True, slots=True)
class BlockingKey:
    """One blocking key: its kind (one of `KINDS`) and its normalised value."""

    kind: str
    """`doi`, `title`, `author-page` or `journal-page`."""
    value: str
    """The normalised text the key stands for (`jco|29|1252`), for reading and debugging."""

    @property
    def hash(self) -> int:
        """The key as stored and joined on: a non-negative 47-bit integer (see `key_hash`)."""
        return key_hash(self.kind, self.value)


def key_hash(kind: str, value: str) -> int:
    """BLAKE2b of `kind:value` (UTF-8), its first six bytes as a big-endian integer, 47 bits.

    47 bits so that SQLite stores it in six bytes and Parquet in an int64 without sign
    trouble; at 10⁹ keys a lookup meets an unrelated record by collision once in ~10⁵, and
    the matcher rejects it.
    """
    hasher = _BLAKE2B_6.copy()  # copying a prepared hasher is faster than making one
    hasher.update(f"{kind}:{value}".encode())
    return int.from_bytes(hasher.digest(), "big") & _HASH_MASK


_BLAKE2B_6 = hashlib.blake2b(digest_size=6)


@functools.lru_cache(maxsize=1 << 16)
def _family_key(name: str) -> str:
    """A family name as keys spell it: folded letters only (`O'Shaughnessy` → `oshaughnessy`)."""
    if name.isascii():  # the same letters, without folding or a regular expression
        return name.casefold().encode().translate(None, _ASCII_NOT_LETTERS).decode()
    return "".join(_LETTERS.findall(fold(name)))


_ASCII_NOT_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_ASCII_LETTER_BREAKS = bytes.maketrans(_ASCII_NOT_LETTERS, b" " * len(_ASCII_NOT_LETTERS))


@functools.lru_cache(maxsize=1 << 16)
def _journal_initials(name: str) -> str:
    """The initials of a journal's words, connectives dropped: `J. Clin. Oncol.` → `jco`; a
    journal of one word is that word (`The Lancet` → `lancet`)."""
    if name.isascii():  # the same words, without folding or a regular expression
        found = name.casefold().encode().translate(_ASCII_LETTER_BREAKS).decode().split()
    else:
        found = _LETTERS.findall(fold(name.replace("&", " ")))
    words = [w for w in found if w not in _JOURNAL_IGNORED]
    if len(words) == 1:
        return words[0]
    return "".join(w[0] for w in words)


def _title_key(words: list[str]) -> str:
    return " ".join(words[:TITLE_WORDS])


_SUBTITLE = re.compile(r":|\s[-–—]\s|—|\.\s")


def _main_title(title: str) -> str:
    return _SUBTITLE.split(title, maxsplit=1)[0]


def work_keys(work: Work) -> tuple[BlockingKey, ...]:
    """The keys of a registry record, without repeats, in `KINDS` order."""
    first = work.authors[0] if work.authors else None
    values = record_key_values(
        doi=work.doi, title=work.title, first_author=(first.family or first.literal) if first else "",
        volume=work.volume, page=work.page, journals=(work.container_title, *work.short_container_titles),
    )
    return tuple(BlockingKey(kind, value) for kind, value in values)


def record_key_values(
    *, doi: str, title: str, first_author: str, volume: str, page: str, journals: Iterable[str],
    title_words: list[str] | None = None,
) -> list[tuple[str, str]]:
    """`work_keys` of a record given by its plain values, as `(kind, value)` pairs.

    For callers that hold a record's values without a `Work` (a snapshot build turns millions
    of records into keys and never needs the `Work`). `doi` is normalised already; `first_author`
    is the first author's family name (or literal name); `title_words` may pass
    `title_tokens(title)` when the caller has it.
    """
    keys: dict[tuple[str, str], None] = {}
    if doi:
        keys[("doi", doi)] = None
    words = title_tokens(title) if title_words is None else title_words
    if len(words) >= MIN_TITLE_WORDS:
        keys[("title", _title_key(words))] = None
        main = title_tokens(_main_title(title)) if _SUBTITLE.search(title) else words
        if MIN_TITLE_WORDS <= len(main) < min(len(words), TITLE_WORDS):
            keys[("title", _title_key(main))] = None
    volume, page = normalize_volume(volume), first_page(page)
    if volume and page:
        if first_author:
            family = _family_key(first_author)
            if family:
                keys[("author-page", f"{family}|{volume}|{page}")] = None
        for journal in dict.fromkeys(journals):
            initials = _journal_initials(journal)
            if len(initials) >= 2:
                keys[("journal-page", f"{initials}|{volume}|{page}")] = None
    return list(keys)


def _csl_text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _segments(text: str) -> list[str]:
    """Sentence-like parts of a reference string, in order (a title is usually one of them)."""
    parts = [p.strip(" ,;:") for p in _SEGMENT_END.split(text)]
    return [p for p in parts if p]


def _title_starts(segment: str) -> list[str]:
    """Where a title may start in a segment: its start, after a colon ("Smith J: Title"),
    after a leading year ("2008 Title"), after a comma in the authors ("J Smith, Title")."""
    starts = [segment]
    starts.extend(m.group(1) for m in _AFTER_COLON.finditer(segment))
    starts.extend(m.group(1) for m in _AFTER_COMMA.finditer(segment))
    return [_LEADING_YEAR.sub("", s) for s in starts]


def _reference_titles(csl: CslItem, readings: Iterable[str]) -> list[str]:
    titles: dict[str, None] = {}
    parsed = _csl_text(csl.get("title"))
    candidates = [parsed] if parsed else []
    for reading in readings:
        segments = _segments(reading)
        for index, segment in enumerate(segments):
            candidates.extend(_title_starts(segment))
            if index + 1 < len(segments):
                # A title with a full stop or question mark inside ("Who cares? A study").
                candidates.append(f"{segment} {segments[index + 1]}")
    for text in candidates:
        words = title_tokens(text)
        if len(words) >= MIN_TITLE_WORDS:
            titles[_title_key(words)] = None
    return list(titles)


def _reference_authors(csl: CslItem, text: str) -> list[str]:
    families: dict[str, None] = {}
    authors = csl.get("author")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        first = authors[0]
        name = _family_key(str(first.get("family") or first.get("literal") or ""))
        if name:
            families[name] = None
    # The string's first name-like word (initials before it skipped: "J Thunberg", "M.M.
    # Bahgat"), alone and run together with the next one or two ("van der Berg", "Garcia
    # Marquez"): the first author's family name in most styles.
    words = _LETTERS.findall(text[:80])
    start = next((i for i, w in enumerate(words) if len(w) >= 2 and not (w.isupper() and len(w) <= 3)), None)
    if start is not None:
        first = [fold(w) for w in words[start : start + 3]]
        families[first[0]] = None
        if len(first) > 1:
            families[first[0] + first[1]] = None
        if len(first) > 2 and len(first[0]) <= 3:
            families["".join(first)] = None
    return [f for f in families if len(f) >= 2]


def _reference_locators(csl: CslItem, text: str) -> list[tuple[str, str, int]]:
    """(volume, first page, where in `text` it starts) for every locator the reference shows."""
    found: dict[tuple[str, str], int] = {}
    volume, page = normalize_volume(_csl_text(csl.get("volume"))), first_page(_csl_text(csl.get("page")))
    if volume and page:
        found[(volume, page)] = -1
    folded = fold(text)
    for pattern in _LOCATORS:
        for match in pattern.finditer(folded):
            pair = (normalize_volume(match.group("volume")), first_page(match.group("page")))
            if pair[0] and pair[1]:
                found.setdefault(pair, match.start())
    return [(v, p, at) for (v, p), at in found.items()]


def _reference_journals(csl: CslItem, text: str, locators: list[tuple[str, str, int]]) -> list[str]:
    journals: dict[str, None] = {}
    parsed = _journal_initials(_csl_text(csl.get("container-title")))
    if len(parsed) >= 2:
        journals[parsed] = None
    folded = fold(text)
    for _, _, at in locators:
        if at <= 0:
            continue
        # The journal is the segment before the locator (Vancouver "Gastrointest Endosc.
        # 1974;20:148", APA "Journal of X, 29(10), 1252"), once a leading year is set aside.
        for segment in reversed(_segments(folded[:at])[-2:]):
            segment = _YEAR_PREFIX.sub("", segment)
            segment = re.sub(r"(?:^|[\s,;(])(?:1[5-9]\d\d|20\d\d)[a-z]?\W*$", "", segment)
            initials = _journal_initials(segment)
            if len(initials) >= 2:
                journals[initials] = None
                break
    return list(journals)


def reference_keys(csl: CslItem, raw: str) -> tuple[BlockingKey, ...]:
    """The keys under which a reference's record may be found, without repeats.

    From the parsed fields and from the raw string alike, since either may be wrong: a
    reference yields several keys of a kind (each sentence-like segment may be its title),
    and any one of them meeting the record's is enough to make it a candidate.
    """
    csl = csl if isinstance(csl, dict) else {}
    raw = raw or ""
    keys: dict[BlockingKey, None] = {}
    doi = normalize_doi(_csl_text(csl.get("DOI")))
    if doi:
        keys[BlockingKey("doi", doi)] = None
    readings = [unwrap(raw, join_hyphens=True), unwrap(raw, join_hyphens=False)] if raw.strip() else []
    for title in _reference_titles(csl, readings):
        keys[BlockingKey("title", title)] = None
    text = readings[0] if readings else ""
    locators = _reference_locators(csl, text)
    if locators:
        for family in _reference_authors(csl, text):
            for volume, page, _ in locators:
                keys[BlockingKey("author-page", f"{family}|{volume}|{page}")] = None
        for initials in _reference_journals(csl, text, locators):
            for volume, page, _ in locators:
                keys[BlockingKey("journal-page", f"{initials}|{volume}|{page}")] = None
    return tuple(keys)


def select_candidates(
    postings: Mapping[BlockingKey, Iterable[int]], limit: int = MAX_CANDIDATES
) -> list[int]:
    """The record ids worth handing to the matcher, given the records each key found.

    Keys that found more than `MAX_POSTINGS` records are ignored (too common to say anything).
    A record's support is the sum of `WEIGHTS` over the kinds of key it shares with the
    reference (each kind counted once); the best supported come first, ties in id order, at
    most `limit` of them. Callers look up at most `MAX_POSTINGS + 1` records per key.
    """
    support: dict[int, dict[str, int]] = {}
    for key, ids in postings.items():
        found = list(ids)
        if len(found) > MAX_POSTINGS:
            continue
        for record in found:
            support.setdefault(record, {})[key.kind] = WEIGHTS.get(key.kind, 1)
    ranked = sorted(support, key=lambda record: (-sum(support[record].values()), record))
    return ranked[:limit]
