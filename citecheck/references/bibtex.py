"""Reading BibTeX: `.bib` files to `Reference` values, with every problem kept as data.

Writing BibTeX from CSL items lives in `bibtex_write`, surgical edits of a user's .bib file in
`bibtex_edit`, LaTeX escaping and decoding in `latex_text`.

Parsing goes through bibtexparser 2's splitter with an empty middleware stack: it never raises
on content, and the raw field values it keeps let us resolve `@string` macros (including `#`
concatenation, which bibtexparser's own middleware does not), flag unknown macros, and edit the
original text without reformatting it.

Choices worth knowing:

- **`and others` is not CSL**: `bibtex_entry_to_csl` drops it from the names, and the readers
  report the keys whose author list was truncated in `Bibliography.et_al`.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

from citecheck.model import CslItem, Reference, Span
from citecheck.references.latex_text import balanced_braces, latex_to_text

# bibtexparser logs every unparsable block at WARNING; with no logging configured Python would
# print those to stderr. They reach the user as problems instead, so mute the stray output
# (an application that configures logging still receives the records).
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

ProblemKind = Literal[
    "failed-block", "duplicate-key", "case-conflict", "unknown-macro", "duplicate-field",
    "unknown-crossref", "unreadable",
]


@dataclass(frozen=True, slots=True)
class BibProblem:
    """Something wrong in a bibliography file: data for a finding, never an exception."""

    kind: ProblemKind
    """`failed-block` (unparsable), `duplicate-key`, `case-conflict` (keys equal but for case),
    `unknown-macro` (undefined `@string`), `duplicate-field`, `unknown-crossref` (parent
    missing), `unreadable` (the file could not be read or decoded)."""
    message: str
    """One line for the user."""
    span: Span | None = None
    """Where the offending block starts."""
    key: str = ""
    """The entry key concerned, when there is one."""


@dataclass(frozen=True, slots=True)
class Bibliography:
    """Everything read from one bibliography file."""

    references: tuple[Reference, ...]
    """The entries, in file order (the first of duplicate keys only, as BibTeX uses it)."""
    problems: tuple[BibProblem, ...] = ()
    """What was wrong with the file, in file order."""
    parents: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Entry key → its `crossref` parent key (missing fields were inherited from the parent)."""
    et_al: frozenset[str] = frozenset()
    """Keys whose author list ends in `and others` (dropped from the CSL names)."""


# -- BibTeX → CSL ------------------------------------------------------------------------------

_CSL_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "book", "proceedings": "book",
    "collection": "book", "mvbook": "book", "inbook": "chapter", "incollection": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference", "techreport": "report",
    "report": "report", "manual": "report", "phdthesis": "thesis", "mastersthesis": "thesis",
    "thesis": "thesis", "online": "webpage", "electronic": "webpage", "www": "webpage",
    "unpublished": "manuscript", "misc": "document",
}
_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_PLAIN_FIELDS = {
    "title": "title", "volume": "volume", "pages": "page", "publisher": "publisher",
    "address": "publisher-place", "location": "publisher-place", "edition": "edition",
    "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "pmid": "PMID", "pmcid": "PMCID",
    "note": "note", "abstract": "abstract", "series": "collection-title", "language": "language",
}
_CONTAINER_SOURCES = ("journal", "journaltitle", "booktitle")
_PART = re.compile(r'\s*(?:(\{)|(")|([^\s#,{}"]+))')


