"""Settling a document's citation style: which of the markers its readers found are citations.

Readers find candidates by their shape alone: `[12]`, `(12)`, `cancer.12`, `¹²`, `(Smith, 2019)`.
A real document cites in one style, and the style is evidence: in an article that cites as
`[12]`, the parenthesised numbers `(25)`, `(20–30)`, `t-test (31)` are equation numbers, counts
or sample sizes; in an author-year article, `(3)` is never a citation. So, once the entries are
known and author-year citations linked, for each text of the document (its body; a Word file's
footnotes and endnotes, often written apart):

1. **Its style** is numeric when more numeric markers name entries than author-year citations
   fit entries exactly (names and year), else author-year. Its **numeric form** is the family
   most of those markers take: brackets, parentheses, or superscripts (`¹²`, `^12^`,
   `<sup>12</sup>`, and digits glued on, `cancer.12`, as superscripts become when pasted).
2. Markers of that form are citations, also past the end of the list (a citation of a missing
   entry: `citation-without-entry`).
3. A superscript (`¹`, `<sup>1</sup>`, `^1^`, or digits closing a sentence, `the effect.4 Dose`)
   naming entries of the list is a citation in any document: no equation, count or gene name
   is written so. Any other numeric marker in another form, or a range standing alone
   (`fixation 17–20.`, a citation that lost its brackets), is not a citation, unless every
   number it names is an entry that nothing else cites: then citecheck cannot tell and says so
   with `uncertain-citation` (C007, a warning). The marker is kept as those entries' citation
   (`Citation.uncertain`), so they are not also reported uncited, but it takes no part in the
   citation order and never makes a missing-entry error. `(5–9)` in a document that cites 5, 6,
   8 and 9 as `[n]` is an age range, not a citation of 7.
4. Author-year citations in a numeric text are mentions (a taxonomic authority `Sowerby, 1850`;
   `Smith et al. (2010) [5]`), dropped with the findings linking made about them, unless the
   document mixes the two styles: entries cited only by author and year are at least two, and a
   fifth as many as its numbers cite. Then every author-year citation counts (one that fits no
   entry is `citation-without-entry`). In a text that does not mix them, one that fits exactly
   an entry no number cites is an uncertain citation as in rule 3 (`Nienborg and Cumming
   (2009)` whose `[20]` was lost). The same holds the other way round: numbers in an
   author-year text of a numbered list are kept when they alone cite a substantial share.

Documents that cite by key (LaTeX, Pandoc) and documents without a reference list pass through.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from citecheck.findings import Finding
from citecheck.model import Citation, CitationStyle, Reference
from citecheck.rules import rule

__all__ = ["Settled", "numeric_form", "settle_style"]

_FORM_ORDER = ("bracket", "superscript", "paren")
"""Tie-break between numeric forms: brackets are the least ambiguous, parentheses the most."""
_DOUBTFUL = frozenset({"C001", "C003", "C004", "C005"})
"""Author-year linking findings that mean the citation did not fit one entry exactly."""
_LINKING = _DOUBTFUL | {"C006"}
"""Findings author-year linking attaches to a citation's span (dropped with the citation)."""
_MIXED_ENTRIES = 2
_MIXED_SHARE = 0.2
"""A document mixes two styles when at least `_MIXED_ENTRIES` entries, and a fifth as many as
its own style cites, are cited only in the other style."""


def numeric_form(citation: Citation) -> str:
    """The family of a numeric marker's form: `bracket` (`[12]`), `paren` (`(12)`), `superscript`
    (`¹²`, `^12^`, `<sup>`, and digits glued on, `cancer.12`) or `bare` (`fixation 17–20.`): from
    the reader's `Citation.form`, else read from the marker."""
    if citation.form:
        return "superscript" if citation.form == "glued" else citation.form
    first = citation.text[:1]
    if first == "[":
        return "bracket"
    if first == "(":
        return "paren"
    return "superscript"


