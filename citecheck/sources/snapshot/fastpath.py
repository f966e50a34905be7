"""The build's fast path: a decoded record straight to what the snapshot stores, without a `Work`.

A build turns every record of the public data file (~180 million) into a stored body, its
blocking keys and its indexed words. The general path does it through the `Work` the rest of
citecheck uses (`sources.records.work_from_record`, then `RecordCodec.fields`, `work_keys`,
`words_text`), which costs more than reading the record. This module does the same for the
records that make up nearly all of Crossref — plain-text titles and names, no update notices,
no hand-assembled provenance — from the typed struct `datafile.TypedFields` decodes, and
returns None for any other record, which then takes the general path.

Its contract: for every record it accepts, the body, keys and words equal the general path's
(same field list, same `record_key_values`, same `words_of`). tests/sources/snapshot/
test_fastpath.py checks that on real records and on records written to break it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from citecheck.references.blocking import key_hash, record_key_values
from citecheck.references.doi import normalize_doi
from citecheck.references.normalize import title_tokens
from citecheck.sources.records import year_of_date_parts
from citecheck.sources.snapshot.datafile import Date, TypedFields
from citecheck.sources.snapshot.store import INDEXED_AUTHORS, words_of

__all__ = ["StoredValues", "stored_values"]


class StoredValues(NamedTuple):
    """What the snapshot stores of one record, before compression."""

    doi: str
    """The normalised DOI."""
    fields: list[Any]
    """The field list `RecordCodec.fields` gives for the record's `Work`."""
    key_hashes: list[int]
    """`key_hash` of every `work_keys` key, in order (the DOI's first)."""
    words: str
    """`words_text` of the record's `Work`."""


def _plain(text: str) -> str | None:
    """`records._plain` for text without markup; None when there is markup (`<`, `&`)."""
    if "<" in text or "&" in text:
        return None
    return " ".join(text.split())


def _first(value: Any) -> str | None:
    """`records._first`: the first non-blank string of a list, or a string, as plain text;
    None when that text has markup."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                return _plain(item)
        return ""
    return _plain(value) if isinstance(value, str) else ""


def _strings(value: Any) -> list[str] | None:
    """`records._strings` as a list; None when one of them has markup."""
    if isinstance(value, list):
        found = [_plain(v) for v in value if isinstance(v, str) and v.strip()]
    elif isinstance(value, str) and value.strip():
        found = [_plain(value)]
    else:
        return []
    return None if None in found else found  # type: ignore[return-value]


def _doi(text: str) -> str:
    """`normalize_doi(text)`, without its regular expressions for a DOI as Crossref writes it
    (nothing to strip, unquote or cut: `10.` first, printable ASCII, no `%`, no trailing
    punctuation, bracket or space)."""
    if text.startswith("10.") and text.isascii() and text.isprintable() and "%" not in text \
            and text[-1] not in ".,;:)] ":
        return text.lower()
    return normalize_doi(text)


def _year(date: Date | None) -> int | None:
    """`records._year` of a typed date."""
    return None if date is None else year_of_date_parts(date.date_parts)


def stored_values(kept: TypedFields) -> StoredValues | None:
    """What the snapshot stores of a record, or None when it is not one this path handles
    (an API reply wrapper, update notices, provenance, markup, no usable DOI): the general
    path then decides."""
    if kept.message is not None or kept.provenance is not None or kept.updated_by is not None \
            or kept.update_to is not None or not isinstance(kept.DOI, str):
        return None
    doi = _doi(kept.DOI)
    title, subtitle, container = _first(kept.title), _first(kept.subtitle), _first(kept.container_title)
    shorts = _strings(kept.short_container_title)
    if not doi or title is None or subtitle is None or container is None or shorts is None:
        return None
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    authors: list[list[str]] = []
    for person in kept.author or ():
        family, given = person.family, person.given or ""
        if family:  # `records._names`: a family name, and the literal name is not kept
            authors.append([family if type(family) is str else str(family), given if type(given) is str else str(given)])
            continue
        literal = person.name or person.literal or ""
        if given or literal:
            literal = str(literal)
            authors.append(["", str(given), literal] if literal else ["", str(given)])
    year = _year(kept.issued)
    others: set[int] = set()
    for date in (kept.published_print, kept.published_online, kept.published):
        if date is not None and (other := _year(date)) is not None and other != year:
            others.add(other)
    other_years = sorted(others)
    volume, issue = str(kept.volume or ""), str(kept.issue or "")
    page, kind = str(kept.page or ""), str(kept.type or "")
    fields: list[Any] = [doi, title, authors, container, shorts, year, other_years, volume, issue, page, kind]
    while fields and fields[-1] in ("", None, []):
        fields.pop()
    title_words = title_tokens(title)
    families = [name[0] or (name[2] if len(name) > 2 else "") for name in authors[:INDEXED_AUTHORS]]
    keys = record_key_values(doi=doi, title=title, first_author=families[0] if families else "", volume=volume,
                             page=page, journals=(container, *shorts), title_words=title_words)
    return StoredValues(doi, fields, [key_hash(kind, value) for kind, value in keys], words_of(title_words, families))
