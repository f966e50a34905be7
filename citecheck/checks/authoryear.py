"""Linking author-year citations to entries by names and year, and the findings that go with it.

Each entry is reduced to its author families (CSL `author`, else `editor`, else the names that
open its raw text), its year (CSL `issued`, else the year in its raw text; `n.d.` and
`in press` are years too) and its year suffix (`2019a` in the raw text). Names compare after
folding accents and case, ignoring spaces, hyphens, apostrophes and leading particles, so
`van der Berg` = `Berg`, `O'Shaughnessy` = `OShaughnessy`, `García-Márquez` = `Garcia-Marquez`.

A citation is linked (`targets = (entry id, …)`) when its first name and year fit; then

- C006 `et-al-usage` when it breaks APA 7 (one or two authors in full, three or more
  `First et al.`), C004 `citation-author-mismatch` when a co-author differs;
- C005 `ambiguous-citation` when several entries fit (linked to all of them);
- C003 `citation-year-mismatch` when only the authors fit (linked: the entry is cited, badly),
  unless every entry they fit is cited elsewhere with its own year: then the citation names a
  work missing from the list (C001);
- C004 also when only the year fits and the first name is a near miss (`Smyth` for `Smith`);
- C001 `citation-without-entry` when nothing fits (not linked, so no entry is marked cited).

Before the near miss, the entry whose text opens with the cited names as written is taken
(organisations, and names the parser split otherwise: `Akaike, 1973` for `Akaike H (1973) …
In: Kotz S, editors`); after it, the entry whose title is the cited name (`(Xds, 2010)` for
`Kabsch W (2010) Xds.`, with C004). `et al.` prefers entries of three authors or more. A
citation found in a weak shape (`Citation.form == "weak"`: an organisation-like name, a tail
of a parenthesis, a form outside parentheses) that fits no entry is not a citation: it is
dropped, never C001.

An entry that no citation, of any style, links to is then `uncited-reference` as usual.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from citecheck.findings import Finding
from citecheck.model import Citation, CitationStyle, Reference
from citecheck.references.normalize import fold
from citecheck.references.names import NAME_PARTICLES, split_names
from citecheck.rules import rule

__all__ = ["EntryNames", "entry_names", "link_author_year", "name_key"]

#: The particles as `name_key` sees them: folded, apostrophes split off (`'t` → `t`).
_PARTICLE_WORDS = frozenset(particle.strip("'’") for particle in NAME_PARTICLES)
_RAW_YEAR = re.compile(r"(?<!\d)((?:1[5-9]|20)\d\d)([a-z])?(?![\dA-Za-z])|\bn\.\s?d\.|\bin press\b", re.I)
_SIMILAR = 0.8
_FIRST_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-]*")
_HEAD = 300
"""Characters at the start of an entry where its authors and year stand."""
_WORDS = re.compile(r"[^\W_]+")


def name_key(name: str) -> str:
    """A name reduced for comparison: folded, particles before the last word dropped, joined."""
    words = [w for w in re.split(r"[\s\-'’.]+", fold(name)) if w]
    while len(words) > 1 and words[0] in _PARTICLE_WORDS:
        words.pop(0)
    return "".join(words)


def _year_key(year: str) -> tuple[str, str]:
    """`2020a` → (`2020`, `a`); `n.d.` → (`n.d.`, ``); `in press` → (`in press`, ``)."""
    text = " ".join(year.lower().split())
    if text.startswith("n"):
        return "n.d.", text.partition("-")[2]
    if text.startswith("in"):
        return "in press", text.partition("-")[2]
    return text[:4], text[4:5]


@dataclass(frozen=True, slots=True)
class EntryNames:
    """What author-year linking needs from one entry."""

    reference: Reference
    """The entry."""
    families: tuple[str, ...]
    """Author families (or organisation names) as written, in order."""
    keys: tuple[str, ...]
    """`name_key` of each family."""
    year: str
    """`2019`, `n.d.`, `in press`, or empty when unknown."""
    suffix: str = ""
    """The year suffix the list gives (`a` of `2019a`), or empty."""


def entry_names(reference: Reference) -> EntryNames:
    """The families, year and suffix of one entry (see the module docs for where they come from)."""
    csl = reference.csl
    people = [p for p in (csl.get("author") or csl.get("editor") or []) if isinstance(p, dict)]
    families = [str(p.get("family") or p.get("literal") or "") for p in people]
    families = [f for f in families if f]
    year_match = _RAW_YEAR.search(reference.raw)
    if not families and reference.raw:
        # The parser could not split the names: take those before the year, as a list writes them.
        head = reference.raw[: year_match.start()] if year_match else reference.raw[:200]
        names, _ = split_names(head.rstrip(" (.,"))
        families = [str(n.get("family") or n.get("literal") or "") for n in names if n]
    year = ""
    issued = csl.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            year = str(parts[0][0])
        else:
            year = str(issued.get("literal") or issued.get("raw") or "")
    elif isinstance(issued, (int, str)):
        year = str(issued)
    suffix = ""
    if year_match:
        raw_year = year_match.group(0).lower()
        if not year:
            year = _year_key(raw_year)[0]
        if year_match.group(1) == year[:4]:
            suffix = (year_match.group(2) or "").lower()
    year = _year_key(year)[0] if year else ""
    first_word = _FIRST_WORD.match(reference.raw)
    if families and first_word:
        # The parser may run a surname into the next (`Pleasance Cheetham` from `Pleasance ED,
        # Cheetham RK, …`): the list's first word is the first author's surname then.
        written, parsed = name_key(first_word.group(0)), name_key(families[0])
        if parsed != written and parsed.startswith(written) and len(written) > 1:
            families[0] = first_word.group(0)
    return EntryNames(reference, tuple(families), tuple(name_key(f) for f in families), year, suffix)


def _fits(citation: Citation, keys: tuple[str, ...], entry: EntryNames) -> bool:
    """The cited names are the entry's authors (all of them, or the first ones before et al.)."""
    if not keys or len(keys) > len(entry.keys):
        return False
    if any(not _same(k, e) for k, e in zip(keys, entry.keys)):
        return False
    return citation.et_al or entry.reference.et_al or len(keys) == len(entry.keys)


