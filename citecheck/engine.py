"""The audit pipeline: read → link → resolve → check → select → Report. It never prints.

`audit()` is the library's entry point; the CLI is a thin layer over it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.checks.authoryear import link_author_year
from citecheck.checks.bibliography import bibliography_findings, reader_findings
from citecheck.checks.context import DocumentContext
from citecheck.checks.linking import check_linking
from citecheck.checks.registry import check_registry, expected_in_registry
from citecheck.checks.style import settle_style
from citecheck.config.options import AuditOptions
from citecheck.documents.base import ReadDocument
from citecheck.documents.loading import InputError
from citecheck.documents.readers import read_document
from citecheck.findings import Finding
from citecheck.fix.hints import suggest_placements
from citecheck.gate.suppressions import suppress
from citecheck.model import Citation, Reference, Resolution, ResolutionStatus
from citecheck.references.entries import references_from_entries
from citecheck.documents.bibliography import read_bibliography_file
from citecheck.results import DocumentResult, Report
from citecheck.rules import RULES, matching_rules

if TYPE_CHECKING:
    from citecheck.resolve.resolver import Resolver

log = logging.getLogger(__name__)

Notify = Callable[[str], None]
"""Receives one-line notes for the user (the CLI prints them on stderr)."""


@dataclass(frozen=True)
class ReadResult:
    """A document read and its references built, before any check."""

    document: ReadDocument
    references: tuple[Reference, ...]
    has_bibliography: bool
    findings: tuple[Finding, ...] = ()
    """Findings made while reading: bibliography-file and include problems, author-year linking."""


def read(path: str | Path, options: AuditOptions, data: bytes | None = None) -> ReadResult:
    """Read one document and its bibliography, build its references and link author-year
    citations to them. Raises InputError for unreadable input.

    `data`: the document's bytes when they do not come from the file at `path` (a member of a
    bundle, an object in a store); `path` is then the name it is reported under.

    The bibliography is the document's own list, or the files it names and `--bib` gives;
    what could not be read (bad .bib blocks, missing `\\input` files) becomes findings.
    References' `id` is the number (numbered lists) or the key (.bib, CSL-JSON, author-year).
    """
    shown = str(path)
    path = Path(path)
    document = read_document(path, shown, options.input_format, data)
    findings = list(reader_findings(document.problems, shown))

    bib_files = [Path(p) for p in document.bibliography_files] + list(options.bibliographies)
    references = references_from_entries(document.entries) if document.entries else ()
    parents: dict[str, str] = {}
    for bib in _unique(bib_files):
        bibliography = read_bibliography_file(bib)
        references += bibliography.references
        parents.update(bibliography.parents)
        findings += bibliography_findings(bibliography.problems, str(bib))
    citations, linking = link_author_year(document.citations, references)
    settled = settle_style(citations, references, linking)  # which candidates are citations here
    findings += settled.findings
    known = {r.id for r in references}
    citations = _with_parents(settled.citations, {k: v for k, v in parents.items() if v in known})
    return ReadResult(
        document=replace(document, citations=citations),
        references=references,
        has_bibliography=bool(bib_files),
        findings=tuple(findings),
    )


def _unique(paths: list[Path]) -> list[Path]:
    """Paths in order, each once (a .bib named by the document and by `--bib` is read once)."""
    seen: set[str] = set()
    kept: list[Path] = []
    for path in paths:
        name = str(path.resolve()) if path.exists() else str(path)
        if name not in seen:
            seen.add(name)
            kept.append(path)
    return kept


def _with_parents(citations: tuple[Citation, ...], parents: dict[str, str]) -> tuple[Citation, ...]:
    """Citations of an entry with a BibTeX `crossref` also cite its parent: BibTeX prints the
    parent (a proceedings, a book) when its children are cited, so it is not uncited.

    The parent is appended to the citation's targets after the keys written.
    """
    if not parents:
        return citations
    out: list[Citation] = []
    for citation in citations:
        extra = []
        for target in citation.targets:
            parent = parents.get(target)
            # Follow a chain (a chapter in a book in a series), bounded.
            hops = 0
            while parent and hops < 8 and parent not in citation.targets and parent not in extra:
                extra.append(parent)
                parent = parents.get(parent)
                hops += 1
        out.append(replace(citation, targets=citation.targets + tuple(extra)) if extra else citation)
    return tuple(out)


def selected_codes(options: AuditOptions) -> frozenset[str]:
    """The codes of the rules the configuration asks for: `select` less `ignore`."""
    chosen = {r.code for s in options.select for r in matching_rules(s)}
    dropped = {r.code for s in options.ignore for r in matching_rules(s)}
    return frozenset(chosen - dropped)


def selected(finding: Finding, options: AuditOptions) -> bool:
    """True when the configuration asks for this finding's rule."""
    return finding.code in selected_codes(options)


