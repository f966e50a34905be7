"""JATS articles (PubMed Central, PLOS, eLife, most publishers): citations are explicit links.

- **Entries** are the `<ref>`s of every `<ref-list>`, in document order, each known by its
  `id`; its `<label>` (`1`, `[1]`, `1.`) is its number. Their fields come from the citation
  element (`citecheck.references.jats`).
- **Citations** are the `<xref>`s with `ref-type="bibr"` (or with no `ref-type` and a `rid`
  that names a `<ref>`) anywhere in the article except inside the reference list itself: the
  body, the abstract, figure and table captions, table footnotes, boxes, appendices and
  sub-articles (an eLife decision letter or author response). Captions count: the printed
  article cites a work in a caption just as in a paragraph, so a reference cited only there
  is not uncited. (The realdocs gold leaves captions out; against it the reader can only
  find *more* links, never fewer.)
- **Grouping**, as a reader sees the printed text: numeric xrefs that touch or are separated
  only by a comma or a dash form one citation (`[3], [4]`, `[3,4]`, `<sup>3–5</sup>`); two
  joined by a dash (`[5]–[9]`) mean every entry between them in list order, and so does one
  xref whose text is a range (`<xref rid="b1">1–3</xref>`). An author-year xref is one
  citation.
- **Printed text against the tag**: when an xref prints one entry (its number, or its first
  author and year) and its `rid` points at another that does not fit, and exactly one entry
  fits what is printed, the citation is linked to that entry and remembers the ids the markup
  gave (`Citation.tagged`): the `xref-target-mismatch` rule reports it.

Citations are `key` citations (the rid is the key), so an xref to a missing id is
`citation-without-entry` and a `<ref>` nothing points at is `uncited-reference`, as anywhere.
Spans are offsets in the XML text: findings point at the line and column of the tag.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from citecheck.documents.base import ReadDocument, SourceText
from citecheck.documents.loading import InputError
from citecheck.documents.xmltree import PositionedTree, parse_xml
from citecheck.model import Citation, CitationStyle, RawEntry
from citecheck.references.jats import element_text, jats_entry
from citecheck.references.normalize import fold

__all__ = ["looks_like_jats", "read_jats"]

_JATS_HINT = re.compile(r"<!DOCTYPE\s+article\b|<article\b[^>]*(?:dtd-version|xmlns:xlink|article-type)", re.S)
_TAG = re.compile(r"<[^>]*>")
_NUMERIC = re.compile(r"^\d{1,5}[a-z]?$")
_NUMERIC_RANGE = re.compile(r"^(\d{1,5})\s*[-–—−]\s*(\d{1,5})$")
_DASHES = frozenset("-–—−‐‑")
_YEAR = re.compile(r"\b((?:1[5-9]|20)\d\d)([a-z]?)\b")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NOT_NAMES = frozenset({"et", "al", "and", "in", "press", "see", "e", "g", "eg", "cf", "also"})


def looks_like_jats(text: str) -> bool:
    """True when the start of an XML text is a JATS (or NLM) `<article>`."""
    head = text[:20_000]
    return bool(_JATS_HINT.search(head)) or (head.lstrip().startswith("<?xml") and "<article" in head)


def read_jats(source: SourceText) -> ReadDocument:
    """Read a JATS article; raises InputError when it is not well-formed XML or not an article."""
    tree = parse_xml(source)
    root = tree.root
    if _local(root.tag) != "article":
        raise InputError(f"{source.path}: XML, but not a JATS article (its root element is <{root.tag}>)")
    refs = list(_refs(root))
    entries = tuple(_entry(source, tree, ref) for ref in refs)
    index = _RefIndex(refs, entries)
    citations = tuple(_citations(source, tree, index))
    ref_list = next((e for e in root.iter("ref-list")), None)
    reference_list = source.span(tree.start(ref_list), tree.start(ref_list)) if ref_list is not None else None
    return ReadDocument(
        source=source,
        citations=citations,
        entries=entries,
        reference_list=reference_list,
        prose=_prose(source.text),
    )


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1]


def _refs(root: ET.Element) -> Iterator[ET.Element]:
    for ref_list in root.iter("ref-list"):
        yield from (child for child in ref_list.iter("ref"))


def _entry(source: SourceText, tree: PositionedTree, ref: ET.Element) -> RawEntry:
    read = jats_entry(ref)
    label_element = ref.find("label")
    label = element_text(label_element) if label_element is not None else ""
    digits = label.strip("[]().: ")
    at = tree.start(ref)
    return RawEntry(
        text=read.text,
        span=source.span(at, tree.end(ref)),
        number=int(digits) if digits.isdigit() else None,
        label=label,
        id=ref.get("id", ""),
        fields=read.fields,
        structured=read.structured,
        et_al=read.et_al,
    )


@dataclass(frozen=True)
class _Printed:
    """What an entry looks like in print: its number, first author's name and year."""

    number: str
    family: str
    year: str
    suffix: str


