"""The HTML page: self-contained under a strict policy, escaped, statuses in words, the citation
map's links both ways, marks in place, placement hints, field differences, notices."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.findings import Fix
from citecheck.model import Citation, Name, Reference, Span, Work
from citecheck.report.html import render, sentence_around
from citecheck.report.html_assets import csp_hash, script, stylesheet
from citecheck.report.html_entries import doi_link, without_source
from citecheck.report.html_fields import AGREE, DIFFER, MISSING, compare
from citecheck.results import DocumentResult, Report
from citecheck.rules import rule
from tests.conftest import EXAMPLE, ROOT
from tests.report.conftest import build_empty_report, build_sample_report


class _Collector(HTMLParser):
    """Tags, the attributes that could load or run something, and the inline blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[str] = []
        self.handlers: list[str] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self.styled: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._open = tag if tag in self.blocks else None
        if self._open:
            self.blocks[tag].append("")
        for name, value in attrs:
            if name in ("src", "srcset") or (tag == "link" and name == "href"):
                self.loads.append(f"{tag} {name}={value}")
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if name == "style":
                self.styled.append(tag)
            if name == "href" and value and not value.startswith(("#", "https://doi.org/")):
                self.loads.append(f"{tag} href={value}")

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.blocks[self._open][-1] += data


def _parse(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


def _policy(page: str) -> str:
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    "build",
    [pytest.param(build_sample_report, id="sample"), pytest.param(build_empty_report, id="empty")],
)
def test_self_contained_under_a_policy_that_allows_only_its_own_inline_blocks(build: object) -> None:
    page = render(build())  # type: ignore[operator]
    parsed = _parse(page)
    assert parsed.loads == [] and parsed.handlers == [] and parsed.styled == []
    assert "link" not in parsed.tags and "img" not in parsed.tags and "iframe" not in parsed.tags
    assert parsed.blocks["script"] == [script()] and parsed.blocks["style"] == [stylesheet()]
    policy = _policy(page)
    assert f"script-src {csp_hash(script())};" in policy
    assert f"style-src {csp_hash(stylesheet())};" in policy
    assert "default-src 'none'" in policy and "unsafe" not in policy
    assert "@import" not in page and "url(" not in page


