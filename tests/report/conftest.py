"""A realistic, wholly synthetic `Report` for the reporter tests.

Every bibliographic value here is made up and obviously so ("A synthetic title", "J Test"); the
only DOIs use Crossref's test prefix 10.5555, which never names a real work. The sample covers
what reporters must cope with: a message with `%`, `:`, `,` and a newline, a finding without a
span, resolutions matched / not found / could not verify, `<script>` in user text, a path with
a space, and two documents.
"""

from __future__ import annotations

import pytest

from citecheck.documents.base import SourceText
from citecheck.findings import Fix
from citecheck.model import (
    Citation,
    CitationStyle,
    Reference,
    Resolution,
    ResolutionStatus,
    Update,
    Work,
)
from citecheck.results import DocumentResult, Report
from citecheck.rules import rule

PAPER = "paper.md"
CHAPTER = "notes/chapter two.tex"
BIB = "notes/refs.bib"

PAPER_TEXT = (
    "# A synthetic manuscript\n"
    "\n"
    "Citation checkers compare the text with its list [1]. Some claims rest on two sources [2, 3].\n"
    "A retracted trial is still cited here [3]! Another sentence cites an entry that is missing [5].\n"
    "\n"
    "## References\n"
    "\n"
    "1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
    '2. Doe A. <script>alert("x")</script> synthetic & unsafe title. J Test. 2020;2:3-4.\n'
    "3. Roe B. A synthetic retracted trial. J Test. 2018;3:5-6.\n"
    "4. Poe C. A synthetic uncited report. Test Press; 2017.\n"
)

CHAPTER_TEXT = "\\section{Two}\nAs shown before \\cite{smith2019}, the method works.\n"

MULTILINE_MESSAGE = "Year differs: 2020 written, 2019 registered (100% sure),\nsee the registry record"
"""A message with every character the escapers must handle: `%`, `:`, `,` and a newline."""


def _citation(source: SourceText, marker: str, targets: tuple[str, ...], occurrence: int = 0,
              style: CitationStyle = CitationStyle.NUMERIC) -> Citation:
    """The citation `marker` at its `occurrence`-th place in the text."""
    start = -1
    for _ in range(occurrence + 1):
        start = source.text.index(marker, start + 1)
    return Citation(span=source.span(start, start + len(marker)), text=marker, targets=targets,
                    style=style)


def _entry(source: SourceText, number: int, csl: dict[str, object]) -> Reference:
    """Entry `number.` of the numbered list, its span covering the whole line."""
    label = f"\n{number}. "
    start = source.text.index(label) + 1
    end = source.text.index("\n", start)
    raw = source.text[start + len(label) - 1:end]
    return Reference(id=str(number), raw=raw, csl=csl, span=source.span(start, end), number=number,
                     key=f"entry{number}")


def _work(doi: str, title: str, **extra: object) -> Work:
    return Work(doi=doi, title=title, container_title="Journal of Testing", type="journal-article",
                source="memory", **extra)  # type: ignore[arg-type]


def build_sample_report() -> Report:
    """Two documents, four kinds of resolution and findings of five families."""
    paper = SourceText(PAPER, PAPER_TEXT)
    citations = (
        _citation(paper, "[1]", ("1",)),
        _citation(paper, "[2, 3]", ("2", "3")),
        _citation(paper, "[3]", ("3",)),
        _citation(paper, "[5]", ("5",)),
    )
    references = (
        _entry(paper, 1, {"title": "A synthetic title", "issued": {"date-parts": [[2019]]}}),
        _entry(paper, 2, {"title": '<script>alert("x")</script> synthetic & unsafe title',
                          "issued": {"date-parts": [[2020]]}}),
        _entry(paper, 3, {"title": "A synthetic retracted trial"}),
        _entry(paper, 4, {"title": "A synthetic uncited report"}),
    )
    retraction = Update(kind="retraction", doi="10.5555/synthetic.notice", date="2021-01-01",
                        source="publisher")
    resolutions = (
        Resolution("1", ResolutionStatus.MATCHED, _work("10.5555/synthetic.1", "A synthetic title",
                                                        year=2019), confidence=0.97, method="search",
                   evidence=("title 1.00",), sources=("memory",)),
        Resolution("2", ResolutionStatus.MATCHED,
                   _work("10.5555/synthetic.2", '<script>alert("x")</script> synthetic & unsafe title',
                         year=2019),
                   confidence=0.9, method="search", sources=("memory",)),
        Resolution("3", ResolutionStatus.MATCHED,
                   _work("10.5555/synthetic.3", "A synthetic retracted trial", year=2018,
                         updated_by=(retraction,)),
                   confidence=0.95, method="search", sources=("memory",)),
        Resolution("4", ResolutionStatus.NOT_FOUND, sources=("memory",)),
    )
    paper_result = DocumentResult(PAPER, citations, references, resolutions,
                                  reference_list=paper.span(PAPER_TEXT.index("## References"),
                                                            PAPER_TEXT.index("## References") + 13),
                                  text=PAPER_TEXT)

    chapter = SourceText(CHAPTER, CHAPTER_TEXT)
    bib = SourceText(BIB, "@article{smith2019,\n  title = {A synthetic title},\n}\n")
    chapter_result = DocumentResult(
        CHAPTER,
        (_citation(chapter, "\\cite{smith2019}", ("smith2019",), style=CitationStyle.KEY),),
        (Reference(id="smith2019", raw="Smith J. A synthetic title. J Test. 2019;1:1-2.",
                   csl={"title": "A synthetic title"}, span=bib.span(0, 18), key="smith2019"),),
        (Resolution("smith2019", ResolutionStatus.UNVERIFIED, sources=("crossref",),
                    failures=("crossref: HTTP 503",)),),
        text=CHAPTER_TEXT,
    )

    findings = [
        rule("C001").finding("Citation [5] points at no entry: the list ends at 4.",
                             span=citations[3].span, reference="5"),
        rule("M002").finding(MULTILINE_MESSAGE, span=references[1].span, reference="2",
                             fixes=(Fix("issued", 2019, old=2020, safe=False, source="memory"),),
                             details={"registered": 2019, "written": 2020}),
        rule("U001").finding("Entry 3 has been retracted (notice 10.5555/synthetic.notice).",
                             span=references[2].span, reference="3"),
        rule("R001").finding("Entry 4 is cited nowhere in the text.", span=references[3].span,
                             reference="4"),
        rule("S002").finding("No registry holds entry 4.", span=references[3].span, reference="4"),
        # Without a span: the details name the document, as the text reporter expects.
        rule("S001").finding("Entry smith2019 could not be verified: crossref: HTTP 503.",
                             reference="smith2019", details={"path": CHAPTER}),
    ]
    return Report(
        documents=(paper_result, chapter_result),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        notes=("Crossref could not be reached for 1 reference; run again later.",),
    )


def build_empty_report() -> Report:
    """No documents, no findings: every reporter must still produce a valid document."""
    return Report(documents=(), findings=())


@pytest.fixture
def sample_report() -> Report:
    """The realistic synthetic report."""
    return build_sample_report()


@pytest.fixture
def empty_report() -> Report:
    """The empty report."""
    return build_empty_report()
