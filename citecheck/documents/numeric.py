"""Numeric citation markers in plain text and Markdown: `metastases.1`, `[2-4]`, `(1,2)`, `¹⁻³`.

Mis-detection is what users notice first, so every form is recognised by its *shape* and its
*context*, never by "a number in the text":

- glued markers (`metastases.1`, `cancer.2,3`, `trials1-3`, `shown,5`) must follow a word of
  three or more letters ending in a lowercase letter (so `HER2`, `BRCA1`, `CO2`, `p53`, `cm2`
  are not markers), or sentence punctuation after a word of two or more letters, a closing
  bracket, a percent sign or a quote (so `3.5`, `p < .05`, `July 27,2012` are not), and must be
  followed by a space, punctuation or the end of a line (so `v1.2`, `5%`, `Ca2+` are not);
- Unicode superscripts (`¹`, `¹²`, `¹,²`, `¹⁻³`), Pandoc `^1^` and HTML `<sup>1</sup>` follow
  the same rule (so `m²`, `x^2^`, `10<sup>9</sup>` are not markers). A run of superscript digits
  is ONE number (`¹²` is 12), as typesetting writes it; `¹,²` is a list and `¹⁻³` a range;
- brackets `[1, 3-5]` and parentheses `(1–3)` must stand after a space or punctuation, not after
  a number or a word like `Fig.`, `Eq.`, `Table`, `p.` (so `29(10)`, `Eq. (3)`, `Fig. [2]` are
  not markers); `[1](url)` is a Markdown link, `(1) ...` at a line start or `: (1) assess ...
  (2) evaluate` an enumeration;
- every number has one to three digits and no leading zero (`2011`, `05` never are), ranges go
  upwards, and when the document has a reference list every number must be between 1 and the
  largest entry number (`max_number`), or a little past it for a citation of a missing entry;
- brackets joined by a dash or a comma are one marker: `[2]–[6]` is 2 to 6 (the house style of
  PLOS, IEEE and many publishers), `[1], [5]` cites 1 and 5; a bracket followed by a locator in
  parentheses still cites (`[18](chapter 2)`, `[2](pp. 50, 81)`), only a CommonMark link
  destination makes it a link.

Fenced and inline code, URLs and DOIs are skipped whole. Everything runs as one compiled regular
expression over the text with small, bounded look-backs around each candidate: linear time, no
catastrophic backtracking.

The reported span starts at the marker's first character: the bracket, the parenthesis, the `^`,
the `<` of `<sup>`, or, for a glued marker, its first DIGIT (for `metastases.1` the span and
`Citation.text` are `1`, not `.1`: the punctuation belongs to the sentence).
"""

from __future__ import annotations

import re

from citecheck.documents.base import SourceText
from citecheck.model import Citation, CitationStyle

__all__ = ["MAX_UNBOUNDED_NUMBER", "find_numeric_citations"]

MAX_UNBOUNDED_NUMBER = 999
"""Largest number taken as a citation when the document has no reference list to bound it."""

_MISSING_ENTRY_SLACK = 20
"""How far past the last entry a bracketed, parenthesised or superscript marker still counts as
a citation (of an entry missing from the list)."""

_DELIMITED = frozenset({"bracket", "html", "pandoc", "paren", "usup"})
_FORMS = {"bracket": "bracket", "paren": "paren", "bare": "bare", "usup": "superscript", "html": "superscript",
          "pandoc": "superscript", "word": "glued", "punct": "glued"}
"""`Citation.form` of each kind of match (a glued marker that closes a sentence is `superscript`:
that is how a superscript reads once pasted as plain text, `the effect.4 Dose`)."""

_MAX_RANGE_WIDTH = 200
"""Widest range accepted without a list to bound it (`1-150` is plausible, `1-900` is a page range)."""

_SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_ASCII = str.maketrans(_SUP_DIGITS + "⁻", "0123456789-")

