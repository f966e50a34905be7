"""Checks against the registry: identifiers (D), metadata (M), existence (S).

Each works from a reference and its resolution. Where a record that is not a live registry
answer decides a finding (a snapshot record assembled by hand), the message says where the
record came from, and fields the record marks as unverified are said to be so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from citecheck.checks.context import DocumentContext
from citecheck.findings import Finding, Fix, Severity
from citecheck.model import Reference, Resolution, ResolutionStatus, Work
from citecheck.references.normalize import (
    fold,
    given_names_compatible,
    pages_equal,
    same_family_name,
    same_journal,
    title_similarity,
)
from citecheck.references.doi import is_valid_doi, normalize_doi
from citecheck.references.provenance import field_doubted
from citecheck.rules import rule

#: CSL types a registry of DOIs is expected to know. Others (books, reports, web pages) are
#: often simply not registered, so their absence is information, not an accusation.
REGISTERED_TYPES = frozenset({"article-journal", "article", "paper-conference", "chapter"})

TITLE_MISMATCH_BELOW = 0.85
"""Title similarity under which a matched record's title counts as different."""


def check_registry(context: DocumentContext) -> Iterator[Finding]:
    """Identifier, metadata and existence findings for every resolved reference."""
    by_id = context.references_by_id
    for resolution in context.resolutions:
        reference = by_id.get(resolution.reference_id)
        if reference is None:
            continue
        yield from check_reference(reference, resolution)


def check_reference(reference: Reference, resolution: Resolution) -> Iterator[Finding]:
    """Findings for one reference given how it resolved."""
    yield from _identifier(reference, resolution)
    status = resolution.status
    if status is ResolutionStatus.MATCHED and resolution.work is not None:
        yield from _metadata(reference, resolution.work)
    elif status is ResolutionStatus.UNVERIFIED:
        yield from _unverified(reference, resolution)
    elif status is ResolutionStatus.NOT_FOUND:
        yield _not_found(reference, resolution)
    elif status is ResolutionStatus.NOT_CHECKED and not expected_in_registry(reference):
        # A book or report without a DOI: outside Crossref's coverage whatever was asked.
        yield _not_found(reference, resolution)
    elif status is ResolutionStatus.AMBIGUOUS:
        yield rule("S003").finding(
            f"{_label(reference)} fits {len(resolution.candidates)} registry records and none stands out: "
            + "; ".join(f"{c.doi} ({c.title[:50]})" for c in resolution.candidates[:3])
            + ". Add the DOI to make it unambiguous",
            span=reference.span,
            reference=reference.id,
            details={"candidates": [c.doi for c in resolution.candidates]},
        )


def _identifier(reference: Reference, resolution: Resolution) -> Iterator[Finding]:
    written = str(reference.csl.get("DOI", "") or "")
    work = resolution.work if resolution.status is ResolutionStatus.MATCHED else None
    if written:
        doi = normalize_doi(written)
        if not is_valid_doi(doi):
            yield rule("D001").finding(
                f"{_label(reference)} has {written!r}, which is not a DOI (10.<digits>/<suffix>)",
                span=reference.span, reference=reference.id,
                fixes=(Fix("DOI", work.doi, written, safe=False, source=_source(work)),) if work else (),
            )
        elif resolution.doi_work is not None:
            other = resolution.doi_work
            found = f"; the work described is {work.doi}" if work else ""
            yield rule("D002").finding(
                f"{_label(reference)}: DOI {doi} belongs to another work, “{other.title[:90]}” "
                f"({_first_author(other)}, {other.year or 'n.d.'}; record from {other.source}){found}",
                span=reference.span, reference=reference.id,
                fixes=(Fix("DOI", work.doi, written, safe=False, source=_source(work)),) if work else (),
                details={"doi": doi, "doi_title": other.title, "matched_doi": work.doi if work else None},
            )
        elif resolution.method == "doi-unknown":
            found = f"; the work described has DOI {work.doi}" if work and work.doi else ""
            said = _doi_deciders(resolution)
            yield rule("D004").finding(
                f"{_label(reference)}: DOI {doi} is registered nowhere{said}{found}",
                span=reference.span, reference=reference.id,
                fixes=(Fix("DOI", work.doi, written, safe=False, source=_source(work)),) if work else (),
            )
        elif written != doi and work is not None and work.doi == doi:
            # Same DOI, written with a resolver prefix or in another case: normalising is safe.
            pass
    elif work is not None and work.doi:
        yield rule("D003").finding(
            f"{_label(reference)} has no DOI; the work is {work.doi}{_from(work, 'DOI')}",
            span=reference.span, reference=reference.id,
            fixes=(Fix("DOI", work.doi, None, safe=True, source=_source(work)),),
            details={"doi": work.doi, "source": work.source, "provenance": work.provenance or None},
        )


