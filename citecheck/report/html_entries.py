"""The citation map's right pane: one card per entry of the reference list.

A card says what became of the entry (a status in words and colour), where it is cited (links
to every place, and a button that lights them all), or that it is cited nowhere and which
sentences it may support; which registry record it was matched to, with the record's source
and provenance said once; the field-by-field comparison (`html_fields`); retraction,
withdrawal, concern and correction notices first and prominent, with their DOIs and dates; and
the findings about it, without the provenance sentence each message repeats. Ids a citation
names but no entry has get a card of their own, marked, with the places that cite them.
"""

from __future__ import annotations

from collections.abc import Sequence

from citecheck.findings import Finding
from citecheck.model import Reference, Resolution, ResolutionStatus, Update, Work
from citecheck.references.doi import is_valid_doi, normalize_doi
from citecheck.report.html_assets import esc
from citecheck.report.html_fields import compare, fields_table
from citecheck.report.html_map import DocumentMap
from citecheck.report.markdown import STATUS_ICONS, ReferenceStatus
from citecheck.results import DocumentResult

STATUS_CLASS: dict[ReferenceStatus, str] = {
    ReferenceStatus.VERIFIED: "verified",
    ReferenceStatus.CORRECTED: "corrected",
    ReferenceStatus.NOT_FOUND: "not-found",
    ReferenceStatus.NOT_COVERED: "not-covered",
    ReferenceStatus.RETRACTED: "retracted",
    ReferenceStatus.UNVERIFIED: "unverified",
    ReferenceStatus.NOT_CHECKED: "not-checked",
}
"""The CSS class of each status."""

GRAVE = frozenset({"retraction", "withdrawal", "removal"})
"""Notice kinds that take the work out of the literature."""
CONCERN = frozenset({"expression_of_concern"})
"""Notice kinds that warn about the work."""
UNCITED = "R001"
"""The rule of an entry cited nowhere."""


def status_badge(status: ReferenceStatus) -> str:
    """A status as a coloured badge with an icon and its text label (never colour alone)."""
    return (f'<span class="status {STATUS_CLASS[status]}">'
            f'<span aria-hidden="true">{STATUS_ICONS[status]}</span> {esc(status.value)}</span>')


def doi_link(doi: str) -> str:
    """A link to the DOI's resolver, or the DOI as text when it is not a valid DOI (nothing the
    document wrote ever becomes a link of another scheme)."""
    normal = normalize_doi(doi)
    if not is_valid_doi(normal):
        return esc(doi)
    return f'<a href="https://doi.org/{esc(_path_escape(normal))}" rel="noreferrer">{esc(normal)}</a>'


def _path_escape(doi: str) -> str:
    # RFC 3986 path characters stay; the rest (space, quotes, `#`, `?`, `%`) are percent-encoded.
    from urllib.parse import quote

    return quote(doi, safe="/:;()[]-._~!$&'*+,=@")


def without_source(message: str, work: Work | None) -> str:
    """A finding's message without the `(record from …)` sentence: the card says it once."""
    if work is None or not work.source:
        return message
    for tail in (f" (record from {work.source}, {work.provenance})", f" (record from {work.source})",
                 f", record from {work.source}"):
        message = message.replace(tail, "")
    return message


def _notice_kind(update: Update) -> str:
    return "grave" if update.kind in GRAVE else "concern" if update.kind in CONCERN else "mild"


def notices(work: Work | None) -> str:
    """Retraction, withdrawal, concern and correction notices of the matched record, gravest first."""
    if work is None or not work.updated_by:
        return ""
    order = {"grave": 0, "concern": 1, "mild": 2}
    out = []
    seen: set[tuple[str, str]] = set()
    for update in sorted(work.updated_by, key=lambda u: (order[_notice_kind(u)], u.date, u.doi)):
        if (update.kind, update.doi) in seen:
            continue
        seen.add((update.kind, update.doi))
        kind = _notice_kind(update)
        icon = "⛔" if kind == "grave" else "⚠️" if kind == "concern" else "ℹ️"
        name = update.kind.replace("_", " ")
        # A notice PubMed knows only by its PMID, or marks without naming it.
        which = doi_link(update.doi) if update.doi else pubmed_link(update.pmid) if update.pmid else "(not named)"
        when = f", {esc(update.date)}" if update.date else ""
        by = f", asserted by {esc(update.source)}" if update.source else ""
        out.append(f'<div class="notice {kind}" role="note"><span aria-hidden="true">{icon}</span> '
                   f"{esc(name[:1].upper() + name[1:])} notice {which}{when}{by}</div>")
    return "".join(out)


