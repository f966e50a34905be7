"""Variants of a real article whose right findings the gold tells exactly (for `benchmarks.realdocs`).

Two kinds, each a changed text with its gold changed to match:

- **delete-entry**: one cited entry's line is taken out of the reference list. Every citation
  that pointed at it must now be reported as `citation-without-entry` (C001); for a numbered
  list the gap in the numbering (R003) is expected too.
- **delete-citations**: every citation of one entry is taken out of the text. The entry must
  now be reported as `uncited-reference` (R001). A citation that also cites other entries is
  rewritten without it in its own shape (`[3], [4]–[6]` → `[3], [5], [6]`); an author-year
  group keeps its other members (`(A, 2001; B, 2002)` → `(A, 2001)`), and a second year that
  continued the removed one takes its names (`Whitham et al., 2006, 2012` → `Whitham et al., 2012`).

Entries whose citations cannot be rewritten cleanly (a number in running text, a locator inside
the bracket) are not chosen for delete-citations. The choice is seeded and deterministic.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Variant", "delete_citations", "delete_entry", "variants_of"]

_BRACKETS_EACH = re.compile(r"\[\d+\](?:\s*(?:,|–|-)\s*\[\d+\])*")
_BRACKET_ONE = re.compile(r"\[\d+(?:\s*(?:,|–|-)\s*\d+)*\]")
_YEAR_ONLY = re.compile(r"\(?(?:1[5-9]|20)\d\d[a-z]?\)?|[a-z]")
_YEAR_IN = re.compile(r"(?:1[5-9]|20)\d\d[a-z]?")


@dataclass(frozen=True)
class Variant:
    """A changed article and what must be reported on it."""

    kind: str
    """`delete-entry` or `delete-citations`."""
    ref_id: str
    """The gold id of the entry deleted or no longer cited."""
    text: str
    """The changed article."""
    gold: dict[str, Any]
    """The gold, changed to match the text."""
    expected_c001: tuple[int, ...] = ()
    """delete-entry: indexes (into gold citations) of the citations that must be C001."""


def delete_entry(text: str, gold: dict[str, Any], ref_id: str) -> Variant:
    """The article without the entry `ref_id` (its line and the blank line after it)."""
    lines = text.split("\n")
    entry = next(r for r in gold["references"] if r["id"] == ref_id)
    index = entry["line"] - 1
    removed = 2 if index + 1 < len(lines) and not lines[index + 1].strip() else 1
    del lines[index : index + removed]
    changed = copy.deepcopy(gold)
    changed["references"] = [
        {**r, "line": r["line"] - removed if r["line"] > entry["line"] else r["line"]}
        for r in gold["references"] if r["id"] != ref_id
    ]
    changed["uncited"] = [u for u in gold["uncited"] if u != ref_id]
    expected = tuple(i for i, c in enumerate(gold["citations"]) if ref_id in c["refs"])
    return Variant("delete-entry", ref_id, "\n".join(lines), changed, expected)


def delete_citations(text: str, gold: dict[str, Any], ref_id: str) -> Variant | None:
    """The article with every citation of `ref_id` taken out; None when one cannot be rewritten."""
    numbers = {r["id"]: r["number"] for r in gold["references"]}
    lines = text.split("\n")
    citations = [dict(c) for c in gold["citations"]]
    # (line, start, end, replacement, index of the citation changed, its new gold or None)
    edits: list[tuple[int, int, int, str, int, dict[str, Any] | None]] = []
    for index, citation in enumerate(citations):
        if ref_id not in citation["refs"]:
            continue
        line = lines[citation["line"] - 1]
        if gold["style"] == "numeric":
            edit = _numeric_edit(line, citation, index, ref_id, numbers)
        else:
            edit = _author_year_edit(line, citation, index, citations, ref_id)
        if edit is None:
            return None
        edits.extend(edit)
    # Apply right to left within each line, shifting the gold of later citations on that line.
    removed: set[int] = set()
    for line_no, start, end, replacement, index, new in sorted(edits, key=lambda e: (e[0], -e[1])):
        line = lines[line_no - 1]
        lines[line_no - 1] = line[:start] + replacement + line[end:]
        delta = len(replacement) - (end - start)
        for other in citations:
            if other["line"] == line_no and other["col"] >= end:
                other["col"] += delta
        if new is None:
            removed.add(index)
        else:
            citations[index] = {**citations[index], **new}
    changed = copy.deepcopy(gold)
    changed["citations"] = [c for i, c in enumerate(citations) if i not in removed]
    changed["uncited"] = sorted(set(gold["uncited"]) | {ref_id})
    return Variant("delete-citations", ref_id, "\n".join(lines), changed)


def _numeric_edit(
    line: str, citation: dict[str, Any], index: int, ref_id: str, numbers: dict[str, int | None]
) -> list[tuple[int, int, int, str, int, dict[str, Any] | None]] | None:
    """Remove `ref_id` from a numeric citation: the whole marker, or its number in the group."""
    text, col, no = citation["text"], citation["col"], citation["line"]
    each = _BRACKETS_EACH.fullmatch(text)
    if not each and not _BRACKET_ONE.fullmatch(text):
        return None
    rest = [r for r in citation["refs"] if r != ref_id]
    if not rest:
        start = col - 1 if col > 0 and line[col - 1] == " " else col
        return [(no, start, col + len(text), "", index, None)]
    values = sorted(int(numbers[r] or 0) for r in rest)
    comma = ", " if ", " in text else ","
    written = _compress(values)
    if each:
        new_text = comma.join(f"[{a}]" if a == b else f"[{a}]–[{b}]" for a, b in written)
    else:
        new_text = "[" + comma.join(str(a) if a == b else f"{a}–{b}" for a, b in written) + "]"
    return [(no, col, col + len(text), new_text, index, {"text": new_text, "refs": rest})]


def _compress(values: list[int]) -> list[tuple[int, int]]:
    """Runs of three or more consecutive numbers as ranges; the others one by one."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    out: list[tuple[int, int]] = []
    for run in runs:
        if len(run) >= 3:
            out.append((run[0], run[-1]))
        else:
            out.extend((v, v) for v in run)
    return out