_N = r"[1-9]\d{0,2}(?!\d)"
# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash.
_DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
_TIGHT = rf"{_N}(?:(?:,|{_DASH}){_N})*"
# Spaces and one line break around separators, possessive (`*+`) so that a long run of spaces
# is crossed once: `[ \t]*\n?[ \t]*` would try every split of it (quadratic backtracking).
# Invisible formatting characters (zero-width space/joiners, direction marks, word joiner, BOM)
# count as space: text pasted from PDFs and right-to-left editors carries them inside markers.
_SP = "[ \t\u200b-\u200f\u2060\ufeff]"
_GAP = rf"{_SP}*+(?:\n{_SP}*+)?"
_SPACED = rf"{_N}(?:{_GAP}(?:[,;]|{_DASH}){_GAP}{_N})*"
# Square brackets and <sup> are unambiguous enough for four digits, when a list of over 999
# entries bounds them (`[1000]` in a long review; a year in brackets is beyond the list).
_N4 = r"[1-9]\d{0,3}(?!\d)"
_SPACED4 = rf"{_N4}(?:{_GAP}(?:[,;]|{_DASH}){_GAP}{_N4})*"
_BRACKET = rf"\[{_SP}*+{_SPACED4}{_SP}*+\]"
# `[2]–[6]`, `[1], [5]`: brackets joined by a dash or a comma are one marker (PLOS, IEEE and many
# publishers print ranges and lists so); `[3] and [4]`, `[3] [4]` stay two.
_SN = f"[{_SUP_DIGITS[1:]}][{_SUP_DIGITS}]{{0,2}}(?![{_SUP_DIGITS}])"
_SUP_LIST = rf"{_SN}(?:[,⁻\u2013-]{_SN})*"
# After a glued marker: not a letter, digit or underscore (`word1word`, `id1_x`), not a decimal
# or thousands continuation (`v1.2`, `1,000`), not a file name, address or path (`file1.txt`,
# `john3@example.org`, `a1/b`), not a unit, charge or exponent (`5%`, `Ca2+`, `2^`), not a
# compound (`type1-like`).
_GLUED_END = r"(?!\w|,\d|[.:/@][^\W_]|[%+°^'’]|[-\u2010\u2011][^\W\d_])"

_SCANNER = re.compile(
    # The leading look-ahead lets the engine skip, with one set test, every position where no
    # alternative can start (most of the text); the fence's indentation is a look-behind so
    # that spaces need not be in that set.
    rf"""
    (?=[`~<^\[({_SUP_DIGITS}]|(?<!\d)\d|https?:|ftp:|www\.)
    (?:(?P<skip>
        (?:^|(?<=^[ ])|(?<=^[ ]{{2}})|(?<=^[ ]{{3}}))(?P<fence>```|~~~)[^\n]*\n
        (?s:.*?)^[ \t]{{0,3}}(?P=fence)[^\n]*$
      | `[^`\n]+`
      | (?:https?|ftp)://[^\s<>"]+
      | \bwww\.[^\s<>"]+
      | \b10\.\d{{4,9}}/[^\s<>"]+
    )
  | (?P<html>(?i:<sup>)[ \t]*+\[?(?P<html_list>{_SPACED4})\]?[ \t]*+(?i:</sup>))
  | (?P<pandoc>\^(?P<pandoc_list>{_TIGHT})\^)
  | (?P<bracket>{_BRACKET}(?:{_GAP}(?:[,;]|{_DASH}){_GAP}{_BRACKET})*+)
  | (?P<paren>\({_SP}*+(?P<paren_list>{_SPACED}){_SP}*+\))
  | (?<![{_SUP_DIGITS}⁻])(?P<usup>{_SUP_LIST})(?![{_SUP_DIGITS}⁻]|[^\W_])
  | (?<=[^\W\d_][ ]|[)][ ])(?P<bare>{_N}{_DASH}{_N})(?=[.,;]?$|[.,;][ \t])
  | (?<=[^\W\d_]{{2}}[^\W\d_A-Z])(?P<word>{_TIGHT}){_GLUED_END}
  | (?<=[^\W\d_][.,;]|[)\]%"”’][.,;]|[^\W\d_]["”’]|[.,;!?]["”’])
    (?P<punct>{_TIGHT}){_GLUED_END}
    )""",
    re.MULTILINE | re.VERBOSE,
)