def _split_value(raw: str) -> list[tuple[str, str]] | None:
    """A raw field value as `(kind, text)` parts joined by `#`; None when it is not well formed.

    kind is `text` (the inside of braces or quotes, or a number) or `macro` (a bare name).
    """
    parts: list[tuple[str, str]] = []
    pos = 0
    while True:
        match = _PART.match(raw, pos)
        if not match:
            return None
        if match.group(3):
            word = match.group(3)
            parts.append(("text" if word.isdigit() else "macro", word))
            pos = match.end()
        else:
            opener, depth, i = match.group(0)[-1], 0, match.end()
            while i < len(raw):
                ch = raw[i]
                if ch == "\\":
                    i += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    if depth == 0 and opener == "{":
                        break
                    depth -= 1
                elif ch == '"' and opener == '"' and depth == 0:
                    break
                i += 1
            parts.append(("text", raw[match.end():i]))
            pos = i + 1
        rest = raw[pos:].lstrip()
        if not rest:
            return parts
        if not rest.startswith("#"):
            return None
        pos = len(raw) - len(rest) + 1


def _resolve(raw: str, macros: dict[str, str], unknown: list[str]) -> str:
    """A raw value with macros expanded and concatenation done, still in LaTeX."""
    parts = _split_value(raw)
    if parts is None:  # not a value BibTeX could read: keep it as text rather than lose it
        return raw.strip().strip('{}"')
    out = []
    for kind, text in parts:
        if kind == "macro":
            if text.lower() in macros:
                out.append(macros[text.lower()])
            elif text.lower()[:3] in _MONTHS and len(text) == 3:
                out.append(str(_MONTHS[text.lower()]))  # BibTeX's predefined month macros
            else:
                unknown.append(text)
                out.append(text)
        else:
            out.append(text)
    return "".join(out)


def _csl_names(value: str) -> tuple[list[dict[str, str]], bool]:
    """`Robert, N. J. and {American Cancer Society} and others` → CSL names and the et-al flag."""
    names: list[dict[str, str]] = []
    et_al = False
    for person in split_multiple_persons_names(value):
        if person.strip().lower() == "others":
            et_al = True
            continue
        if person.startswith("{") and person.endswith("}") and balanced_braces(person[1:-1]):
            names.append({"literal": latex_to_text(person)})
            continue
        try:
            parts = parse_single_name_into_parts(person, strict=False)
        except Exception:  # bibtexparser's name parser on a name it cannot read: keep the text
            names.append({"literal": latex_to_text(person)})
            continue
        name = {
            "family": latex_to_text(" ".join(parts.last)),
            "given": latex_to_text(" ".join(parts.first)),
            "non-dropping-particle": latex_to_text(" ".join(parts.von)),
            "suffix": latex_to_text(" ".join(parts.jr)),
        }
        names.append({k: v for k, v in name.items() if v})
    return names, et_al


def _issued(fields: dict[str, str]) -> dict[str, object] | None:
    date = fields.get("date", "")
    match = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date)
    year = fields.get("year", "").strip()
    if match:
        return {"date-parts": [[int(g) for g in match.groups() if g]]}
    if not year:
        return None
    if not year.isdigit():
        return {"literal": year}
    parts = [int(year)]
    month = fields.get("month", "").strip().lower()
    if month.isdigit() and 1 <= int(month) <= 12:
        parts.append(int(month))
    elif month[:3] in _MONTHS:
        parts.append(_MONTHS[month[:3]])
    return {"date-parts": [parts]}


def _entry_values(entry: Entry, macros: dict[str, str], unknown: list[str]) -> dict[str, str]:
    """Field name (lower case) → LaTeX value: enclosures removed, macros resolved."""
    enclosed = "removed_enclosing" not in entry.parser_metadata
    values: dict[str, str] = {}
    for fld in entry.fields:
        name = fld.key.strip().lower()
        if name in values:  # BibTeX keeps the first of repeated fields
            continue
        raw = str(fld.value)
        values[name] = _resolve(raw, macros, unknown) if enclosed else raw
    return values


