"""Manuscripts the HTML report's and the web app's tests audit, built from the example review.

`hidden_variant()`: the review with entry 2 (RIBBON-1) written the way hidden variants go wrong,
a copy-paste slip from a neighbouring entry: its DOI is its own, but its year and pages are
those of entry 3 (E2100). Every value comes from the records shipped in
`citecheck/data/trial-papers.jsonl` (RIBBON-1's DOI; E2100's year and pages, MEDLINE PMID
18160686), read here, so no bibliographic value is written by hand; what the test expects (the
registry's year and pages for RIBBON-1) is read from the same file.

`hostile()`: a manuscript whose text, title and reference carry markup that must stay text:
`<script>`, `javascript:` links (Markdown and HTML), HTML entities, and `"><img onerror=…>` in
the title line and in a reference's title. Each vector sets its own `window.__xss_*` flag if it
ever runs.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from tests.conftest import EXAMPLE

RIBBON_DOI = "10.1200/jco.2010.28.0982"
"""RIBBON-1's DOI as the shipped record holds it (the key to find that record)."""
E2100_DOI = "10.1056/nejmoa072113"
"""E2100's DOI as the shipped record holds it."""


def shipped_record(doi: str) -> dict[str, Any]:
    """The record with this DOI from `citecheck/data/trial-papers.jsonl`."""
    text = resources.files("citecheck").joinpath("data", "trial-papers.jsonl").read_text(encoding="utf-8")
    for line in text.splitlines():
        record = json.loads(line)
        if record["DOI"] == doi:
            return record
    raise KeyError(doi)


def record_year(record: dict[str, Any]) -> int:
    """The year of a record's `issued` date."""
    return int(record["issued"]["date-parts"][0][0])


def hidden_variant() -> str:
    """The review, entry 2 with its own DOI but the year and pages of entry 3's record."""
    review = EXAMPLE.read_text(encoding="utf-8")
    ribbon, e2100 = shipped_record(RIBBON_DOI), shipped_record(E2100_DOI)
    lines = review.split("\n")
    (index,) = [i for i, line in enumerate(lines) if line.startswith("2 Robert")]
    entry = lines[index]
    written_year = f"({record_year(ribbon)})."
    written_pages = f"Journal of Clinical Oncology, {ribbon['page']}."
    assert written_year in entry and written_pages in entry  # the review writes RIBBON-1's own values
    entry = entry.replace(written_year, f"({record_year(e2100)}).")
    entry = entry.replace(written_pages, f"Journal of Clinical Oncology, {e2100['page']}. doi:{ribbon['DOI']}")
    lines[index] = entry
    return "\n".join(lines)


XSS_VECTORS: dict[str, tuple[str, str]] = {
    "script-tag": ("<script>window.__xss_script=1</script>", "__xss_script"),
    "javascript-link": ("[the trial](javascript:window.__xss_js=1) and <a href=\"javascript:window.__xss_a=1\">this</a>",
                        "__xss_a"),
    "html-entities": ("&lt;script&gt;window.__xss_entity=1&lt;/script&gt; &amp; &#60;b&#62;bold&#60;/b&#62;",
                      "__xss_entity"),
    "title-img-onerror": ("\"><img src=x onerror=\"window.__xss_img=1\">", "__xss_img"),
}
"""Vector name → (the text as written in the manuscript, the flag it would set if it ran)."""


def hostile() -> str:
    """A manuscript carrying every vector: in the title line, the running text and a reference."""
    title = XSS_VECTORS["title-img-onerror"][0]
    return (
        f"Hostile manuscript {title}\n\n"
        f"A claim is made here {XSS_VECTORS['script-tag'][0]} and it is cited [1].\n\n"
        f"See {XSS_VECTORS['javascript-link'][0]} for details [2].\n\n"
        f"Entities stay as written: {XSS_VECTORS['html-entities'][0]} [1].\n\n"
        "References\n\n"
        f"1. Roe B. A synthetic title {title}. J Test. 2020;1:1-2.\n\n"
        f"2. Poe C. Another synthetic title {XSS_VECTORS['script-tag'][0]}. J Test. 2021;2:3-4.\n"
    )