def test_csp_hash_is_the_base64_sha256_browsers_compute() -> None:
    # The example of the CSP specification (level 3, §8.3): alert('Hello, world.');
    assert csp_hash("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"


def test_user_text_is_escaped() -> None:
    out = render(build_sample_report())
    assert "<script>alert" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; synthetic &amp; unsafe title" in out


@pytest.mark.parametrize(
    ("entry", "label"),
    [
        pytest.param("1", "verified", id="verified"),
        pytest.param("2", "corrected", id="corrected"),
        pytest.param("3", "retracted", id="retracted"),
        pytest.param("4", "not found", id="not-found"),
    ],
)
def test_status_is_a_word_not_only_a_colour(entry: str, label: str) -> None:
    card = _card(render(build_sample_report()), f"d1-e{entry}")
    assert re.search(rf'<span class="status [a-z-]+"><span aria-hidden="true">[^<]+</span> {label}</span>', card)


def test_could_not_verify_label_and_its_honest_explanation() -> None:
    card = _card(render(build_sample_report()), "d2-e1")
    assert "</span> could not verify</span>" in card
    assert "Could not verify</strong>: crossref: HTTP 503" in card and "says nothing" in card


def _card(page: str, ident: str) -> str:
    """The card `<li id=ident>` up to the next card or the end of the list."""
    start = page.index(f'id="{ident}" tabindex="-1">')
    start = page.rindex("<li ", 0, start)
    ends = [at for at in (page.find('\n<li class="entry', start), page.find("</ol>\n</div>", start)) if at >= 0]
    return page[start:min(ends)]


def _anchor(page: str, ident: str) -> str:
    found = re.search(rf'<a [^>]*id="{ident}"[^>]*>.*?</a>', page)
    assert found is not None, ident
    return found.group()


@pytest.mark.parametrize(
    ("citation", "href", "entries", "text"),
    [
        pytest.param("d1-c1", "#d1-e1", 'data-e="1"', "[1]", id="one-entry"),
        pytest.param("d1-c2", "#d1-e2", 'data-e="2 3"', "[2, 3]", id="two-entries"),
        pytest.param("d1-c3", "#d1-e3", 'data-e="3"', "[3]", id="second-citation-of-3"),
        pytest.param("d2-c1", "#d2-e1", 'data-e="1"', "\\cite{smith2019}", id="key-citation"),
    ],
)
def test_each_citation_links_to_its_entries(citation: str, href: str, entries: str, text: str) -> None:
    anchor = _anchor(render(build_sample_report()), citation)
    assert f'href="{href}"' in anchor and entries in anchor and f">{text}</a>" in anchor
    assert 'class="cite"' in anchor


@pytest.mark.parametrize(
    ("entry", "places"),
    [
        pytest.param("d1-e1", ["d1-c1"], id="cited-once"),
        pytest.param("d1-e3", ["d1-c2", "d1-c3"], id="cited-twice"),
        pytest.param("d2-e1", ["d2-c1"], id="bib-entry"),
    ],
)
def test_each_entry_links_back_to_every_place_it_is_cited(entry: str, places: list[str]) -> None:
    card = _card(render(build_sample_report()), entry)
    assert re.findall(r'<a href="#(d\d-c\d+)">', card) == places
    assert f'data-e="{entry.split("-e")[1]}"' in card and f"cited {len(places)}×" in card


def test_uncited_entry_and_citation_without_entry_are_marked_in_place() -> None:
    page = render(build_sample_report())
    uncited = _card(page, "d1-e4")
    assert "uncited" in uncited.split('"')[1] and '<span class="badge uncited">cited nowhere</span>' in uncited
    missing = _anchor(page, "d1-c4")
    assert 'class="cite missing"' in missing and 'href="#d1-m1"' in missing and 'data-m="1"' in missing
    assert re.search(r'id="d1-c4"[^>]*>\[5\]</a><span class="nomatch" title="no entry 5 in the reference list">',
                     page)
    card = re.search(r'<li class="entry missing problem" id="d1-m1".*?</li>', page, re.S)
    assert card is not None and "no entry in the reference list" in card.group() and '"#d1-c4"' in card.group()


def test_retraction_is_prominent_with_its_notice_doi_and_date() -> None:
    page = render(build_sample_report())
    alarm = re.search(r'<div class="alarm" role="alert">.*?</div>', page, re.S)
    assert alarm is not None and 'href="#d1-e3"' in alarm.group() and "2021-01-01" in alarm.group()
    card = _card(page, "d1-e3")
    notice = re.search(r'<div class="notice grave" role="note">.*?</div>', card)
    assert notice is not None
    assert 'href="https://doi.org/10.5555/synthetic.notice"' in notice.group()
    assert "2021-01-01" in notice.group() and "asserted by publisher" in notice.group()
    assert card.index("notice grave") < card.index('class="raw"')  # before the entry's own text


def _review(text: str | None = None, tmp_path: Path | None = None) -> Report:
    path = EXAMPLE
    if text is not None and tmp_path is not None:
        path = tmp_path / "review.txt"
        path.write_text(text, encoding="utf-8")
    return audit([path], AuditOptions(network=False, use_cache=False))


def test_placement_hint_stands_at_the_sentence_it_suggests() -> None:
    report = _review()
    page = render(report)
    suggestions = {f.reference: f.details["suggestions"][0] for f in report.findings if f.code == "R001"}
    assert set(suggestions) == {"2", "3"}
    for entry, best in suggestions.items():
        card = _card(page, f"d1-e{entry}")
        sentence = re.search(r'<a href="#(d1-s\d+)">line (\d+)</a>', card)
        assert sentence is not None and int(sentence.group(2)) == best["line"]
        hinted = re.search(rf'<span class="hint" id="{sentence.group(1)}">(.*?)</span>'
                           rf'((?:<a class="hint-tag"[^>]*>[^<]*</a>)+)', page)
        assert hinted is not None
        assert hinted.group(1) == best["sentence"]
        assert f'href="#d1-e{entry}"' in hinted.group(2) and f"uncited {entry} may belong here" in hinted.group(2)


def test_the_review_map_shows_text_and_list_apart() -> None:
    page = render(_review())
    assert page.count('class="cite"') == 2  # metastases.1 and estrogen.4
    assert '<div class="listmark">The reference list (4 entries) stands here' in page
    assert 'data-n="1">Metastatic Breast Cancer Treatment Review</div>' in page
    # The paragraph after the list is text too; the entries are not repeated in the text pane.
    text_pane = page[page.index('id="d1-text"'):page.index('id="d1-refs"')]
    assert "This article was originally published" in text_pane and "Atlanta: American" not in text_pane


def test_pdf_text_is_labelled_with_page_and_line(tmp_path: Path) -> None:
    report = audit([ROOT / "tests" / "fixtures" / "pdf" / "review.pdf"], AuditOptions(network=False, use_cache=False))
    page = render(report)
    citation = report.documents[0].citations[0]
    assert '<div class="page">Page 1</div>' in page
    line = re.search(rf'<div class="l[^"]*" data-n="p{citation.span.page} l{citation.span.line}">[^\n]*id="d1-c1"',
                     page)
    assert line is not None
    assert len(re.findall(r'class="hint" id="d1-s\d+"', page)) == 2  # both uncited entries' best sentences


def test_citations_in_other_files_are_listed_under_the_text() -> None:
    document = DocumentResult(
        "main.tex",
        (Citation(Span("main.tex", 1, 5, 4, 13), "\\cite{a}", ("a",)),
         Citation(Span("chapter.tex", 3, 1, 0, 9), "\\cite{b}", ("b",))),
        (Reference("a", "A.", {}), Reference("b", "B.", {})),
        text="See \\cite{a}.\n\\input{chapter}\n")
    page = render(Report((document,), ()))
    elsewhere = page[page.index('<div class="elsewhere">'):]
    assert "chapter.tex:3:1" in elsewhere and 'id="d1-c2"' in elsewhere
    assert 'id="d1-c1"' not in elsewhere


def _work(**fields: object) -> Work:
    base = dict(doi="10.5555/synthetic.field", title="A synthetic title", container_title="Journal of Testing",
                year=2011, volume="29", issue="10", page="1252-1260", source="memory",
                authors=(Name("Roe", "Bea"),))
    base.update(fields)
    return Work(**base)  # type: ignore[arg-type]


REFERENCE = Reference("2", "raw", {"title": "A synthetic title", "issued": {"date-parts": [[2010]]},
                                   "page": "1252-1262", "container-title": "J Test", "author": [{"family": "Roe", "given": "B."}]},
                      number=2)


@pytest.mark.parametrize(
    ("findings", "work", "expected"),
    [
        pytest.param([], _work(), {"title": AGREE, "issued": AGREE, "page": AGREE, "volume": AGREE},
                     id="no-finding-agrees"),
        pytest.param([rule("M002").finding("y", reference="2", fixes=(Fix("issued", {"date-parts": [[2011]]}, "2010"),)),
                      rule("M007").finding("p", reference="2", fixes=(Fix("page", "1252-1260", "1252-1262"),))],
                     _work(), {"issued": DIFFER, "page": DIFFER, "title": AGREE}, id="year-and-pages-differ"),
        pytest.param([rule("M008").finding("m", reference="2", fixes=(Fix("volume", "29", None), Fix("issue", "10", None)))],
                     _work(), {"volume": MISSING, "issue": MISSING}, id="missing-volume-issue"),
        pytest.param([rule("D003").finding("d", reference="2", fixes=(Fix("DOI", "10.5555/synthetic.field", None),))],
                     _work(), {"DOI": MISSING}, id="missing-doi"),
        pytest.param([rule("D002").finding("d", reference="2")], _work(), {"DOI": DIFFER}, id="doi-of-another-work"),
    ],
)
def test_field_states_come_from_the_findings(findings: list, work: Work, expected: dict[str, str]) -> None:
    rows = {row.field: row for row in compare(REFERENCE, work, findings)}
    assert {field: rows[field].state for field in expected} == expected
    assert rows["issued"].written == "2010" and rows["issued"].registered == "2011"
    assert rows["author"].written == "Roe, B." and rows["author"].registered == "Roe, Bea"


def test_field_doubted_by_the_records_provenance() -> None:
    rows = {r.field: r for r in compare(REFERENCE, _work(unverified_fields=("issue",)), [])}
    assert rows["issue"].doubted and not rows["volume"].doubted


def test_differing_characters_are_marked() -> None:
    report = build_sample_report()
    document = report.documents[0]
    resolution = document.resolution("2")
    assert resolution is not None and resolution.work is not None
    page = render(report)
    row = re.search(r'<tr class="differ" data-field="issued">.*?</tr>', _card(page, "d1-e2"))
    assert row is not None
    assert '<td class="wr">20<mark>20</mark></td>' in row.group() and "20<mark>19</mark>" in row.group()


def test_provenance_is_said_once_per_entry() -> None:
    report = _review()
    page = render(report)
    work = report.documents[0].resolution("3").work  # type: ignore[union-attr]
    assert work is not None and work.provenance
    card = _card(page, "d1-e3")
    assert card.count(work.provenance) == 1
    findings = [f for f in report.findings if f.reference == "3" and work.provenance in f.message]
    assert len(findings) >= 2  # the messages repeat it; the card does not
    assert without_source(findings[0].message, work) in card.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        pytest.param("10.1056/NEJMoa072113", '<a href="https://doi.org/10.1056/nejmoa072113" rel="noreferrer">',
                     id="valid"),
        pytest.param("javascript:alert(1)", "javascript:alert(1)", id="not-a-doi-stays-text"),
        pytest.param('10.5555/a"><img src=x onerror=alert(1)>', "10.5555/a&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
                     id="markup-in-a-doi-stays-text"),
        pytest.param('10.5555/<x>"y#z', '<a href="https://doi.org/10.5555/%3Cx%3E%22y%23z" rel="noreferrer">'
                     "10.5555/&lt;x&gt;&quot;y#z</a>", id="valid-doi-with-markup-characters-is-encoded"),
    ],
)
def test_doi_links_only_to_the_resolver(doi: str, expected: str) -> None:
    link = doi_link(doi)
    assert expected in link
    assert "<img" not in link and 'href="javascript' not in link


