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
_PAREN = re.compile(r"\(([^()]{1,2000})\)")
"""A parenthesis, long enough for a group of dozens of works."""
_BRACKET = re.compile(r"\[([^\[\]()]{1,2000})\]")
"""A square bracket: the inner parenthesis of many publishers (`(as in LDH [Eventoff et al.,
1977])`). Searched on its own, and blanked out of the parenthesis around it."""
_YEARS = rf"{YEAR}(?:\s*,\s*(?:{YEAR}|[b-z](?![\w.])))*"
"""Years of one group of authors: `2006, 2012`, and `2014a, b` (the second is `2014b`)."""
_YEAR_OR_SUFFIX = re.compile(rf"{YEAR}|(?<=,)\s*[b-z](?![\w.])")
_LOCATOR = r"(?:p|pp|para|paras|chap|ch|sec|fig|figs|table|vol|n|nn|no|ff?)\.?\s*[\w–\-, ]*"
#: `(2019)`, `(2019, 2021)`, `(2019, p. 4)`: a narrative citation's parenthesis.
_YEARS_ONLY = re.compile(rf"\s*(?P<years>{_YEARS})\s*(?:[,:]\s*{_LOCATOR})?\s*")
#: One part of a parenthetical group, after its lead-in: names, years, then a locator.
#: An organisation's name may open with digits (`1000 Genomes Project Consortium`, `14CHRONO Centre`).
_ITEM = re.compile(
    rf"(?P<names>(?:\d+[^\W\d_]*[ \t]+(?=[A-Z]))?[^\d;]+?)\s*,?\s+(?P<years>{_YEARS})"
    rf"(?P<rest>\s*(?:[,:].*|and\s+(?:unpublished|references|refs|personal)\b.*)?)",
    re.S,
)
_LEAD_IN = re.compile(
    r"\s*(?:(?:see|see also|but see|cf\.|compare|e\.g\.|i\.e\.|for example|for a review,? see"
    r"|reviewed in|as cited in|as reviewed by|and|also|as in)\s*,?\s+)+",
    re.IGNORECASE,
)
_CAPITAL_WORD = r"[A-Z][\w'’\-]*"
#: `Smith et al., 2010`, `Smith and Jones, 2010`: citations written without parentheses.
_BARE = re.compile(
    rf"(?<![\w(\[.\-'’])(?P<names>{_CAPITAL_WORD}(?:[ \t]+{_CAPITAL_WORD})*"
    rf"(?:[ \t]+et[ \t]+al\.?|[ \t]+(?:and|&)[ \t]+{_CAPITAL_WORD}(?:[ \t]+{_CAPITAL_WORD})*))"
    rf"[ \t]*,[ \t]*(?P<years>{_YEARS})(?![\w])"
)
_TAIL_START = re.compile(r"(?:,\s+|\s+)(?=[^\W\d_])")
"""Where the tail of a part may start: after a comma or a space, at a letter."""
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
_NUMBERED = re.compile(r"\d+[^\W\d_]*")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}")
_CONNECTORS = frozenset("of the on for in at and und für de du des la le".split())
"""Lower-case words inside an organisation's name (`Council on Bioethics`, `Centre of the …`)."""
_MAX_NAMES = 20
_MAX_NAME_WORDS = 8
_LOOK_BACK = 160