def audit(
    paths: Iterable[str | Path],
    options: AuditOptions | None = None,
    notify: Notify | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Audit documents: every finding, sorted, with what was read and resolved.

    Raises InputError (one-line message) when a document cannot be read.
    """
    options = options or AuditOptions()
    return audit_read([(str(p), read(p, options)) for p in paths], options, notify, progress)


def audit_read(
    read_results: Sequence[tuple[str, ReadResult]],
    options: AuditOptions,
    notify: Notify | None = None,
    progress: Callable[[int, int], None] | None = None,
    resolver: Resolver | None = None,
) -> Report:
    """Audit documents already read (`read`), as `audit` does.

    `resolver`: resolves the references instead of the one the options describe (a corpus
    run's, answering from a distributed join); used only when `options.verify`.
    """
    notes: list[str] = []

    def note(message: str) -> None:
        if message not in notes:
            notes.append(message)
            if notify:
                notify(message)

    if not options.verify:
        resolver = None
    elif resolver is None:
        # Deferred: the sources pull in habanero and httpx2, which a `--no-verify` run never needs.
        from citecheck.resolve.setup import build_resolver

        resolver = build_resolver(options, note)

    documents: list[DocumentResult] = []
    findings: list[Finding] = []
    unchecked: list[Resolution] = []
    for shown, result in read_results:
        resolutions: tuple[Resolution, ...] = ()
        if resolver is not None and result.references:
            resolutions = tuple(resolver.resolve_all(result.references, progress))
        context = DocumentContext(
            path=shown,
            citations=result.document.citations,
            references=result.references,
            has_bibliography=result.has_bibliography,
            cite_all=result.document.cite_all,
            resolutions=resolutions,
        )
        # Uncited entries get placement hints: sentences before the reference list they may support.
        text = result.document.prose or result.document.source.text
        list_start = result.document.reference_list.start if result.document.reference_list else len(text)
        findings.extend(suggest_placements(text, result.references, list(check_linking(context)),
                                           list_start, resolutions, result.document.layout))
        findings.extend(check_registry(context))
        by_id = {r.id: r for r in result.references}
        unchecked.extend(r for r in resolutions if r.status is ResolutionStatus.NOT_CHECKED
                         and r.reference_id in by_id and expected_in_registry(by_id[r.reference_id]))
        findings.extend(result.findings)
        documents.append(
            DocumentResult(
                path=shown,
                citations=result.document.citations,
                references=result.references,
                resolutions=resolutions,
                reference_list=result.document.reference_list,
                text=result.document.source.text,
                layout=result.document.layout,
            )
        )
    if unchecked:
        asked = ", ".join(dict.fromkeys(s for r in unchecked for s in r.sources)) or "no source"
        count = len(unchecked)
        note(f"{count} reference{'s were' if count != 1 else ' was'} not checked: the sources asked ({asked}) "
             "hold only part of Crossref, so their silence is no evidence; run online, or add a complete "
             "snapshot (`citecheck snapshot build --complete-as-of`)")
    if resolver is not None:
        for message in resolver_notes(resolver):
            note(message)
    codes = selected_codes(options)  # once: every finding is checked against the same set
    chosen = [f for f in findings if f.code in codes]
    kept = sorted(suppress(chosen, documents, options, lambda f: f.code in codes), key=Finding.sort_key)
    return Report(documents=tuple(documents), findings=tuple(kept), notes=tuple(notes), unchecked=len(unchecked))


def resolver_notes(resolver: object) -> list[str]:
    """Closing notes a resolver's sources want the user to see (e.g. requests made, failures)."""
    closing = getattr(resolver, "closing_notes", None)
    return list(closing()) if callable(closing) else []


__all__ = ["InputError", "ReadResult", "audit", "audit_read", "read", "selected_codes"]
