"""Crossref-shaped work records (`message` objects) turned into `Work` values.

Used by the Crossref adapter and by snapshots alike, so that a record means the same thing
whichever way it arrived. This module and `sources/crossref.py` are the only places that know
Crossref's JSON field names.
"""

from __future__ import annotations

import html
import re
from typing import Any

from citecheck.model import Name, Update, Work
from citecheck.references.doi import normalize_doi

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def _plain(text: str) -> str:
    """JATS/HTML markup stripped, entities decoded, whitespace collapsed."""
    if "<" not in text and "&" not in text:
        return " ".join(text.split())  # the common case, and a snapshot build's hot spot
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", text))).strip()


def _first(value: Any) -> str:
    """Crossref keeps most titles as lists; the first non-empty one, as plain text."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                return _plain(item)
        return ""
    return _plain(value) if isinstance(value, str) else ""


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_plain(v) for v in value if isinstance(v, str) and v.strip())
    if isinstance(value, str) and value.strip():
        return (_plain(value),)
    return ()


def _year(date: Any) -> int | None:
    """The year of a Crossref date object (`{"date-parts": [[2011, 3, 7]]}`), if any."""
    if not isinstance(date, dict):
        return None
    return year_of_date_parts(date.get("date-parts"))


def year_of_date_parts(parts: Any) -> int | None:
    """The year of a Crossref date's `date-parts` (`[[2011, 3, 7]]`), if any."""
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = parts[0][0]
        if isinstance(year, int):
            return year
        if isinstance(year, str) and year.isdigit():
            return int(year)
    return None


def _iso_date(date: Any) -> str:
    if not isinstance(date, dict):
        return ""
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        numbers = [p for p in parts[0] if isinstance(p, int)]
        return "-".join(f"{n:04d}" if i == 0 else f"{n:02d}" for i, n in enumerate(numbers))
    return ""


def _names(value: Any) -> tuple[Name, ...]:
    names: list[Name] = []
    if not isinstance(value, list):
        return ()
    for person in value:
        if not isinstance(person, dict):
            continue
        family = person.get("family") or ""
        given = person.get("given") or ""
        literal = "" if family else person.get("name") or person.get("literal") or ""
        if family or given or literal:
            names.append(Name(str(family), str(given), str(literal)))
    return tuple(names)


def _updates(value: Any) -> tuple[Update, ...]:
    updates: list[Update] = []
    if not isinstance(value, list):
        return ()
    for item in value:
        if not isinstance(item, dict) or not item.get("type"):
            continue
        updates.append(
            Update(
                kind=str(item["type"]).lower().replace("-", "_"),
                doi=normalize_doi(str(item.get("DOI", ""))),
                date=_iso_date(item.get("updated")),
                source=str(item.get("source", "")),
            )
        )
    return tuple(updates)


def _provenance(record: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A record assembled by hand carries `_provenance`; keep what it says, and what it doubts."""
    provenance = record.get("_provenance")
    if not isinstance(provenance, dict):
        return "", ()
    origin = str(provenance.get("assembled_from", ""))
    origin = f"assembled from {origin}" if origin else ""
    if provenance.get("not_a_live_crossref_response"):
        origin = f"{origin}; not a live Crossref response" if origin else "not a live Crossref response"
    doubtful = []
    status = provenance.get("field_status")
    if isinstance(status, dict):
        for field_name, verdict in status.items():
            if isinstance(verdict, str) and ("unverified" in verdict or "single source" in verdict):
                doubtful.append(str(field_name))
    return origin, tuple(doubtful)


def work_from_record(record: dict[str, Any], source: str) -> Work:
    """A `Work` from one Crossref `message` record (or a record of the same shape).

    Tolerant of missing and malformed fields: a record is data from outside, so nothing here
    raises on its content. The only requirement is a DOI (callers skip records without one).
    """
    title = _first(record.get("title"))
    subtitle = _first(record.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    issued = _year(record.get("issued"))
    other_years = sorted(
        {
            y
            for key in ("published-print", "published-online", "published")
            if (y := _year(record.get(key))) is not None and y != issued
        }
    )
    provenance, doubtful = _provenance(record)
    page = record.get("page") or ""
    return Work(
        doi=normalize_doi(str(record.get("DOI", ""))),
        title=title,
        authors=_names(record.get("author")),
        container_title=_first(record.get("container-title")),
        short_container_titles=_strings(record.get("short-container-title")),
        year=issued,
        other_years=tuple(other_years),
        volume=str(record.get("volume") or ""),
        issue=str(record.get("issue") or ""),
        page=str(page),
        type=str(record.get("type") or ""),
        publisher=str(record.get("publisher") or ""),
        issn=_strings(record.get("ISSN")),
        isbn=_strings(record.get("ISBN")),
        abstract=_plain(record["abstract"]) if isinstance(record.get("abstract"), str) else "",
        updated_by=_updates(record.get("updated-by")),
        update_to=_updates(record.get("update-to")),
        source=source,
        provenance=provenance,
        unverified_fields=doubtful,
    )
