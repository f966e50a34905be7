"""The corrected bibliography: which fixes to apply to which entry, and the result as BibTeX,
CSL-JSON or a unified diff.

A plan is built from an audit's findings (their `Fix` values) and the document's resolutions:

- only entries **matched with confidence** (`ResolutionStatus.MATCHED`) are corrected; an
  unmatched, ambiguous or unverified entry stays exactly as written and is never dropped;
- **safe** fixes (a field the author left out, a DOI written with a resolver prefix) apply by
  default; **unsafe** ones (a value the author wrote replaced by the registry's) only with
  `unsafe=True`; protected fields (`FixOptions.protect`, an entry's `citecheck-protect`) never;
- every corrected entry records where its data came from: in BibTeX a field
  `citecheck-source = {doi, volume, number from <source>}` (BibTeX and Biber ignore fields they
  do not know, so the file keeps working); in CSL-JSON the same text under
  `custom["citecheck-source"]` (CSL-JSON's place for extensions).

The corrected bibliography lists entries in the document's **citation order**: the order of
first citation, then the uncited entries in list order.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from citecheck.findings import Finding, Fix
from citecheck.model import CslItem, Reference, ResolutionStatus
from citecheck.references.bibtex_write import write_bibtex
from citecheck.references.doi import is_valid_doi, normalize_doi
from citecheck.results import DocumentResult

SOURCE_FIELD = "citecheck-source"
"""The BibTeX field (and CSL-JSON `custom` key) that says where corrected data came from."""

#: CSL field → the BibTeX field it is written to (names users give to `--protect` too).
BIBTEX_FIELD = {
    "DOI": "doi", "volume": "volume", "issue": "number", "page": "pages", "issued": "year",
    "title": "title", "container-title": "journal", "author": "author", "publisher": "publisher",
}
_ALIASES = {"issue": "number", "page": "pages", "issued": "year", "date": "year",
            "container-title": "journal", "journaltitle": "journal", "booktitle": "journal"}


def protect_names(names: Iterable[str]) -> frozenset[str]:
    """User-given field names (`title, issue, page`) as BibTeX field names (`title, number, pages`)."""
    out = set()
    for name in names:
        key = name.strip().lower()
        if key:
            out.add(_ALIASES.get(key, BIBTEX_FIELD.get(key, BIBTEX_FIELD.get(key.upper(), key))))
    return frozenset(out)


@dataclass(frozen=True)
class FixOptions:
    """What a fix may change."""

    unsafe: bool = False
    """Also apply unsafe fixes (values the author wrote replaced by the registry's)."""
    protect: frozenset[str] = frozenset()
    """BibTeX field names never changed in any entry (see `protect_names`)."""
    protected: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per reference id, further protected BibTeX field names (an entry's `citecheck-protect`)."""


@dataclass(frozen=True)
class EntryFix:
    """One entry of the corrected bibliography."""

    reference: Reference
    """The entry as the document has it."""
    csl: CslItem
    """The entry after the applied fixes (equal to `reference.csl` when nothing applied)."""
    applied: tuple[Fix, ...] = ()
    """Fixes applied, in finding order."""
    withheld: tuple[tuple[Fix, str], ...] = ()
    """Fixes not applied, each with the reason (`unsafe`, `protected`)."""
    status: str = "unchanged"
    """`corrected`, `unchanged` (matched, nothing to apply), or how resolution ended for an entry
    kept as written: `not-found`, `ambiguous`, `could-not-verify`, `skipped`."""

    @property
    def key(self) -> str:
        """The BibTeX key: the database key for .bib entries, else the stable generated key."""
        return self.reference.key or self.reference.id

    def source_note(self) -> str:
        """`doi, volume from crossref` (per source, `; `-separated); empty when nothing applied."""
        by_source: dict[str, list[str]] = {}
        for fix in self.applied:
            names = by_source.setdefault(fix.source or "citecheck", [])
            name = BIBTEX_FIELD.get(fix.field, fix.field.lower())
            if name not in names:
                names.append(name)
        return "; ".join(f"{', '.join(names)} from {source}" for source, names in by_source.items())


@dataclass(frozen=True)
class FixPlan:
    """The corrected bibliography of one document, in citation order."""

    path: str
    """The document."""
    entries: tuple[EntryFix, ...]
    """Every entry, in citation order."""

    @property
    def changed(self) -> tuple[EntryFix, ...]:
        """The entries with at least one applied fix."""
        return tuple(e for e in self.entries if e.applied)


def citation_order(document: DocumentResult) -> tuple[Reference, ...]:
    """The document's references in order of first citation, then the uncited in list order."""
    by_id: dict[str, Reference] = {}
    for reference in document.references:
        by_id.setdefault(reference.id, reference)
    ordered: dict[str, Reference] = {}
    for citation in document.citations:
        for target in citation.targets:
            if target in by_id:
                ordered.setdefault(target, by_id[target])
    for reference in document.references:
        ordered.setdefault(reference.id, reference)
    return tuple(ordered.values())


def plan_fixes(document: DocumentResult, findings: Sequence[Finding],
               options: FixOptions | None = None) -> FixPlan:
    """Which fixes apply to which entry of `document`, given the audit's findings."""
    options = options or FixOptions()
    offered: dict[str, list[Fix]] = {}
    # A finding is about this document's entry when it stands where the entry stands (the
    # document, or its .bib file): ids like "1" repeat across the documents of one report.
    places = {r.id: {document.path, r.span.path if r.span else document.path} for r in document.references}
    for finding in findings:
        if finding.reference not in places or not finding.fixes:
            continue
        if finding.span is not None and finding.span.path not in places[finding.reference]:
            continue
        offered.setdefault(finding.reference, []).extend(finding.fixes)
    entries = []
    for reference in citation_order(document):
        resolution = document.resolution(reference.id)
        status = resolution.status if resolution else ResolutionStatus.SKIPPED
        if status is not ResolutionStatus.MATCHED:
            # Unmatched, ambiguous, unverified: the author's text is all there is. Keep it.
            entries.append(EntryFix(reference, dict(reference.csl), status=status.value))
            continue
        fixes = list(offered.get(reference.id, ())) + _doi_normalisation(reference)
        protected = options.protect | options.protected.get(reference.id, frozenset())
        entries.append(_apply(reference, fixes, options.unsafe, protected))
    return FixPlan(document.path, tuple(entries))


def _doi_normalisation(reference: Reference) -> list[Fix]:
    """A safe fix for a DOI written with a resolver prefix or in upper case (no finding says so)."""
    written = str(reference.csl.get("DOI", "") or "")
    doi = normalize_doi(written) if written else ""
    if written and doi != written and is_valid_doi(doi):
        return [Fix("DOI", doi, written, safe=True, source="citecheck (DOI normalised)")]
    return []


def _apply(reference: Reference, fixes: list[Fix], unsafe: bool, protected: frozenset[str]) -> EntryFix:
    csl: CslItem = dict(reference.csl)
    applied: list[Fix] = []
    withheld: list[tuple[Fix, str]] = []
    done: set[str] = set()
    for fix in fixes:
        if BIBTEX_FIELD.get(fix.field, fix.field.lower()) in protected:
            withheld.append((fix, "protected"))
        elif not fix.safe and not unsafe:
            withheld.append((fix, "unsafe"))
        elif fix.field == "author":
            if _replace_author(csl, fix):
                applied.append(fix)
            else:
                withheld.append((fix, "author not found"))
        elif fix.field not in done:  # one change per field: the first finding's
            done.add(fix.field)
            csl[fix.field] = fix.value
            applied.append(fix)
    status = "corrected" if applied else "unchanged"
    return EntryFix(reference, csl, tuple(applied), tuple(withheld), status)


def _replace_author(csl: CslItem, fix: Fix) -> bool:
    """Replace the author the fix names (`old`: `Family, Given` or `Family`) by its value."""
    authors = [dict(a) for a in csl.get("author", []) or [] if isinstance(a, dict)]
    old_family = str(fix.old or "").split(",")[0].strip()
    family, _, given = str(fix.value or "").partition(",")
    for index, author in enumerate(authors):
        if str(author.get("family") or author.get("literal") or "") == old_family and family.strip():
            new = {"family": family.strip(), "given": given.strip()}
            authors[index] = {k: v for k, v in new.items() if v}
            csl["author"] = authors
            return True
    return False


# -- Output --------------------------------------------------------------------------------------

ET_AL_FIELD = "citecheck-et-al"
"""`custom` key marking an item whose author list the author truncated with "et al."."""


def corrected_items(plan: FixPlan) -> list[CslItem]:
    """The corrected entries as CSL-JSON items (id = BibTeX key), in citation order."""
    items = []
    for entry in plan.entries:
        item: dict[str, Any] = {"id": entry.key, **{k: v for k, v in entry.csl.items() if k != "id"}}
        note = entry.source_note()
        if note:
            item["custom"] = {**dict(item.get("custom") or {}), SOURCE_FIELD: note}
        if entry.reference.et_al:
            # CSL-JSON has no field for a truncated author list; keep it where formatters can see it.
            item["custom"] = {**dict(item.get("custom") or {}), ET_AL_FIELD: True}
        items.append(item)
    return items


def corrected_bibtex(plan: FixPlan) -> str:
    """The corrected bibliography as BibTeX, each changed entry with its `citecheck-source`."""
    extra = {e.key: {SOURCE_FIELD: e.source_note()} for e in plan.entries if e.applied}
    return write_bibtex([(e.key, e.csl) for e in plan.entries], extra_fields=extra,
                        et_al={e.key for e in plan.entries if e.reference.et_al})


def original_bibtex(document: DocumentResult) -> str:
    """The bibliography as `citecheck extract` writes it: list order, as written."""
    refs = document.references
    return write_bibtex([(r.key or r.id, r.csl) for r in refs], et_al={r.key or r.id for r in refs if r.et_al})


def corrected_csljson(plan: FixPlan) -> str:
    """The corrected bibliography as a CSL-JSON array (UTF-8, indented, newline-terminated)."""
    return json.dumps(corrected_items(plan), ensure_ascii=False, indent=2) + "\n"


def unified_diff(old: str, new: str, fromfile: str, tofile: str) -> str:
    """A unified diff that `patch` applies, `\\ No newline at end of file` included."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(old_lines, new_lines, fromfile=fromfile, tofile=tofile):
        if line.endswith("\n"):
            out.append(line)
        else:  # the file's last line has no newline: say so, as diff(1) does
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def summary_lines(plan: FixPlan) -> list[str]:
    """One line per entry that changed or kept a withheld fix, for stderr."""
    lines = []
    for entry in plan.entries:
        label = f"entry {entry.reference.number}" if entry.reference.number is not None else entry.key
        if entry.applied:
            fields = ", ".join(BIBTEX_FIELD.get(f.field, f.field) for f in entry.applied)
            lines.append(f"{label}: corrected {fields}")
        for fix, reason in entry.withheld:
            hint = " (use --unsafe-fixes)" if reason == "unsafe" else ""
            lines.append(f"{label}: not changed {BIBTEX_FIELD.get(fix.field, fix.field)}: {reason}{hint}")
        if entry.status not in {"corrected", "unchanged"}:
            lines.append(f"{label}: kept as written ({entry.status})")
    return lines