TEXT = ("First sentence here. The claim holds [1] in most cases. Last one!\n\nNew paragraph [2] ends\n\n"
        "Marked after its stop.¹ Next sentence.² A third.")


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        pytest.param("[1]", ("The claim holds ", "[1]", " in most cases."), id="middle-sentence"),
        pytest.param("[2]", ("New paragraph ", "[2]", " ends"), id="paragraph-no-full-stop"),
        pytest.param("First", ("", "First", " sentence here."), id="at-start"),
        pytest.param("¹", ("Marked after its stop.", "¹", ""), id="superscript-after-the-full-stop"),
        pytest.param("²", ("Next sentence.", "²", ""), id="superscript-ends-the-sentence-before"),
    ],
)
def test_sentence_around(marker: str, expected: tuple[str, str, str]) -> None:
    start = TEXT.index(marker)
    assert sentence_around(TEXT, start, start + len(marker)) == expected


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(0, 0, id="no-offsets"),
        pytest.param(5, 400, id="past-the-end"),
        pytest.param(-1, 3, id="negative"),
    ],
)
def test_sentence_around_bad_offsets(start: int, end: int) -> None:
    assert sentence_around(TEXT, start, end) == ("", "", "")


def test_sentence_around_long_text_is_cut() -> None:
    text = "word " * 200 + "[1]" + " more" * 200
    before, marker, after = sentence_around(text, 1000, 1003, limit=50)
    assert marker == "[1]"
    assert before.startswith("…") and after.endswith("…")
    assert len(before) < 60 and len(after) < 60


