"""Author-year citations in running text: `(Smith, 2019)`, `Smith and Jones (2019)`, and kin.

Two shapes, both found from a parenthesis that holds a year:

- **parenthetical**: the names are inside: `(Smith, 2019)`, `(Smith 2019)` (Harvard),
  `(Smith & Jones, 2019; Lee et al., 2020a)`, `(see Smith, 2019, p. 4)`, `(Smith, 2019, 2021)`,
  `(American Cancer Society, 2004)`. The group is split at `;`; each part may open with a
  lower-case lead-in (`see`, `e.g.,`, `cf.`, `as cited in`) and close with a locator (`p. 4`).
- **narrative**: the parenthesis holds only years (and a locator) and the names stand just
  before it: `Smith (2019)`, `Smith and Jones (2019)`, `Smith, Jones, and Lee (2019)`,
  `Lee et al. (2020a)`, `Smith's (2019)`, `van der Berg (2018)`, `American Cancer Society (2004)`.

A year is four digits from 1500 to 2099 with an optional `a`–`z` suffix, `n.d.` or `in press`.
Names are words that start with a capital (hyphens and apostrophes inside: `García-Márquez`,
`O'Shaughnessy`) or lower-case particles (`van der Berg`); `&` and `and` join them and `et al.`
may close them. Capitalised words that open sentences or label things (`In`, `The`, `Table`,
month names) are not names, so `In 2019 (n = 4)`, `(Table 2, 2019)`, `(p < .05, 2019)` and
`(January 2019)` are not citations.

Each cited work is one `Citation` (style AUTHOR_YEAR, no targets yet: linking to entries is
`citecheck.checks.authoryear`): `(Smith, 2019, 2021)` gives two, the second spanning `2021`.
"""

from __future__ import annotations

import re

from citecheck.documents.base import SourceText
from citecheck.model import Citation, CitationStyle
from citecheck.references.names import NAME_PARTICLES

__all__ = ["find_author_year_citations", "parse_names"]

YEAR = r"(?:(?:1[5-9]\d\d|20\d\d)(?:[a-z](?![A-Za-z]))?|n\.\s?d\.(?:-[a-z])?|in\s+press(?:-[a-z])?)"
"""A year as author-year styles write it: `2019`, `2020a`, `n.d.`, `in press`."""

