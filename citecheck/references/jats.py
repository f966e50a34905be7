"""JATS reference entries: one `<ref>` of a JATS article into CSL-JSON fields and a text.

JATS (NISO Z39.96, the format of PubMed Central, PLOS, eLife and most publishers) holds an
entry in one of three citation elements:

- `<element-citation>` and NLM's older `<nlm-citation>` (and `<citation>`): fields only, no
  punctuation between them. The fields are the entry (`structured`); the text is a rendering
  of them, in the author–year–title–journal order most reference styles share, for messages
  and for the matcher, which also reads the string.
- `<mixed-citation>`: the reference as printed, with some or all of its parts tagged. The
  text is the printed string; the tagged parts become fields that win over the parser's
  reading of the string.

Tags read: `person-group` (author, editor, translator) of `name` (`surname`, `given-names`,
`suffix`), `string-name`, `collab` and `etal`; `article-title`, `chapter-title`,
`part-title`, `data-title`, `source`; `year` (with `month`, `day`); `volume`, `issue`,
`fpage`/`lpage`, `page-range`, `elocation-id`; `publisher-name`, `publisher-loc`, `edition`,
`isbn`, `issn`, `conf-name`; `pub-id` (`doi`, `pmid`, `pmcid`), `object-id`, `ext-link`s and
`comment`s holding a DOI; `uri`. The `publication-type` attribute gives the CSL type.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from citecheck.model import CslItem
from citecheck.references.doi import find_dois, is_valid_doi, normalize_doi
from citecheck.references.names import split_names

__all__ = ["CITATION_TAGS", "JatsEntry", "jats_entry", "element_text"]

CITATION_TAGS = ("element-citation", "mixed-citation", "nlm-citation", "citation")
"""The elements that hold one entry inside a `<ref>`."""
STRUCTURED_TAGS = frozenset({"element-citation", "nlm-citation"})
"""Citation elements whose fields are the whole entry (no printed string)."""

_TYPES = {
    "journal": "article-journal", "book": "book", "confproc": "paper-conference",
    "conference": "paper-conference", "conf-proc": "paper-conference", "proceedings": "paper-conference",
    "thesis": "thesis", "report": "report", "gov": "report", "standard": "standard", "patent": "patent",
    "web": "webpage", "webpage": "webpage", "website": "webpage", "data": "dataset", "dataset": "dataset",
    "database": "dataset", "software": "software", "preprint": "article", "newspaper": "article-newspaper",
    "magazine": "article-magazine", "letter": "personal_communication", "discussion": "article",
    "list": "document", "other": "document", "commun": "personal_communication",
}
_ROLES = {"author": "author", "editor": "editor", "translator": "translator", "compiler": "compiler",
          "guest-editor": "editor", "series-editor": "collection-editor"}
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
_DIGITS = re.compile(r"^\d{1,2}$")
_MONTHS = {name: index for index, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class JatsEntry:
    """One `<ref>` read: its text, its tagged fields, and what kind of element held them."""

    text: str
    """The printed string (`mixed-citation`) or a rendering of the fields (the others)."""
    fields: CslItem
    """The tagged fields as CSL-JSON (empty fields left out)."""
    structured: bool
    """True when `fields` are the whole entry (element-citation, nlm-citation)."""
    et_al: bool
    """The author list ends in `<etal/>`."""


def element_text(element: ET.Element) -> str:
    """The text of an element and its descendants as printed, whitespace collapsed: the parts
    of a `<name>` (`<surname>Smith</surname><given-names>J</given-names>`) apart, as
    publishers display them."""
    return " ".join("".join(_printed(element)).split())


def _printed(element: ET.Element) -> Iterator[str]:
    """The text of an element and its descendants (not its own tail)."""
    children = list(element)
    if element.tag in ("name", "string-name") and children and not (element.text or "").strip() \
            and not any((child.tail or "").strip() for child in children):
        yield " ".join(part for part in ("".join(child.itertext()).strip() for child in children) if part)
        return
    yield element.text or ""
    for child in children:
        yield from _printed(child)
        yield child.tail or ""


def _citations(ref: ET.Element) -> list[ET.Element]:
    """The citation elements of a `<ref>`; of a `<citation-alternatives>` (the same work tagged
    twice, as PubMed Central does), the structured one first."""
    found: list[ET.Element] = []
    for child in ref:
        if child.tag in CITATION_TAGS:
            found.append(child)
        elif child.tag == "citation-alternatives":
            alternatives = [c for c in child if c.tag in CITATION_TAGS]
            alternatives.sort(key=lambda c: c.tag not in STRUCTURED_TAGS)
            found.extend(alternatives[:1])
    return found


def jats_entry(ref: ET.Element) -> JatsEntry:
    """Read one `<ref>` (its first citation element; a `<ref>` without one is read as text)."""
    citations = _citations(ref)
    if not citations:
        text = element_text(_without(ref, {"label"}))
        return JatsEntry(text=text, fields={}, structured=False, et_al=False)
    citation = citations[0]
    fields, et_al = _fields(citation)
    # A `<ref>` holding several citations (a work and its erratum, say) keeps them all in its
    # text; the fields are the first one's.
    if citation.tag in STRUCTURED_TAGS and _has_fields(citation):
        text = "; ".join(render(*_fields(c)) for c in citations)
        return JatsEntry(text=text, fields=fields, structured=True, et_al=et_al)
    text = " ".join(element_text(c) for c in citations)
    return JatsEntry(text=text, fields=fields, structured=False, et_al=et_al)


def _has_fields(citation: ET.Element) -> bool:
    """An element-citation whose content is all loose text (it happens) is read as a string."""
    return any(child.tag != "comment" for child in citation)


def _without(element: ET.Element, tags: set[str]) -> ET.Element:
    copy = ET.Element(element.tag, element.attrib)
    copy.text = element.text
    for child in element:
        if child.tag not in tags:
            copy.append(child)
    return copy


def _fields(citation: ET.Element) -> tuple[CslItem, bool]:
    csl: CslItem = {}
    et_al = False
    names: dict[str, list[dict[str, str]]] = {}
    for child in citation:
        if child.tag == "person-group":
            role = _ROLES.get(child.get("person-group-type", "author"), "")
            people, truncated = _people(child)
            if role:
                names.setdefault(role, []).extend(people)
                et_al = et_al or (truncated and role == "author")
        elif child.tag in ("name", "string-name", "collab"):
            names.setdefault("author", []).extend(_people_of([child]))
        elif child.tag == "etal":
            et_al = True
    for role, people in names.items():
        if people:
            csl[role] = people
    kind = _TYPES.get((citation.get("publication-type") or citation.get("citation-type") or "").lower(), "")
    titles = {tag: _first_text(citation, tag) for tag in ("article-title", "chapter-title", "part-title", "data-title")}
    source = _first_text(citation, "source")
    title = titles["article-title"] or titles["chapter-title"] or titles["part-title"] or titles["data-title"]
    if title:
        csl["title"] = title
        if source:
            csl["container-title"] = source
        if kind == "book":
            kind = "chapter"
    elif source:
        if kind in ("article-journal", "paper-conference", ""):
            csl["container-title"] = source  # a journal reference without its article's title
        else:
            csl["title"] = source
    if kind:
        csl["type"] = kind
    issued = _issued(citation)
    if issued:
        csl["issued"] = issued
    for tag, field in (("volume", "volume"), ("issue", "issue"), ("edition", "edition"),
                       ("publisher-name", "publisher"), ("publisher-loc", "publisher-place"),
                       ("conf-name", "event-title"), ("isbn", "ISBN"), ("issn", "ISSN")):
        value = _first_text(citation, tag)
        if value:
            csl[field] = value
    if "publisher" not in csl and kind in ("thesis", "report"):
        institution = _first_text(citation, "institution")
        if institution:
            csl["publisher"] = institution
    page = _pages(citation)
    if page:
        csl["page"] = page
    csl.update(_identifiers(citation))
    return csl, et_al


def _people(group: ET.Element) -> tuple[list[dict[str, str]], bool]:
    return _people_of(list(group)), any(child.tag == "etal" for child in group)


def _people_of(elements: list[ET.Element]) -> list[dict[str, str]]:
    people: list[dict[str, str]] = []
    for element in elements:
        if element.tag == "name":
            person = {"family": _first_text(element, "surname"), "given": _first_text(element, "given-names")}
            suffix = _first_text(element, "suffix")
            if suffix:
                person["suffix"] = suffix
            person = {k: v for k, v in person.items() if v}
            if person.get("family"):
                people.append(person)
            elif person.get("given"):
                people.append({"family": person["given"]})  # a mononym tagged as given names
        elif element.tag == "string-name":
            family = _first_text(element, "surname")
            if family:
                given = _first_text(element, "given-names")
                people.append({"family": family, "given": given} if given else {"family": family})
            else:
                split, _ = split_names(element_text(element))
                people.extend(split)
        elif element.tag == "collab":
            literal = element_text(element).strip(" .,;")
            if literal:
                people.append({"literal": literal})
    return people


def _first_text(element: ET.Element, tag: str) -> str:
    """The text of the first child `tag`, without the punctuation a printed list puts after it
    (a title's or a number's final full stop; an abbreviation's stays: `Inc.`, `N.J.`)."""
    found = element.find(tag)
    if found is None:
        return ""
    text = element_text(found).strip(" ,;:")
    if tag in _NUMBERS:
        return text.strip(".")
    if tag.endswith("title") or tag == "source":
        return text[:-1] if text.endswith(".") and not text.endswith("..") else text
    return text


_NUMBERS = frozenset({"volume", "issue", "fpage", "lpage", "elocation-id", "year", "month", "day"})
_PAGE = re.compile(r"^[A-Za-z]{0,3}\d+[A-Za-z\d]*$|^[A-Za-z]{1,3}$|^[ivxlcdm]+$", re.IGNORECASE)


def _issued(citation: ET.Element) -> dict[str, list[list[int]]] | None:
    year_element = citation.find("year")
    if year_element is None:
        date = citation.find("date")
        year_element = date.find("year") if date is not None else None
    year = _YEAR.search(element_text(year_element)) if year_element is not None else None
    if year is None:
        return None
    parts = [int(year.group(1))]
    month = _month(_first_text(citation, "month"))
    if month:
        parts.append(month)
        day = _first_text(citation, "day")
        if _DIGITS.match(day) and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


def _month(text: str) -> int:
    if _DIGITS.match(text) and 1 <= int(text) <= 12:
        return int(text)
    return _MONTHS.get(text[:3].lower(), 0)


def _pages(citation: ET.Element) -> str:
    first, last = _page(_first_text(citation, "fpage")), _page(_first_text(citation, "lpage"))
    if first:
        return f"{first}-{last}" if last and last != first else first
    page_range = _first_text(citation, "page-range")
    if page_range:
        return page_range.replace("–", "-")
    return _first_text(citation, "elocation-id")


def _page(text: str) -> str:
    """A page as tagged, without what a careless tagger left after it (`2097. doi:10.1371/…`)."""
    head = text.split()[0].rstrip(".,;") if text.split() else ""
    return text if _PAGE.match(text) or not _PAGE.match(head) else head


def _identifiers(citation: ET.Element) -> CslItem:
    found: CslItem = {}
    for element in citation.iter():
        kind = (element.get("pub-id-type") or "").lower()
        if element.tag in ("pub-id", "object-id") and kind:
            value = "".join(element_text(element).split())  # a DOI has no whitespace
            if kind == "doi" and "DOI" not in found and is_valid_doi(normalize_doi(value)):
                found["DOI"] = normalize_doi(value)
            elif kind == "pmid" and value.isdigit():
                found.setdefault("PMID", value)
            elif kind == "pmcid" and value:
                found.setdefault("PMCID", value)
    if "DOI" not in found:
        # A DOI given as a link, in a comment (`<comment>doi:<ext-link …>10.1038/467S5a</ext-link>
        # </comment>`) or left in another field by the tagger (`<lpage>2097. doi:10.1371/…`).
        links = [element.get("xlink:href", "") for element in citation.iter() if element.tag in ("ext-link", "uri")]
        dois = [d for text in (*links, element_text(citation)) for d in find_dois(text) if is_valid_doi(d)]
        if dois:
            found["DOI"] = dois[0]
    if "PMID" not in found:
        pmid = _PMID.search(element_text(citation))
        if pmid:
            found["PMID"] = pmid.group(1)
    uri = citation.find("uri")
    if uri is not None and "URL" not in found:
        link = uri.get("xlink:href") or element_text(uri)
        if link.startswith(("http://", "https://")) and "doi.org/" not in link:
            found["URL"] = link
    return found


def render(csl: CslItem, et_al: bool) -> str:
    """A reference string for structured fields: `Authors (Year) Title. Source Volume(Issue):
    Pages. Place: Publisher. doi:DOI` — the order most styles share, what the matcher reads."""
    parts: list[str] = []
    people = csl.get("author") or csl.get("editor") or []
    names = [p.get("literal") or " ".join(x for x in (p.get("family", ""), p.get("given", "")) if x) for p in people]
    head = ", ".join(n for n in names if n)
    if et_al:
        head = f"{head}, et al." if head else "et al."
    year = csl.get("issued", {}).get("date-parts", [[None]])[0][0] if isinstance(csl.get("issued"), dict) else None
    if year:
        head = f"{head} ({year})" if head else f"({year})"
    if head:
        parts.append(head)
    if csl.get("title"):
        parts.append(_sentence(str(csl["title"])))
    located = str(csl.get("container-title", ""))
    if csl.get("volume"):
        located = f"{located} {csl['volume']}".strip()
        if csl.get("issue"):
            located += f"({csl['issue']})"
    if csl.get("page"):
        located = f"{located}: {csl['page']}" if csl.get("volume") else f"{located}, {csl['page']}".strip(" ,")
    if located:
        parts.append(_sentence(located))
    imprint = ": ".join(str(csl[k]) for k in ("publisher-place", "publisher") if csl.get(k))
    if imprint:
        parts.append(_sentence(imprint))
    if csl.get("DOI"):
        parts.append(f"doi:{csl['DOI']}")
    return " ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."