def pubmed_link(pmid: str) -> str:
    """A link to PubMed for a record known by its PMID (digits only, else text)."""
    return (f'<a href="https://pubmed.ncbi.nlm.nih.gov/{esc(pmid)}/" rel="noreferrer">PMID {esc(pmid)}</a>'
            if pmid.isdigit() else esc(pmid))


def _record(resolution: Resolution | None, reference: Reference) -> str:
    """Which record the entry was matched to, which source decided and where that record came
    from, said once."""
    decided_by = resolution.decided_by if resolution is not None else ""
    not_covered = resolution.not_covered if resolution is not None else ()
    if resolution is None or resolution.status is ResolutionStatus.SKIPPED:
        why = f" {esc(not_covered[0])}." if not_covered else ""
        return f'<p class="sub">Not checked against a registry.{why}</p>'
    if resolution.status is ResolutionStatus.NOT_CHECKED:
        asked = esc(", ".join(resolution.sources) or "no source")
        return (f'<p class="sub">Not checked: the sources asked ({asked}) hold only part of the registry, or '
                "were not asked (offline); their silence says nothing. Run online, or add a complete snapshot.</p>")
    work = resolution.work
    status = resolution.status
    if status is ResolutionStatus.MATCHED and work is not None:
        how = {"doi": "by its DOI", "search": "by bibliographic search", "pmid": "by its PMID",
               "pmcid": "by its PMCID"}.get(resolution.method, resolution.method)
        record = doi_link(work.doi) if work.doi else pubmed_link(work.pmid) if work.pmid else ""
        cached = work.cached_on
        source = esc(decided_by or work.source) + (f", cached {esc(cached)}" if cached else "")
        source += f" — {esc(work.provenance)}" if work.provenance else ""
        why = ""
        if resolution.evidence:
            why = ("<details><summary>why this record</summary>"
                   + esc("; ".join(resolution.evidence)) + "</details>")
        other = ""
        if resolution.doi_work is not None:
            wrong = resolution.doi_work
            other = (f'<p class="sub">The DOI written, {doi_link(wrong.doi)}, is the DOI of another work: '
                     f"“{esc(wrong.title)}” ({esc(wrong.year or 'n.d.')}).</p>")
        return (f'<p class="sub">Registry record {record} matched {esc(how)}'
                f" (confidence {resolution.confidence:.2f}). Decided by {source}.</p>{other}{why}")
    asked = ", ".join(resolution.sources) or "no source"
    if status is ResolutionStatus.NOT_FOUND:
        by = f"; decided by {esc(decided_by)}" if decided_by else ""
        return (f'<p class="sub">No registry record found; every source answered (asked: {esc(asked)}{by}).</p>')
    if status is ResolutionStatus.AMBIGUOUS:
        candidates = "".join(f"<li>{doi_link(c.doi)} “{esc(c.title)}” ({esc(c.year or 'n.d.')})</li>"
                             for c in resolution.candidates[:5])
        return (f'<p class="sub">Several registry records fit and none stands out (asked: {esc(asked)}):</p>'
                f'<ul class="sub">{candidates}</ul>')
    failures = "; ".join(resolution.failures) or "a source failed"
    return (f'<p class="sub"><strong>Could not verify</strong>: {esc(failures)}. This says nothing '
            "about whether the work exists; run again later.</p>")


def _strip(document: DocumentResult, view: DocumentMap, places: Sequence[int]) -> str:
    """A small picture of where in the document the entry is cited (a tick per citation)."""
    length = max(len(document.text), 1)
    ticks = []
    for k in places:
        span = document.citations[k - 1].span
        if span.path != document.path:
            continue
        x = round(1 + 98 * min(max(span.start, 0), length) / length, 1)
        ticks.append(f'<line x1="{x}" y1="1" x2="{x}" y2="9"/>')
    if not ticks:
        return ""
    return ('<svg class="strip" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
            '<rect x="0.5" y="0.5" width="99" height="9"/>' + "".join(ticks) + "</svg>")