def _metadata(reference: Reference, work: Work) -> Iterator[Finding]:
    csl = reference.csl
    missing: list[tuple[str, str, str]] = []  # (csl field, label, value)

    title = str(csl.get("title", "") or "")
    if title and work.title and title_similarity(title, work.title) < TITLE_MISMATCH_BELOW:
        yield _mismatch("M001", reference, work, "title", title, work.title)
    elif not title and work.title:
        missing.append(("title", "title", work.title))

    year = _year(csl)
    if year is not None and work.year is not None and year != work.year:
        finding = _mismatch("M002", reference, work, "issued", str(year), str(work.year))
        if year in work.other_years:
            # Online and print dates fall in different years: either year is defensible.
            finding = replace(
                finding,
                severity=Severity.INFO,
                message=finding.message + f" (the work also has a {year} publication date: online and print differ)",
            )
        yield finding
    elif year is None and work.year is not None:
        missing.append(("issued", "year", str(work.year)))

    yield from _authors(reference, work)

    journal = str(csl.get("container-title", "") or "")
    if journal and work.container_title:
        if not same_journal(journal, work.container_title, work.short_container_titles):
            yield _mismatch("M004", reference, work, "container-title", journal, work.container_title)
    elif not journal and work.container_title:
        missing.append(("container-title", "journal", work.container_title))

    for field, code, label, value in (
        ("volume", "M005", "volume", work.volume),
        ("issue", "M006", "issue", work.issue),
    ):
        written = str(csl.get(field, "") or "").strip()
        if written and value:
            if fold(written).lstrip("0") != fold(value).lstrip("0"):
                yield _mismatch(code, reference, work, field, written, value)
        elif not written and value:
            missing.append((field, label, value))

    pages = str(csl.get("page", "") or "")
    if pages and work.page:
        if not pages_equal(pages, work.page):
            yield _mismatch("M007", reference, work, "page", pages, work.page)
    elif not pages and work.page:
        missing.append(("page", "pages", work.page))

    if missing:
        listed = ", ".join(f"{label} {value}{_doubt(work, field)}" for field, label, value in missing)
        yield rule("M008").finding(
            f"{_label(reference)} lacks {listed} (record from {_describe_source(work)})",
            span=reference.span, reference=reference.id,
            fixes=tuple(
                Fix(field, _csl_value(field, value), None, safe=True, source=_source(work))
                for field, _, value in missing
            ),
            details={"missing": [label for _, label, _ in missing]},
        )

    yield from _updates(reference, work)


def _authors(reference: Reference, work: Work) -> Iterator[Finding]:
    written = [a for a in reference.csl.get("author", []) or [] if isinstance(a, dict)]
    if not written or not work.authors:
        return
    registered = list(work.authors)
    for position, author in enumerate(written):
        family = str(author.get("family") or author.get("literal") or "")
        if not family:
            continue
        counterpart = registered[position] if position < len(registered) else None
        if counterpart and same_family_name(family, counterpart.family or counterpart.literal):
            given = str(author.get("given", "") or "")
            if given and counterpart.given and not given_names_compatible(given, counterpart.given):
                yield _mismatch("M003", reference, work, "author", f"{family}, {given}", counterpart.display())
            continue
        if any(same_family_name(family, r.family or r.literal) for r in registered):
            continue  # listed, in another position: order slips are not worth an alarm
        expected = counterpart.display() if counterpart else "no such author"
        yield _mismatch("M003", reference, work, "author", family, expected)


def _updates(reference: Reference, work: Work) -> Iterator[Finding]:
    codes = {
        "retraction": "U001",
        "removal": "U004",
        "withdrawal": "U004",
        "expression_of_concern": "U002",
        "correction": "U003",
        "erratum": "U003",
        "corrigendum": "U003",
    }
    reported: set[tuple[str, str]] = set()
    for update in work.updated_by:
        code = codes.get(update.kind)
        notice_id = update.doi or (f"PMID {update.pmid}" if update.pmid else "")
        if code is None or (code, notice_id) in reported:
            continue
        reported.add((code, notice_id))
        notice = update.kind.replace("_", " ")
        when = f" on {update.date}" if update.date else ""
        by = f" (asserted by {update.source})" if update.source else ""
        named = f": {notice_id}" if notice_id else " (the notice is not named)"
        yield rule(code).finding(
            f"{_label(reference)} ({_work_id(work)}) has a {notice} notice{when}{named}{by}",
            span=reference.span, reference=reference.id,
            details={"notice_doi": update.doi or None, "notice_pmid": update.pmid or None, "date": update.date,
                     "source": update.source, "type": update.kind},
        )