# The group holding the numbers of each delimited form (glued forms are all numbers).
_LIST_GROUP = {
    "html": "html_list",
    "pandoc": "pandoc_list",
    "bracket": "bracket",
    "paren": "paren_list",
}
# What CommonMark accepts after `[text]` as a link: `(dest)`, `(<dest>)`, `(dest "title")`.
_LINK_DESTINATION = re.compile(r"""\([ \t]*(?:<[^<>\n]*>|[^\s()<>]*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'))?[ \t]*\)""")
_BRACKET_CHARS = re.compile(r"[\[\]\u200b-\u200f\u2060\ufeff]")
"""Removed from a bracketed marker before its numbers are read: the brackets, and the invisible
characters `_SP` lets stand inside them."""
_LIST_SPLIT = re.compile(rf"(?:{_SP}|\n)*+([,;]|{_DASH})(?:{_SP}|\n)*+")
_LETTERS = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])*")
"""Letters, and the combining accents that decompose them (`Î` written I + U+0302)."""
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_VOWELS = frozenset("aeiouyAEIOUYàáâäèéêëìíîïòóôöùúûü")

# Words after which a number names a page, figure, equation... and not a reference
# (`Fig. [2]`, `Eq. (3)`, `p.5`, `version2`). Generic nouns stay out: `in these cases.2` cites.
_STOP_WORDS = frozenset(
    """p pp page pages vol vols volume no nos fig figs figure figures eq eqs equation equations
    tab table tables sec sect section sections ch chap chapter chapters app appendix step steps
    item items line lines panel panels row rows col column columns box part parts v ver version
    versions release lemma theorem definition exercise para paragraph""".split()
)
# Before a bracket, only labels: `Theorem [19]`, `cell lines [723]`, `composable parts [4]`,
# `Document Type Definition [77]` cite in real articles (a theorem, a line, a part OF the source);
# and only as labels are written, capitalised or abbreviated (`Fig. [2]`, `Table [1]`, `p. [4]`):
# `by this volume [12]`, `spine tables [60]`, `discussion section [42]` cite.
_BRACKET_STOP_WORDS = _STOP_WORDS - frozenset(
    """lemma theorem definition exercise para paragraph item items line lines step steps part parts
    release""".split()
)
_ABBREVIATED_LABELS = frozenset("p pp vol vols no nos fig figs eq eqs tab sec sect ch chap app col v ver".split())
# Two numbers in a bracket followed by a unit are an interval (`[10, 20] mm`), as is a bracket
# after `∈` or `=`.
_INTERVAL = re.compile(r"\[\d+,[ \t]*\d+\]")
_UNIT_AFTER = re.compile(
    r"[ \t\u00a0]?(?:[kcmµμnp]?m|[mµμn]?s|min|h|hr|hrs|[kMG]?Hz|°[CF]?|%|[kmµμn]?g|[mµμ]?[lL]|[kmµμ]?V"
    r"|dB|px|pixels|deg|degrees|mmHg|bp|kb|[kM]?Da|K)(?![^\W\d_]|[-\u2010\u2011])"
)
_INTERVAL_SIGNS = frozenset("∈∉=<>≤≥±×")

# Further words a number glued straight on names a kind, not a citation (`type2`, `phase3`).
_GLUED_STOP_WORDS = _STOP_WORDS | frozenset("phase grade stage type class level case".split())


# Words that carry a sentence on after a citation: `shown (1) and confirmed (2) in mice` cites,
# `to (1) assess and (2) compare` enumerates.
_SENTENCE_GOES_ON = frozenset(
    """and or but nor in which that with where while who whose as although though whereas for
    of on at by than are is was were be been have has had showed shown found reported
    demonstrated suggested suggest also however""".split()
)