def _same(cited: str, family: str) -> bool:
    return cited == family or (len(family) > 1 and cited.endswith(family))


def _label(reference: Reference) -> str:
    return f"entry {reference.number}" if reference.number is not None else f"entry {reference.id!r}"


def _written(entry: EntryNames) -> str:
    names = entry.families
    shown = names[0] if len(names) == 1 else (" & ".join(names) if len(names) == 2 else f"{names[0]} et al.")
    suffix = entry.suffix if entry.year[:1].isdigit() else ""
    return f"{shown or 'no author'} ({entry.year or 'no year'}{suffix})"


class _Index:
    """Entries by first-author key and by year, for linking in time linear in the citations."""

    def __init__(self, references: Sequence[Reference]) -> None:
        self.entries = [entry_names(r) for r in references]
        self.by_first: dict[str, list[EntryNames]] = defaultdict(list)
        self.by_year: dict[str, list[EntryNames]] = defaultdict(list)
        # Every year (with its suffix) written near the start of an entry, for entries whose
        # names or year the parser could not read as the list writes them.
        self.by_raw_year: dict[str, list[EntryNames]] = defaultdict(list)
        for entry in self.entries:
            if entry.keys:
                self.by_first[entry.keys[0]].append(entry)
            self.by_year[entry.year].append(entry)
            match = _RAW_YEAR.search(entry.reference.raw)  # after the authors, however many
            if match is not None:
                year, suffix = _year_key(match.group(0))
                self.by_raw_year[year + suffix].append(entry)
                if suffix:
                    self.by_raw_year[year].append(entry)

    def first(self, key: str) -> list[EntryNames]:
        """Entries whose first author has this `name_key`."""
        return self.by_first.get(key, [])


@dataclass(frozen=True)
class _Link:
    """How one citation was linked."""

    targets: tuple[str, ...]
    findings: list[Finding]
    other_years: tuple[str, ...] = ()
    """C003: the entries whose authors fit with another year."""
    dropped: bool = False
    """A weak shape (`Citation.form == "weak"`) that fits no entry: not a citation at all."""


