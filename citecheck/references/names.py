"""Splitting an author or editor list, as written in a reference, into CSL names.

Handles the orders the common styles use: `Robert, N. J., Dieras, V.` (APA), `Miller K, Wang M`
(Vancouver), `A. B. Author and C. Author` (IEEE), `Lee, L. L., W. E. Howard, and R. E. Marsh`
(Chicago: first inverted, the rest not), `Smith, John; Doe, Jane`, and organisations
(`American Cancer Society`), which become `{"literal": ...}`.
"""

from __future__ import annotations

import re

_ET_AL = re.compile(r"[,;]?\s*(?:\bet\.?\s*al\b\.?|\band\s+others\b|\bet\s+coll\b\.?|…|\.\.\.)\s*[.,;]?\s*$",
                    re.IGNORECASE)
_ET_AL_ANY = re.compile(r"\bet\.?\s*al\b|\band\s+others\b", re.IGNORECASE)
# Editor and translator markers around a name list: "In", "(Eds.)", "ed. by", "edited by".
_EDITOR_MARKS = re.compile(
    r"^\s*(?:in:?\s+)|\(?\b(?:eds?|editors?|hrsg|hg|trans|transl|comp|coords?)\b\.?\)?[.,:]?|"
    r"\b(?:edited|translated|compiled)\s+by\b|^\s*by\s+",
    re.IGNORECASE,
)
# Case matters: a lower-case "y" or "et" joins names (Spanish, French); "Y" and "ET" are initials.
_AND = re.compile(r"\s*(?:\s&\s|\b(?:and|And|AND|und|et|y)\b(?!\s*al\b)|;)\s*")
_INITIAL_WORD = re.compile(r"^(?:[A-Z][a-z]?\.?-?)+\.?$|^(?:[A-Z]\.)+-?(?:[A-Z]\.)*$")
_VANCOUVER_GIVEN = re.compile(r"^[A-Z]{1,4}$|^(?:[A-Z]\.?-?){1,4}\.?$")
NAME_PARTICLES: frozenset[str] = frozenset(
    """van von der den de del della dela des di da dal do dos das du la le te ten ter 't ’t op het
    zu zum zur bin ibn al el y""".split()
)
"""The words that belong to a family name without being its head (`van der Zande`, `de la
Fuente`, `van 't Veer`, `dos Santos Silva`), lower case. The one list for splitting author
lists, recognising cited names and comparing them; the cases are in
tests/references/test_name_particles.py, taken from real articles."""
_ORG_WORDS = re.compile(
    r"\b(?:society|association|organi[sz]ation|institute|institut|group|committee|council|"
    r"university|department|agency|centre|center|foundation|ministry|office|board|collaboration|"
    r"consortium|commission|administration|national|international|network|service|services|"
    r"federation|academy|college|trust|bureau|alliance|force|panel|team|authority|inc|ltd|corp|"
    r"company|project|programme|program|union|who|world|american|european|british)\b",
    re.IGNORECASE,
)
_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)


def strip_et_al(text: str) -> tuple[str, bool]:
    """The list without a trailing `et al.` / `and others`, and whether one was there."""
    stripped = _ET_AL.sub("", text)
    if stripped != text:
        return stripped, True
    if _ET_AL_ANY.search(text):
        # "Smith J, et al, editors" or similar: cut at the marker.
        return text[: _ET_AL_ANY.search(text).start()], True  # type: ignore[union-attr]
    return text, False


def _is_initials(part: str) -> bool:
    """True for a given-name part made only of initials: `N. J.`, `D.I.`, `J.-P.`, `NJ`."""
    words = part.split()
    return bool(words) and all(_INITIAL_WORD.match(w) for w in words)


def _looks_given(part: str) -> bool:
    """True when a comma-separated part can be the given names of the family before it."""
    words = part.split()
    if not words or len(words) > 3:
        return False
    if _is_initials(part):
        return True
    # "John", "Nicholson B.", "Mary Ann": capitalised words with no particle in front.
    return all(w[0].isupper() for w in words) and words[0].lower() not in NAME_PARTICLES