def find_numeric_citations(
    source: SourceText, end: int, *, max_number: int | None = None, glued_past_end: int = 0,
    bare_ranges: bool = False,
) -> list[Citation]:
    """Every numeric citation marker in `source.text[:end]`, in document order.

    `max_number` is the largest entry number of the document's reference list (None when there
    is no list): a marker naming a number outside 1..max_number is taken for something else.
    Delimited markers may go `_MISSING_ENTRY_SLACK` past it (citations of missing entries);
    glued markers (`methotrexate.5`) only `glued_past_end`, for a caller that then keeps them
    only where the document itself cites with glued markers (`citecheck.checks.style`).
    `bare_ranges` also reports ranges standing alone (`fixation 17–20.`, a citation that lost its
    brackets), within the list only, as form `bare`: never a citation by itself, they let the
    style step say that such a range may cite entries nothing else cites.
    """
    text = source.text
    end = max(0, min(end, len(text)))
    limit = MAX_UNBOUNDED_NUMBER if max_number is None else min(max_number, MAX_UNBOUNDED_NUMBER)
    if limit < 1:
        return []
    found: list[tuple[int, int, str, tuple[int, ...], bool]] = []
    last_end = -1
    for match in _SCANNER.finditer(text, 0, end):
        kind = match.lastgroup
        if kind is None or kind == "skip":  # code, URLs, DOIs: consumed whole, never looked into
            continue
        if kind == "bare" and (not bare_ranges or max_number is None):
            continue
        start = match.start(kind)
        stop = match.end(kind)
        numbers_text = match.group(_LIST_GROUP.get(kind, kind))
        if kind == "usup":
            numbers_text = numbers_text.translate(_SUP_TO_ASCII)
        elif kind == "bracket":
            numbers_text = _BRACKET_CHARS.sub("", numbers_text).strip(" \t")
        if not _context_ok(text, kind, start, stop, numbers_text, last_end):
            continue
        bounded = max_number is not None
        if bounded and kind in _DELIMITED:
            # A delimited marker a little past the end of the list is a citation of a missing
            # entry (C001), not a trap; glued markers stay strictly within the list.
            kind_limit = max_number + _MISSING_ENTRY_SLACK
            if kind not in ("bracket", "html"):
                kind_limit = min(kind_limit, MAX_UNBOUNDED_NUMBER)
        elif bounded and kind != "bare":
            kind_limit = min(max_number + glued_past_end, MAX_UNBOUNDED_NUMBER)
        else:
            kind_limit = limit
        wide = kind in ("bracket", "html") and bounded
        numbers = _expand(numbers_text, kind_limit, bounded=bounded)
        if numbers and wide and any(1800 <= n <= 2099 for n in numbers):
            continue  # `[2011]` is a year, even in a list long enough to have an entry 2011

        if numbers is None:
            continue
        enumeration_like = kind == "paren" and len(numbers) == 1 and _followed_by_lowercase(text, stop)
        found.append((start, stop, kind, numbers, enumeration_like))
        last_end = stop
    return [
        Citation(
            span=source.span(start, stop),
            text=text[start:stop],
            targets=tuple(str(n) for n in numbers),
            style=CitationStyle.NUMERIC,
            form="superscript" if kind == "punct" and _closes_sentence(text, start, stop) else _FORMS[kind],
        )
        for index, (start, stop, kind, numbers, _) in enumerate(found)
        if not _is_enumeration(text, found, index)
    ]


def _closes_sentence(text: str, start: int, stop: int) -> bool:
    """Whether a glued marker stands after a sentence's full stop, before a capital or the line's end."""
    if text[start - 1 : start] not in (".", "!", "?") and text[start - 2 : start] not in ('."', ".”"):
        return False
    rest = text[stop : stop + 2]
    return rest[:1] in ("", "\n") or (rest[:1] in " \t" and rest[1:2].isupper())


def _expand(numbers_text: str, limit: int, bounded: bool) -> tuple[int, ...] | None:
    """The numbers a list like `1,3-5` names, ranges expanded; None when it is not a citation."""
    if numbers_text.isdigit():  # the common case, a single number
        value = int(numbers_text)
        return (value,) if 1 <= value <= limit else None
    parts = _LIST_SPLIT.split(numbers_text)
    values: list[int] = [int(parts[0])]
    for separator, item in zip(parts[1::2], parts[2::2]):
        value = int(item)
        if separator in ",;":
            values.append(value)
            continue
        low = values[-1]
        # A range goes upwards and, without a list to bound it, is not page-range wide.
        if value <= low or (not bounded and value - low > _MAX_RANGE_WIDTH):
            return None
        values.extend(range(low + 1, value + 1))
    if any(v < 1 or v > limit for v in values):
        return None
    return tuple(dict.fromkeys(values))


def _context_ok(text: str, kind: str, start: int, stop: int, numbers: str, last_end: int) -> bool:
    """Whether the text around a candidate marker makes it a citation (see the module docs)."""
    if kind == "bare":
        return not _after_stop_word(text, start)
    if kind == "word":
        return _glued_to_word(text, start, strict=True) and not _THOUSANDS.fullmatch(numbers)
    if kind == "punct":
        return _glued_to_punctuation(text, start) and not _THOUSANDS.fullmatch(numbers)
    before = text[start - 1] if start > 0 else "\n"
    after = text[stop] if stop < len(text) else "\n"
    if kind == "usup":
        if before.isalpha():
            return _glued_to_word(text, start, strict=False)
        if before in ".,;:" and start >= 2 and text[start - 2].isdigit():
            return True  # `in 1998.¹`: an exponent is never set after punctuation
        return _glued_to_punctuation(text, start)
    if kind in ("pandoc", "html"):
        if before in " \t":
            return not _at_line_start(text, start)
        if before.isalpha():
            return _glued_to_word(text, start, strict=False)
        return _glued_to_punctuation(text, start)
    if kind == "bracket":
        return _bracket_ok(text, start, stop, before, after, last_end)
    return _paren_ok(text, start, stop, before, after)