def _link_one(citation: Citation, index: _Index) -> _Link:
    """Targets and findings for one author-year citation."""
    keys = tuple(name_key(n) for n in citation.names)
    if not keys:
        return _Link((), [])
    year, suffix = _year_key(citation.year)
    firsts = index.first(keys[0])
    if not firsts and " " in fold(citation.names[0]):
        # `Jane Smith (2019)`: a given name before the family; try the last word alone.
        last = name_key(citation.names[0].split()[-1])
        firsts = index.first(last)
        if firsts:
            keys = (last,) + keys[1:]
    same_year = [e for e in firsts if e.year == year]
    other_suffix = []
    if suffix and any(e.suffix for e in same_year):
        other_suffix = [e for e in same_year if e.suffix and e.suffix != suffix]
        same_year = [e for e in same_year if e.suffix == suffix]
    where, what = citation.span, citation.text.strip()
    if same_year:
        full = [e for e in same_year if _fits(citation, keys, e)]
        if not full:
            written = _as_written(index, citation, year + suffix)
            if written is not None and any(written is e for e in same_year):
                return _Link((written.reference.id,), [])  # an organisation named as the list names it
        if citation.et_al and len(full) > 1:
            # `Schuman et al., 2012` beside Schuman & Baldwin (2012) and Schuman, Barthel &
            # Baldwin (2012): et al. stands for three authors or more.
            full = [e for e in full if len(e.keys) >= 3 or e.reference.et_al] or full
        pool = full or same_year
        targets = tuple(e.reference.id for e in pool)
        if len(pool) > 1:
            listed = ", ".join(f"{_label(e.reference)} {_written(e)}" for e in pool)
            why = ("the entries lack a/b suffixes" if not any(e.suffix for e in pool)
                   else "the citation lacks the a/b suffix")
            return _Link(targets, [rule("C005").finding(
                f"{what!r} fits {len(pool)} entries ({listed}): {why}", span=where,
                reference=targets[0], details={"candidates": list(targets)})])
        entry = pool[0]
        return _Link(targets, _authors_findings(citation, keys, entry, fitted=bool(full)))
    written = _as_written(index, citation, year + suffix)
    if written is not None:
        return _Link((written.reference.id,), [])
    if other_suffix:
        # `2014a` when the list has only `2014b`: the suffix says a second work of that year
        # was meant, and it is not in the list.
        shown = ", ".join(sorted(e.year + e.suffix for e in other_suffix))
        return _Link((), [_no_entry(citation, f" (the list has these authors from {shown})")])
    if citation.form == "weak" and not firsts and not _names_any_entry(index, citation):
        return _Link((), [], dropped=True)
    fitting = [e for e in firsts if _fits(citation, keys, e)] or firsts
    if fitting:
        targets = (fitting[0].reference.id,) if len(fitting) == 1 else ()
        listed = ", ".join(f"{_label(e.reference)} {_written(e)}" for e in fitting[:3])
        return _Link(targets, [rule("C003").finding(
            f"{what!r} names the authors of {listed} but the year {citation.year!r} differs",
            span=where, reference=fitting[0].reference.id,
            details={"cited_year": citation.year, "entry_years": [e.year + e.suffix for e in fitting]})],
            other_years=tuple(e.reference.id for e in fitting))
    near = [e for e in index.by_year.get(year, []) if e.keys
            and difflib.SequenceMatcher(None, keys[0], e.keys[0]).ratio() >= _SIMILAR
            and (not suffix or not e.suffix or e.suffix == suffix)]
    if len(near) == 1:
        entry = near[0]
        return _Link((entry.reference.id,), [rule("C004").finding(
            f"{what!r}: no entry by {citation.names[0]!r}; {_label(entry.reference)} "
            f"{_written(entry)} has the year and a similar name ({entry.families[0]!r})",
            span=where, reference=entry.reference.id, details={"cited": citation.names[0], "entry": entry.families[0]})])
    titled = _by_title(index, citation, year + suffix)
    if titled is not None:
        return _Link((titled.reference.id,), [rule("C004").finding(
            f"{what!r} names {citation.names[0]!r}, the title of {_label(titled.reference)} "
            f"{_written(titled)}, not its authors", span=where, reference=titled.reference.id,
            details={"cited": citation.names[0], "entry": list(titled.families)})])
    return _Link((), [_no_entry(citation)])


def _no_entry(citation: Citation, why: str = "") -> Finding:
    """C001 for an author-year citation that fits no entry."""
    return rule("C001").finding(
        f"citation {citation.text.strip()!r} has no entry: no entry by {_cited(citation)} from {citation.year}{why}",
        span=citation.span, reference=None, details={"names": list(citation.names), "year": citation.year})


def _names_written(citation: Citation) -> list[str]:
    """The cited names as words, as the text writes them (`United Nations, Department of
    Economic and Social Affairs`), without year, locator or et al."""
    text = citation.text
    year = re.search(r"(?<!\d)(?:1[5-9]|20)\d\d|\bn\.\s?d\.|\bin press\b", text)
    head = text[: year.start()] if year and year.start() > 0 else " ".join(citation.names)
    return _words(re.sub(r"\bet\s+al\b.*$", "", head, flags=re.S))


def _words(text: str) -> list[str]:
    """Folded words, possessives dropped (`President's Council` → president, council)."""
    return _WORDS.findall(fold(re.sub(r"['’]s\b", "", text)))


def _as_written(index: _Index, citation: Citation, year: str) -> EntryNames | None:
    """The one entry of that year whose text opens with the cited names as written: an
    organisation (`President's Council on Bioethics 2003`) or names the parser split otherwise
    (`Akaike, 1973` for `Akaike H (1973) … In: Kotz S, editors`)."""
    words = _names_written(citation)
    if not words:
        return None
    found = [e for e in _unique(index.by_raw_year.get(year, []))
             if _words(e.reference.raw[:_HEAD])[: len(words)] == words]
    return found[0] if len(found) == 1 else None