def test_citation_across_a_line_break_is_one_link_in_two_pieces() -> None:
    text = "Claim [1,\n2] here.\n"
    document = DocumentResult("d.md", (Citation(Span("d.md", 1, 7, 6, 12), "[1,\n2]", ("1", "2")),),
                              (Reference("1", "r", {}), Reference("2", "s", {})), text=text)
    page = render(Report((document,), ()))
    assert re.search(r'<a class="cite" id="d1-c1" href="#d1-e1" data-e="1 2"[^>]*>\[1,</a>', page)
    assert re.search(r'<a class="cite cont" href="#d1-e1" data-e="1 2"[^>]*>2\]</a>', page)


def test_no_timestamp() -> None:
    out = render(build_sample_report())
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", out)


def test_the_same_report_gives_the_same_page() -> None:
    assert render(build_sample_report()) == render(replace(build_sample_report()))


def test_a_citation_with_its_own_finding_is_marked_on_the_citation() -> None:
    text = "As found (Lee, 2015) and (Nobody, 2010).\n"
    year = Citation(Span("d.md", 1, 10, 9, 20), "(Lee, 2015)", ("lee2014",))
    nothing = Citation(Span("d.md", 1, 26, 25, 39), "(Nobody, 2010)", ())
    findings = (rule("C003").finding("the year '2015' differs", span=year.span, reference="lee2014"),
                rule("C001").finding("no entry by Nobody from 2010", span=nothing.span))
    document = DocumentResult("d.md", (year, nothing), (Reference("lee2014", "Lee. 2014.", {}),), text=text)
    page = render(Report((document,), findings))
    flagged = _anchor(page, "d1-c1")
    assert 'class="cite flagged"' in flagged and "C003 citation-year-mismatch: the year &#x27;2015&#x27; differs" in flagged
    missing = _anchor(page, "d1-c2")
    assert 'class="cite missing"' in missing and 'href="#d1-m1"' in missing
    assert re.search(r'id="d1-m1" tabindex="-1"><div class="head"><span class="label">\(Nobody, 2010\)</span>', page)
