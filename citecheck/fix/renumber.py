"""Renumbering a numeric document in order of first citation, markers keeping their form.

Each entry gets the number of its first citation's rank; entries cited nowhere follow, in list
order. Markers are rewritten in place: `.2,3` stays glued with the same separator, `[2-4]` stays
a range where its new numbers are still contiguous (else becomes a list), superscripts stay
superscripts. The reference list is reordered by moving each entry's text (label relabelled in
its own style, `[3]` → `[1]`, `3.` → `1.`) into the slots the entries occupied, so the blank
lines and anything between entries stay where they were.

The document text is the only input: the original file is never touched here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from citecheck.model import Citation, CitationStyle, RawEntry

_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_ASCII = str.maketrans(_SUP + "⁻", "0123456789-")
_TO_SUP = str.maketrans("0123456789", _SUP)
_NUMBER = re.compile(r"[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_DASHES = "-‐‑‒–—⁻"


@dataclass(frozen=True)
class Renumbered:
    """The outcome of renumbering: the new text, or why it could not be done."""

    text: str
    """The renumbered document (the original text when `problem` is set)."""
    mapping: dict[int, int]
    """Old entry number → new entry number."""
    problem: str = ""
    """Why nothing was renumbered (empty on success)."""

    @property
    def changed(self) -> bool:
        """True when some number moved."""
        return any(old != new for old, new in self.mapping.items())


def new_numbers(citations: Sequence[Citation], entries: Sequence[RawEntry]) -> dict[int, int]:
    """Old number → new number: by order of first citation, then the uncited in list order."""
    listed = [e.number for e in entries if e.number is not None]
    order: list[int] = []
    for citation in citations:
        if citation.style is not CitationStyle.NUMERIC:
            continue
        for target in citation.targets:
            if target.isdigit() and int(target) in listed and int(target) not in order:
                order.append(int(target))
    order += [n for n in listed if n not in order]
    return {old: new for new, old in enumerate(order, start=1)}


def _render_marker(marker: str, mapping: dict[int, int]) -> str:
    """One marker's text with its numbers mapped, in the same form."""
    superscript = any(ch in _SUP for ch in marker)
    first, last = _NUMBER.search(marker), None
    for last in _NUMBER.finditer(marker):
        pass
    if first is None or last is None:
        return marker
    prefix, body, suffix = marker[:first.start()], marker[first.start():last.end()], marker[last.end():]
    plain = body.translate(_TO_ASCII)
    tokens = re.split(r"(\s*[,;]\s*|\s*[-‐‑‒–—]\s*)", plain)
    separators = [t for t in tokens[1::2] if t.strip() in ",;"]
    list_sep = separators[0] if separators else ","
    groups: list[list[int]] = []  # each group: the numbers a single or a range names
    dash = "-"
    for index, token in enumerate(tokens):
        if index % 2 == 0:
            if index > 0 and tokens[index - 1].strip() not in ",;":  # the end of a range
                low = groups[-1][-1]
                groups[-1].extend(range(low + 1, int(token) + 1))
            else:
                groups.append([int(token)])
        elif token.strip() not in ",;":
            dash = token
    pieces: list[str] = []
    for group in groups:
        mapped = [mapping.get(n, n) for n in group]
        if len(group) > 1:
            ordered = sorted(mapped)
            if ordered == list(range(ordered[0], ordered[0] + len(ordered))):
                pieces.append(f"{ordered[0]}{dash}{ordered[-1]}")  # still a range
                continue
            pieces.extend(str(n) for n in ordered)  # no longer contiguous: a list
        else:
            pieces.append(str(mapped[0]))
    text = list_sep.join(pieces)
    if superscript:
        text = text.translate(_TO_SUP).replace(dash, "⁻" if dash.strip() in _DASHES else dash)
    return prefix + text + suffix


def _relabel(label: str, number: int) -> str:
    """`[3]` → `[1]`, `3.` → `1.`: the label's digits replaced, its punctuation kept."""
    return re.sub(r"\d+", str(number), label, count=1)


def renumber(text: str, citations: Sequence[Citation], entries: Sequence[RawEntry]) -> Renumbered:
    """`text` with markers renumbered and the reference list reordered (see the module docs)."""
    numbers = [e.number for e in entries]
    if not entries or any(n is None for n in numbers):
        return Renumbered(text, {}, "renumbering needs a numbered reference list")
    if len(set(numbers)) != len(numbers):
        return Renumbered(text, {}, "the reference list repeats a number; fix the numbering first")
    listed = set(numbers)
    for citation in citations:
        missing = [t for t in citation.targets if t.isdigit() and int(t) not in listed]
        if citation.style is CitationStyle.NUMERIC and missing:
            return Renumbered(text, {}, f"citation [{missing[0]}] at {citation.span} has no entry; "
                                        "fix it before renumbering")
    mapping = new_numbers(citations, entries)
    edits: list[tuple[int, int, str]] = []
    for citation in citations:
        if citation.style is CitationStyle.NUMERIC:
            start, end = citation.span.start, citation.span.end
            if text[start:end] == citation.text:  # the span is the marker: rewrite it in place
                edits.append((start, end, _render_marker(citation.text, mapping)))
    by_new = {mapping[e.number]: e for e in entries if e.number is not None}
    for slot, entry in enumerate(entries, start=1):
        moved = by_new[slot]  # the entry that now takes this slot
        block = text[moved.span.start:moved.span.end]
        if moved.label and block.startswith(moved.label):
            block = _relabel(moved.label, slot) + block[len(moved.label):]
        edits.append((entry.span.start, entry.span.end, block))
    out = text
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement + out[end:]
    return Renumbered(out, mapping)