def _author_year_edit(
    line: str, citation: dict[str, Any], index: int, citations: list[dict[str, Any]], ref_id: str
) -> list[tuple[int, int, int, str, int, dict[str, Any] | None]] | None:
    """Remove one author-year citation with the punctuation that joined it to its group."""
    text, col, no = citation["text"], citation["col"], citation["line"]
    end = col + len(text)
    if len(citation["refs"]) != 1:
        return None
    following = citations[index + 1] if index + 1 < len(citations) else None
    continued = (
        following is not None and following["line"] == no and _YEAR_ONLY.fullmatch(following["text"])
        and re.fullmatch(r"[,;]\s*", line[end : following["col"]]) is not None
        and ref_id not in following["refs"]
    )
    if _YEAR_ONLY.fullmatch(text):
        # A continuation (`, 2012` after `Whitham et al., 2006`): drop it with its separator.
        before = re.search(r"[,;]\s*$", line[:col])
        if before is None:
            return None
        return [(no, before.start(), end, "", index, None)]
    if continued:
        assert following is not None
        # `Whitham et al., 2006, 2012`: the names now go with 2012.
        year = list(_YEAR_IN.finditer(text))
        if not year:
            return None
        cut = col + year[-1].start()
        names = text[: year[-1].start()]
        return [(no, cut, following["col"], "", index, None),
                (no, following["col"], following["col"], "", index + 1,
                 {"col": col, "text": names + following["text"]})]
    if text.endswith(")"):  # narrative `Dobzhansky (1973)`
        start = col - 1 if col > 0 and line[col - 1] == " " else col
        return [(no, start, end, "", index, None)]
    after = re.match(r"\s*;\s*", line[end:])
    if after:  # `(X; Y)` → `(Y)`
        return [(no, col, end + after.end(), "", index, None)]
    before = re.search(r"\s*;\s*$", line[:col])
    if before:  # `(Y; X)` → `(Y)`
        return [(no, before.start(), end, "", index, None)]
    if line[col - 1 : col] == "(" and line[end : end + 1] == ")":
        start = col - 1
        if start > 0 and line[start - 1] == " ":
            start -= 1
        return [(no, start, end + 1, "", index, None)]
    return [(no, col, end, "", index, None)]


def variants_of(
    name: str, text: str, gold: dict[str, Any], per_kind: int, seed: int
) -> list[Variant]:
    """Up to `per_kind` variants of each kind for one article, chosen with a seeded generator.

    delete-entry always includes the cited entry listed last (its citations then point past the
    end of a numbered list, the shape of `methotrexate.5` with four entries).
    """
    cited: list[str] = []
    for citation in gold["citations"]:
        for ref in citation["refs"]:
            if ref not in cited:
                cited.append(ref)
    order = {r["id"]: i for i, r in enumerate(gold["references"])}
    cited.sort(key=lambda r: order.get(r, 0))
    out: list[Variant] = []
    if not cited or per_kind <= 0:
        return out
    rng = random.Random(f"{seed}:{name}:delete-entry")
    chosen = [cited[-1]] + rng.sample(cited[:-1], min(per_kind - 1, len(cited) - 1))
    out += [delete_entry(text, gold, ref) for ref in chosen]
    rng = random.Random(f"{seed}:{name}:delete-citations")
    pool = cited[:]
    rng.shuffle(pool)
    taken = 0
    for ref in pool:
        if taken >= per_kind:
            break
        variant = delete_citations(text, gold, ref)
        if variant is not None:
            out.append(variant)
            taken += 1
    return out