def _values_to_csl(entry_type: str, values: dict[str, str]) -> tuple[CslItem, bool]:
    csl: CslItem = {"type": _CSL_TYPES.get(entry_type.lower(), "document")}
    et_al = False
    for role in ("author", "editor"):
        if values.get(role):
            names, truncated = _csl_names(values[role])
            if names:
                csl[role] = names
            et_al = et_al or (truncated and role == "author")
    for bib_name, csl_name in _PLAIN_FIELDS.items():
        if values.get(bib_name) and csl_name not in csl:
            raw = values[bib_name].replace("--", "-") if bib_name == "pages" else values[bib_name]
            text = latex_to_text(raw, bib_name)
            if text:
                csl[csl_name] = text
    for name in _CONTAINER_SOURCES:
        if values.get(name):
            csl["container-title"] = latex_to_text(values[name])
            break
    number = latex_to_text(values.get("number", ""))
    if number:
        csl["issue" if csl["type"] in {"article-journal", "paper-conference"} else "number"] = number
    if "publisher" not in csl:
        for name in ("school", "institution", "organization"):
            if values.get(name):
                csl["publisher"] = latex_to_text(values[name])
                break
    if "PMID" not in csl and values.get("eprinttype", "").lower() == "pubmed" and values.get("eprint"):
        csl["PMID"] = latex_to_text(values["eprint"], "eprint")
    issued = _issued({k: latex_to_text(values[k]) for k in ("year", "date", "month") if k in values})
    if issued:
        csl["issued"] = issued
    return csl, et_al


def bibtex_entry_to_csl(entry: Entry, macros: dict[str, str] | None = None) -> CslItem:
    """A bibtexparser Entry as a CSL item (id = the entry key).

    Works on entries parsed with or without bibtexparser's default middleware. `and others` is
    dropped (CSL has no such name); `entry_has_et_al` tells whether it was there.
    """
    values = _entry_values(entry, {k.lower(): v for k, v in (macros or {}).items()}, [])
    csl, _ = _values_to_csl(entry.entry_type, values)
    return {"id": entry.key, **csl}


def entry_has_et_al(entry: Entry) -> bool:
    """True when the entry's author list ends in `and others`."""
    author = _entry_values(entry, {}, []).get("author", "")
    return _csl_names(author)[1] if author else False


def protected_fields(entry: Entry) -> set[str]:
    """Field names (lower case) the user protected with `citecheck-protect = {title, author}`."""
    value = _entry_values(entry, {}, []).get("citecheck-protect", "")
    return {word.lower() for word in re.split(r"[\s,;]+", value.replace("{", "").replace("}", "")) if word}


# -- Reading a .bib file -----------------------------------------------------------------------

_INHERITED = ("author", "editor", "publisher", "publisher-place", "issued", "volume", "edition",
              "ISBN", "collection-title", "container-title")
_KEY_IN_RAW = re.compile(r"@\s*\w+\s*\{\s*([^,\s}]+)")