def _places(document: DocumentResult, view: DocumentMap, places: Sequence[int]) -> str:
    links = []
    for k in places:
        span = document.citations[k - 1].span
        # A place in another file (an `\input` chapter) names the file; one in the document does not.
        where = span.position if span.path == document.path else f"{span.path.rsplit('/', 1)[-1]}:{span.position}"
        links.append(f'<a href="#{view.prefix()}-c{k}">{esc(where)}</a>')
    return f'<div class="where sub">Cited at: {"".join(links)}</div>'


def _hints(view: DocumentMap, index: int) -> str:
    mine = [h for h in view.hints if h.entry == index]
    if not mine:
        return ""
    items = []
    for hint in mine:
        number = view.sentence_ids[(hint.start, hint.end)]
        quote = hint.sentence if len(hint.sentence) <= 110 else hint.sentence[:109] + "…"
        items.append(f'<li><a href="#{view.prefix()}-s{number}">{esc(hint.where)}</a> “{esc(quote)}” '
                     f'<span class="sub">(score {hint.score:.2f})</span></li>')
    return f'<div class="hints">It may support:<ol>{"".join(items)}</ol></div>'


def entry_card(document: DocumentResult, view: DocumentMap, index: int, reference: Reference,
               status: ReferenceStatus, about: Sequence[Finding]) -> str:
    """The card of entry `index` (1-based) of the document's list."""
    resolution = document.resolution(reference.id)
    work = resolution.work if resolution is not None and resolution.status is ResolutionStatus.MATCHED else None
    places = view.cited_by.get(index, [])
    codes = {f.code for f in about}
    classes = ["entry", f"st-{STATUS_CLASS[status]}"]
    if about:
        classes.append("problem")
    if UNCITED in codes:
        classes.append("uncited")
    if any(code[0] in "DMUS" for code in codes):
        classes.append("registry")
    label = str(reference.number) if reference.number is not None else reference.id
    head = [f'<span class="label">{esc(label)}</span>', status_badge(status)]
    if places:
        head.append(f'<button class="cites" type="button" data-e="{index}" '
                    f'title="light every place it is cited, one after the other">cited {len(places)}×'
                    f'<span class="at"></span></button>')
        head.append(_strip(document, view, places))
    elif UNCITED in codes:
        head.append('<span class="badge uncited">cited nowhere</span>')
    else:
        head.append('<span class="sub">not cited in the text</span>')
    where = ""
    if reference.span is not None and reference.span.path != document.path:
        where = f'<p class="sub loc">{esc(reference.span)}</p>'
    findings = "".join(f"<li><code>{esc(f.code)}</code> {esc(f.name)}: "
                       f'<span class="msg">{esc(without_source(f.message, work))}</span></li>' for f in about)
    return (
        f'<li class="{" ".join(classes)}" id="{view.prefix()}-e{index}" tabindex="-1">'
        f'<div class="head">{"".join(head)}</div>'
        + notices(work)
        + f'<p class="raw">{esc(reference.raw)}</p>{where}'
        + (_places(document, view, places) if places else _hints(view, index))
        + _record(resolution, reference)
        + (fields_table(compare(reference, work, about)) if work is not None else "")
        + (f'<ul class="findings">{findings}</ul>' if findings else "")
        + "</li>"
    )


def missing_card(document: DocumentResult, view: DocumentMap, number: int, target: str) -> str:
    """The card of an id that citations name and the reference list lacks."""
    places = view.missing_cited_by.get(number, [])
    return (f'<li class="entry missing problem" id="{view.prefix()}-m{number}" tabindex="-1">'
            f'<div class="head"><span class="label">{esc(target)}</span>'
            f'<span class="badge nolist">no entry in the reference list</span>'
            f'<button class="cites" type="button" data-m="{number}">cited {len(places)}×'
            f'<span class="at"></span></button>{_strip(document, view, places)}</div>'
            f"{_places(document, view, places)}</li>")


__all__ = ["STATUS_CLASS", "doi_link", "entry_card", "missing_card", "notices", "pubmed_link", "status_badge",
           "without_source"]
