"""The HTML report: one self-contained page to read an audit in a browser or attach to a review.

Everything is inline (CSS and an SVG picture; no scripts, fonts, images or style sheets from
elsewhere), so the page opens offline and can be mailed as one file. Per document it shows the
references with their status (colour, icon and a text label, so colour is never the only
signal), every citation in its sentence with the marker highlighted, a citation map (an SVG
strip of the document with a row per reference and a dot where it is cited), and the findings.

All user text is escaped; the output carries no timestamp, so the same report gives the same
page.
"""

from __future__ import annotations

import re
from html import escape

from citecheck.version import __version__
from citecheck.findings import Finding
from citecheck.model import Citation
from citecheck.report.markdown import (
    STATUS_ICONS,
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

_STATUS_CLASS: dict[ReferenceStatus, str] = {
    ReferenceStatus.VERIFIED: "verified",
    ReferenceStatus.CORRECTED: "corrected",
    ReferenceStatus.NOT_FOUND: "not-found",
    ReferenceStatus.NOT_COVERED: "not-covered",
    ReferenceStatus.RETRACTED: "retracted",
    ReferenceStatus.UNVERIFIED: "unverified",
    ReferenceStatus.NOT_CHECKED: "not-checked",
}
_STATUS_MEANING: dict[ReferenceStatus, str] = {
    ReferenceStatus.VERIFIED: "matched to a registry record that agrees with the reference",
    ReferenceStatus.CORRECTED: "matched, but the registry corrects the DOI or other details",
    ReferenceStatus.NOT_FOUND: "every source answered and none holds the work",
    ReferenceStatus.NOT_COVERED: "a book, report or web page without a DOI: outside Crossref's coverage",
    ReferenceStatus.RETRACTED: "the work has been retracted or withdrawn",
    ReferenceStatus.UNVERIFIED: "a source failed or several records fit: nothing is certain",
    ReferenceStatus.NOT_CHECKED: "resolution was not attempted",
}
# Dot colours of the citation map, one per status (the table uses the CSS classes below).
_DOT_COLOUR: dict[ReferenceStatus, str] = {
    ReferenceStatus.VERIFIED: "#2e7d3e",
    ReferenceStatus.CORRECTED: "#2d62b0",
    ReferenceStatus.NOT_FOUND: "#c62828",
    ReferenceStatus.NOT_COVERED: "#5a6f80",
    ReferenceStatus.RETRACTED: "#6d0f0f",
    ReferenceStatus.UNVERIFIED: "#b07800",
    ReferenceStatus.NOT_CHECKED: "#777777",
}

_CSS = """
:root { color-scheme: light; --fg: #1b1b1b; --muted: #5a5a5a; --line: #d8d8d8; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--line); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.msg { white-space: pre-line; }
.status { display: inline-block; padding: .05rem .45rem; border-radius: .6rem; font-weight: 600;
          border: 1px solid currentColor; white-space: nowrap; }
.status.verified { background: #e3f4e6; color: #1d5e2a; }
.status.corrected { background: #e4ecfa; color: #1d4b8f; }
.status.not-found { background: #fde4e2; color: #8f1d1d; }
.status.not-covered { background: #e6edf2; color: #34495a; }
.status.retracted { background: #6d0f0f; color: #ffffff; }
.status.unverified { background: #fff3d4; color: #6b4700; }
.status.not-checked { background: #eeeeee; color: #444444; }
.sev-error { color: #8f1d1d; font-weight: 600; } .sev-warning { color: #6b4700; font-weight: 600; }
.sev-info { color: #1d4b8f; }
mark { background: #ffe98a; padding: 0 .1rem; border-radius: .15rem; }
.context li { margin: .35rem 0; } .loc { color: var(--muted); font-family: ui-monospace, monospace; }
.notes { background: #fff8e1; border-left: 4px solid #b07800; padding: .4rem .8rem; }
.legend dt { float: left; clear: left; width: 10rem; } .legend dd { margin-left: 10.5rem; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #1b1b1b; }
svg .nowhere { fill: #8f1d1d; font-style: italic; font-weight: 600; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
"""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 or noun == "info" else "s")


def _e(text: object) -> str:
    """HTML-escape anything for element content and quoted attributes."""
    return escape(str(text), quote=True)