def _bracket_ok(text: str, start: int, stop: int, before: str, after: str, last_end: int) -> bool:
    """`[1]` after a space, punctuation or word; not a link (`[1](url)`, `[1][x]`, `[1]: url`)."""
    if after == "{" or (after == "[" and not text[stop + 1 : stop + 2].isdigit()):
        return False
    if after == "(" and _LINK_DESTINATION.match(text, stop):
        return False  # `[1](https://…)` links; `[18](chapter 2)`, `[2](pp. 50, 81)` cite with a locator
    if before == "]":  # `[1][2]` continues a citation; `[text][1]` is a reference-style link
        return start == last_end
    if before.isdigit() or before in "!^\\_@#$&*=+<>/|`~":
        return False
    if before.isalpha():
        word, previous = _word_before(text, start)
        et_al = word == "al" and text[max(0, start - 5) : start - 2] == "et "  # `Sharpee et al[45, 46]`
        if (len(word) < 3 and not et_al) or word.lower() in _STOP_WORDS:  # `a[1]`, `x[2]`: indexing
            return False
    if _sign_before(text, start) in _INTERVAL_SIGNS or (_INTERVAL.fullmatch(text, start, stop)
                                                        and _UNIT_AFTER.match(text, stop)):
        return False
    if _at_line_start(text, start):
        # `[1]: url` defines a link; `[1] Smith J` starts a list entry.
        rest = text[stop : stop + 3]
        if after == ":" or (rest[:1] in " \t" and rest[1:2].isupper()):
            return False
    return not _after_label(text, start)


def _paren_ok(text: str, start: int, stop: int, before: str, after: str) -> bool:
    """`(1)` after a space in running text; not `29(10)`, `f(1)`, `Eq. (3)` or `(1) item`."""
    if before not in " \t\u00a0" or _at_line_start(text, start):
        return False
    if after == ":" or after.isalnum() or after == "(":
        return False  # `29 (10): 1252`, `(1)a`
    probe = start - 1
    while probe > 0 and text[probe - 1] in " \t":
        probe -= 1
    previous = text[probe - 1] if probe > 0 else "\n"
    if previous.isdigit() or previous in ":=+<>/\n":
        return False  # `2011 (10)`, `aims: (1) to assess`, `x = (1)`
    if previous in "IVXLC" and _word_before(text, probe)[0].strip("IVXLC") == "":
        return False  # `Phase III (2)`, roman numbering
    return not _after_stop_word(text, start)


def _glued_to_word(text: str, start: int, strict: bool) -> bool:
    """The letters just before `start` are a word a marker may be glued to.

    Strict (plain digits): three letters or more, ending lowercase, with a vowel (`trials1`, not
    `HER2`, `p53`, `cm2`, `Trp53`). Lenient (superscripts): three letters or more (`m²`, `cm³`
    are units).
    """
    word, previous = _word_before(text, start)
    if len(word) < 3 or previous.isdigit() or previous in "_^\\":
        return False
    if word.lower() in _GLUED_STOP_WORDS:
        return False
    if strict:
        return word[-1].islower() and not _VOWELS.isdisjoint(word)
    return True


def _glued_to_punctuation(text: str, start: int) -> bool:
    """The character before `start` is punctuation closing a sentence part after prose.

    `metastases.1`, `shown,5`, `et al.4`, `45%.3`, `(see below).2`, `“title”3`; not `3.5`,
    `p < .05`, `July 27,2012`, `e.g.1`, `Fig.2`.
    """
    if start == 0:
        return False
    mark = text[start - 1]
    if mark in "\"”’":
        return start >= 2 and (text[start - 2].isalpha() or text[start - 2] in ".,;!?")
    if mark not in ".,;:":
        return mark in ")]"
    if start < 2:
        return False
    previous = text[start - 2]
    if previous in ")]%\"”’":
        return True
    if not previous.isalpha():
        return False
    word, before_word = _word_before(text, start - 1)
    if len(word) < 2 or before_word.isdigit() or before_word in "_^\\.":
        return False  # `e.g.1`, `x,2`, `2a.1`
    return word.lower() not in _STOP_WORDS


