"""From labelled segments of a reference string to a CSL-JSON item.

The CRF says which words are the title, the journal, the volume; the rules here turn those
words into clean CSL values (year and suffix, volume and issue, page range, names) and pick up
identifiers (DOI, URL, ISBN, PMID) by pattern, which is more reliable than any label.
"""

from __future__ import annotations

import re
from typing import Any

from citecheck.references.doi import find_dois
from citecheck.references.names import split_names

_YEAR = re.compile(r"(?<![\d/])(1[5-9]\d\d|20\d\d)([a-z])?(?![\d])")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_QUOTES = "\"'“”‘’«»„`"
_LEAD_IN = re.compile(r"^\s*(?:in\s*:|in\s+(?=\S))", re.IGNORECASE)
_PAGES = re.compile(r"([A-Za-z]{0,2}\d+[A-Za-z]?)(?:\s*(?:-|–|—|‒|−|to)+\s*([A-Za-z]{0,2}\d+[A-Za-z]?))?")
_NUM = re.compile(r"[A-Za-z]?\d+[A-Za-z]?(?:[-–/]\d+)?")
_ISSUE_MARK = re.compile(
    r"\b(?:no|nr|n°|issue|iss|num|number|heft)\b\.?\s*([A-Za-z]?\d+[A-Za-z]?(?:[-–/]\d+)?)", re.IGNORECASE)