def _split_given_first(part: str) -> dict[str, str]:
    """`A. B. van der Author` → family `van der Author`, given `A. B.`."""
    words = part.split()
    if len(words) > 1 and _SUFFIX.match(words[-1]):
        words = words[:-1]
    if len(words) == 1:
        return {"family": words[0]}
    # Vancouver: `Miller K`, `Pérez-Higueras JJ`, `de la Macorra JC` — the initials come last.
    if _VANCOUVER_GIVEN.match(words[-1]) and not _VANCOUVER_GIVEN.match(words[0]):
        # "Wang M." ends the author list: that period is punctuation, not an initial's.
        given = words[-1][:-1] if re.fullmatch(r"[A-Z]{1,4}\.", words[-1]) else words[-1]
        return {"family": " ".join(words[:-1]), "given": given}
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in NAME_PARTICLES:
        start -= 1
    if start == 1 and words[0].lower() in NAME_PARTICLES:
        start = 0
    family = " ".join(words[start:])
    given = " ".join(words[:start])
    return {"family": family, "given": given} if given else {"family": family}


def is_organisation(text: str) -> bool:
    """True when a name list is an organisation's name rather than people's."""
    if "," in text or _is_initials(text.split()[0] if text.split() else ""):
        return False
    words = text.split()
    if len(words) >= 2 and _ORG_WORDS.search(text):
        return True
    return len(words) >= 4 and not any(_INITIAL_WORD.match(w) for w in words)


def clean_name_list(text: str) -> str:
    """Remove editor markers, brackets and surrounding punctuation from a name list."""
    text = _EDITOR_MARKS.sub(" ", text)
    text = text.replace("(", " ").replace(")", " ")
    return _trim(" ".join(text.split()))


def _trim(text: str) -> str:
    """Strip surrounding punctuation, but keep the period of a final initial (`Glaspy, J.`)."""
    text = text.strip(" ,;:")
    while text.endswith(".") and not re.search(r"(?:^|[\s.,-])[A-Z]\.$", text):
        text = text[:-1].rstrip(" ,;:")
    return text.lstrip(" .")


def split_names(text: str) -> tuple[list[dict[str, str]], bool]:
    """Split a name list into CSL names; also return whether it ended in `et al.`."""
    text = " ".join(text.split())[:1000]
    text, et_al = strip_et_al(text)
    text = clean_name_list(text)
    if not text:
        return [], et_al
    if is_organisation(text):
        return [{"literal": text}], et_al
    names: list[dict[str, str]] = []
    semicolons = ";" in text
    for chunk in (_trim(c) for c in _AND.split(text)):
        if not chunk:
            continue
        if semicolons:
            # "Smith, John; Doe, Jane": each chunk is one name.
            fam, _, given = chunk.partition(",")
            names.append(_name(fam, given) if given.strip() else _split_given_first(fam))
            continue
        _split_chunk(chunk, names)
    return [n for n in names if n.get("family") or n.get("literal")], et_al


def _name(family: str, given: str) -> dict[str, str]:
    """A CSL name from its parts, dropping empty ones."""
    family, given = family.strip(" ,."), _trim(given)
    return {"family": family, "given": given} if given else {"family": family}


def _split_chunk(chunk: str, names: list[dict[str, str]]) -> None:
    """Split a comma-separated run of names (no `and` inside) and append them to names."""
    parts = [p.strip() for p in chunk.split(",") if p.strip()]
    pending: str | None = None
    for part in parts:
        if _SUFFIX.match(part):
            continue
        words = part.split()
        if pending is not None and _looks_given(part):
            names.append(_name(pending, part))
            pending = None
            continue
        if pending is not None:
            names.append(_name(pending, ""))
            pending = None
        if len(words) == 1 and not _is_initials(part):
            pending = part
        elif len(words) >= 2 and _is_initials(" ".join(words[:-1])) and not _is_initials(words[-1]):
            names.append(_split_given_first(part))  # "A. B. Author"
        elif len(words) >= 2 and _VANCOUVER_GIVEN.match(words[-1]):
            names.append(_split_given_first(part))  # "Miller K", "Heidegger M."
        elif len(words) >= 2:
            # "John Smith" or a multi-word family ("van der Berg") waiting for its given names.
            if words[0].lower() in NAME_PARTICLES or words[0][0].islower():
                pending = part
            else:
                names.append(_split_given_first(part))
        elif _is_initials(part) and names and "given" not in names[-1]:
            names[-1]["given"] = part
    if pending is not None:
        names.append(_name(pending, ""))