def parse_names(text: str, organisations: bool = False) -> tuple[tuple[str, ...], bool] | None:
    """`"Smith, Jones, & Lee"` → `(("Smith", "Jones", "Lee"), False)`; None when not names.

    Each name is one or more words that start with a capital, or particles; `et al.` may close
    the list (the flag is then True). Single stop words (`Table`, `January`) are not names.
    With `organisations`, lower-case connectors may stand inside a name (`President's Council
    on Bioethics`, `Department of Economic and Social Affairs`).
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
        for position, word in enumerate(words):
            if organisations and position == 0 and len(parts) == 1 and _NUMBERED.fullmatch(word):
                continue  # `1000 Genomes Project Consortium`, `14CHRONO Centre of …`
            if word in NAME_PARTICLES:  # lower case: `van der Berg`, `van 't Veer`
                continue
            if not _NAME_WORD.fullmatch(word):
                return None
            inside = 0 < position < len(words) - 1
            if organisations and inside and word in _CONNECTORS:
                continue
            if not word[:1].isupper():
                return None
            significant = True
        if not significant:
            return None
        names.append(part)
    # `Table`, `January`, `Spring` alone are not names; `Winter et al.` and `Smith and May` are.
    if not et_al and all(len(n.split()) == 1 and n.lower().rstrip(".") in STOP_WORDS for n in names):
        return None
    return tuple(names), et_al


def _years(text: str, offset: int) -> list[tuple[str, int, int]]:
    """Each year in `text` with its absolute start and end; a lone suffix letter after a
    suffixed year (`2014a, b`) is that year with the letter."""
    found: list[tuple[str, int, int]] = []
    for match in _YEAR_OR_SUFFIX.finditer(text):
        written = " ".join(match.group(0).split())
        start = offset + match.start() + len(match.group(0)) - len(match.group(0).lstrip())
        if len(written) == 1:
            if not found or not found[-1][0][-1:].isalpha() or not found[-1][0][:1].isdigit():
                continue
            written = found[-1][0][:4] + written
        found.append((written, start, offset + match.end()))
    return found


def _citations(
    source: SourceText,
    names: tuple[str, ...],
    et_al: bool,
    start: int,
    first_end: int,
    years: list[tuple[str, int, int]],
    form: str = "",
) -> list[Citation]:
    """One Citation per year: the first spans names and year, later ones their year alone."""
    text = source.text
    found = [Citation(source.span(start, first_end), text[start:first_end], (), CitationStyle.AUTHOR_YEAR,
                      names=names, year=years[0][0], et_al=et_al, form=form)]
    for year, year_start, year_end in years[1:]:
        found.append(Citation(source.span(year_start, year_end), text[year_start:year_end], (),
                              CitationStyle.AUTHOR_YEAR, names=names, year=year, et_al=et_al, form=form))
    return found


def _parenthetical(source: SourceText, content: str, offset: int) -> list[Citation]:
    """Citations in a parenthesis that names its authors; parts that do not read as one are skipped.

    A part may open with other matter before the names (`2hjr, 62% sequence identity, Vedadi et
    al., 2007`, `source data file for Figure 11, Kessler and Baldwin, 2001`, `described in
    Allmann et al., 2010`): the longest tail of it that reads as names and years is the
    citation. A part of years alone continues the names before it (`Douady and Couder, 1996a;
    1996b`, `Gillespie, 1976; 1977`).
    """
    found: list[Citation] = []
    position = 0
    previous: tuple[tuple[str, ...], bool, str] | None = None
    for part in content.split(";"):
        part_start = offset + position
        position += len(part) + 1
        alone = _YEARS_ONLY.fullmatch(part)
        if alone and previous is not None:
            years = _years(alone.group("years"), part_start + alone.start("years"))
            found += [Citation(source.span(start, end), source.text[start:end], (), CitationStyle.AUTHOR_YEAR,
                               names=previous[0], year=year, et_al=previous[1], form=previous[2])
                      for year, start, end in years]
            continue
        item = _item(part)
        if item is None:
            previous = None
            continue
        match, parsed, form = item
        names_text = match.group("names")
        names_start = part_start + match.start("names") + len(names_text) - len(names_text.lstrip())
        years = _years(match.group("years"), part_start + match.start("years"))
        found += _citations(source, parsed[0], parsed[1], names_start, years[0][2], years, form)
        previous = (parsed[0], parsed[1], form)
    return found


def _item(part: str) -> tuple[re.Match[str], tuple[tuple[str, ...], bool], str] | None:
    """Names, years and form (`weak` or "") in one part of a group: the whole part after its
    lead-in, else its longest tail that starts at a word and reads as a citation.

    A tail naming one author (`collected in Kenya, 2019` may be a place) or an organisation
    with lower-case words is `weak`: kept only if it fits an entry (`checks.authoryear`). A
    whole part naming an organisation (`(President's Council on Bioethics 2003)`) is not.
    """
    lead = _LEAD_IN.match(part)
    first = lead.end() if lead else 0
    starts = [first] + [m.end() for m in _TAIL_START.finditer(part) if m.end() > first]
    for start in starts:
        item = _ITEM.fullmatch(part, start)
        if item is None:
            continue
        parsed = parse_names(item.group("names"))
        organisation = parsed is None
        if parsed is None:
            parsed = parse_names(item.group("names"), organisations=True)
        if parsed is None:
            continue
        if len(parsed[0]) > 1 and _ACRONYM.fullmatch(parsed[0][0]):
            continue  # `(AIC, Akaike, 1973)`: the acronym is what is cited for, not an author
        strong_tail = parsed[1] or len(parsed[0]) > 1
        tail = start != first
        return item, parsed, "weak" if tail and (organisation or not strong_tail) else ""
    return None


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
        if bare in _CONNECTORS and taken and index > 0 and _opens_name(tokens[index - 1].group(0)):
            taken.append(tokens[index])  # `President's Council on Bioethics (2003)`
            continue
        if not _NAME_WORD.fullmatch(bare) or not bare[:1].isupper():
            break
        if bare.endswith(".") and len(bare) > 2:
            break  # a sentence ends here (`Results.`), not a name
        if word.endswith(",") and taken and not any(t.group(0).rstrip(",") in {"&", "and"} for t in taken):
            break  # `Recently, Smith (2019)`: a comma before the names without `and` ends them
        if word.endswith(",") and _group_words(taken) > 1:
            break  # `PLoS Biology, Elizabeth Blackburn and Janet Rowley (2004)`: commas join surnames only
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
    form = ""
    if parsed is None:
        parsed, form = parse_names(names_text, organisations=True), "weak"
    if parsed is None:
        return []
    return _citations(source, parsed[0], parsed[1], start, paren_end, _years(years_text, years_at), form)


def _group_words(taken: list[re.Match[str]]) -> int:
    """Capitalised words in the name taken last (the tokens after the latest joiner or comma)."""
    count = 0
    for token in reversed(taken):
        word = token.group(0)
        if word in {"&", "and"} or word.endswith(","):
            break
        count += word[:1].isupper()
    return count


def _opens_name(token: str) -> bool:
    """Whether a token may stand before a connector inside an organisation's name."""
    bare = token.rstrip(",")
    return bare in _CONNECTORS or (bare[:1].isupper() and _NAME_WORD.fullmatch(re.sub(r"['’]s$", "", bare)) is not None)