def _word_before(text: str, position: int, longest: int = 40) -> tuple[str, str]:
    """The run of letters ending just before `position` (at most `longest`) and the character
    before that run ("\\n" at the start of the text)."""
    # Matching forwards on the reversed chunk keeps the loop in C.
    chunk = text[max(0, position - longest) : position][::-1]
    length = _LETTERS.match(chunk).end()  # type: ignore[union-attr]  # `*` always matches
    probe = position - length
    return text[probe:position], (text[probe - 1] if probe > 0 else "\n")


def _after_stop_word(text: str, start: int, words: frozenset[str] = _STOP_WORDS) -> bool:
    """Whether the word before `start` (skipping spaces and one period) is `Fig`, `Eq`, `p`, ...

    Not when it ends a hyphenated compound: `SDS-PAGE [21]`, `time-step [7]` cite.
    """
    probe = start
    while probe > 0 and text[probe - 1] in " \t\u00a0":
        probe -= 1
    if probe > 0 and text[probe - 1] == ".":
        probe -= 1
    word, before = _word_before(text, probe)
    return word.lower() in words and before not in "-\u2010\u2011"


def _after_label(text: str, start: int) -> bool:
    """Whether a label written as one stands before a bracket: `Fig. [2]`, `Table [1]`, `p. [4]`
    (capitalised or abbreviated), not a noun of the sentence (`by this volume [12]`)."""
    probe = start
    while probe > 0 and text[probe - 1] in " \t\u00a0":
        probe -= 1
    period = probe > 0 and text[probe - 1] == "."
    word, before = _word_before(text, probe - period)
    lower = word.lower()
    if lower not in _BRACKET_STOP_WORDS or before in "-\u2010\u2011":
        return False
    return word[:1].isupper() or period or lower in _ABBREVIATED_LABELS


def _sign_before(text: str, start: int) -> str:
    """The first character before `start` that is not a space ("" at the start of the text)."""
    probe = start
    while probe > 0 and text[probe - 1] in " \t\u00a0":
        probe -= 1
    return text[probe - 1] if probe > 0 else ""


def _at_line_start(text: str, position: int) -> bool:
    """Whether only spaces or tabs stand between the line start and `position`."""
    probe = position
    while probe > 0 and text[probe - 1] in " \t":
        probe -= 1
    return probe == 0 or text[probe - 1] == "\n"


def _followed_by_lowercase(text: str, stop: int) -> bool:
    """Whether a space and a lowercase word follow `stop` as an enumerated item's first word
    (`(1) assess`), rather than as the sentence going on after a citation (`(1) and`)."""
    if stop + 1 >= len(text) or text[stop] not in " \t" or not text[stop + 1].islower():
        return False
    word, _ = _word_after(text, stop + 1)
    return word not in _SENTENCE_GOES_ON


def _word_after(text: str, position: int, longest: int = 20) -> tuple[str, int]:
    """The run of letters starting at `position` (at most `longest`) and where it ends."""
    probe = position
    ceiling = min(len(text), position + longest)
    while probe < ceiling and text[probe].isalpha():
        probe += 1
    return text[position:probe], probe


def _is_enumeration(
    text: str, found: list[tuple[int, int, str, tuple[int, ...], bool]], index: int
) -> bool:
    """Whether a `(n) word` marker has a neighbour `(n±1) word` in the same paragraph.

    "We aimed to (1) assess survival and (2) compare toxicity" enumerates; citations in
    parentheses rarely come as consecutive single numbers each followed by a lowercase word.
    """
    start, stop, _, numbers, enumeration_like = found[index]
    if not enumeration_like:
        return False
    for other in (index - 1, index + 1):
        if not 0 <= other < len(found):
            continue
        o_start, o_stop, _, o_numbers, o_like = found[other]
        if not o_like or abs(o_numbers[0] - numbers[0]) != 1:
            continue
        low, high = (o_stop, start) if other < index else (stop, o_start)
        if high - low < 400 and "\n\n" not in text[low:high]:
            return True
    return False
