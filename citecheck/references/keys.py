"""Stable, readable BibTeX keys for CSL items: `robert2011ribbon`.

A key is the first author's family name, the year and the first significant title word, each
folded to lower-case ASCII letters (and digits for the title word). The same item always gets
the same key, so a corrected bibliography written twice diffs cleanly; collisions are settled
by `a`, `b`, `c` suffixes in the order items are keyed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from citecheck.model import CslItem

# Words that say nothing about a work. Short words (under three characters) are skipped
# anyway, so only longer function words need listing.
STOP_WORDS: frozenset[str] = frozenset(
    """
    the and for from with into onto upon over under about after before between among
    versus via its their our your his her this that these those what which who whom why how
    when where are was were has have had not but nor yet than then also more most less
    some any all each every other such only own same very can will shall may might must
    should would could does did being been toward towards within without across through
    during against along around per une des les der die das und von zur """.split()
)

#: The key given to an item without any author.
ANONYMOUS = "anon"

# Letters that Unicode decomposition does not reduce to ASCII.
_FOLD = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
        "ı": "i", "ħ": "h", "Ħ": "H",
    }
)
_WORD = re.compile(r"[a-z0-9]+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")


def ascii_fold(text: str) -> str:
    """The text with accents removed and special letters spelt in ASCII (`García` → `Garcia`)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isascii())


def _words(text: str) -> list[str]:
    """Lower-case ASCII letter/digit runs: `RIBBON-1:` → `["ribbon", "1"]`."""
    return _WORD.findall(ascii_fold(text).lower())


def _significant(words: list[str]) -> str:
    """The first word that is neither a stop word, nor shorter than three, nor a bare number."""
    for word in words:
        if len(word) >= 3 and word not in STOP_WORDS and not word.isdigit():
            return word
    return ""


def _author_part(csl: CslItem) -> str:
    """The first author's family name (with particles) or an organisation's first real word."""
    authors = csl.get("author")
    if not isinstance(authors, list) or not authors or not isinstance(authors[0], dict):
        return ""
    first: dict[str, Any] = authors[0]
    family = str(first.get("family") or "")
    if family:
        # `van der Berg` stored as particle + family or as one family gives the same key.
        particle = str(first.get("non-dropping-particle") or "")
        return ascii_fold(f"{particle}{family}").lower()
    literal = str(first.get("literal") or "")
    words = _words(literal)
    # An organisation: `American Cancer Society` → `american`, `The Cochrane ...` → `cochrane`.
    letters = [w for w in words if w.isalpha()]
    return _significant(letters) or (letters[0] if letters else "")


def _year_part(csl: CslItem) -> str:
    """The issued year as four digits, or empty."""
    issued = csl.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = str(parts[0][0]).strip()
            if year.isdigit():
                return year
        for key in ("raw", "literal"):
            match = _YEAR.search(str(issued.get(key) or ""))
            if match:
                return match.group(1)
    return ""


def _suffix(index: int) -> str:
    """0 → `a`, 25 → `z`, 26 → `aa`: bijective base-26, so suffixes never run out."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def make_key(csl: CslItem, taken: set[str] | None = None) -> str:
    """A stable, readable key for a CSL item: family name + year + first significant title word.

    `taken` holds the keys already given out; it is updated in place. Keys are compared without
    regard to case, because BibTeX and Biber treat `Smith2019` and `smith2019` as clashing.
    """
    author = _author_part(csl)
    author = "".join(ch for ch in author if ch.isalpha()) or ANONYMOUS
    title = _significant(_words(str(csl.get("title") or "")))
    base = f"{author}{_year_part(csl)}{title}"
    if taken is None:
        return base
    used = {key.lower() for key in taken}
    key = base
    index = 0
    while key.lower() in used:
        key = base + _suffix(index)
        index += 1
    taken.add(key)
    return key