@dataclass(frozen=True)
class Settled:
    """A document's citations once its style is settled."""

    citations: tuple[Citation, ...]
    """The candidates that are citations, in document order."""
    findings: tuple[Finding, ...]
    """The linking findings kept with them, and every `uncertain-citation`."""


def settle_style(
    citations: Sequence[Citation], references: Sequence[Reference], findings: Sequence[Finding]
) -> Settled:
    """The citations that are citations in this document's style, and the findings kept with
    them plus any `uncertain-citation` (see the module docs)."""
    original = list(citations)  # the readers' order (a Word file's notes come after its body)
    bare = [c for c in citations if c.style is CitationStyle.NUMERIC and numeric_form(c) == "bare"]
    citations = [c for c in citations if not any(c is b for b in bare)]  # never citations by themselves
    if not references or not any(c.style is not CitationStyle.KEY for c in citations):
        return Settled(tuple(citations), tuple(findings))
    known = {r.id for r in references}
    doubtful = {f.span for f in findings if f.code in _DOUBTFUL and f.span is not None}
    parts: dict[str, list[Citation]] = {}
    for citation in citations:
        parts.setdefault(citation.span.path, []).append(citation)
    state = _State(known, {path: _style(part, known, doubtful) for path, part in parts.items()})
    # What the document cites in its own style, over all its texts: an entry cited so needs no
    # citation in another form.
    state.cited = {t for part in parts.values() for c in part if state.primary(c) for t in c.targets}
    _author_year_in_numeric_texts(parts, state, doubtful)
    numbers = _numbers_in_author_year_texts(parts, state)
    for path, part in parts.items():
        style = state.styles[path]
        if style is None:
            continue
        if style == "author-year":
            others = [c for c in numbers if c.span.path == path]
        else:
            others = [c for c in part if c.style is CitationStyle.NUMERIC and not state.primary(c)]
        # Written as a superscript: a citation in any document when every number is an entry.
        superscripts = [c for c in others if c.form == "superscript" and all(t in known for t in c.targets)]
        state.cited |= {t for c in superscripts for t in c.targets}
        others = [c for c in others if not any(c is s for s in superscripts)]
        state.dropped.update(id(c) for c in others)
        state.uncertain(others, style)
        state.uncertain([c for c in bare if c.span.path == path], style)

    gone = {c.span for c in citations if id(c) in state.dropped and id(c) not in state.kept}
    bare_ids = {id(c) for c in bare}
    kept_citations = tuple(state.kept.get(id(c), c) for c in original
                           if id(c) in state.kept or (id(c) not in state.dropped and id(c) not in bare_ids))
    kept_findings = tuple(f for f in findings if not (f.code in _LINKING and f.span in gone))
    return Settled(kept_citations, kept_findings + tuple(state.added))


class _State:
    """What settling one document builds up: each text's style, the entries cited so far, the
    candidates dropped, the uncertain ones kept and their findings."""

    def __init__(self, known: set[str], styles: dict[str, str | None]) -> None:
        self.known = known
        self.styles = styles
        self.cited: set[str] = set()
        self.dropped: set[int] = set()
        self.kept: dict[int, Citation] = {}
        self.added: list[Finding] = []

    def primary(self, citation: Citation) -> bool:
        """Whether a citation is in its own text's style."""
        return _is_primary(citation, self.styles[citation.span.path])

    def uncertain(self, others: Sequence[Citation], style: str) -> None:
        """Keep as uncertain citations (C007) those of `others` that name only entries nothing
        else cites (rule 3)."""
        self.added += _uncertain(others, self.known, self.cited, style, self.kept)


def _author_year_in_numeric_texts(parts: dict[str, list[Citation]], state: _State, doubtful: set[object]) -> None:
    """Rule 4: author-year citations in numeric texts are dropped, unless the document mixes."""
    numeric = [part for path, part in parts.items() if state.styles[path] not in (None, "author-year")]
    by_number = {t for part in numeric for c in part if c.style is CitationStyle.NUMERIC and state.primary(c)
                 for t in c.targets if t in state.known}
    guests = [c for part in numeric for c in part if c.style is CitationStyle.AUTHOR_YEAR]
    exact = [c for c in guests if c.targets and c.span not in doubtful]
    if not _mixed({t for c in exact for t in c.targets if t not in state.cited}, by_number):
        state.dropped.update(id(c) for c in guests)
        state.uncertain(exact, "numbers")
    state.cited |= {t for c in guests if id(c) not in state.dropped for t in c.targets}