def status_badge(status: ReferenceStatus) -> str:
    """A status as a coloured badge with an icon and its text label."""
    return (f'<span class="status {_STATUS_CLASS[status]}">'
            f'<span aria-hidden="true">{STATUS_ICONS[status]}</span> {_e(status.value)}</span>')


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


def _citation_item(document: DocumentResult, citation: Citation,
                   statuses: dict[str, ReferenceStatus]) -> str:
    before, marker, after = sentence_around(document.text, citation.span.start, citation.span.end)
    if not marker:
        quote = f"<mark>{_e(citation.text)}</mark>"
    else:
        quote = f"{_e(before)}<mark>{_e(marker)}</mark>{_e(after)}"
    targets = []
    for target in citation.targets:
        status = statuses.get(target)
        label = status_badge(status) if status else '<span class="status not-found">no entry</span>'
        targets.append(f"{_e(target)} {label}")
    return (f'<li><span class="loc">{_e(citation.span.position)}</span> '
            f'<q>{quote}</q><br>→ {", ".join(targets) or "no target"}</li>')


def citation_map(document: DocumentResult, statuses: dict[str, ReferenceStatus],
                 map_id: str = "map") -> str:
    """An inline SVG: the document as a horizontal strip, a row per reference, a dot per citation.

    Rows follow the reference list; ids cited but missing from the list get rows of their own,
    marked "no entry". A reference cited nowhere is marked so in words, not only by an empty row.
    """
    length = max([len(document.text)] + [c.span.end for c in document.citations] + [1])
    width, x0, x1, row = 760, 170, 740, 20
    ids = [r.id for r in document.references]
    dangling = sorted({t for c in document.citations for t in c.targets} - set(ids))
    rows = ids + dangling
    height = 44 + row * len(rows)

    def x(offset: int) -> float:
        return round(x0 + (x1 - x0) * min(max(offset, 0), length) / length, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{map_id}-title {map_id}-desc">',
        f'<title id="{map_id}-title">Citation map of {_e(document.path)}</title>',
        f'<desc id="{map_id}-desc">The document runs left to right; each row is a reference and '
        f'each dot a citation of it at that place in the text.</desc>',
        f'<text x="{x0 - 8}" y="20" text-anchor="end">document</text>',
        f'<rect x="{x0}" y="10" width="{x1 - x0}" height="14" fill="#eef1f5" stroke="#9aa5b1"/>',
    ]
    if document.reference_list is not None and document.reference_list.end > 0:
        start = x(document.reference_list.start)
        parts.append(f'<rect x="{start}" y="10" width="{round(x1 - start, 1)}" height="14" '
                     f'fill="#d5dbe3"><title>reference list</title></rect>')
    for citation in document.citations:
        parts.append(f'<line x1="{x(citation.span.start)}" y1="10" x2="{x(citation.span.start)}" '
                     f'y2="24" stroke="#333"/>')
    for index, target in enumerate(rows):
        y = 44 + row * index
        status = statuses.get(target)
        label = target if len(target) <= 22 else target[:21] + "…"
        cites = [c for c in document.citations if target in c.targets]
        parts.append(f'<text x="{x0 - 8}" y="{y + 4}" text-anchor="end">{_e(label)}</text>')
        dash = "" if cites else ' stroke-dasharray="4 3"'
        parts.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#c4c4c4"{dash}/>')
        if status is None:
            parts.append(f'<text x="{x0 + 6}" y="{y - 4}" class="nowhere">no entry in the list</text>')
        if not cites:
            parts.append(f'<text x="{x0 + 6}" y="{y - 4}" class="nowhere">cited nowhere</text>')
        colour = _DOT_COLOUR[status] if status else "#c62828"
        for citation in cites:
            where = f"page {citation.span.page}, line" if citation.span.page else "line"
            tip = f"{target} cited at {where} {citation.span.line}: {citation.text}"
            parts.append(f'<circle cx="{x(citation.span.start)}" cy="{y}" r="5" fill="{colour}" '
                         f'stroke="#fff"><title>{_e(tip)}</title></circle>')
    parts.append("</svg>")
    return "\n".join(parts)


