"""The HTML report: one self-contained page to read an audit in a browser or attach to a review.

Per document, the **citation map**: the document's text (left; for a PDF as citecheck read it,
with page and line) beside its reference list (right). Every citation is highlighted and linked
to its entries; each entry links back to every place it is cited; entries cited nowhere and
citations without an entry are marked where they stand, and the sentence an uncited entry may
support carries its name. Each verified entry shows what the author wrote beside the registry's
record, field by field, with the differences marked, the record's source and provenance said
once, and retraction and correction notices first. The findings table follows.

Everything is inline (CSS, a small script, SVG; nothing is loaded from elsewhere), so the page
opens offline and can be mailed as one file. Its Content-Security-Policy allows only
citecheck's own style and script, by hash (`html_assets`): document text is escaped, and even
markup that slipped through could not run. The script only lights and scrolls; without it the
links still work. The output carries no timestamp, so the same report gives the same page.

The panes are in `html_map` (text) and `html_entries` (cards, with `html_fields` for the
field comparison).
"""

from __future__ import annotations

import re

from citecheck.version import __version__
from citecheck.findings import Finding
from citecheck.report.html_assets import content_security_policy, esc, script, stylesheet
from citecheck.report.html_entries import (
    GRAVE,
    STATUS_CLASS,
    doi_link,
    entry_card,
    missing_card,
    pubmed_link,
    status_badge,
)
from citecheck.report.html_map import DocumentMap, build_map, text_pane
from citecheck.report.markdown import (
    ReferenceStatus,
    document_of,
    finding_path,
    findings_about,
    headline,
    reference_status,
)
from citecheck.results import DocumentResult, Report

CONTEXT_LIMIT = 320
"""Characters of context at most on each side of a citation (sentences can be very long)."""

_STATUS_MEANING: dict[ReferenceStatus, str] = {
    ReferenceStatus.VERIFIED: "matched to a registry record that agrees with the reference",
    ReferenceStatus.CORRECTED: "matched, but the registry corrects the DOI or other details",
    ReferenceStatus.NOT_FOUND: "every source answered and none holds the work",
    ReferenceStatus.NOT_COVERED: "a book, report or web page without a DOI: outside Crossref's coverage",
    ReferenceStatus.RETRACTED: "the work has been retracted or withdrawn",
    ReferenceStatus.UNVERIFIED: "a source failed or several records fit: nothing is certain",
    ReferenceStatus.NOT_CHECKED: "resolution was not attempted",
}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 or noun == "info" else "s")


# A sentence ends at . ! or ? (possibly followed by closing quotes or brackets, and by a
# superscript citation: `metastases.¹`) before whitespace, or at a blank line. Good enough to frame a citation; not a linguistic parser.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*[⁰¹²³⁴⁵⁶⁷⁸⁹⁻,]*(?=\s)|\n[ \t]*\n")


def sentence_bounds(text: str, start: int, end: int, limit: int = CONTEXT_LIMIT) -> tuple[int, int]:
    """Offsets (lo, hi) of the sentence around `text[start:end]`, at most `limit` characters on
    each side. With a PDF's `TextLayout`, `layout.boxes(lo, hi)` are the rectangles to highlight
    it on the page. Returns (start, end) when the offsets do not lie in the text."""
    if not (0 <= start < end <= len(text)):
        return start, end
    lo = max(0, start - limit)
    for match in _BOUNDARY.finditer(text, lo, start):
        lo = match.end()
    if start > 0 and text[start - 1] in ".!?" and (end == len(text) or text[end].isspace()):
        return lo, end  # a mark set after the full stop (`metastases.¹`) closes its sentence
    ceiling = min(len(text), end + limit)
    hi = ceiling
    following = _BOUNDARY.search(text, end, ceiling)
    if following is not None:
        # Keep the full stop with the sentence, not a paragraph break.
        hi = following.end() if not following.group().startswith("\n") else following.start()
    return lo, hi


def sentence_around(text: str, start: int, end: int, limit: int = CONTEXT_LIMIT) -> tuple[str, str, str]:
    """The sentence around `text[start:end]` as (before, marker, after), whitespace collapsed.

    Returns empty parts when the offsets do not lie in the text (a reader that gave no offsets).
    """
    if not (0 <= start < end <= len(text)):
        return "", "", ""
    lo, hi = sentence_bounds(text, start, end, limit)
    floor = max(0, start - limit)
    before = " ".join(text[lo:start].split())
    after = " ".join(text[end:hi].split())
    if lo == floor and floor > 0 and not _BOUNDARY.search(text, floor, start):  # no sentence start within the limit
        before = "…" + before
    if hi == min(len(text), end + limit) and hi < len(text) and not _BOUNDARY.search(text, end, hi):
        after += "…"
    # A space lost to collapsing would glue the marker to its neighbour.
    if before and text[start - 1].isspace():
        before += " "
    if after and text[end].isspace():
        after = " " + after
    return before, " ".join(text[start:end].split()), after