class _RefIndex:
    """The entries by id, by list position, and by what a citation prints of them."""

    def __init__(self, refs: list[ET.Element], entries: tuple[RawEntry, ...]) -> None:
        self.ids = [entry.id for entry in entries]
        self.position = {ident: i for i, ident in reversed(list(enumerate(self.ids))) if ident}
        self.printed = [self._printed(ref, entry) for ref, entry in zip(refs, entries)]

    @staticmethod
    def _printed(ref: ET.Element, entry: RawEntry) -> _Printed:
        fields = entry.fields or {}
        people = fields.get("author") or fields.get("editor") or []
        first = people[0] if people else {}
        family = _letters(str(first.get("family") or first.get("literal") or ""))
        year_element = next(ref.iter("year"), None)
        year = _YEAR.search(element_text(year_element) if year_element is not None else entry.text)
        if not family and not people:
            # An untagged string: its first name-like word is its first author in most styles.
            words = _WORD.findall(entry.text[:80])
            family = _letters(words[0]) if words and words[0][:1].isupper() else ""
        return _Printed(
            number=str(entry.number) if entry.number is not None else "",
            family=family,
            year=year.group(1) if year else "",
            suffix=year.group(2) if year else "",
        )

    def with_number(self, number: str) -> list[int]:
        return [i for i, p in enumerate(self.printed) if p.number == number]

    def fitting(self, family: str, year: str, suffix: str) -> list[int]:
        return [i for i, p in enumerate(self.printed) if _fits(p, family, year, suffix)]


def _fits(printed: _Printed, family: str, year: str, suffix: str) -> bool:
    if year and printed.year and (year != printed.year or (suffix and printed.suffix and suffix != printed.suffix)):
        return False
    if family and printed.family and not (printed.family.startswith(family) or family.startswith(printed.family)):
        return False
    return bool(year or family)


def _letters(text: str) -> str:
    return "".join(_WORD.findall(fold(text))).replace("'", "").replace("’", "").replace("-", "")


@dataclass
class _Xref:
    element: ET.Element
    start: int
    end: int
    text: str
    numeric: bool


def _xrefs(tree: PositionedTree, known: set[str]) -> Iterator[ET.Element]:
    """The citing xrefs in document order, outside reference lists."""
    stack = [tree.root]
    while stack:
        element = stack.pop()
        if element.tag == "ref-list":
            continue
        if element.tag == "xref" and _is_citation(element, known):
            yield element
        stack.extend(reversed(list(element)))


def _is_citation(xref: ET.Element, known: set[str]) -> bool:
    kind = xref.get("ref-type")
    if kind is not None:
        return kind == "bibr"
    rids = (xref.get("rid") or "").split()
    return bool(rids) and all(rid in known for rid in rids)


def _citations(source: SourceText, tree: PositionedTree, index: _RefIndex) -> Iterator[Citation]:
    xrefs = []
    for element in _xrefs(tree, set(index.position)):
        text = _plain(source.text[tree.start(element):tree.end(element)])
        bare = text.strip("[]()⁽⁾ ,;")
        xrefs.append(_Xref(element, tree.start(element), tree.end(element), text,
                           numeric=not bare or bool(_NUMERIC.match(bare) or _NUMERIC_RANGE.match(bare))))
    group: list[_Xref] = []
    joins: list[str] = []
    for xref in xrefs:
        if group:
            # Whitespace as printed: XML line breaks and indentation are one space.
            between = re.sub(r"\s+", " ", _plain(source.text[group[-1].end:xref.start]))
            # As printed: `[3],[4]`, `[3], [4]`, `[3]–[9]` are one citation; `[3] [4]` and
            # `[3] and [4]` are two.
            # Brackets outside the xrefs count as printed: `[3], [4]`, `[5]–[9]`.
            core = between.removeprefix("]").removeprefix(")").removesuffix("[").removesuffix("(")
            joined = core in ("", ",", ", ") or core.strip() in _DASHES
            if group[-1].numeric and xref.numeric and joined and (core == between or between[:1] in "])"):
                group.append(xref)
                joins.append(core.strip())
                continue
            yield _citation(source, group, joins, index)
        group, joins = [xref], []
    if group:
        yield _citation(source, group, joins, index)