def _unbracketed(source: SourceText, text: str, stop: int) -> list[Citation]:
    """`Smith et al., 2010` and `Kessler and Baldwin, 2001` outside any parenthesis (`as
    described by Kessler and Baldwin, 2001 and Steppuhn et al. (2008)`). Only these two shapes,
    never `Paris, 2019`; the second is `weak` (kept only if it fits an entry)."""
    found: list[Citation] = []
    for match in _BARE.finditer(text, 0, stop):
        parsed = parse_names(match.group("names"))
        if parsed is None or not (parsed[1] or len(parsed[0]) > 1):
            continue
        years = _years(match.group("years"), match.start("years"))
        form = "" if parsed[1] else "weak"
        found += _citations(source, parsed[0], parsed[1], match.start("names"), years[0][2], years, form)
    return found


def find_author_year_citations(source: SourceText, end: int | None = None, masked: str | None = None) -> list[Citation]:
    """Every author-year citation in `source.text[:end]`, in document order.

    `masked`, when given, is the text with code and other no-citation regions blanked (same
    length): parentheses are looked for there, spans still point into the real text.
    """
    text = masked if masked is not None else source.text
    stop = len(text) if end is None else max(0, min(end, len(text)))
    found: list[Citation] = []
    for match in _PAREN.finditer(text, 0, stop):
        content = _BRACKET.sub(lambda m: " " * len(m.group(0)), match.group(1))
        if not _YEAR.search(content):
            continue
        only = _YEARS_ONLY.fullmatch(content)
        if only:
            found += _narrative(source, match.start(), match.end(), only.group("years"),
                                match.start(1) + only.start("years"))
        else:
            found += _parenthetical(source, content, match.start(1))
    for match in _BRACKET.finditer(text, 0, stop):
        if _YEAR.search(match.group(1)) and not _YEARS_ONLY.fullmatch(match.group(1)):
            found += _parenthetical(source, match.group(1), match.start(1))
    found += _unbracketed(source, text, stop)
    # A citation met twice (a bracket inside a parenthesis, a bare form inside one): once, the
    # longest reading (`Barbier de Reuille et al., 2006`, not `Reuille et al., 2006` inside it).
    kept: list[Citation] = []
    for citation in sorted(found, key=lambda c: (c.span.start, -c.span.end)):
        if kept and citation.span.start < kept[-1].span.end:
            continue
        kept.append(citation)
    return kept