def _findings_table(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = []
    for finding in findings:
        span = finding.span
        where = str(span) if span else (finding_path(finding) or "—")
        rows.append(
            f'<tr><td class="loc">{esc(where)}</td>'
            f'<td class="sev-{finding.severity.label}">{esc(finding.severity.label)}</td>'
            f"<td>{esc(finding.code)}</td><td>{esc(finding.name)}</td>"
            f'<td class="msg">{esc(finding.message)}</td></tr>'
        )
    return ("<table><thead><tr><th>Location</th><th>Severity</th><th>Code</th><th>Rule</th>"
            "<th>Message</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


def _alarms(document: DocumentResult, view: DocumentMap) -> str:
    """A banner naming every cited entry whose record has been retracted or withdrawn."""
    lines = []
    for index, reference in enumerate(document.references, 1):
        resolution = document.resolution(reference.id)
        work = resolution.work if resolution is not None else None
        if work is None:
            continue
        for update in work.updated_by:
            if update.kind in GRAVE:
                label = str(reference.number) if reference.number is not None else reference.id
                which = (doi_link(update.doi) if update.doi else pubmed_link(update.pmid) if update.pmid
                         else "(not named)")
                record = doi_link(work.doi) if work.doi else pubmed_link(work.pmid) if work.pmid else "no identifier"
                when = f" on {esc(update.date)}" if update.date else ""
                lines.append(f'<li><a href="#{view.prefix()}-e{index}">Entry {esc(label)}</a> '
                             f"({record}): {esc(update.kind.replace('_', ' '))}{when}, notice {which}</li>")
    if not lines:
        return ""
    return f'<div class="alarm" role="alert"><strong>Retracted or withdrawn works are cited:</strong><ul>{"".join(lines)}</ul></div>'


def _filters(view: DocumentMap, counts: dict[str, int]) -> str:
    """Buttons that narrow the list (the script sets the list's `data-filter`)."""
    names = (("all", "All entries"), ("problems", "With findings"), ("uncited", "Cited nowhere"),
             ("missing", "Cited, no entry"), ("registry", "Registry differs"))
    buttons = "".join(
        f'<button type="button" data-filter="{key}" aria-pressed="{str(key == "all").lower()}">'
        f"{label} <b>{counts.get(key, 0)}</b></button>"
        for key, label in names if key == "all" or counts.get(key)
    )
    return f'<div class="summary" role="group" aria-label="Show" data-list="{view.prefix()}-list">{buttons}</div>'


def _document_section(report: Report, document: DocumentResult, number: int) -> str:
    mine = [f for f in report.findings if document_of(report, f) is document]
    view = build_map(document, mine, number)
    cards: list[str] = []
    counts = {"all": len(document.references), "problems": 0, "uncited": 0, "missing": len(view.missing),
              "registry": 0}
    for index, reference in enumerate(document.references, 1):
        about = findings_about(report, document, reference)
        status = reference_status(document, reference, about)
        codes = {f.code for f in about}
        counts["problems"] += bool(about)
        counts["uncited"] += "R001" in codes
        counts["registry"] += any(code[0] in "DMUS" for code in codes)
        cards.append(entry_card(document, view, index, reference, status, about))
    cards.extend(missing_card(document, view, j, target) for j, target in enumerate(view.missing, 1))
    counts["problems"] += len(view.missing)
    entries = (f'<ol class="entries" id="{view.prefix()}-list">' + "\n".join(cards) + "</ol>") if cards \
        else "<p>No references.</p>"
    return (
        f'<section class="document" id="{view.prefix()}">\n<h2>{esc(document.path)}</h2>\n'
        f"<p>{_plural(len(document.citations), 'citation')}, {_plural(len(document.references), 'reference')}"
        f"{', ' + str(counts['uncited']) + (' entry' if counts['uncited'] == 1 else ' entries') + ' cited nowhere' if counts['uncited'] else ''}"
        f"{', ' + _plural(len(view.missing), 'id') + ' cited without an entry' if view.missing else ''}.</p>\n"
        f"{_alarms(document, view)}{_filters(view, counts)}\n"
        f'<div class="map">\n{text_pane(document, view)}\n'
        f'<div class="pane refs" id="{view.prefix()}-refs"><h3>References</h3>\n{entries}\n</div>\n</div>\n'
        f"<h3>Findings</h3>\n{_findings_table(mine)}\n</section>"
    )


def _legend() -> str:
    items = "".join(f"<dt>{status_badge(s)}</dt><dd>{esc(_STATUS_MEANING[s])}</dd>" for s in ReferenceStatus)
    return ('<details><summary>How to read this page</summary><dl class="legend">' + items + "</dl>"
            "<p>Click a highlighted citation to see its entries on the right; click an entry's <em>cited</em> "
            "button to light every place it is cited (again to step through them). In the field comparison, "
            "≠ marks a value that differs from the registry's and + one the reference leaves out.</p></details>")


def render(report: Report, actions: str = "") -> str:
    """The whole page, ending with a newline.

    `actions` is trusted HTML placed under the headline (the web app's download forms); the
    report written by `citecheck audit --format html` has none.
    """
    summary = report.summary
    counts = "".join(
        f'<li><span class="sev-{label}">{_plural(n, label)}</span></li>'
        for label, n in summary.by_severity.items()
    )
    notes = ("<div class=\"notes\"><ul>" + "".join(f"<li>{esc(n)}</li>" for n in report.notes)
             + "</ul></div>") if report.notes else ""
    sections = "\n".join(_document_section(report, d, i + 1) for i, d in enumerate(report.documents))
    orphans = [f for f in report.findings if document_of(report, f) is None]
    other = f"<section><h2>Other findings</h2>\n{_findings_table(orphans)}\n</section>" if orphans else ""
    toolbar = f'<div class="actions">{actions}</div>\n' if actions else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        # Forbids every load from elsewhere and every inline script or style but citecheck's own.
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>citecheck report</title>\n<style>{stylesheet()}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>citecheck report</h1>\n<p>{esc(headline(report))}</p>\n{toolbar}"
        f'<ul class="counts">{counts}</ul>\n{notes}\n{_legend()}\n</header>\n'
        f"<main>\n{sections}\n{other}\n</main>\n"
        f"<footer>Generated by citecheck {esc(__version__)}.</footer>\n"
        f"<script>{script()}</script>\n</body>\n</html>\n"
    )


__all__ = ["CONTEXT_LIMIT", "STATUS_CLASS", "render", "sentence_around", "sentence_bounds", "status_badge"]
