"""Applying a fix plan to the user's own .bib files, surgically.

Everything goes through `update_bibtex_text`: untouched entries, comments, `@string` macros,
unknown fields and formatting stay byte-identical, and only the changed fields of changed
entries change (plus their `citecheck-source`). Entry order is the file's: a .bib file is a
database, not a printed list, so it is never reordered.
"""

from __future__ import annotations

from pathlib import Path

import bibtexparser

from citecheck.fix.plan import SOURCE_FIELD, EntryFix, FixPlan
from citecheck.references.bibtex import protected_fields, read_text_file
from citecheck.references.bibtex_edit import update_bibtex_text


def entry_fields(text: str) -> dict[str, frozenset[str]]:
    """Entry key → the (lower-case) field names it has, for every entry of a .bib text."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    found: dict[str, frozenset[str]] = {}
    for entry in library.entries:
        found.setdefault(entry.key, frozenset(f.key.lower() for f in entry.fields))
    return found


def protections(text: str) -> dict[str, frozenset[str]]:
    """Entry key → the fields its `citecheck-protect` names (entries without one are left out)."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    found: dict[str, frozenset[str]] = {}
    for entry in library.entries:
        keep = protected_fields(entry)
        if keep and entry.key not in found:
            found[entry.key] = frozenset(keep)
    return found


def read_bib(path: Path) -> str:
    """A .bib file's text (Latin-1 when it is not UTF-8, as the reader does)."""
    text, _ = read_text_file(path, None)
    return text


def _names(entry: EntryFix) -> str:
    people = [a for a in entry.csl.get("author", []) or [] if isinstance(a, dict)]
    written = []
    for person in people:
        if person.get("literal"):
            written.append(str(person["literal"]))
        else:
            given = str(person.get("given", "") or "")
            family = " ".join(str(person[p]) for p in ("non-dropping-particle", "family") if person.get(p))
            written.append(f"{family}, {given}" if given else family)
    return " and ".join(written + (["others"] if entry.reference.et_al and written else []))


def _value(entry: EntryFix, csl_field: str) -> str:
    value = entry.csl.get(csl_field)
    if csl_field == "issued" and isinstance(value, dict):
        parts = value.get("date-parts") or [[]]
        return str(parts[0][0]) if parts and parts[0] else str(value.get("literal", ""))
    if csl_field == "author":
        return _names(entry)
    return "" if value is None else str(value)


def _field_name(csl_field: str, existing: frozenset[str]) -> str:
    """Where a CSL field goes in this entry: BibLaTeX's `date`/`journaltitle` when it uses them."""
    if csl_field == "issued":
        return "date" if "date" in existing and "year" not in existing else "year"
    if csl_field == "container-title":
        for name in ("journal", "journaltitle", "booktitle"):
            if name in existing:
                return name
        return "journal"
    return {"DOI": "doi", "issue": "number", "page": "pages"}.get(csl_field, csl_field.lower())


def bib_changes(plan: FixPlan, text: str) -> dict[str, dict[str, str | None]]:
    """`update_bibtex_text` changes for the plan's entries that live in this .bib text."""
    fields = entry_fields(text)
    changes: dict[str, dict[str, str | None]] = {}
    for entry in plan.changed:
        key = entry.reference.id
        if key not in fields:
            continue
        edit: dict[str, str | None] = {}
        for fix in entry.applied:
            if fix.field == "author" and any(
                    a.get("literal") for a in entry.csl.get("author", []) if isinstance(a, dict)):
                continue  # an organisation needs braces update_bibtex_text would escape: leave it
            edit[_field_name(fix.field, fields[key])] = _value(entry, fix.field)
        if edit:
            edit[SOURCE_FIELD] = entry.source_note()
            changes[key] = edit
    return changes


def update_bib(plan: FixPlan, text: str) -> str:
    """The .bib text with the plan's changes applied; byte-identical when nothing applies."""
    return update_bibtex_text(text, bib_changes(plan, text))