def _names_any_entry(index: _Index, citation: Citation) -> bool:
    """Whether some entry, of any year, opens with the cited names as written."""
    words = _names_written(citation)
    return bool(words) and any(_words(e.reference.raw[:_HEAD])[: len(words)] == words for e in index.entries)


def _unique(entries: list[EntryNames]) -> list[EntryNames]:
    """Entries in order, each once (an entry is listed under `2019a` and `2019`)."""
    seen: set[int] = set()
    return [e for e in entries if not (id(e) in seen or seen.add(id(e)))]  # type: ignore[func-returns-value]


def _by_title(index: _Index, citation: Citation, year: str) -> EntryNames | None:
    """The one entry of that year whose title is the cited name: software and data cited by
    name (`(Xds, 2010)` for `Kabsch W (2010) Xds.`)."""
    words = _names_written(citation)
    if not words or citation.et_al or len(citation.names) != 1:
        return None
    found = [e for e in _unique(index.by_raw_year.get(year, []))
             if _words(str(e.reference.csl.get("title") or ""))[: len(words) + 1] == words]
    return found[0] if len(found) == 1 else None


def _cited(citation: Citation) -> str:
    names = list(citation.names)
    return " & ".join(names) + (" et al." if citation.et_al else "")


def _authors_findings(citation: Citation, keys: tuple[str, ...], entry: EntryNames, fitted: bool) -> list[Finding]:
    """C004 for a co-author that differs, C006 for the et-al rule, once the entry is known."""
    where, what, ident = citation.span, citation.text.strip(), entry.reference.id
    count = len(entry.keys)
    truncated = entry.reference.et_al
    if not fitted:
        prefix = len(keys) < count and all(_same(k, e) for k, e in zip(keys, entry.keys))
        if prefix and count >= 3 and not citation.et_al:
            return [rule("C006").finding(
                f"{what!r} names {len(keys)} of the {count} authors of {_label(entry.reference)}: "
                f"APA 7 writes {entry.families[0]} et al. for three or more authors",
                span=where, reference=ident, details={"authors": count})]
        return [rule("C004").finding(
            f"{what!r} names {_cited(citation)}, but {_label(entry.reference)} is by "
            f"{', '.join(entry.families)}{' et al.' if truncated else ''}",
            span=where, reference=ident, details={"cited": list(citation.names), "entry": list(entry.families)})]
    if citation.et_al and count <= 2 and not truncated:
        return [rule("C006").finding(
            f"{what!r} uses et al. for {_label(entry.reference)}, which has {count} author"
            f"{'s' if count != 1 else ''}: APA 7 names one or two authors in full",
            span=where, reference=ident, details={"authors": count})]
    if not citation.et_al and len(keys) >= 3:
        return [rule("C006").finding(
            f"{what!r} names all {len(keys)} authors: APA 7 writes {entry.families[0]} et al. "
            "for three or more authors", span=where, reference=ident, details={"authors": count})]
    return []


def link_author_year(
    citations: Sequence[Citation], references: Sequence[Reference]
) -> tuple[tuple[Citation, ...], tuple[Finding, ...]]:
    """Every citation, author-year ones linked to their entries, and the linking findings.

    Citations of other styles pass through unchanged. With no references at all nothing is
    reported here (the missing list is `missing-reference-list`'s to say).
    """
    if not any(c.style is CitationStyle.AUTHOR_YEAR for c in citations):
        return tuple(citations), ()
    if not references:
        return tuple(citations), ()
    index = _Index(references)
    links = [_link_one(c, index) if c.style is CitationStyle.AUTHOR_YEAR else None for c in citations]
    # Entries cited with their own year somewhere: a citation naming their authors with another
    # year is then more likely a citation of a missing entry than a wrong year.
    cited_as_listed = {t for link in links if link is not None and not link.other_years for t in link.targets}
    linked: list[Citation] = []
    findings: list[Finding] = []
    for citation, link in zip(citations, links):
        if link is None:
            linked.append(citation)
            continue
        if link.dropped:
            continue
        if link.other_years and all(t in cited_as_listed for t in link.other_years):
            years = ", ".join(sorted({e.year + e.suffix for e in index.entries if e.reference.id in link.other_years}))
            link = _Link((), [_no_entry(citation, f" (the list has these authors from {years}, cited as such)")])
        linked.append(replace(citation, targets=link.targets))
        findings += link.findings
    return tuple(linked), tuple(findings)
