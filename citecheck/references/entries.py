"""Building `Reference` values from the entries of a document's own reference list: each entry
parsed into CSL-JSON, given an id (its number, or a stable readable key) and a key."""

from __future__ import annotations

from collections.abc import Sequence

from citecheck.model import RawEntry
from citecheck.model import Reference
from citecheck.references.keys import make_key
from citecheck.references.parser import parse_references


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


__all__ = ["references_from_entries"]