def _numbers_in_author_year_texts(parts: dict[str, list[Citation]], state: _State) -> list[Citation]:
    """Rule 4 the other way round: numbers in author-year texts of a numbered list, kept (in
    the form most of them take) when the document mixes them in; the rest are returned."""
    texts = [part for path, part in parts.items() if state.styles[path] == "author-year"]
    numbers = [c for part in texts for c in part if c.style is CitationStyle.NUMERIC]
    naming = [c for c in numbers if c.targets and all(t in state.known for t in c.targets)]
    if not naming:
        return numbers
    form = _dominant(naming)
    by_name = {t for part in texts for c in part if c.style is CitationStyle.AUTHOR_YEAR for t in c.targets}
    only_so = {t for c in naming if numeric_form(c) == form for t in c.targets if t not in state.cited}
    if not _mixed(only_so, by_name):
        return numbers
    kept = [c for c in numbers if numeric_form(c) == form]
    state.cited |= {t for c in kept for t in c.targets}
    return [c for c in numbers if numeric_form(c) != form]


def _mixed(only_so: set[str], by_own_style: set[str]) -> bool:
    """Whether entries cited only in the other style are enough to call the document mixed."""
    return len(only_so) >= _MIXED_ENTRIES and len(only_so) >= _MIXED_SHARE * len(by_own_style)


def _style(part: Sequence[Citation], known: set[str], doubtful: set[object]) -> str | None:
    """`author-year` or the numeric form one text cites in; None when nothing tells (no
    candidate names an entry), and then every candidate is kept."""
    exact = [c for c in part if c.style is CitationStyle.AUTHOR_YEAR and c.targets and c.span not in doubtful]
    naming = [c for c in part if c.style is CitationStyle.NUMERIC and c.targets and all(t in known for t in c.targets)]
    if not naming and not exact:
        return None
    return _dominant(naming) if len(naming) >= len(exact) else "author-year"


def _is_primary(citation: Citation, style: str | None) -> bool:
    """Whether a citation is in its text's own style (every citation is, when nothing tells)."""
    if style is None or citation.style is CitationStyle.KEY:
        return True
    if citation.style is CitationStyle.AUTHOR_YEAR:
        return style == "author-year"
    return numeric_form(citation) == style


def _dominant(naming: Sequence[Citation]) -> str:
    """The numeric form most markers that name entries take (ties: brackets, superscripts, parentheses)."""
    counts = Counter(numeric_form(c) for c in naming)
    return max(_FORM_ORDER, key=lambda form: (counts[form], -_FORM_ORDER.index(form)))


def _uncertain(
    others: Sequence[Citation], known: set[str], cited: set[str], style: str, kept: dict[int, Citation]
) -> list[Finding]:
    """`uncertain-citation` for each marker in another form that names only entries nothing
    else cites (rule 3); the marker is kept (in `kept`, by its id) as their uncertain citation."""
    shown = {"bracket": "[12]", "paren": "(12)", "superscript": "superscripts",
             "author-year": "author and year", "numbers": "number"}[style]
    found: list[Finding] = []
    for citation in others:
        targets = citation.targets
        if not targets or any(t not in known or t in cited for t in targets):
            continue
        cited.update(targets)
        kept[id(citation)] = replace(citation, uncertain=True)
        entries = ", ".join(targets)
        found.append(rule("C007").finding(
            f"{citation.text.strip()!r} may cite entr{'y' if len(targets) == 1 else 'ies'} {entries}, which no "
            f"other citation names, but the document cites as {shown}: a citation to write in the document's "
            "style, or a number that is not one (then the entry is uncited)",
            span=citation.span, reference=targets[0], details={"entries": list(targets), "style": style}))
    return found