_VOLUME_MARK = re.compile(r"\b(?:vol|volume|bd|t|tome)\b\.?\s*([A-Za-z]?\d+[A-Za-z]?)", re.IGNORECASE)
_PAREN_ISSUE = re.compile(r"^\s*\(?\s*([A-Za-z]?\d+[A-Za-z]?)\s*\(([^)]{1,15})\)")
_NLM = re.compile(
    r"(?<![\d])(1[5-9]\d\d|20\d\d)(?:\s+[A-Z][a-z]{2}(?:\s+\d{1,2})?)?\s*;\s*([A-Za-z]?\d+[A-Za-z]?)"
    r"(?:\s*\(([^()]{1,12})\))?\s*:\s*([A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-–—]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_ISBN = re.compile(r"\bISBN(?:-1[03])?:?\s*((?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx])\b")
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
_EDITION = re.compile(r"(\d+)(?:st|nd|rd|th|e|\.)?|\b(first|second|third|fourth|fifth|sixth|revised)\b",
                      re.IGNORECASE)
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6"}
_THESIS = re.compile(r"\b(?:thesis|dissertation|diss\.|phd|ph\.d|master'?s|doctoral)\b", re.IGNORECASE)
_REPORT = re.compile(r"\b(?:report|technical\s+rep|tech\.?\s+rep|working\s+paper|white\s+paper|"
                     r"discussion\s+paper)\b", re.IGNORECASE)
_CONFERENCE = re.compile(r"\b(?:proceedings|proc\.|conference|conf\.|symposium|workshop|congress|"
                         r"meeting)\b", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Trim quotes, brackets and trailing punctuation; close up space before punctuation."""
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    for _ in range(3):
        before = text
        text = text.strip(" ,;:/" + _QUOTES)
        if text.endswith(".") and not re.search(r"\b[A-Z]\.$|\bal\.$|\b(?:[A-Z][a-z]{0,3}\.){2,}$", text):
            text = text[:-1]
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        elif text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        if text.endswith(")") and text.count("(") < text.count(")"):
            text = text[:-1]
        if text.startswith("(") and text.count("(") > text.count(")"):
            text = text[1:]
        if text == before:
            break
    return text.strip()


_QUOTED = re.compile(r"^\s*(?:``|[\"“‘«„])(.+?)(?:''|[\"”’»])(?=[\s.,;:)]|$)")


# An abbreviated journal name: up to five short capitalised words, at least one abbreviated
# (`Phys. Rev. D`, `Nano Lett.`), all capitals (`JHEP`) or camel-cased (`ApJ`).
_ABBREVIATED_JOURNAL = re.compile(
    r"^(?=.*(?:\.(?!$)|\b[A-Z]{2,}\b|\b[A-Z][a-z]+[A-Z]|^[A-Z][a-z]+ [A-Z][a-z]{1,4}\.$))"
    r"(?:(?:[A-Z][A-Za-z]{0,7}\.?|[A-Z]{2,}[a-z]?|of|and|&)(?:\s+|$)){1,5}$")


def _quoted_part(text: str) -> str:
    """A quoted title ends at its closing quote, whatever the labels ran on to (`“Title,” Journal`)."""
    m = _QUOTED.match(text)
    return m.group(1) if m else text


def _container(text: str) -> str:
    """A journal or book title without `In:` and trailing volume text."""
    text = _LEAD_IN.sub("", text)
    cleaned = clean_text(text)
    # In a dotted abbreviation (`Phys. Rev. Lett.`) the final period belongs to the name; in NLM
    # style (`N Engl J Med.`) it is punctuation.
    if (text.rstrip().endswith(".") and "." in cleaned and not cleaned.endswith(".")
            and re.search(r"(?:^|\s)[A-Z][a-z]{0,5}$", cleaned)):
        cleaned += "."
    return cleaned


def _volume_issue(text: str) -> tuple[str, str]:
    """Volume and issue from a volume segment: `31(7)`, `Vol. 9,`, `No. 134, Part 3`, `vol. 3, no. 2`."""
    volume = issue = ""
    m = _PAREN_ISSUE.match(text)
    if m:
        return m.group(1), m.group(2).strip()
    vm = _VOLUME_MARK.search(text)
    im = _ISSUE_MARK.search(text)
    if vm:
        volume = vm.group(1)
    if im:
        issue = im.group(1)
    if not vm and not im:
        nm = _NUM.search(text)
        if nm:
            volume = nm.group(0)
    return volume, issue


def _pages(text: str) -> str:
    """A page range with a hyphen (`1252–1260` → `1252-1260`), or the first page."""
    text = re.sub(r"^\s*(?:pp?|pages?|s|pg)\.?\s*", "", text.strip(" ([:,;"), flags=re.IGNORECASE)
    m = _PAGES.search(text)
    if not m:
        return ""
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)


def _edition(text: str) -> str:
    """`2nd ed.` → `2`; words kept when there is no number (`Rev. ed.` → `Rev`)."""
    m = _EDITION.search(text)
    if m and m.group(1):
        return m.group(1)
    if m and m.group(2) and m.group(2).lower() in _ORDINALS:
        return _ORDINALS[m.group(2).lower()]
    return clean_text(re.sub(r"\b(?:ed|edn|edition)\b\.?", "", text, flags=re.IGNORECASE))


_ABBREV_TOKEN = re.compile(r"^[A-Z][a-z]{0,5}\.?$")


def repair_labels(tokens: list[str], labels: list[str]) -> list[str]:
    """Fix the boundary before an abbreviated journal (physics style), which the CRF blurs.

    `Y. M. Cho, J. Math. Phys. 16` — `J. Math.` after the comma is the journal, not initials;
    `E. H. Lieb, Phys. Rev. Lett.` — `Lieb,` before an abbreviated journal is the author.
    """
    labels = list(labels)
    for j in range(1, len(tokens)):
        if labels[j] != "journal" or labels[j - 1] not in ("author", "title"):
            continue
        before = labels[j - 1]
        k = j - 1
        while k >= 0 and labels[k] == before and _ABBREV_TOKEN.match(tokens[k]):
            k -= 1
        tail = range(k + 1, j)
        # After an author, `J.` alone is an initial; it takes a longer abbreviation (`Math.`) to
        # show that the journal has begun.
        if (len(tail) and k >= 0 and tokens[k].endswith(",")
                and (before == "title" or any(len(tokens[t].rstrip(".")) > 1 for t in tail))):
            for t in tail:
                labels[t] = "journal"
        elif (tokens[j].endswith(",") and tokens[j][:1].isupper() and "." not in tokens[j]
              and j + 1 < len(tokens) and labels[j + 1] == "journal"):
            labels[j] = "author"
        break
    return labels


def group_segments(tokens: list[str], labels: list[str]) -> list[tuple[str, str]]:
    """Consecutive tokens with one label joined into (label, text) segments."""
    segments: list[tuple[str, str]] = []
    for token, label in zip(tokens, labels):
        if segments and segments[-1][0] == label:
            segments[-1] = (label, segments[-1][1] + " " + token)
        else:
            segments.append((label, token))
    return segments


def _first(segments: list[tuple[str, str]], *labels: str) -> str:
    """The text of the first segment with one of the labels."""
    return next((text for label, text in segments if label in labels), "")


def build_csl(segments: list[tuple[str, str]], text: str,
              patterns: bool = True) -> tuple[dict[str, Any], bool]:
    """A CSL-JSON item (non-empty fields only) and the et-al flag, from labelled segments.

    With `patterns` (the parser's own use), unambiguous patterns in the whole string override the
    labels: identifiers, and NLM's `2007;357(26):2666-76`. Benchmarks build the gold item from
    hand labels with `patterns=False`, so that the patterns are measured, not assumed.
    """
    csl: dict[str, Any] = {}
    et_al = False
    author_text = _first(segments, "author")
    if author_text:
        names, et_al = split_names(author_text)
        if names:
            csl["author"] = names
    editor_text = _first(segments, "editor")
    if editor_text:
        editors, _ = split_names(editor_text)
        if editors:
            csl["editor"] = editors
    for label, value in segments:
        if label == "date":
            m = _YEAR.search(value)
            if m:
                csl["issued"] = {"date-parts": [[int(m.group(1))]]}
                if m.group(2):
                    csl["year-suffix"] = m.group(2)
                break
    title = clean_text(_quoted_part(_first(segments, "title")))
    if title:
        csl["title"] = title
    journal = _container(_first(segments, "journal"))
    container = journal or _container(_first(segments, "container-title"))
    if container:
        csl["container-title"] = container
    elif (title and _first(segments, "volume")
          and _ABBREVIATED_JOURNAL.match(_first(segments, "title").strip(" ,;:"))):
        # Physics style has no article title: "A. Author, Nano Lett. 10, 1012 (2010)". What the
        # labels call a title there is an abbreviated journal name.
        csl["container-title"] = csl.pop("title")
        journal = csl["container-title"]
    volume, issue = _volume_issue(_first(segments, "volume"))
    issue = issue or (_volume_issue(_first(segments, "issue"))[0] if _first(segments, "issue") else "")
    if volume:
        csl["volume"] = volume
    if issue:
        csl["issue"] = issue
    page = _pages(_first(segments, "pages"))
    if page:
        csl["page"] = page
    for label, key in (("publisher", "publisher"), ("location", "publisher-place")):
        value = clean_text(_first(segments, label))
        if value:
            csl[key] = value
    edition = _first(segments, "edition")
    if edition and _edition(edition):
        csl["edition"] = _edition(edition)
    _drop_letterless(csl)
    if patterns:
        _nlm_source(text, csl)
        _identifiers(text, csl)
    else:
        _labelled_identifiers(segments, csl)
    csl["type"] = _type(segments, csl, bool(journal))
    return csl, et_al


_LETTERS = re.compile(r"[^\W\d_]{2}")


def _drop_letterless(csl: dict[str, Any]) -> None:
    """Drop names and titles without two letters in a row: `———` (same author again), `%%`, `1.`."""
    for key in ("author", "editor"):
        if key in csl:
            names = [n for n in csl[key] if _LETTERS.search(n.get("family") or n.get("literal") or "")]
            if names:
                csl[key] = names
            else:
                del csl[key]
    for key in ("title", "container-title", "publisher", "publisher-place"):
        if key in csl and not _LETTERS.search(csl[key]):
            del csl[key]


def _nlm_source(text: str, csl: dict[str, Any]) -> None:
    """NLM/Vancouver `Year[ Mon];Volume(Issue):Pages` says plainly which number is which."""
    m = _NLM.search(text)
    if not m:
        return
    csl["issued"] = {"date-parts": [[int(m.group(1))]]}
    csl["volume"] = m.group(2)
    if m.group(3):
        csl["issue"] = m.group(3).strip()
    else:
        csl.pop("issue", None)
    csl["page"] = re.sub(r"\s*[-–—]\s*", "-", m.group(4))


def _labelled_identifiers(segments: list[tuple[str, str]], csl: dict[str, Any]) -> None:
    """DOI and URL from hand-labelled segments only (gold items for benchmarks).

    A DOI written as a resolver URL (`https://doi.org/10...`), which AnyStyle labels `url`, is a DOI.
    """
    dois = find_dois(" ".join(t for label, t in segments if label in ("doi", "url")))
    if dois:
        csl["DOI"] = dois[0]
    url = _first(segments, "url")
    if url:
        csl["URL"] = url.rstrip(".,;)]>")


def _identifiers(text: str, csl: dict[str, Any]) -> None:
    """DOI, URL, ISBN and PMID by pattern over the whole string."""
    dois = find_dois(text)
    if dois:
        csl["DOI"] = dois[0]
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;)]>")
        if "doi.org/" not in url.lower() or "DOI" not in csl:
            csl["URL"] = url
            break
    m = _ISBN.search(text)
    if m:
        csl["ISBN"] = re.sub(r"[\s-]", "", m.group(1)).upper()
    m = _PMID.search(text)
    if m:
        csl["PMID"] = m.group(1)


def _type(segments: list[tuple[str, str]], csl: dict[str, Any], has_journal: bool) -> str:
    """The CSL type, from which fields were found and a few telling words."""
    genre = " ".join(t for label, t in segments if label in ("genre", "note", "title", "publisher"))
    container = csl.get("container-title", "")
    if _THESIS.search(_first(segments, "genre", "note") or "") or (
            not container and _THESIS.search(genre)):
        return "thesis"
    if _REPORT.search(_first(segments, "genre") or "") or (
            not container and _REPORT.search(genre)):
        return "report"
    if container and _CONFERENCE.search(container):
        return "paper-conference"
    if has_journal:
        return "article-journal"
    in_book = _LEAD_IN.match(_first(segments, "container-title")) or re.search(r"\bIn\b", _first(segments, "editor"))
    if container and ("editor" in csl or "publisher" in csl or in_book):
        return "chapter"
    if container:
        return "article-journal" if ("volume" in csl or "page" in csl) else "chapter"
    if "publisher" in csl or "publisher-place" in csl or "edition" in csl or "ISBN" in csl:
        return "book"
    if "URL" in csl:
        return "webpage"
    return "book" if "title" in csl and "author" in csl else "document"
