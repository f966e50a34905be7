"""Settling a document's citation style: which of the markers its readers found are citations.

Readers find candidates by their shape alone: `[12]`, `(12)`, `cancer.12`, `¹²`, `(Smith, 2019)`.
A real document cites in one style, and the style is evidence: in an article that cites as
`[12]`, the parenthesised numbers `(25)`, `(20–30)`, `t-test (31)` are equation numbers, counts
or sample sizes; in an author-year article, `(3)` is never a citation. So, once the entries are
known and author-year citations linked:

1. **The document's style** is numeric when more numeric markers name entries than author-year
   citations fit entries exactly (names and year), else author-year. Its **numeric form** is the
   form most of those markers take: brackets, parentheses, or superscripts (`¹²`, `^12^`,
   `<sup>12</sup>`, and digits glued to a word, `cancer.12`, as superscripts become when pasted).
2. Markers of the document's form are citations, also those past the end of the list (a
   citation of a missing entry: `citation-without-entry`).
3. A superscript (`¹`, `<sup>1</sup>`, `^1^`, or digits closing a sentence, `the effect.4 Dose`)
   naming entries of the list is a citation in any document: no equation, count or gene name
   is written so. Any other numeric marker in another form, or a range standing alone (`fixation 17–20.`, a citation
   that lost its brackets), is not a citation, unless every number it names is an entry that
   nothing else cites: then citecheck cannot tell, and says so with `uncertain-citation` (C007,
   a warning). The marker is kept as the entry's citation (`Citation.uncertain`), so the entry
   is not also reported uncited, but it takes no part in the citation order, and never makes a
   missing-entry error. `(5–9)` in a document that cites 5, 6, 8 and 9 as `[n]` is an age
   range, not a citation of 7.
4. Author-year citations in a numeric document are citations when they fit an entry no numeric
   marker cites. When two or more entries are cited only so, the document mixes the two styles
   and every author-year citation counts (one that fits no entry is `citation-without-entry`).
   Otherwise an author-year shape that fits no entry, or whose entry is also cited by number, is
   a mention, not a citation (a taxonomic authority `Sowerby, 1850`; `Smith et al. (2010) [5]`),
   and the findings linking made about it are dropped with it.

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
"""A numeric document mixes in author-year citations when at least `_MIXED_ENTRIES` entries, and
a fifth as many as its numbers cite, are cited only by author and year."""


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
    them plus any `uncertain-citation` (see the module docs).

    Each text of the document (its body, a Word file's footnotes, its endnotes) has its own
    style: notes are often written apart, `[1]` in endnotes of a body citing with superscripts.
    """
    original = list(citations)  # the readers' order (a Word file's notes come after its body)
    bare = [c for c in citations if c.style is CitationStyle.NUMERIC and numeric_form(c) == "bare"]
    if bare:  # never a citation by itself (rule 3)
        citations = [c for c in citations if not (c.style is CitationStyle.NUMERIC and numeric_form(c) == "bare")]
    if not references or not any(c.style is not CitationStyle.KEY for c in citations):
        return Settled(tuple(citations), tuple(findings))
    known = {r.id for r in references}
    doubtful = {f.span for f in findings if f.code in _DOUBTFUL and f.span is not None}
    parts: dict[str, list[Citation]] = {}
    for citation in citations:
        parts.setdefault(citation.span.path, []).append(citation)
    styles = {path: _style(part, known, doubtful) for path, part in parts.items()}
    # What the document cites in its own style, over all its texts: an entry cited so needs no
    # citation in another form.
    cited = {t for path, part in parts.items() for c in part if _is_primary(c, styles[path]) for t in c.targets}
    dropped: set[int] = set()
    kept_uncertain: dict[int, Citation] = {}
    added: list[Finding] = []

    # Author-year citations in numeric texts (rule 4): a mixed document keeps them all.
    numeric_parts = [part for path, part in parts.items() if styles[path] not in (None, "author-year")]
    by_number = {t for part in numeric_parts for c in part if c.style is CitationStyle.NUMERIC
                 and _is_primary(c, styles[c.span.path]) for t in c.targets if t in known}
    guests = [c for part in numeric_parts for c in part if c.style is CitationStyle.AUTHOR_YEAR]
    exact = [c for c in guests if c.targets and c.span not in doubtful]
    if not _mixed({t for c in exact for t in c.targets if t not in cited}, by_number):
        dropped.update(id(c) for c in guests)
        added += _uncertain(exact, known, cited, "numbers", kept_uncertain)
    cited |= {t for c in guests if id(c) not in dropped for t in c.targets}

    # Numbers in author-year texts of a numbered list, the other way round: kept when the
    # document mixes them in, in the form most of them take.
    author_year_parts = [part for path, part in parts.items() if styles[path] == "author-year"]
    numbers = [c for part in author_year_parts for c in part if c.style is CitationStyle.NUMERIC]
    naming = [c for c in numbers if c.targets and all(t in known for t in c.targets)]
    if naming:
        form = _dominant(naming)
        in_form = [c for c in naming if numeric_form(c) == form]
        by_name = {t for part in author_year_parts for c in part if c.style is CitationStyle.AUTHOR_YEAR
                   for t in c.targets}
        if _mixed({t for c in in_form for t in c.targets if t not in cited}, by_name):
            kept = {id(c) for c in numbers if numeric_form(c) == form}
            cited |= {t for c in numbers if id(c) in kept for t in c.targets}
            numbers = [c for c in numbers if id(c) not in kept]
    for path, part in parts.items():
        style = styles[path]
        if style is None:
            continue
        if style == "author-year":
            others = [c for c in numbers if c.span.path == path]
        else:
            others = [c for c in part if c.style is CitationStyle.NUMERIC and not _is_primary(c, style)]
        # Written as a superscript (`¹`, `<sup>`, digits closing a sentence): a citation in any
        # document, when every number it names is an entry.
        others = [c for c in others if not (c.form == "superscript" and all(t in known for t in c.targets))]
        dropped.update(id(c) for c in others)
        added += _uncertain(others, known, cited, style, kept_uncertain)
        added += _uncertain([c for c in bare if c.span.path == path], known, cited, style, kept_uncertain)

    gone = {c.span for c in citations if id(c) in dropped and id(c) not in kept_uncertain}
    bare_ids = {id(c) for c in bare}
    kept_citations = tuple(kept_uncertain.get(id(c), c) for c in original
                           if id(c) in kept_uncertain or (id(c) not in dropped and id(c) not in bare_ids))
    kept_findings = tuple(f for f in findings if not (f.code in _LINKING and f.span in gone))
    return Settled(kept_citations, kept_findings + tuple(added))


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
