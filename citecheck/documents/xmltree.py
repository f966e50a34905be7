"""Parsing an untrusted XML document safely, keeping where each element stands in the text.

A JATS article comes from anywhere (a publisher's package, an object store, a corpus of
millions), so the parser trusts nothing in it:

- no entity is declared in the document: an internal DTD subset that declares entities is
  refused (no "billion laughs", no external entity pointing at a local file or a URL);
- no DTD is read: the external subset (`<!DOCTYPE article PUBLIC … "…dtd">`) is never fetched or
  opened, and a reference to an entity that DTD would define (`&nbsp;`) is dropped, not an error;
- the size is bounded before parsing (`loading.MAX_DOCUMENT_BYTES`), and so are the depth
  (`MAX_DEPTH`) and the number of elements (`MAX_ELEMENTS`).

It runs on the standard library's expat (no extra dependency), which reports the byte offset
of every tag: each element's start and end are kept as offsets in the decoded text, so that
findings point at the line and column of the tag in the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pyexpat import ExpatError, ParserCreate

from citecheck.documents.base import SourceText
from citecheck.documents.loading import InputError

__all__ = ["MAX_DEPTH", "MAX_ELEMENTS", "PositionedTree", "parse_xml"]

MAX_DEPTH = 256
"""Deepest nesting accepted; a JATS article nests a few dozen levels at most."""
MAX_ELEMENTS = 2_000_000
"""Most elements accepted; a long article has tens of thousands."""

_TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")


@dataclass(frozen=True)
class PositionedTree:
    """An XML document as an ElementTree, with the place of each element in the text."""

    root: ET.Element
    """The root element (tag names and attribute names as written, prefixes included)."""
    places: dict[ET.Element, tuple[int, int]]
    """Element → (offset of `<` of its start tag, offset just past its end tag), in the
    decoded text."""

    def start(self, element: ET.Element) -> int:
        """Offset of the element's start tag."""
        return self.places[element][0]

    def end(self, element: ET.Element) -> int:
        """Offset just past the element's end tag."""
        return self.places[element][1]


class _Offsets:
    """Byte offsets of the UTF-8 encoding → character offsets of the text, for increasing queries."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._byte = 0
        self._char = 0

    def char(self, byte: int) -> int:
        if byte < self._byte:  # never in practice: expat reports in document order
            self._byte = self._char = 0
        self._char += len(self._data[self._byte:byte].decode("utf-8", errors="replace"))
        self._byte = byte
        return self._char


def parse_xml(source: SourceText) -> PositionedTree:
    """Parse `source.text` as XML; raises InputError (one line) for malformed or refused input."""
    text = source.text
    data = text.encode("utf-8")
    offsets = _Offsets(data)
    # The text is already decoded: encoding="UTF-8" overrides whatever the declaration says.
    parser = ParserCreate(encoding="UTF-8")
    parser.buffer_text = True
    builder = ET.TreeBuilder()
    places: dict[ET.Element, tuple[int, int]] = {}
    open_elements: list[tuple[ET.Element, int, int]] = []  # element, start offset, start-tag end
    count = 0

    def refuse_entities(*_: object) -> None:
        raise _Refused("declares entities (refused: an XML article has no need of them)")

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS:
            raise _Refused(f"has more than {MAX_ELEMENTS:,} elements")
        if len(open_elements) >= MAX_DEPTH:
            raise _Refused(f"nests elements deeper than {MAX_DEPTH} levels")
        at = offsets.char(parser.CurrentByteIndex)
        element = builder.start(tag, attributes)
        open_elements.append((element, at, _tag_end(text, at)))

    def end(tag: str) -> None:
        element = builder.end(tag)
        _, at, tag_end = open_elements.pop()
        here = offsets.char(parser.CurrentByteIndex)
        # An empty-element tag (`<xref/>`) ends where its start tag ends; otherwise `here` is
        # the `<` of the end tag.
        closing = tag_end if here == tag_end and text[tag_end - 2:tag_end] == "/>" else _tag_end(text, here)
        places[element] = (at, closing)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = refuse_entities
    parser.UnparsedEntityDeclHandler = refuse_entities
    parser.SkippedEntityHandler = lambda name, is_parameter: None  # `&nbsp;` of an unread DTD
    parser.UseForeignDTD(True)  # undeclared entities are skipped, never fatal, never fetched
    try:
        parser.Parse(data, True)
    except _Refused as error:
        raise InputError(f"{source.path}: {error}") from None
    except ExpatError as error:
        raise InputError(f"{source.path}:{error.lineno}: not well-formed XML ({_reason(error)})") from None
    return PositionedTree(root=builder.close(), places=places)


class _Refused(Exception):
    """The document does something the parser does not accept (message: what)."""


def _tag_end(text: str, at: int) -> int:
    """Offset just past the tag that starts at `at` (attribute values may hold `>`)."""
    match = _TAG.match(text, at)
    return match.end() if match else len(text)


def _reason(error: ExpatError) -> str:
    message = str(error)
    return message.split(":", 1)[0] if ":" in message else message
