"""Surgical edits of a .bib file: change the fields that need it, leave every other byte alone.

`update_bibtex_text` is what `citecheck fix` uses on the user's own .bib files: untouched
entries, comments, `@string` macros, `@preamble`, unknown fields and formatting come back byte
for byte; added fields copy the entry's own indentation, alignment and line endings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser.model import Entry

from citecheck.references.bibtex import TextLocator, protected_fields
from citecheck.references.latex_text import encode_field_value


@dataclass(frozen=True, slots=True)
class _FieldPlace:
    name: str
    key_start: int  # offsets within the whole text
    value_start: int
    value_end: int
    after: int  # just past the comma that follows the value, or value_end when there is none


def _field_places(text: str, entry: Entry, offset: int) -> list[_FieldPlace]:
    """Where each field of an entry stands in the text (the splitter keeps values verbatim)."""
    raw = entry.raw or ""
    cursor = raw.find(",") + 1 if entry.fields else len(raw)
    places = []
    for fld in entry.fields:
        match = re.compile(re.escape(fld.key) + r"\s*=\s*").search(raw, cursor)
        if not match or not raw.startswith(str(fld.value), match.end()):
            return []  # cannot place the fields exactly: leave the entry alone
        value_end = match.end() + len(str(fld.value))
        comma = re.compile(r"\s*,").match(raw, value_end)
        cursor = comma.end() if comma else value_end
        places.append(_FieldPlace(fld.key.lower(), offset + match.start(), offset + match.end(),
                                  offset + value_end, offset + cursor))
    return places


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The whole lines around [start, end) when nothing else stands on them, else None."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip() or text[end:line_end].strip():
        return None
    return line_start, line_end


def _edit_entry(text: str, entry: Entry, offset: int, fields: dict[str, str | None],
                newline: str) -> list[tuple[int, int, str]]:
    """The (start, end, replacement) edits that apply `fields` to one entry."""
    places = _field_places(text, entry, offset)
    if entry.fields and not places:
        return []
    by_name = {p.name: p for p in places}
    edits: list[tuple[int, int, str]] = []
    additions: list[tuple[str, str]] = []
    for name, value in fields.items():
        place = by_name.get(name.lower())
        if place is None:
            if value is not None:
                additions.append((name, encode_field_value(name, value)))
        elif value is None:
            whole = _line_bounds(text, place.key_start, place.after)
            if whole:
                edits.append((*whole, ""))
            elif place.after > place.value_end:  # inline, followed by a comma: take the gap too
                gap = re.compile(r"\s*").match(text, place.after)
                edits.append((place.key_start, gap.end() if gap else place.after, ""))
            else:  # inline and last: take the comma before it
                before = text.rfind(",", offset, place.key_start)
                edits.append((before if before >= 0 else place.key_start, place.value_end, ""))
        else:
            old = text[place.value_start:place.value_end]
            encoded = encode_field_value(name, value)
            quoted = old.startswith('"') and '"' not in encoded
            edits.append((place.value_start, place.value_end, f'"{encoded}"' if quoted else f"{{{encoded}}}"))
    deleted = {name.lower() for name, value in fields.items() if value is None}
    if additions and places and places[-1].name in deleted:
        # The last field goes and new ones come: the new ones take its place, so the two edits
        # cannot overlap.
        last = places[-1]
        edits = [e for e in edits if e[0] > last.value_end or e[1] < last.key_start]
        pieces, lead = _new_fields(text, last, additions, newline)
        end = last.after if last.after > last.value_end else last.value_end
        tail = "," if end > last.value_end else ""
        edits.append((last.key_start, end, f",{lead}".join(pieces) + tail))
    elif additions:
        edits.append(_insertion(text, entry, offset, places, additions, newline))
    return edits


def _new_fields(text: str, last: _FieldPlace, additions: list[tuple[str, str]],
                newline: str) -> tuple[list[str], str]:
    """The new fields written like `last` (its `=` spacing), and what goes before each one."""
    line_start = text.rfind("\n", 0, last.key_start) + 1
    indent = text[line_start:last.key_start]
    own_line = not indent.strip()
    equals = text[last.key_start + len(last.name):last.value_start]
    aligned = equals.startswith("  ") and own_line
    column = last.value_start - last.key_start
    pieces = []
    for name, value in additions:
        between = " " * max(1, column - len(name) - len(equals.strip()) - 1) + "= " if aligned else equals
        pieces.append(f"{name}{between}{{{value}}}")
    return pieces, newline + indent if own_line else " "


def _insertion(text: str, entry: Entry, offset: int, places: list[_FieldPlace],
               additions: list[tuple[str, str]], newline: str) -> tuple[int, int, str]:
    """New fields after the last one, in the entry's own indentation and `=` spacing."""
    if not places:
        end = offset + len(entry.raw or "") - 1  # the closing brace
        comma = "" if text[offset:end].rstrip().endswith(",") else ","
        body = "".join(f"{newline}  {k} = {{{v}}}," for k, v in additions)
        return end, end, f"{comma}{body.rstrip(',')}{newline}"
    last = places[-1]
    pieces, lead = _new_fields(text, last, additions, newline)
    trailing = last.after > last.value_end
    if trailing:  # `last = {x},` → keep a trailing comma after the new fields too
        return last.after, last.after, "".join(f"{lead}{p}," for p in pieces)
    return last.value_end, last.value_end, "".join(f",{lead}{p}" for p in pieces)


def update_bibtex_text(original_text: str, changes: dict[str, dict[str, str | None]],
                       respect_protection: bool = True) -> str:
    """Apply field changes to the original .bib text, touching nothing else.

    `changes` maps entry key → {field: plain-text value, or None to delete}. Values are encoded
    like `encode_field_value` (escaped; url/doi verbatim). Untouched entries, comments,
    `@string`, `@preamble` and formatting stay byte-identical. Keys not in the file are
    ignored; with `respect_protection`, fields named in `citecheck-protect` are left alone.
    """
    if not changes:
        return original_text
    library = bibtexparser.parse_string(original_text, parse_stack=[])
    where = TextLocator(Path(""), original_text)
    newline = "\r\n" if "\r\n" in original_text else "\n"
    edits: list[tuple[int, int, str]] = []
    for entry in library.entries:  # the first of duplicate keys: the one BibTeX uses
        fields = changes.get(entry.key)
        span = where.span(entry.start_line, entry.raw)
        if not fields or span is None or original_text[span.start:span.end] != entry.raw:
            continue
        if respect_protection:
            keep = protected_fields(entry)
            fields = {k: v for k, v in fields.items() if k.lower() not in keep}
        edits += _edit_entry(original_text, entry, span.start, fields, newline)
    out = original_text
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + replacement + out[end:]
    return out
