"""Finding and splitting a document's own reference list (tables of documents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.documents.base import SourceText
from citecheck.documents.reference_list import find_reference_list

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "documents_metastatic-breast-cancer-review.txt"

# Synthetic entries (obviously made up, no DOI): the shapes matter, not the works.
A = "Smith J. A synthetic title. J Test. 2019;1:1-2."
B = "Jones K, Brown L. Another synthetic title. J Test. 2020;2:3-4."
C = "Green M. Yet another synthetic title. J Test. 2021;3:5-6."
BODY = "Some prose about a topic.1 More prose [2].\n\n"


def _entries(text: str) -> list[tuple[int | None, str, str]]:
    """(number, label, text) of every entry found."""
    _, entries, _ = find_reference_list(SourceText("doc.md", text))
    return [(e.number, e.label, e.text) for e in entries]


def test_acceptance_document() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    span, entries, region = find_reference_list(SourceText("review.txt", text))
    assert span is not None and (span.line, span.column) == (20, 1)
    assert region == text.index("1 American Cancer Society.")
    assert [(e.number, e.label, e.span.line) for e in entries] == [(1, "1", 20), (2, "2", 22), (3, "3", 24), (4, "4", 26)]
    assert entries[0].text == (
        "American Cancer Society. (2004). A Breast Cancer Journey: Your Personal Guidebook. "
        "Atlanta: American Cancer Society."
    )
    assert entries[3].text.startswith("Paridaens, R. J., Dirix, L. Y.")
    assert entries[3].text.endswith("Journal of Clinical Oncology, 4883-4890.")
    assert not any("originally published" in e.text for e in entries)


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("References", id="plain"),
        pytest.param("REFERENCES", id="upper"),
        pytest.param("references:", id="colon"),
        pytest.param("## References", id="markdown-h2"),
        pytest.param("# Bibliography", id="markdown-h1"),
        pytest.param("**References**", id="bold"),
        pytest.param("**References:**", id="bold-colon-inside"),
        pytest.param("## 7. References", id="numbered-section"),
        pytest.param("Works Cited", id="works-cited"),
        pytest.param("Literature Cited", id="literature-cited"),
        pytest.param("Reference List", id="reference-list"),
        pytest.param("Notes", id="notes"),
        pytest.param("Sources", id="sources"),
        pytest.param("Literature", id="literature"),
        pytest.param("References\n----------", id="setext"),
    ],
)
def test_headings(heading: str) -> None:
    text = f"{BODY}{heading}\n\n1. {A}\n2. {B}\n"
    span, entries, region = find_reference_list(SourceText("doc.md", text))
    assert region == len(BODY)
    assert span is not None and span.line == 3
    assert [(e.number, e.text) for e in entries] == [(1, A), (2, B)]


@pytest.mark.parametrize(
    ("list_text", "expected"),
    [
        pytest.param(f"1 {A}\n\n2 {B}\n", [(1, "1", A), (2, "2", B)], id="bare-number-blank-lines"),
        pytest.param(f"1. {A}\n2. {B}\n", [(1, "1.", A), (2, "2.", B)], id="dot-markdown-list"),
        pytest.param(f"[1] {A}\n[2] {B}\n", [(1, "[1]", A), (2, "[2]", B)], id="bracketed"),
        pytest.param(f"1) {A}\n2) {B}\n", [(1, "1)", A), (2, "2)", B)], id="paren-closed"),
        pytest.param(f"(1) {A}\n(2) {B}\n", [(1, "(1)", A), (2, "(2)", B)], id="parenthesised"),
        pytest.param(
            "1. Smith J. A synthetic\n   title. J Test.\n   2019;1:1-2.\n2. " + B,
            [(1, "1.", A), (2, "2.", B)],
            id="wrapped-lines-joined",
        ),
        pytest.param(
            "1. Smith J. A synthetic title. J Test.\n2019;1:1-2.\n2. " + B,
            [(1, "1.", A), (2, "2.", B)],
            id="wrapped-line-starting-with-a-number",
        ),
        pytest.param(
            f"1. {A}\n2. {B}\n\nThis article was originally published on July 27,2012.",
            [(1, "1.", A), (2, "2.", B)],
            id="trailing-prose-not-an-entry",
        ),
        pytest.param(f"  1. {A}\n  2. {B}\n", [(1, "1.", A), (2, "2.", B)], id="indented"),
        pytest.param(f"1. {A}\n3. {C}\n", [(1, "1.", A), (3, "3.", C)], id="small-gap-same-style"),
        pytest.param(
            "1 Smith J. A synthetic title. J Test.\n3 pages 2019;1:1-2.\n2 " + B,
            [(1, "1", "Smith J. A synthetic title. J Test. 3 pages 2019;1:1-2."), (2, "2", B)],
            id="bare-number-gap-is-text",
        ),
    ],
)
def test_numbered_lists_without_heading(list_text: str, expected: list[tuple[int, str, str]]) -> None:
    assert _entries(BODY + list_text) == expected


@pytest.mark.parametrize(
    ("after_heading", "expected"),
    [
        pytest.param(f"{A}\n\n{B}\n", [A, B], id="one-per-paragraph"),
        pytest.param(
            "Smith, J. (2019). A synthetic title.\nJournal of Testing, 1, 1-2.\n\nJones, K. (2020). Another one. J Test, 2, 3-4.\n",
            ["Smith, J. (2019). A synthetic title. Journal of Testing, 1, 1-2.", "Jones, K. (2020). Another one. J Test, 2, 3-4."],
            id="wrapped-paragraphs",
        ),
        pytest.param(
            "Smith, J. (2019). A synthetic title. J Test.\nJones, K. (2020). Another one. J Test.\n",
            ["Smith, J. (2019). A synthetic title. J Test.", "Jones, K. (2020). Another one. J Test."],
            id="one-per-line-surnames",
        ),
        pytest.param(
            "Smith, J. (2019). A synthetic title. J\nTest, 1, 1-2.\nJones, K. (2020). Another one.\n",
            ["Smith, J. (2019). A synthetic title. J Test, 1, 1-2.", "Jones, K. (2020). Another one."],
            id="surname-lines-with-wrapping",
        ),
        pytest.param(f"- {A}\n- {B}\n", [A, B], id="bullets"),
        pytest.param(
            "American Cancer Society. (2004). A synthetic guidebook. Atlanta.\n\n" + A + "\n",
            ["American Cancer Society. (2004). A synthetic guidebook. Atlanta.", A],
            id="organisation-author",
        ),
        pytest.param(f"{A}\n\n{B}\n\n## Appendix\n\n{C}\n", [A, B], id="stops-at-heading"),
        pytest.param(
            f"{A}\n\n{B}\n\nThis article was originally published on July 27,2012.\n",
            [A, B],
            id="stops-at-prose",
        ),
    ],
)
def test_unnumbered_lists_under_heading(after_heading: str, expected: list[str]) -> None:
    found = _entries(f"{BODY}## References\n\n{after_heading}")
    assert found == [(None, "", text) for text in expected]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("\n\n\n", id="blank-lines"),
        pytest.param("Just one line of prose.1", id="single-line"),
        pytest.param("References", id="heading-alone"),
        pytest.param("Prose.\n\n## Notes\n\n[^1]: A footnote, 2019.\n[^2]: Another, 2020.\n", id="footnote-definitions"),
        pytest.param("Prose.\n\n[^1]: A footnote, 2019.\n", id="footnotes-without-heading"),
        pytest.param("Steps:\n\n1. Open the box\n2. Read the manual\n", id="body-list-not-references"),
        pytest.param(
            f"1. {A}\n2. {B}\n\n" + "Then a long body follows. " * 100 + "\n\nAnd more.\n\nAnd more.\n\nEnd.",
            id="numbered-block-followed-by-body",
        ),
        pytest.param("Contents\n\nReferences\nAppendix\n\nBody text.", id="table-of-contents"),
        pytest.param(f"Body.\n\n1. {A}\n2. {B}\n\n## Discussion\n\n" + "Body prose. " * 300, id="numbered-block-before-section"),
        pytest.param("Intro.\n\n## Sources\n\nIn 2019 we found cancer.1\n\nMore prose.\n", id="prose-under-weak-heading"),
        pytest.param("Intro.\n\nNotes\n\nThis was published on July 27,2012.\n", id="colophon-under-notes"),
        pytest.param(
            "Intro.\n\n## Sources\n\nHowever, Data (2019) were collected.\n\n" + "Body prose goes on. " * 200,
            id="weak-heading-followed-by-body",
        ),
        pytest.param("\x00\x01\x02binary\x7f\ufffd\n1\n[", id="binary-ish"),
        pytest.param("[1]: http://example.org\n[2]: http://example.net\n", id="markdown-link-definitions"),
    ],
)
def test_no_reference_list(text: str) -> None:
    span, entries, region = find_reference_list(SourceText("doc.md", text))
    assert (span, entries, region) == (None, [], len(text))


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param("", [A, B], id="at-end"),
        pytest.param("\n## Appendix\n\n" + "Body prose. " * 300, [A, B], id="before-heading"),
        pytest.param("\nPublished 2012 by nobody.\n", [A, B], id="before-colophon"),
    ],
)
def test_weak_heading_closing_the_document(after: str, expected: list[str]) -> None:
    assert [text for _, _, text in _entries(f"{BODY}## Notes\n\n{A}\n\n{B}\n{after}")] == expected


def test_last_strong_heading_wins() -> None:
    text = f"## References\n\n1. {C}\n\n## Notes\n\n1. A note about 2019.\n\nBody.\n\n## References\n\n1. {A}\n2. {B}\n"
    span, entries, region = find_reference_list(SourceText("doc.md", text))
    assert region == text.rindex("## References")
    assert [e.text for e in entries] == [A, B]


def test_entry_spans_start_at_label_and_end_at_last_line() -> None:
    text = "Body.\n\n## References\n\n  [1] Smith J. A synthetic\n      title. J Test. 2019;1:1-2.\n"
    _, (entry,), _ = find_reference_list(SourceText("doc.md", text))
    assert (entry.span.line, entry.span.column) == (5, 3)
    assert text[entry.span.start : entry.span.end] == "[1] Smith J. A synthetic\n      title. J Test. 2019;1:1-2."


# --- issue 11: unnumbered lists of real articles end at a heading, not at an unusual entry ----
# Entries quoted from ../shared/corpus/realdocs (CC BY; the article is named in the param id).
ADLER = ("Adler I (1975) A model of space filling in phyllotaxis. Journal of Theoretical Biology 53: 435–444. "
         "doi:10.1016/S0022-5193(75)80014-2")  # elife-14093-v1, CC BY 4.0
BAAS = ("Baas PW (1999) Microtubules and neuronal polarity: lessons from mitosis. Neuron 22: 23–31. "
        "doi:10.1016/S0896-6273(00)80675-3")  # elife00133, CC BY 3.0
CHRONO = ("14CHRONO Centre of the Queen's University of Belfast (2014) Radiocarbon calibration. Retrieved 14th "
          "July 2014, from http://calib.qub.ac.uk/CALIBomb/")  # elife06003, CC BY 4.0
COUNCIL = ("President's Council on Bioethics (2003) Beyond therapy: Biotechnology and the pursuit of happiness. "
           "Available at http://bioethics.gov/reports/beyondtherapy/index.html via the Internet. "
           "Accessed 19 April 2004")  # journal.pbio.0020188, CC BY
# The shape of a genome paper's 195-author entry (elife04493 cites one), with made-up names.
CONSORTIUM = ", ".join(f"Author{n} AB" for n in range(195)) + " (2000) A synthetic genome sequence. J Test 1: 1–2."


@pytest.mark.parametrize(
    ("after_heading", "expected"),
    [
        pytest.param(f"{ADLER}\n\n{BAAS}\n", [ADLER, BAAS], id="elife-14093-v1-surname-initials-year"),
        pytest.param(f"{BAAS}\n\n{CHRONO}\n\n{ADLER}\n", [BAAS, CHRONO, ADLER], id="elife06003-organisation-with-digits"),
        pytest.param(f"{ADLER}\n\n{COUNCIL}\n\n{BAAS}\n", [ADLER, COUNCIL, BAAS], id="pbio.0020188-organisation"),
        pytest.param(f"{ADLER}\n\n{CONSORTIUM}\n\n{BAAS}\n", [ADLER, CONSORTIUM, BAAS], id="elife04493-long-author-list"),
        pytest.param(f"{ADLER}\n\nAnonymous. Untitled leaflet.\n\n{BAAS}\n", [ADLER, "Anonymous. Untitled leaflet.", BAAS],
                     id="unreadable-entry-is-still-an-entry"),
        pytest.param(f"{ADLER}\n\n{BAAS}\n\nFigure legends\n\nFigure 1. Cells were counted in the field.\n",
                     [ADLER, BAAS], id="ends-at-a-heading-like-line"),
        pytest.param(f"{ADLER}\n\nThis article was originally published on July 27,2012.\n", [ADLER],
                     id="ends-at-prose"),
    ],
)
def test_unnumbered_lists_of_real_articles(after_heading: str, expected: list[str]) -> None:
    found = _entries(f"{BODY}References\n\n{after_heading}")
    assert found == [(None, "", text) for text in expected]


def test_weak_heading_stays_strict() -> None:
    # Under `Notes` a paragraph that does not look like a reference still ends the list, and a
    # list that then does not close the document is no list: the body goes on after it.
    text = f"{BODY}Notes\n\n{A}\n\nAnonymous. Untitled leaflet.\n\n" + "Body prose goes on here. " * 200
    assert find_reference_list(SourceText("doc.md", text))[1] == []


@pytest.mark.parametrize(
    ("after_heading", "expected"),
    [
        pytest.param(f"1. {A}\n\n2. {B}\n\nSmith, J., & Jones, B. (2018). A synthetic two-author title. J Test, 8, 17-18.\n",
                     [(1, A), (2, B), (None, "Smith, J., & Jones, B. (2018). A synthetic two-author title. J Test, 8, 17-18.")],
                     id="unnumbered-after-numbered"),
        pytest.param(f"1. {A}\nSmith, J., & Jones, B. (2018). A synthetic two-author title. J Test, 8, 17-18.\n2. {B}\n",
                     [(1, A), (None, "Smith, J., & Jones, B. (2018). A synthetic two-author title. J Test, 8, 17-18."),
                      (2, B)], id="numbering-goes-on-after-an-unnumbered-entry"),
        pytest.param(f"1. Smith J, Jones K, Brown L, Green M,\nWhite N. A synthetic title. J Test. 2019;1:1-2.\n2. {B}\n",
                     [(1, "Smith J, Jones K, Brown L, Green M, White N. A synthetic title. J Test. 2019;1:1-2."), (2, B)],
                     id="wrapped-author-list-is-not-an-entry"),
    ],
)
def test_mixed_numbered_and_unnumbered_entries(after_heading: str, expected: list[tuple[int | None, str]]) -> None:
    found = _entries(f"{BODY}## References\n\n{after_heading}")
    assert [(number, text) for number, _, text in found] == expected
