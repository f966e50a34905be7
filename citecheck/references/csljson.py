"""CSL-JSON bibliographies (Pandoc, Zotero and Better BibTeX exports) to `Reference` values.

The file is a JSON array of CSL items; each item's `id` is the key citations use. Malformed
JSON, items that are not objects, missing or repeated ids are reported as problems, never
raised: the file is the user's input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from citecheck.model import CslItem, Reference, Span
from citecheck.references.bibtex import BibProblem, Bibliography, TextLocator, read_text_file
from citecheck.references.keys import make_key

# `and others` has no CSL form; some exporters write it as a last literal name.
_ET_AL_NAMES = frozenset({"others", "et al.", "et al"})


def _item_span(where: TextLocator, item_id: str, start: int) -> tuple[Span | None, int]:
    """Where `"id": "<item_id>"` stands, searching from `start`; and where to search next."""
    pattern = r'"id"\s*:\s*' + re.escape(json.dumps(item_id, ensure_ascii=False))
    match = re.compile(pattern).search(where.text, start)
    if not match and item_id.isdigit():  # numeric ids are written without quotes
        match = re.compile(r'"id"\s*:\s*' + item_id + r"\b").search(where.text, start)
    if not match:
        return None, start
    brace = where.text.rfind("{", start, match.start())
    offset = brace if brace >= 0 else match.start()
    line = where.text.count("\n", 0, offset)
    column = offset - where.line_starts[line] + 1
    return Span(where.path, line + 1, column, offset, match.end()), match.end()


def _clean(item: dict[str, Any]) -> tuple[CslItem, bool]:
    """The item without empty fields, and whether its author list ended in `others`."""
    csl: CslItem = {k: v for k, v in item.items() if v not in (None, "", [], {})}
    authors = csl.get("author")
    if isinstance(authors, list) and authors and isinstance(authors[-1], dict):
        if str(authors[-1].get("literal", "")).strip().lower() in _ET_AL_NAMES:
            csl["author"] = authors[:-1]
            return csl, True
    return csl, False


def read_csl_json(path: Path, text: str | None = None) -> Bibliography:
    """Read a CSL-JSON file (an array of items, or one item) into references and problems.

    `text`, when given, is used instead of reading `path`. An item without an id gets a key
    from `make_key` (and a problem saying so); of repeated ids the first is kept.
    """
    text, problems = read_text_file(path, text)
    where = TextLocator(path, text)
    if not text.strip():
        return Bibliography((), tuple(problems))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        span = Span(str(path), error.lineno, error.colno, error.pos, error.pos)
        problems.append(BibProblem("failed-block", f"not valid JSON: {error.msg}", span))
        return Bibliography((), tuple(problems))
    if isinstance(data, dict):
        data = data.get("items", [data]) if "items" in data else [data]
    if not isinstance(data, list):
        problems.append(BibProblem("failed-block", "expected a JSON array of CSL items",
                                   Span(str(path), 1, 1)))
        return Bibliography((), tuple(problems))

    references: list[Reference] = []
    taken: set[str] = set()
    by_case: dict[str, str] = {}
    et_al: set[str] = set()
    cursor = 0
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(BibProblem("failed-block", f"item {index} is not a JSON object",
                                       Span(str(path), 1, 1)))
            continue
        csl, truncated = _clean(item)
        raw_id = csl.get("id")
        item_id = str(raw_id).strip() if isinstance(raw_id, (str, int)) else ""
        span, cursor = _item_span(where, item_id, cursor) if item_id else (None, cursor)
        if not item_id:
            item_id = make_key(csl, set(taken))
            problems.append(BibProblem("failed-block", f"item {index} has no id; called it "
                                       f"{item_id!r}", None, item_id))
        if item_id in taken:
            problems.append(BibProblem("duplicate-key", f"id {item_id!r} is used again by item "
                                       f"{index}; the first is used", span, item_id))
            continue
        other = by_case.setdefault(item_id.lower(), item_id)
        if other != item_id:
            problems.append(BibProblem("case-conflict", f"id {item_id!r} differs from {other!r} "
                                       "only in case", span, item_id))
        taken.add(item_id)
        if truncated:
            et_al.add(item_id)
        csl["id"] = item_id
        raw = json.dumps(item, ensure_ascii=False)
        references.append(Reference(id=item_id, raw=raw, csl=csl, span=span, key=item_id,
                                    et_al=item_id in et_al))
    return Bibliography(tuple(references), tuple(problems), {}, frozenset(et_al))
