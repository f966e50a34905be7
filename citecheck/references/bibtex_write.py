"""CSL items to BibTeX, written through bibtexparser's writer with stable formatting.

- **`and others`**: CSL has no field for a truncated author list; writers take the keys whose
  list is truncated (`et_al`) or a trailing `{"literal": "others"}` name.
- **Titles keep their capitals** where a style would otherwise lower-case them: words with a
  capital after their first letter (`RIBBON-1`, `HER2`, `III`) and single capitals
  (`vitamin D`) are wrapped in braces; ordinary title-case words are left to the style.
"""

from __future__ import annotations

import re
from typing import Collection, Sequence

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from citecheck.model import CslItem
from citecheck.references.latex_text import balanced_braces, encode_field_value, latex_escape


_BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "review": "article", "book": "book", "chapter": "incollection",
    "entry-encyclopedia": "incollection", "entry-dictionary": "incollection",
    "paper-conference": "inproceedings", "report": "techreport", "thesis": "phdthesis",
}
_CONTAINER_FIELD = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}
_PUBLISHER_FIELD = {"techreport": "institution", "phdthesis": "school"}
_WORD_TOKEN = re.compile(r"\S+")


def _protect_title(escaped: str) -> str:
    """Brace the words whose capitals a style must not lower-case (after the first word)."""

    def protect(match: re.Match[str]) -> str:
        word = match.group(0)
        core = word.strip(".,;:!?()[]\"'")
        if not core or "{" in core or "\\" in core:
            return word
        # `Double-Blind` is title case, `RIBBON-1` and `HER2` are not: look inside each segment.
        inner_capital = any(ch.isupper() for seg in re.split(r"[-‐‑–—/]", core) for ch in seg[1:])
        single_capital = match.start() > 0 and len(core) == 1 and core.isupper() and core != "A"
        if not (inner_capital or single_capital):
            return word
        start = word.index(core)
        return f"{word[:start]}{{{core}}}{word[start + len(core):]}"

    return _WORD_TOKEN.sub(protect, escaped)


def _bibtex_name(name: dict[str, object]) -> str:
    if name.get("literal"):
        # Double braces keep an organisation from being split into first and last names.
        return "{" + latex_escape(str(name["literal"])) + "}"
    family = " ".join(
        str(name[part]) for part in ("non-dropping-particle", "family") if name.get(part)
    )
    given = " ".join(str(name[part]) for part in ("given", "dropping-particle") if name.get(part))
    parts = [family] + ([str(name["suffix"])] if name.get("suffix") else []) + ([given] if given else [])
    return latex_escape(", ".join(p for p in parts if p))


def _bibtex_names(names: object, et_al: bool) -> str:
    people = [n for n in names if isinstance(n, dict)] if isinstance(names, list) else []
    if people and str(people[-1].get("literal", "")).strip().lower() in {"others", "et al.", "et al"}:
        people, et_al = people[:-1], True
    written = [_bibtex_name(n) for n in people]
    return " and ".join([w for w in written if w] + (["others"] if et_al and written else []))


def _year(csl: CslItem) -> str:
    issued = csl.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return str(parts[0][0])
        return str(issued.get("literal") or issued.get("raw") or "")
    return ""


def csl_to_bibtex_fields(csl: CslItem, et_al: bool = False) -> tuple[str, dict[str, str]]:
    """A CSL item as a BibTeX entry type and fields (LaTeX-encoded, without enclosing braces).

    `et_al` appends `and others` to the authors (CSL has no flag for a truncated list).
    """
    entry_type = _BIBTEX_TYPES.get(str(csl.get("type") or ""), "misc")
    fields: dict[str, str] = {}

    def put(name: str, value: object) -> None:
        text = " ".join(str(value).split()) if value not in (None, "") else ""
        if text:
            fields[name] = encode_field_value(name, text)

    authors = _bibtex_names(csl.get("author"), et_al)
    if authors:
        fields["author"] = authors
    editors = _bibtex_names(csl.get("editor"), False)
    if editors:
        fields["editor"] = editors
    if csl.get("title"):
        fields["title"] = _protect_title(encode_field_value("title", " ".join(str(csl["title"]).split())))
    container = _CONTAINER_FIELD.get(entry_type)
    if container:
        put(container, csl.get("container-title"))
    put("year", _year(csl))
    put("volume", csl.get("volume"))
    put("number", csl.get("issue") or (csl.get("number") if entry_type == "techreport" else None))
    put("pages", csl.get("page"))
    put(_PUBLISHER_FIELD.get(entry_type, "publisher"), csl.get("publisher"))
    put("address", csl.get("publisher-place"))
    put("edition", csl.get("edition"))
    for csl_name, bib_name in (("DOI", "doi"), ("URL", "url"), ("ISBN", "isbn"), ("ISSN", "issn"), ("PMID", "pmid")):
        value = csl.get(csl_name)
        put(bib_name, value[0] if isinstance(value, list) and value else value)
    return entry_type, fields


def write_bibtex(
    items: Sequence[tuple[str, CslItem]],
    extra_fields: dict[str, dict[str, str]] | None = None,
    et_al: Collection[str] = (),
) -> str:
    """BibTeX for `(key, csl)` pairs, in the order given, through bibtexparser's writer.

    `extra_fields[key]` adds fields written as given (already BibTeX, e.g. `citecheck-protect`);
    `et_al` names the keys whose author list is truncated. Raises ValueError on a repeated key:
    keys come from `make_key`, so a repeat is a programming error, not a user's.
    """
    library = Library()
    seen: set[str] = set()
    for key, csl in items:
        if key in seen:
            raise ValueError(f"duplicate BibTeX key {key!r}")
        seen.add(key)
        entry_type, fields = csl_to_bibtex_fields(csl, et_al=key in et_al)
        for name, value in (extra_fields or {}).get(key, {}).items():
            fields[name] = value if balanced_braces(value) else latex_escape(value)
        library.add(Entry(entry_type, key, [Field(k, "{" + v + "}") for k, v in fields.items()]))
    layout = BibtexFormat()
    layout.indent = "  "
    layout.block_separator = "\n"
    layout.trailing_comma = True
    text = bibtexparser.write_string(library, unparse_stack=[], bibtex_format=layout)
    return text if text.endswith("\n") else text + "\n"
