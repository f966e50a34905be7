"""Field-level differences: what the author wrote beside what the registry holds, for one
verified reference, with the differing fields and characters marked.

Nothing is judged here. Which fields differ or are missing is what the audit's findings say
(their `Fix` values name the CSL field, and `old` is None for a field the author left out);
the values come from the reference as citecheck parsed it and from the matched `Work`. A field
citecheck found equal (an abbreviated journal, `1252-60` for `1252-1260`) is shown as agreeing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from citecheck.findings import Finding
from citecheck.model import Reference, Work
from citecheck.references.provenance import field_doubted
from citecheck.report.html_assets import esc

AGREE, DIFFER, MISSING = "agree", "differ", "missing"
"""A row's state: the two sides agree (or only one side has a value), the author's value differs
from the registry's, or the author left out a value the registry holds."""

FIELDS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("DOI", "DOI", frozenset({"D001", "D002", "D003", "D004"})),
    ("Title", "title", frozenset({"M001"})),
    ("Authors", "author", frozenset({"M003"})),
    ("Journal", "container-title", frozenset({"M004"})),
    ("Year", "issued", frozenset({"M002"})),
    ("Volume", "volume", frozenset({"M005"})),
    ("Issue", "issue", frozenset({"M006"})),
    ("Pages", "page", frozenset({"M007"})),
)
"""(label, CSL field, the rules that report a difference in it), in the order a citation reads."""

_CHARACTER_DIFF = frozenset({"DOI", "issued", "volume", "issue", "page"})
"""Fields compared character by character; the others word by word."""


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One field of the comparison."""

    label: str
    """`Year`, `Pages`, …"""
    field: str
    """The CSL field."""
    written: str
    """The author's value as citecheck parsed it ('' when absent)."""
    registered: str
    """The registry's value ('' when the record has none)."""
    state: str
    """`AGREE`, `DIFFER` or `MISSING`."""
    doubted: bool = False
    """The record's provenance marks the registry's value as unverified or single-source."""


def _written(reference: Reference, field: str) -> str:
    csl = reference.csl
    if field == "author":
        names = []
        for person in csl.get("author") or []:
            if not isinstance(person, dict):
                continue
            literal = person.get("literal")
            family = " ".join(str(person[p]) for p in ("non-dropping-particle", "family") if person.get(p))
            given = str(person.get("given") or "")
            names.append(str(literal) if literal else f"{family}, {given}" if given else family)
        if names and reference.et_al:
            names.append("et al.")
        return "; ".join(names)
    if field == "issued":
        issued = csl.get("issued")
        try:
            return str(issued["date-parts"][0][0]) if isinstance(issued, dict) else str(issued or "")
        except (KeyError, IndexError, TypeError):
            return str(issued.get("literal", "")) if isinstance(issued, dict) else ""
    return " ".join(str(csl.get(field) or "").split())


def _registered(work: Work, field: str) -> str:
    if field == "author":
        return "; ".join(a.display() for a in work.authors)
    values = {"DOI": work.doi, "title": work.title, "container-title": work.container_title,
              "issued": str(work.year) if work.year is not None else "", "volume": work.volume,
              "issue": work.issue, "page": work.page}
    return " ".join(str(values.get(field) or "").split())


def compare(reference: Reference, work: Work, findings: Sequence[Finding]) -> list[FieldRow]:
    """The rows to show: every field either side has, in citation order, each with its state."""
    states: dict[str, str] = {}
    for finding in findings:
        for fix in finding.fixes:
            state = MISSING if fix.old is None else DIFFER
            if states.get(fix.field) != DIFFER:  # a difference outranks a gap in the same field
                states[fix.field] = state
        for _, field, codes in FIELDS:
            if finding.code in codes and not finding.fixes:
                states[field] = DIFFER
    rows = []
    for label, field, _ in FIELDS:
        written, registered = _written(reference, field), _registered(work, field)
        if not written and not registered:
            continue
        rows.append(FieldRow(label, field, written, registered, states.get(field, AGREE),
                             bool(registered) and field_doubted(work, field)))
    return rows


_TOKEN = re.compile(r"\s+|[^\s]+")


def _marked(a: str, b: str, by_character: bool) -> tuple[str, str]:
    """`a` and `b` as HTML with the stretches that differ wrapped in `<mark>`."""
    if len(a) > 600 or len(b) > 600:
        return esc(a), esc(b)
    left, right = (list(a), list(b)) if by_character else (_TOKEN.findall(a), _TOKEN.findall(b))
    matcher = difflib.SequenceMatcher(None, [t.lower() for t in left], [t.lower() for t in right], autojunk=False)
    if matcher.ratio() < 0.5:  # unrelated values (other pages altogether): the whole value differs
        return f"<mark>{esc(a)}</mark>", f"<mark>{esc(b)}</mark>"
    out_a: list[str] = []
    out_b: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        piece_a, piece_b = esc("".join(left[i1:i2])), esc("".join(right[j1:j2]))
        if tag == "equal":
            out_a.append(piece_a)
            out_b.append(piece_b)
            continue
        if piece_a.strip():
            out_a.append(f"<mark>{piece_a}</mark>")
        else:
            out_a.append(piece_a)
        if piece_b.strip():
            out_b.append(f"<mark>{piece_b}</mark>")
        else:
            out_b.append(piece_b)
    return "".join(out_a), "".join(out_b)


def fields_table(rows: Sequence[FieldRow]) -> str:
    """The comparison as a table: field, as written, registry; differing rows and characters
    marked (and said in words: `≠` differs, `+` the registry adds it)."""
    if not rows:
        return ""
    body = []
    for row in rows:
        written, registered = esc(row.written), esc(row.registered)
        if row.state == DIFFER and row.written and row.registered:
            written, registered = _marked(row.written, row.registered, row.field in _CHARACTER_DIFF)
        if not row.written:
            written = '<span class="absent">not given</span>'
        if not row.registered:
            registered = '<span class="absent">not in the record</span>'
        doubt = ' <span class="doubt">(unverified in the record)</span>' if row.doubted else ""
        said = {DIFFER: "differs", MISSING: "missing from the reference"}.get(row.state)
        title = f' title="{said}"' if said else ""
        if row.state == AGREE and row.written == row.registered:
            # The same text on both sides: once, across both columns (long titles stay readable).
            cells = f'<td class="wr reg both" colspan="2">{registered}{doubt}</td>'
        else:
            cells = f'<td class="wr">{written}</td><td class="reg">{registered}{doubt}</td>'
        body.append(f'<tr class="{row.state}" data-field="{esc(row.field)}"><th scope="row"{title}>{esc(row.label)}</th>'
                    f"{cells}</tr>")
    return ('<table class="fields"><thead><tr><th scope="col">Field</th><th scope="col">As written</th>'
            '<th scope="col">Registry record</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>")


__all__ = ["AGREE", "DIFFER", "FIELDS", "MISSING", "FieldRow", "compare", "fields_table"]