_YEAR = re.compile(YEAR)
_PAREN = re.compile(r"\(([^()]{1,400})\)")
_YEARS = rf"{YEAR}(?:\s*,\s*{YEAR})*"
_LOCATOR = r"(?:p|pp|para|paras|chap|ch|sec|fig|figs|table|vol|n|nn|no|ff?)\.?\s*[\w–\-, ]*"
#: `(2019)`, `(2019, 2021)`, `(2019, p. 4)`: a narrative citation's parenthesis.
_YEARS_ONLY = re.compile(rf"\s*(?P<years>{_YEARS})\s*(?:[,:]\s*{_LOCATOR})?\s*")
#: One part of a parenthetical group, after its lead-in: names, years, then a locator.
_ITEM = re.compile(rf"(?P<names>[^\d;]+?)\s*,?\s+(?P<years>{_YEARS})(?P<rest>\s*(?:[,:].*)?)", re.S)
_LEAD_IN = re.compile(
    r"\s*(?:(?:see|see also|but see|cf\.|compare|e\.g\.|i\.e\.|for example|for a review,? see"
    r"|reviewed in|as cited in|as reviewed by|and|also|as in)\s*,?\s+)+",
    re.IGNORECASE,
)
_ET_AL = re.compile(r"\s*,?\s*et\s+al\.?\s*$")
_JOIN = re.compile(r"\s*(?:,\s*)?(?:&|\band\b)\s*|\s*,\s*")
#: Abbreviated name words that end in a full stop without ending a sentence (`St. Johnston`).
_DOTTED_NAME_PREFIXES = frozenset({"st.", "ste."})
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-.]*(?:['’\-][^\W\d_]+)*\.?")
#: Capitalised words that are not names: sentence openers, labels, months, seasons.
STOP_WORDS = frozenset(
    """a an the in as at on by for from with without according see following like unlike while
    although though however moreover furthermore thus hence therefore since because when where
    after before during both recently previously similarly later then also indeed here this these
    that those our we it its their his her but and or if to of so yet only even than table tables
    figure figures fig section chapter appendix eq equation model version vol study studies
    report reports data note notes page pages january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec spring
    summer autumn fall winter year years today since until between among using based phase trial
    trials group groups""".split()
)
_MAX_NAMES = 20
_MAX_NAME_WORDS = 8
_LOOK_BACK = 160


def parse_names(text: str) -> tuple[tuple[str, ...], bool] | None:
    """`"Smith, Jones, & Lee"` → `(("Smith", "Jones", "Lee"), False)`; None when not names.

    Each name is one or more words that start with a capital, or particles; `et al.` may close
    the list (the flag is then True). Single stop words (`Table`, `January`) are not names.
    """
    text = " ".join(text.split()).strip(" ,")
    et_al = False
    stripped = _ET_AL.sub("", text)
    if stripped != text:
        et_al, text = True, stripped.strip(" ,")
    if not text:
        return None
    parts = [p.strip() for p in _JOIN.split(text)]
    if not parts or len(parts) > _MAX_NAMES or any(not p for p in parts):
        return None
    names: list[str] = []
    for part in parts:
        words = part.split()
        if not words or len(words) > _MAX_NAME_WORDS:
            return None
        significant = False
        for word in words:
            if word in NAME_PARTICLES:  # lower case: `van der Berg`, `van 't Veer`
                continue
            if not _NAME_WORD.fullmatch(word):
                return None
            if not word[:1].isupper():
                return None
            significant = True
        if not significant:
            return None
        if len(words) == 1 and words[0].lower().rstrip(".") in STOP_WORDS:
            return None
        names.append(part)
    return tuple(names), et_al


def _years(text: str, offset: int) -> list[tuple[str, int, int]]:
    """Each year in `text` with its absolute start and end."""
    return [(" ".join(m.group(0).split()), offset + m.start(), offset + m.end()) for m in _YEAR.finditer(text)]


def _citations(
    source: SourceText,
    names: tuple[str, ...],
    et_al: bool,
    start: int,
    first_end: int,
    years: list[tuple[str, int, int]],
) -> list[Citation]:
    """One Citation per year: the first spans names and year, later ones their year alone."""
    text = source.text
    found = [Citation(source.span(start, first_end), text[start:first_end], (), CitationStyle.AUTHOR_YEAR,
                      names=names, year=years[0][0], et_al=et_al)]
    for year, year_start, year_end in years[1:]:
        found.append(Citation(source.span(year_start, year_end), text[year_start:year_end], (),
                              CitationStyle.AUTHOR_YEAR, names=names, year=year, et_al=et_al))
    return found


def _parenthetical(source: SourceText, content: str, offset: int) -> list[Citation]:
    """Citations in a parenthesis that names its authors; parts that do not read as one are skipped."""
    found: list[Citation] = []
    position = 0
    for part in content.split(";"):
        part_start = offset + position
        position += len(part) + 1
        lead = _LEAD_IN.match(part)
        skip = lead.end() if lead else 0
        item = _ITEM.fullmatch(part, skip)
        if item is None:
            continue
        parsed = parse_names(item.group("names"))
        if parsed is None:
            continue
        names_text = item.group("names")
        names_start = part_start + item.start("names") + len(names_text) - len(names_text.lstrip())
        years = _years(item.group("years"), part_start + item.start("years"))
        found += _citations(source, parsed[0], parsed[1], names_start, years[0][2], years)
    return found


def _narrative(source: SourceText, paren_start: int, paren_end: int, years_text: str, years_at: int) -> list[Citation]:
    """A narrative citation whose names stand just before the parenthesis at `paren_start`."""
    text = source.text
    window_start = max(0, paren_start - _LOOK_BACK)
    window = text[window_start:paren_start]
    # Words before the parenthesis, last first, while they can be part of a name list.
    tokens = list(re.finditer(r"\S+", window))
    taken: list[re.Match[str]] = []
    for index in range(len(tokens) - 1, -1, -1):
        word = tokens[index].group(0)
        if index == len(tokens) - 1:
            word = re.sub(r"['’]s$", "", word)  # Smith's (2019)
        bare = word.rstrip(",")
        if bare in {"&", "and", "et", "al."} or bare.lower() in NAME_PARTICLES or bare.lower() in _DOTTED_NAME_PREFIXES:
            taken.append(tokens[index])
            continue
        if not _NAME_WORD.fullmatch(bare) or not bare[:1].isupper():
            break
        if bare.endswith(".") and len(bare) > 2:
            break  # a sentence ends here (`Results.`), not a name
        if word.endswith(",") and taken and not any(t.group(0).rstrip(",") in {"&", "and"} for t in taken):
            break  # `Recently, Smith (2019)`: a comma before the names without `and` ends them
        taken.append(tokens[index])
    taken.reverse()
    # Drop leading joiners and capitalised sentence words (`In`, `The`, `According`).
    while taken and (
        taken[0].group(0).rstrip(",") in {"&", "and", "et", "al."}
        or taken[0].group(0).rstrip(",").lower() in STOP_WORDS
    ):
        taken.pop(0)
    if not taken:
        return []
    start = window_start + taken[0].start()
    names_text = re.sub(r"['’]s$", "", text[start : window_start + taken[-1].end()])
    parsed = parse_names(names_text)
    if parsed is None:
        return []
    return _citations(source, parsed[0], parsed[1], start, paren_end, _years(years_text, years_at))


def find_author_year_citations(source: SourceText, end: int | None = None, masked: str | None = None) -> list[Citation]:
    """Every author-year citation in `source.text[:end]`, in document order.

    `masked`, when given, is the text with code and other no-citation regions blanked (same
    length): parentheses are looked for there, spans still point into the real text.
    """
    text = masked if masked is not None else source.text
    stop = len(text) if end is None else max(0, min(end, len(text)))
    found: list[Citation] = []
    for match in _PAREN.finditer(text, 0, stop):
        content = match.group(1)
        if not _YEAR.search(content):
            continue
        only = _YEARS_ONLY.fullmatch(content)
        if only:
            found += _narrative(source, match.start(), match.end(), only.group("years"),
                                match.start(1) + only.start("years"))
        else:
            found += _parenthetical(source, content, match.start(1))
    return found