def _unverified(reference: Reference, resolution: Resolution) -> Iterator[Finding]:
    if _not_registered_type(reference):
        # A book or report without a DOI: Crossref rarely covers these, so a failed source
        # changes nothing; say it is outside the registry's coverage.
        yield _not_found(reference, resolution)
        return
    reasons = "; ".join(resolution.failures[:2]) or "a source failed"
    yield rule("S001").finding(
        f"{_label(reference)} could not be verified: {reasons}",
        span=reference.span, reference=reference.id,
        details={"failures": list(resolution.failures)},
    )


def _not_found(reference: Reference, resolution: Resolution) -> Finding:
    asked = ", ".join(resolution.sources) or "no source"
    failed = f"; {len(resolution.failures)} source(s) could not be asked" if resolution.failures else ""
    base = rule("S002")
    if _not_registered_type(reference):
        kind = str(reference.csl.get("type", "work")).replace("-", " ")
        return replace(
            base.finding(
                f"{_label(reference)} is a {kind} without a DOI, not covered by Crossref; "
                f"no registry record found (asked: {asked}{failed})",
                span=reference.span, reference=reference.id,
            ),
            severity=Severity.INFO,
        )
    if resolution.absent_as_of:
        return base.finding(
            f"{_label(reference)} is not in Crossref as of {resolution.absent_as_of} (asked: {asked}): "
            f"it may not exist, or be newer than the snapshot; check it against the publisher's site",
            span=reference.span, reference=reference.id, details={"as_of": resolution.absent_as_of},
        )
    deciders = resolution.decided_by or asked
    return base.finding(
        f"{_label(reference)} matches no registry record ({deciders} answered; asked: {asked}): it may not "
        f"exist; check it against the publisher's site",
        span=reference.span, reference=reference.id,
        details={"decided_by": resolution.decided_by or None, "asked": list(resolution.sources)},
    )


def expected_in_registry(reference: Reference) -> bool:
    """True unless the reference is of a kind Crossref rarely holds (a book, report or web
    page without a DOI), whose absence from any source says nothing."""
    return not _not_registered_type(reference)


def _not_registered_type(reference: Reference) -> bool:
    kind = str(reference.csl.get("type", "") or "")
    return bool(kind) and kind not in REGISTERED_TYPES and not reference.csl.get("DOI")


def _mismatch(code: str, reference: Reference, work: Work, field: str, written: str, registered: str) -> Finding:
    label = rule(code).name.replace("-mismatch", "")
    return rule(code).finding(
        f"{_label(reference)}: {label} {written!r} differs from the registered {registered!r}"
        f"{_doubt(work, field)} ({_work_id(work)}{_from_short(work)})",
        span=reference.span, reference=reference.id,
        fixes=(Fix(field, _csl_value(field, registered), written, safe=False, source=_source(work)),),
    )


def _csl_value(field: str, value: str) -> object:
    if field == "issued":
        return {"date-parts": [[int(value)]]} if value.isdigit() else value
    return value


def _year(csl: dict) -> int | None:
    issued = csl.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        try:
            return int(parts[0][0])
        except (TypeError, ValueError, IndexError, KeyError):
            return None
    return None


def _label(reference: Reference) -> str:
    return f"entry {reference.number}" if reference.number is not None else f"entry {reference.id!r}"


def _first_author(work: Work) -> str:
    return work.authors[0].family or work.authors[0].literal if work.authors else "no author"


def _source(work: Work) -> str:
    return f"{work.source} ({work.provenance})" if work.provenance else work.source


def _describe_source(work: Work) -> str:
    """Where a record came from, for messages: the source, and its provenance when not a live answer."""
    return f"{work.source}, {work.provenance}" if work.provenance else work.source


def _from(work: Work, field: str) -> str:
    return f"{_doubt(work, field)} (record from {_describe_source(work)})"


def _from_short(work: Work) -> str:
    """Which source's record a finding compares with: every finding names it."""
    return f", record from {work.source}" if work.source else ""


def _work_id(work: Work) -> str:
    """The record's DOI, or its PMID when it has no DOI (older PubMed records)."""
    return work.doi or (f"PMID {work.pmid}" if work.pmid else "no identifier")


def _doi_deciders(resolution: Resolution) -> str:
    """` (crossref: not found)`: which sources said the DOI is not theirs to hold."""
    for line in resolution.evidence:
        if line.startswith("DOI ") and "registered nowhere (" in line:
            return " (" + line.split("registered nowhere (", 1)[1]
    return ""


def _doubt(work: Work, field: str) -> str:
    """`" (unverified in the record)"` when the record's provenance doubts this field."""
    return " (unverified in the record)" if field_doubted(work, field) else ""
