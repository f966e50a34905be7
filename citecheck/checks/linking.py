"""Linking checks: do the citations and the reference list agree? Offline, no registry needed.

Rules: citation-without-entry (C001), citation-order (C002), xref-target-mismatch (C008),
uncited-reference (R001),
duplicate-reference (R002), numbering-gap (R003), unparseable-reference (R004),
missing-reference-list (R005).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from citecheck.checks.context import DocumentContext
from citecheck.findings import Finding
from citecheck.model import Citation, CitationStyle, Reference, ResolutionStatus
from citecheck.references.normalize import fold, title_similarity, title_tokens
from citecheck.references.doi import normalize_doi
from citecheck.rules import rule


def check_linking(context: DocumentContext) -> Iterator[Finding]:
    """Every linking finding for one document."""
    yield from missing_reference_list(context)
    yield from citations_without_entry(context)
    yield from mistagged_citations(context)
    yield from uncited_references(context)
    yield from citation_order(context)
    yield from numbering_gaps(context)
    yield from duplicate_references(context)
    yield from unparseable_references(context)


def missing_reference_list(context: DocumentContext) -> Iterator[Finding]:
    """R005 when the document has no reference list and names no bibliography."""
    if context.references or context.has_bibliography:
        return
    count = len(context.citations)
    message = (
        f"{count} citation{'s' if count != 1 else ''} but no reference list was found "
        "(looked for a References/Bibliography heading and a trailing numbered list)"
        if count
        else "no reference list was found (looked for a References/Bibliography heading "
        "and a trailing numbered list)"
    )
    yield rule("R005").finding(message, span=None, details={"path": context.path})


def citations_without_entry(context: DocumentContext) -> Iterator[Finding]:
    """C001 for each citation target that names no entry."""
    if not context.references and not context.has_bibliography:
        return  # R005 already says the whole list is missing; one finding per citation would be noise
    known = {r.id for r in context.references}
    folded = {r.id.casefold(): r.id for r in context.references}
    for citation in context.citations:
        for target in citation.targets:
            if target in known:
                continue
            if citation.style is CitationStyle.NUMERIC:
                message = f"citation [{target}] has no entry: the reference list has {_numbered(context.references)}"
            else:
                near = folded.get(target.casefold())
                hint = f" (did you mean {near!r}? keys are case-sensitive)" if near else ""
                message = f"citation {target!r} has no entry in the bibliography{hint}"
            yield rule("C001").finding(message, span=citation.span, reference=target)


def mistagged_citations(context: DocumentContext) -> Iterator[Finding]:
    """C008 for each JATS citation whose printed text names other entries than its markup."""
    for citation in context.citations:
        if not citation.tagged:
            continue
        given = [t for t in citation.tagged if t not in citation.targets]
        printed = [t for t in citation.targets if t not in citation.tagged]
        yield rule("C008").finding(
            f"citation {citation.text!r} is tagged as {_entries(context, given)} but prints "
            f"{_entries(context, printed)}; linked as printed",
            span=citation.span,
            reference=printed[0] if printed else None,
            details={"tagged": list(citation.tagged), "printed": list(citation.targets)},
        )


def _entries(context: DocumentContext, ids: Sequence[str]) -> str:
    known = context.references_by_id
    return ", ".join(_label(known[i]) if i in known else repr(i) for i in ids) or "no entry"


def _numbered(references: Sequence[Reference]) -> str:
    numbers = [r.number for r in references if r.number is not None]
    if not numbers:
        return "no numbered entries"
    return f"entries {min(numbers)}–{max(numbers)}" if len(numbers) > 1 else f"entry {numbers[0]}"


def uncited_references(context: DocumentContext) -> Iterator[Finding]:
    """R001 for each entry no citation points at."""
    if context.cite_all:
        return
    cited = context.cited_ids
    for reference in context.references:
        if reference.id not in cited:
            label = f"entry {reference.number}" if reference.number is not None else f"entry {reference.id!r}"
            yield rule("R001").finding(
                f"{label} is cited nowhere in the text: {_short(reference)}",
                span=reference.span,
                reference=reference.id,
            )


def citation_order(context: DocumentContext) -> Iterator[Finding]:
    """C002: in a numeric document, each entry must be first cited after every lower-numbered cited entry."""
    first_cited: list[tuple[int, Citation]] = []
    seen: set[int] = set()
    # Only entries of the list have a place in its order: a citation of a missing entry
    # (`methotrexate.5` with four entries) is citation-without-entry's to report, not this rule's.
    listed = {r.id for r in context.references} or None
    for citation in context.citations:
        if citation.style is not CitationStyle.NUMERIC or citation.uncertain:
            continue  # an uncertain citation (C007) may be no citation at all: it sets no order
        for target in citation.targets:
            if listed is not None and target not in listed:
                continue
            if target.isdigit() and int(target) not in seen:
                seen.add(int(target))
                first_cited.append((int(target), citation))
    highest = 0
    for number, citation in first_cited:
        if number < highest:
            yield rule("C002").finding(
                f"entry {number} is first cited after entry {highest}; numbered in order of first "
                f"citation it would come before it (`citecheck fix --renumber` reorders)",
                span=citation.span,
                reference=str(number),
            )
        highest = max(highest, number)


def numbering_gaps(context: DocumentContext) -> Iterator[Finding]:
    """R003 for numbers skipped or repeated in a numbered list."""
    numbered = [r for r in context.references if r.number is not None]
    if not numbered:
        return
    counts = Counter(r.number for r in numbered)
    reported: set[int] = set()
    for reference in numbered:
        number = reference.number
        assert number is not None
        if counts[number] > 1 and number not in reported:
            reported.add(number)
            yield rule("R003").finding(
                f"number {number} is used by {counts[number]} entries", span=reference.span, reference=reference.id
            )
    expected = 1
    for reference in numbered:
        number = reference.number
        assert number is not None
        if number > expected:
            missing = f"{expected}" if number == expected + 1 else f"{expected}–{number - 1}"
            yield rule("R003").finding(
                f"the list skips from {expected - 1} to {number}: number{'s' if number > expected + 1 else ''} "
                f"{missing} missing",
                span=reference.span,
                reference=reference.id,
            )
        expected = max(expected, number + 1)


def duplicate_references(context: DocumentContext) -> Iterator[Finding]:
    """R002 when two entries describe the same work: same DOI, or same first author, year and title.

    The DOI is the one the entry gives, else the one it resolved to (a confident match): two
    entries written differently that resolve to the same registry record are one work listed
    twice. Entries are compared only within blocks that share a DOI, a first author and year,
    or the longest words of the title, and only when their title words overlap enough, so a list
    of thousands of entries is not compared pair by pair with the costly title similarity.
    """
    resolved = {
        r.reference_id: normalize_doi(r.work.doi)
        for r in context.resolutions
        if r.status is ResolutionStatus.MATCHED and r.work is not None and r.work.doi
    }
    blocks: dict[str, list[_Entry]] = {}
    for reference in context.references:
        entry = _Entry.of(reference, resolved.get(reference.id, ""))
        duplicate_of = next(
            (earlier for key in entry.keys for earlier in blocks.get(key, ()) if _same_work(earlier, entry)),
            None,
        )
        if duplicate_of is not None:
            how = ""
            if entry.resolved or duplicate_of.resolved:
                how = f" (both resolve to doi:{entry.doi})"
            yield rule("R002").finding(
                f"{_label(reference)} duplicates {_label(duplicate_of.reference)}{how}: {_short(reference)}",
                span=reference.span,
                reference=reference.id,
                details={"duplicate_of": duplicate_of.reference.id, **({"doi": entry.doi} if how else {})},
            )
        for key in entry.keys:
            blocks.setdefault(key, []).append(entry)


@dataclass(frozen=True)
class _Entry:
    """What duplicate detection compares, computed once per reference."""

    reference: Reference
    doi: str
    title: str
    words: frozenset[str]
    family: str
    year: int | None
    keys: tuple[str, ...]
    resolved: bool = False
    """The DOI is the one the entry resolved to, not one it gives."""

    @classmethod
    def of(cls, reference: Reference, resolved_doi: str = "") -> "_Entry":
        doi = normalize_doi(str(reference.csl["DOI"])) if reference.csl.get("DOI") else ""
        resolved = not doi and bool(resolved_doi)
        doi = doi or resolved_doi
        title = str(reference.csl.get("title", "") or "")
        words = frozenset(title_tokens(title))
        family, year = _first_family(reference), _year(reference)
        keys = []
        if doi:
            keys.append("doi:" + doi)
        if family:
            keys.append(f"author:{family}:{year}")
        if words:
            keys.append("title:" + " ".join(sorted(words, key=lambda w: (-len(w), w))[:3]))
        if not keys:
            keys.append("raw:" + fold(reference.raw))
        return cls(reference, doi, title, words, family, year, tuple(keys), resolved)


def _same_work(a: _Entry, b: _Entry) -> bool:
    if a.doi and b.doi:
        return a.doi == b.doi
    if not a.title or not b.title:
        return bool(a.reference.raw) and fold(a.reference.raw) == fold(b.reference.raw)
    if a.year and b.year and a.year != b.year:
        return False
    if a.family and b.family and a.family != b.family:
        return False
    # Cheap overlap of title words first; the ordered similarity only for likely pairs.
    overlap = len(a.words & b.words) / max(1, min(len(a.words), len(b.words)))
    return overlap >= 0.6 and title_similarity(a.title, b.title) >= 0.9


def _year(reference: Reference) -> int | None:
    parts = reference.csl.get("issued", {}).get("date-parts") if isinstance(reference.csl.get("issued"), dict) else None
    try:
        return int(parts[0][0]) if parts else None
    except (TypeError, ValueError, IndexError):
        return None


def _first_family(reference: Reference) -> str:
    authors = reference.csl.get("author") or []
    if authors and isinstance(authors[0], dict):
        return fold(str(authors[0].get("family") or authors[0].get("literal") or ""))
    return ""


def unparseable_references(context: DocumentContext) -> Iterator[Finding]:
    """R004 for entries the parser could not read; they are kept as written."""
    for reference in context.references:
        if not reference.parsed:
            yield rule("R004").finding(
                f"{_label(reference)} could not be parsed into author, year and title; kept as written: "
                f"{_short(reference)}",
                span=reference.span,
                reference=reference.id,
            )


def _label(reference: Reference) -> str:
    return f"entry {reference.number}" if reference.number is not None else f"entry {reference.id!r}"


def _short(reference: Reference, limit: int = 80) -> str:
    text = reference.raw.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
