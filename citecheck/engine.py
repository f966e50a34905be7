"""The audit pipeline: read → link → resolve → check → select → Report. It never prints.

`audit()` is the library's entry point; the CLI is a thin layer over it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from citecheck.checks.context import DocumentContext
from citecheck.checks.linking import check_linking
from citecheck.checks.registry import check_registry
from citecheck.config import AuditOptions
from citecheck.documents.base import RawEntry, ReadDocument
from citecheck.documents.loading import InputError
from citecheck.findings import Finding
from citecheck.hints import suggest_placements
from citecheck.model import Reference, Resolution
from citecheck.references.keys import make_key
from citecheck.references.parser import parse_references
from citecheck.results import DocumentResult, Report
from citecheck.rules import RULES, matching_rules

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


def references_from_entries(entries: Sequence[RawEntry]) -> tuple[Reference, ...]:
    """Parse reference-list entries into References with ids and stable keys."""
    parsed = parse_references([entry.text for entry in entries])
    taken: set[str] = set()
    used_ids: set[str] = set()
    references: list[Reference] = []
    for entry, result in zip(entries, parsed):
        key = make_key(result.csl, taken)
        ident = str(entry.number) if entry.number is not None else key
        if ident in used_ids:  # a repeated number: keep both entries, apart
            suffix = 2
            while f"{ident}#{suffix}" in used_ids:
                suffix += 1
            ident = f"{ident}#{suffix}"
        used_ids.add(ident)
        references.append(
            Reference(
                id=ident,
                raw=entry.text,
                csl=result.csl,
                span=entry.span,
                number=entry.number,
                key=key,
                parsed=result.ok,
                et_al=result.et_al,
            )
        )
    return tuple(references)


def read(path: str | Path, options: AuditOptions) -> ReadResult:
    """Read one document and its bibliography. Raises InputError for unreadable input."""
    from citecheck.documents.readers import read_any

    return read_any(Path(path), str(path), options)


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
    notes: list[str] = []

    def note(message: str) -> None:
        if message not in notes:
            notes.append(message)
            if notify:
                notify(message)

    read_results = [(str(p), read(p, options)) for p in paths]

    resolver = None
    if options.verify:
        from citecheck.sources.setup import build_resolver

        resolver = build_resolver(options, note)

    documents: list[DocumentResult] = []
    findings: list[Finding] = []
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
        text = result.document.source.text
        list_start = result.document.reference_list.start if result.document.reference_list else len(text)
        findings.extend(suggest_placements(text, result.references, list(check_linking(context)),
                                           list_start, resolutions))
        findings.extend(check_registry(context))
        findings.extend(result.findings)
        documents.append(
            DocumentResult(
                path=shown,
                citations=result.document.citations,
                references=result.references,
                resolutions=resolutions,
                reference_list=result.document.reference_list,
                text=result.document.source.text,
            )
        )
    if resolver is not None:
        for message in resolver_notes(resolver):
            note(message)
    from citecheck.suppressions import suppress  # per-file ignores, suppression comments, X001

    codes = selected_codes(options)  # once: every finding is checked against the same set
    chosen = [f for f in findings if f.code in codes]
    kept = sorted(suppress(chosen, documents, options, lambda f: f.code in codes), key=Finding.sort_key)
    return Report(documents=tuple(documents), findings=tuple(kept), notes=tuple(notes))


def resolver_notes(resolver: object) -> list[str]:
    """Closing notes a resolver's sources want the user to see (e.g. requests made, failures)."""
    closing = getattr(resolver, "closing_notes", None)
    return list(closing()) if callable(closing) else []


__all__ = ["InputError", "ReadResult", "audit", "read", "references_from_entries", "RULES"]
