"""Pure helpers that put bibliographic values written by people and by registries on one footing.

The matcher and the metadata checks compare a reference as written ("N Engl J Med", "2666-76",
"N. J.") with a registry record ("The New England Journal of Medicine", "2666-2676",
"Nicholas J."). Every comparison goes through these functions so that both agree on what
"the same" means. Nothing here raises on odd input: empty or malformed values compare unequal
(or "compatible" where the docstring says absence is not a conflict).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from difflib import SequenceMatcher

__all__ = [
    "STOP_WORDS",
    "expand_page_range",
    "first_page",
    "fold",
    "given_names_compatible",
    "normalize_issue",
    "normalize_volume",
    "pages_equal",
    "same_family_name",
    "same_journal",
    "title_similarity",
    "title_tokens",
    "tokens",
    "unwrap",
]

#: Words that say nothing about which work is meant; dropped from titles and search queries.
STOP_WORDS: frozenset[str] = frozenset(
    """a an and are as at be by for from has have in into is it its of on or than that the their
    this to was were which with within without et al vs versus doi http https www org dx pp vol no
    eds ed der die das und le la les des du de von en""".split()
)

# Every dash-like and quote-like character people paste from word processors and PDFs.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"), "'") | dict.fromkeys(
    map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'
)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")
_JOURNAL_IGNORED = frozenset({"the", "of", "and", "&", "for", "in", "on", "a", "an"})
_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]*)(\d+)([A-Za-z]*)\s*(?:-+\s*([A-Za-z]*)(\d+)([A-Za-z]*))?")
_VOLUME_LABEL = re.compile(r"^\s*(?:vol(?:ume)?|v)\b\.?\s*", re.IGNORECASE)
_ISSUE_LABEL = re.compile(r"^\s*(?:no|nr|num(?:ber)?|issue|iss|n)\b\.?\s*", re.IGNORECASE)


def fold(text: str) -> str:
    """Text reduced for comparison: NFKD, diacritics stripped, case-folded, dashes and quotes
    unified (`–` → `-`, `“` → `"`), whitespace collapsed to single spaces and trimmed.

    `fold("Diéras – “Müller”")` is `'dieras - "muller"'`.
    """
    if not text:
        return ""
    return _fold(text)


@functools.lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    # Cached: matching folds the same candidate titles and names over and over.
    if text.isascii():
        # Nothing to decompose, and of the dashes and quotes only the backquote is ASCII:
        # str.translate with a dict costs more than all the rest, so ASCII text (most titles
        # and names, millions of them in a snapshot build) skips it.
        unified = text.casefold()
        if "`" in unified:
            unified = unified.replace("`", "'")
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        # ß and a few ligatures survive NFKD; casefold() handles them (ß → ss).
        unified = stripped.translate(_DASHES).translate(_QUOTES).casefold()
    # str.split() and the regular expression `\s` agree on what whitespace is
    # (Py_UNICODE_ISSPACE); splitting is several times faster than substituting.
    return " ".join(unified.split())


_BROKEN_WORD = re.compile(r"([^\W\d_])-[ \t]*\r?\n\s*([^\W\d_])")
_BROKEN_RANGE = re.compile(r"(\d)-[ \t]*\r?\n\s*(\w)")


def unwrap(text: str, join_hyphens: bool = True) -> str:
    """Text from a PDF or wrapped file with line breaks undone and spaces collapsed.

    A word broken across lines ("Ger-\\nman") is joined ("German") when `join_hyphens`, else
    kept hyphenated ("Ger-man"); a range broken after its hyphen ("125-\\n148") stays a range; PDFs do not say which hyphens were real ("long-\\nterm"), so
    callers that need certainty look at both readings.
    """
    if not text:
        return ""
    text = _BROKEN_WORD.sub(r"\1\2" if join_hyphens else r"\1-\2", text)
    # After a digit the hyphen is a range's ("125-\n148"): never joined.
    text = _BROKEN_RANGE.sub(r"\1-\2", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """The folded alphanumeric words of `text`, in order (punctuation and hyphens split words)."""
    if text.isascii():
        # The words `_WORD` finds in `fold(text)`, several times faster: in ASCII, folding is
        # lower-casing (its quotes and spaces are not word characters anyway), and [^\W_] is
        # [A-Za-z0-9].
        return text.casefold().encode().translate(_ASCII_WORD_BREAKS).decode().split()
    return _WORD.findall(fold(text))


_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
_ASCII_WORD_BREAKS = bytes.maketrans(_NOT_ALNUM, b" " * len(_NOT_ALNUM))


def title_tokens(text: str) -> list[str]:
    """The informative words of a title: `tokens` without `STOP_WORDS`."""
    return [t for t in tokens(text) if t not in STOP_WORDS]


def _main_title(text: str) -> str:
    """The part before the first subtitle separator (`:`, ` - `, `. `), or the whole title."""
    parts = re.split(r":|\s[-–—]\s|\.\s", text, maxsplit=1)
    return parts[0]


def _token_ratio(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def title_similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..1, by their informative words in order.

    Robust to case, diacritics, punctuation and stop-words. A title written without its
    subtitle still scores high against the full title (0.9 times the main-title score), as long
    as the main title has at least three informative words: shorter main titles ("RIBBON-1")
    are shared by different works too often to count alone.
    """
    ta, tb = title_tokens(a), title_tokens(b)
    best = _token_ratio(ta, tb)
    if best >= 0.999:
        return 1.0
    for main, own, other in ((_main_title(a), ta, tb), (_main_title(b), tb, ta)):
        tm = title_tokens(main)
        if 3 <= len(tm) < len(own):
            best = max(best, 0.9 * _token_ratio(tm, other))
    # Two main titles alone (both sides carry different or mangled subtitles).
    ma, mb = title_tokens(_main_title(a)), title_tokens(_main_title(b))
    if len(ma) >= 3 and len(mb) >= 3:
        best = max(best, 0.9 * _token_ratio(ma, mb))
    return round(best, 4)


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-'’.]+", fold(name)) if w]


