"""Tokens and CRF features for the reference-string parser.

The same tokenizer and feature extractor serve training (`parser_training`) and tagging
(`parser`), so a model always sees features built exactly as it was trained on.

Tokens are whitespace-separated words, as in AnyStyle's training data, with one refinement:
Vancouver's packed `2007;357(26):2666-76.` is split after `;` and `:` that stand between
digits-bearing pieces, because AnyStyle's data labels those pieces separately.
"""

from __future__ import annotations

import re

# Split points inside a whitespace token: after ';' or ':' when a digit follows (2007;357(26):2666).
_PACKED = re.compile(r"(?<=[;:])(?=\d)")
_STRIP = re.compile(r"^[\W_]+|[\W_]+$")
_YEAR = re.compile(r"^\W*(1[5-9]\d\d|20\d\d)[a-z]?\W*$")
_YEAR_IN = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_RANGE = re.compile(r"\d+\s*[-–—]+\s*\d+")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.-?){1,4},?$|^[A-Z]{1,3},?$|^(?:[A-Z]\.){1,3}[,;]?$")
_NUMBER = re.compile(r"\d+")
_URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net|edu|gov|html?)\b", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/")
_OPEN_QUOTES = "\"“‘'«„"
_CLOSE_QUOTES = "\"”’'»"

#: Memo of position-independent features per token string; reference lists repeat words a lot
#: (initials, "J", "pp.", years), so this roughly halves tagging time. Bounded to keep memory flat.
_CACHE: dict[str, list[str]] = {}
_CACHE_MAX = 200_000


def tokenize(text: str) -> list[str]:
    """Split a reference string into tokens (whitespace words, packed Vancouver data split)."""
    tokens: list[str] = []
    for word in text.split():
        if ";" in word or ":" in word:
            tokens.extend(part for part in _PACKED.split(word) if part)
        else:
            tokens.append(word)
    return tokens


def _shape(word: str) -> str:
    """A coarse class of the word's letters: Cap, UPPER, lower, digits, mixed."""
    core = _STRIP.sub("", word)
    if not core:
        return "punct"
    if core.isdigit():
        return "digits"
    if core.isalpha():
        if core.isupper():
            return "upper"
        if core.islower():
            return "lower"
        if core[0].isupper() and core[1:].islower():
            return "cap"
        return "mixedalpha"
    if any(ch.isdigit() for ch in core):
        return "alnum"
    return "other"


def _word_features(word: str) -> list[str]:
    """Features of one token that do not depend on its position."""
    cached = _CACHE.get(word)
    if cached is not None:
        return cached
    core = _STRIP.sub("", word)
    low = core.lower()
    feats = [
        "w=" + low,
        "sh=" + _shape(word),
        "p2=" + low[:2],
        "s2=" + low[-2:],
        "s3=" + low[-3:],
        "last=" + (word[-1] if not word[-1].isalnum() else "a"),
        "first=" + (word[0] if not word[0].isalnum() else "a"),
        "len=" + str(min(len(core), 8)),
    ]
    if _YEAR.match(word):
        feats.append("year")
    elif _YEAR_IN.search(word):
        feats.append("hasyear")
    if _RANGE.search(word):
        feats.append("range")
    if _INITIALS.match(word):
        feats.append("initial")
    if _URLISH.search(word):
        feats.append("url")
    if _DOI.search(word):
        feats.append("doi")
    digits = _NUMBER.findall(word)
    if digits:
        feats.append("ndig=" + str(min(len(digits[0]), 5)))
    if "(" in word or ")" in word:
        feats.append("paren")
    if word[0] in _OPEN_QUOTES or word.startswith("``"):
        feats.append("oquote")
    if word.rstrip(".,;:)]")[-1:] in _CLOSE_QUOTES or word.rstrip(".,;:").endswith("''"):
        feats.append("cquote")
    if len(_CACHE) < _CACHE_MAX:
        _CACHE[word] = feats
    return feats


def _context(word: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """A token's own features and the features it lends its neighbours (L, R, LL, RR), memoised."""
    cached = _CONTEXT.get(word)
    if cached is not None:
        return cached
    own = _word_features(word)
    near = [own[0], own[1], own[5]]
    if "year" in own:
        near.append("year")
    if "initial" in own:
        near.append("initial")
    if "cquote" in own:
        near.append("cquote")
    if "oquote" in own:
        near.append("oquote")
    ctx = (own, ["L" + f for f in near], ["R" + f for f in near], ["LL" + own[0]], ["RR" + own[0]])
    if len(_CONTEXT) < _CACHE_MAX:
        _CONTEXT[word] = ctx
    return ctx


_CONTEXT: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {}
_EDGE_L, _EDGE_R, _EDGE_LL, _EDGE_RR = ["Ledge"], ["Redge"], ["LLedge"], ["RRedge"]
_POS = ["pos=" + str(k) for k in range(10)]


def features(tokens: list[str]) -> list[list[str]]:
    """CRF feature lists for a token sequence: each token's own features plus its neighbours'.

    Neighbour features (previous and next word, their shape, final punctuation, year and initial
    flags; the words two away) let the CRF see boundaries such as `Name, J. (2019).`.
    """
    n = len(tokens)
    ctx = [_context(tok) for tok in tokens]
    out: list[list[str]] = []
    seen_year = False
    seen_stop = False
    for i in range(n):
        own = ctx[i][0]
        feats = own + [_POS[i * 10 // n]]
        if i < 3:
            feats.append("abs=" + str(i))
        if seen_year:
            feats.append("afteryear")
        if seen_stop:
            feats.append("afterstop")
        feats += ctx[i - 1][1] if i >= 1 else _EDGE_L
        feats += ctx[i + 1][2] if i + 1 < n else _EDGE_R
        feats += ctx[i - 2][3] if i >= 2 else _EDGE_LL
        feats += ctx[i + 2][4] if i + 2 < n else _EDGE_RR
        if "year" in own:
            seen_year = True
        if tokens[i].endswith(".") and "initial" not in own:
            seen_stop = True
        out.append(feats)
    return out
