"""Building `Reference` values from the entries of a document's own reference list: each entry
parsed into CSL-JSON (or taken as tagged, for structured entries), given an id (the document's
own id, else its number, else a stable readable key) and a key."""

from __future__ import annotations

from collections.abc import Sequence

from citecheck.model import CslItem, RawEntry, Reference
from citecheck.references.keys import make_key
from citecheck.references.parser import ParsedReference, parse_references

_ENOUGH = ("title", "author", "editor", "container-title")
"""A structured entry with none of these fields says nothing a reader could identify."""


def references_from_entries(entries: Sequence[RawEntry]) -> tuple[Reference, ...]:
    """Parse reference-list entries into References with ids and stable keys.

    An entry whose fields the document tags completely (`structured`) is not parsed; an entry
    with some tagged fields is parsed and the tagged fields replace what the parser read.
    """
    parsed = iter(parse_references([entry.text for entry in entries if not entry.structured]))
    taken: set[str] = set()
    used_ids: set[str] = set()
    references: list[Reference] = []
    for entry in entries:
        result = _structured(entry) if entry.structured else _with_tags(next(parsed), entry.fields)
        key = make_key(result.csl, taken)
        ident = entry.id or (str(entry.number) if entry.number is not None else key)
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
                et_al=result.et_al or entry.et_al,
            )
        )
    return tuple(references)


def _structured(entry: RawEntry) -> ParsedReference:
    csl: CslItem = dict(entry.fields or {})
    return ParsedReference(csl=csl, ok=any(csl.get(name) for name in _ENOUGH), et_al=entry.et_al)


def _with_tags(result: ParsedReference, fields: CslItem | None) -> ParsedReference:
    """The parser's reading with the tagged fields laid over it (the tags are the author's)."""
    if not fields:
        return result
    csl = {**result.csl, **fields}
    ok = result.ok or any(csl.get(name) for name in _ENOUGH)
    return ParsedReference(csl=csl, ok=ok, et_al=result.et_al, problems=() if ok else result.problems)


__all__ = ["references_from_entries"]