def _findings_table(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = []
    for finding in findings:
        span = finding.span
        where = str(span) if span else (finding_path(finding) or "—")
        rows.append(
            f'<tr><td class="loc">{_e(where)}</td>'
            f'<td class="sev-{finding.severity.label}">{_e(finding.severity.label)}</td>'
            f"<td>{_e(finding.code)}</td><td>{_e(finding.name)}</td>"
            f'<td class="msg">{_e(finding.message)}</td></tr>'
        )
    return ("<table><thead><tr><th>Location</th><th>Severity</th><th>Code</th><th>Rule</th>"
            "<th>Message</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


def _document_section(report: Report, document: DocumentResult, index: int) -> str:
    statuses: dict[str, ReferenceStatus] = {}
    rows: list[str] = []
    for reference in document.references:
        about = findings_about(report, document, reference)
        status = reference_status(document, reference, about)
        statuses.setdefault(reference.id, status)
        resolution = document.resolution(reference.id)
        work = resolution.work if resolution else None
        record = (f'<a href="https://doi.org/{_e(work.doi)}">{_e(work.doi)}</a>'
                  f"<br>{_e(work.title)}" if work and work.doi else "")
        notes = "".join(f"<li>{_e(f.code)} {_e(f.name)}: {_e(f.message)}</li>" for f in about)
        listed = f'<ul class="msg">{notes}</ul>' if notes else ""
        rows.append(
            f'<tr id="doc-{index}-ref-{len(rows) + 1}"><td>{_e(reference.id)}</td>'
            f'<td class="msg">{_e(reference.raw)}</td><td>{status_badge(status)}</td>'
            f"<td>{record}</td><td>{listed}</td></tr>"
        )
    references = ("<table><thead><tr><th>Ref</th><th>Reference as written</th><th>Status</th>"
                  "<th>Registry record</th><th>Findings</th></tr></thead><tbody>\n"
                  + "\n".join(rows) + "\n</tbody></table>") if rows else "<p>No references.</p>"
    items = [_citation_item(document, c, statuses) for c in document.citations]
    context = ('<ol class="context">\n' + "\n".join(items) + "\n</ol>") if items else "<p>No citations.</p>"
    svg = citation_map(document, statuses, f"map-{index}")
    mine = [f for f in report.findings if document_of(report, f) is document]
    return (
        f'<section class="document" id="doc-{index}">\n<h2>{_e(document.path)}</h2>\n'
        f"<p>{_plural(len(document.citations), 'citation')}, "
        f"{_plural(len(document.references), 'reference')}.</p>\n"
        f"<h3>References</h3>\n{references}\n<h3>Citation map</h3>\n{svg}\n"
        f"<h3>Citations in context</h3>\n{context}\n"
        f"<h3>Findings</h3>\n{_findings_table(mine)}\n</section>"
    )


def _legend() -> str:
    items = "".join(f"<dt>{status_badge(s)}</dt><dd>{_e(_STATUS_MEANING[s])}</dd>"
                    for s in ReferenceStatus)
    return f'<details><summary>What the statuses mean</summary><dl class="legend">{items}</dl></details>'


def render(report: Report) -> str:
    """The whole page, ending with a newline."""
    summary = report.summary
    counts = "".join(
        f'<li><span class="sev-{label}">{_plural(n, label)}</span></li>'
        for label, n in summary.by_severity.items()
    )
    notes = ("<div class=\"notes\"><ul>" + "".join(f"<li>{_e(n)}</li>" for n in report.notes)
             + "</ul></div>") if report.notes else ""
    sections = "\n".join(_document_section(report, d, i + 1) for i, d in enumerate(report.documents))
    orphans = [f for f in report.findings if document_of(report, f) is None]
    other = f"<section><h2>Other findings</h2>\n{_findings_table(orphans)}\n</section>" if orphans else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Forbid every external load, so the page stays self-contained even if text slips through.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>citecheck report</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>citecheck report</h1>\n<p>{_e(headline(report))}</p>\n"
        f'<ul class="counts">{counts}</ul>\n{notes}\n{_legend()}\n</header>\n'
        f"<main>\n{sections}\n{other}\n</main>\n"
        f"<footer>Generated by citecheck {_e(__version__)}.</footer>\n</body>\n</html>\n"
    )