def _citation(source: SourceText, group: list[_Xref], joins: list[str], index: _RefIndex) -> Citation:
    printed = _targets(group, joins, index, as_printed=True)
    tagged = _targets(group, joins, index, as_printed=False)
    start, end = group[0].start, group[-1].end
    text = source.text
    if start and end < len(text) and text[start - 1] + text[end] in ("[]", "()"):
        start, end = start - 1, end + 1  # the brackets around the xrefs are part of what is printed
    return Citation(
        span=source.span(start, end),
        text=" ".join(_plain(source.text[start:end]).split()),
        targets=printed,
        style=CitationStyle.KEY,
        tagged=tagged if tagged != printed else (),
    )


def _targets(group: list[_Xref], joins: list[str], index: _RefIndex, as_printed: bool) -> tuple[str, ...]:
    """The entries a group of xrefs points at, ranges expanded: as printed, or as tagged."""
    targets: list[str] = []
    for position, xref in enumerate(group):
        rids = (xref.element.get("rid") or "").split()
        linked = _printed_targets(xref, rids, index, as_printed)
        if position > 0 and joins[position - 1] in _DASHES and targets and linked:
            targets.extend(_between(index, targets[-1], linked[0]))
        targets.extend(linked)
    return tuple(dict.fromkeys(targets))


def _between(index: _RefIndex, first: str, last: str) -> list[str]:
    """The ids strictly between two entries in list order (a range `[5]–[9]`)."""
    a, b = index.position.get(first), index.position.get(last)
    if a is None or b is None or b <= a + 1:
        return []
    return [ident for ident in index.ids[a + 1:b] if ident]


def _printed_targets(xref: _Xref, rids: list[str], index: _RefIndex, as_printed: bool) -> list[str]:
    """The entries one xref points at: its rids, a range in its own text expanded, and (when
    `as_printed`) moved to the entry the print names when it names another than the rid and
    exactly one entry fits the print."""
    if len(rids) != 1:
        return rids
    rid = rids[0]
    at = index.position.get(rid)
    if at is None:
        return [rid]
    bare = xref.text.strip("[]()⁽⁾ ,;")
    if xref.numeric:
        span = _NUMERIC_RANGE.match(bare)
        first = span.group(1) if span else bare
        number = index.printed[at].number
        if as_printed and first and number and number != first:
            fitting = index.with_number(first)
            if len(fitting) == 1 and index.ids[fitting[0]]:
                at, rid = fitting[0], index.ids[fitting[0]]
        if span:
            ends = [i for i in index.with_number(span.group(2)) if i > at]
            if ends:
                return [ident for ident in index.ids[at:ends[0] + 1] if ident]
        return [rid]
    family, year, suffix = _cited(xref.text)
    if not as_printed or not family or not year or _fits(index.printed[at], family, year, suffix):
        return [rid]
    fitting = index.fitting(family, year, suffix)
    return [index.ids[fitting[0]]] if len(fitting) == 1 and index.ids[fitting[0]] else [rid]


def _cited(text: str) -> tuple[str, str, str]:
    """The first name and the year an author-year citation prints (`Smith et al., 2004a`)."""
    year = _YEAR.search(text)
    names = text[:year.start()] if year else text
    words = [w for w in _WORD.findall(names) if fold(w) not in _NOT_NAMES]
    family = _letters(words[0]) if words and words[0][:1].isupper() else ""
    return family, year.group(1) if year else "", year.group(2) if year else ""


def _plain(markup: str) -> str:
    """Text of a stretch of XML: tags dropped, character references decoded."""
    return html.unescape(_TAG.sub("", markup))


def _prose(text: str) -> str:
    """The text with every tag blanked to spaces (line breaks kept): the same offsets, no markup,
    for what reads sentences (placement hints)."""
    return _TAG.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