def read_text_file(path: Path, text: str | None) -> tuple[str, list[BibProblem]]:
    """The file's text (`text` when given); an unreadable file is a problem, not an exception."""
    if text is not None:
        return text, []
    try:
        data = path.read_bytes()
    except OSError as error:
        return "", [BibProblem("unreadable", f"cannot read {path}: {error.strerror or error}")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        # Old .bib files are often Latin-1; decode that way so nothing is lost, and say so.
        return data.decode("latin-1"), [BibProblem(
            "unreadable", f"{path} is not UTF-8 (byte {error.start}); read as Latin-1")]


class TextLocator:
    """Turns a block's start line and raw text into a `Span` in the original text."""

    def __init__(self, path: Path, text: str) -> None:
        """Index the line starts of `text`, the contents of `path`."""
        self.path, self.text = str(path), text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def span(self, start_line: int | None, raw: str | None) -> Span | None:
        """The span of `raw`, searched from 0-based line `start_line` (bibtexparser's count)."""
        if start_line is None:
            return None
        line = min(max(start_line, 0), len(self.line_starts) - 1)  # splitter lines are 0-based
        offset = self.text.find(raw, self.line_starts[line]) if raw else -1
        if offset < 0:
            offset = self.line_starts[line]
        line = bisect.bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[line] + 1
        return Span(self.path, line + 1, column, offset, offset + len(raw or ""))


def _inherit(child: CslItem, parent: CslItem) -> None:
    """BibTeX crossref: the child takes the parent's fields it lacks; the parent's title is the
    child's container (a chapter's book, a paper's proceedings)."""
    if "container-title" not in child and parent.get("title"):
        child["container-title"] = parent["title"]
    for name in _INHERITED:
        if name not in child and name in parent:
            child[name] = parent[name]


def read_bibtex(path: Path, text: str | None = None) -> Bibliography:
    """Read a .bib file (BibTeX or BibLaTeX) into references and problems; never raises on content.

    `text`, when given, is used instead of reading `path` (which then only names the file).
    """
    text, problems = read_text_file(path, text)
    library = bibtexparser.parse_string(text, parse_stack=[])
    where = TextLocator(path, text)
    macros: dict[str, str] = {}
    entries: list[tuple[Entry, Span | None]] = []
    for block in library.blocks:
        span = where.span(block.start_line, block.raw)
        if isinstance(block, String):
            unknown: list[str] = []
            macros[block.key.lower()] = _resolve(block.value, macros, unknown)
            problems += [BibProblem("unknown-macro", f"@string {block.key} uses undefined macro {m}",
                                    span, block.key) for m in unknown]
        elif isinstance(block, DuplicateBlockKeyBlock):
            what = "@string" if isinstance(block.ignore_error_block, String) else "entry"
            first = block.previous_block.start_line
            problems.append(BibProblem(
                "duplicate-key", f"{what} key {block.key!r} repeats the one on line "
                f"{(first or 0) + 1}; the first is used", span, block.key))
        elif isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            assert isinstance(entry, Entry)
            names = ", ".join(sorted(block.duplicate_keys))
            problems.append(BibProblem("duplicate-field", f"entry {entry.key!r} repeats field(s) "
                                       f"{names}; the first value is used", span, entry.key))
            entries.append((entry, span))
        elif isinstance(block, ParsingFailedBlock):
            match = _KEY_IN_RAW.match(block.raw or "")
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            problems.append(BibProblem("failed-block", f"cannot parse this block: {reason.strip()}",
                                       span, match.group(1) if match else ""))
        elif isinstance(block, Entry):
            entries.append((block, span))

    items: dict[str, CslItem] = {}
    et_al: set[str] = set()
    spans: dict[str, Span | None] = {}
    parents: dict[str, str] = {}
    by_case: dict[str, str] = {}
    for entry, span in entries:
        unknown = []
        values = _entry_values(entry, macros, unknown)
        problems += [BibProblem("unknown-macro", f"entry {entry.key!r} uses undefined macro {m}",
                                span, entry.key) for m in unknown]
        csl, truncated = _values_to_csl(entry.entry_type, values)
        items[entry.key] = {"id": entry.key, **csl}
        spans[entry.key] = span
        if truncated:
            et_al.add(entry.key)
        if values.get("crossref"):
            parents[entry.key] = latex_to_text(values["crossref"])
        other = by_case.setdefault(entry.key.lower(), entry.key)
        if other != entry.key:
            problems.append(BibProblem("case-conflict", f"key {entry.key!r} differs from {other!r} "
                                       "only in case; BibTeX treats them as the same", span, entry.key))
    for child, parent in parents.items():
        if parent in items:
            _inherit(items[child], items[parent])
        else:
            problems.append(BibProblem("unknown-crossref", f"entry {child!r} has crossref "
                                       f"{parent!r}, which is not in the file", spans[child], child))
    references = tuple(
        Reference(id=key, raw=" ".join((entry.raw or "").split()), csl=items[key], span=span, key=key,
                  et_al=key in et_al)
        for entry, span in entries if (key := entry.key) in items
    )
    problems.sort(key=lambda p: (p.span.start if p.span else -1))
    return Bibliography(references, tuple(problems), parents, frozenset(et_al))