def same_family_name(a: str, b: str) -> bool:
    """True when two family names are the same person's: equal after folding, ignoring
    spaces, hyphens and apostrophes (`O'Shaughnessy` = `OShaughnessy`, `Diéras` = `Dieras`),
    or when one is the other without leading particles (`van der Berg` = `Berg`)."""
    wa, wb = _name_words(a), _name_words(b)
    if not wa or not wb:
        return False
    if "".join(wa) == "".join(wb):
        return True
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    return len(short) < len(long_) and long_[-len(short):] == short and len(short[-1]) > 1


def _given_parts(given: str) -> list[str]:
    """Given names split into parts; runs of capitals (`NJ`, Vancouver style) become initials."""
    parts: list[str] = []
    for word in re.split(r"[\s.]+", given.strip()):
        if not word:
            continue
        for piece in word.split("-"):
            if not piece:
                continue
            if piece.isupper() and len(piece) <= 3 and piece.isalpha():
                parts.extend(piece)
            else:
                parts.append(piece)
    return [fold(p) for p in parts]


def given_names_compatible(a: str, b: str) -> bool:
    """True when two given-name strings may denote the same person: `N. J.` ~ `Nicholas J.`,
    `NJ` ~ `Nicholas James`, `Nicholas` ~ `N. J.`. Parts are compared in order up to the
    shorter list; initials agree with names that start with them, two full names must be
    equal. An empty side is compatible with anything (absence is not a conflict)."""
    pa, pb = _given_parts(a), _given_parts(b)
    if not pa or not pb:
        return True
    for x, y in zip(pa, pb):
        if len(x) == 1 or len(y) == 1:
            if x[0] != y[0]:
                return False
        elif x != y:
            return False
    return True


def expand_page_range(pages: str) -> tuple[str, str]:
    """(first, last) of a page range, folded (lower case), abbreviated last pages expanded:
    `"2666-76"` → `("2666", "2676")`, `"A194-201"` → `("a194", "a201")`, `"e1234"` →
    `("e1234", "")`. Unparseable input gives its first word and `""`."""
    text = fold(pages or "").replace("–", "-")
    match = _PAGE_RANGE.match(text)
    if not match:
        head = text.split(" ")[0].split("-")[0] if text else ""
        return head, ""
    prefix, start, suffix, prefix2, end, suffix2 = match.groups()
    first = f"{prefix}{start}{suffix}"
    if end is None:
        return first, ""
    if len(end) < len(start) and not suffix:
        end = start[: len(start) - len(end)] + end
    last = f"{prefix2 or prefix}{end}{suffix2}"
    return first, last


def first_page(pages: str) -> str:
    """The first page of a range (`"1252-60"` → `"1252"`), folded; `""` when there is none."""
    head = pages.partition("-")[0] if pages else ""
    if head.isdigit() and head.isascii():
        return head  # the common case, without folding and a regular expression
    return expand_page_range(pages)[0]


def pages_equal(a: str, b: str) -> bool:
    """True when two page fields denote the same pages: first pages equal and, when both give a
    last page, last pages equal after expansion (`"2666-76"` = `"2666–2676"`). A lone first
    page equals a range starting there."""
    fa, la = expand_page_range(a)
    fb, lb = expand_page_range(b)
    if not fa or fa != fb:
        return False
    return not (la and lb) or la == lb


def _journal_words(name: str) -> list[str]:
    return [w for w in tokens(name.replace("&", " and ")) if w not in _JOURNAL_IGNORED]


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """Each word of `short` is a prefix of the word of `full` in the same position."""
    return len(short) == len(full) and all(f.startswith(s) for s, f in zip(short, full))


def same_journal(written: str, full: str, abbreviations: tuple[str, ...] | list[str] = ()) -> bool:
    """True when a journal name as written denotes the journal whose full title is `full` and
    whose abbreviations (ISO/NLM, as the registry lists them) are `abbreviations`.

    Compared word by word after folding and ignoring "the", "of", "and", "&" (and a few other
    connectives): the written name matches a candidate name when each written word is a prefix
    of the candidate's word in the same position, or the other way round. So "J Clin Oncol" =
    "Journal of Clinical Oncology", "N Engl J Med" = "The New England Journal of Medicine",
    "J. Clin. Oncol." = "J Clin Oncol".
    """
    words = _journal_words(written)
    if not words:
        return False
    for name in (full, *abbreviations):
        other = _journal_words(name)
        if other and (_abbreviates(words, other) or _abbreviates(other, words)):
            return True
    return False


def normalize_volume(volume: str) -> str:
    """A volume for comparison: `"Vol. 29"` → `"29"`, `"029"` → `"29"`, folded, no spaces."""
    if isinstance(volume, str) and volume.isdigit() and volume.isascii():
        return volume.lstrip("0") or volume  # the common case
    text = _VOLUME_LABEL.sub("", fold(str(volume or ""))).strip(" .,;:")
    text = text.replace(" ", "")
    return text.lstrip("0") or text if text.isdigit() else text


def normalize_issue(issue: str) -> str:
    """An issue for comparison: `"No. 10"` → `"10"`, `"(10)"` → `"10"`, folded, no spaces."""
    text = fold(str(issue or "")).strip(" ()[].,;:")
    text = _ISSUE_LABEL.sub("", text).strip(" ()[].,;:").replace(" ", "")
    return text.lstrip("0") or text if text.isdigit() else text
