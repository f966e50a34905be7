"""The plain-text and Markdown reader end to end: citations, entries, bounds, bad input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from citecheck.documents.base import SourceText
from citecheck.documents.plaintext import read_plain_text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "documents_metastatic-breast-cancer-review.txt"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "metastatic-breast-cancer-review.txt"


def _read(text: str, path: str = "doc.md") -> list[tuple[str, tuple[str, ...], int]]:
    """(marker, targets, line) of every citation the reader finds."""
    document = read_plain_text(SourceText(path, text))
    return [(c.text, c.targets, c.span.line) for c in document.citations]


def test_acceptance_document() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    document = read_plain_text(SourceText("review.txt", text))
    assert [(c.text, c.targets, c.span.line) for c in document.citations] == [("1", ("1",), 3), ("4", ("4",), 13)]
    lines = text.split("\n")
    first, second = document.citations
    assert lines[2][first.span.column - 12 : first.span.column] == "metastases.1"
    assert lines[12][second.span.column - 10 : second.span.column] == "estrogen.4"
    assert [e.number for e in document.entries] == [1, 2, 3, 4]
    assert document.reference_list is not None and document.reference_list.line == 20


def test_shared_copy_is_the_fixture() -> None:
    if not SHARED.exists():
        pytest.skip("../shared is absent: the fixture copy is all there is")
    assert SHARED.read_bytes() == FIXTURE.read_bytes()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "# Title\n\nProse [1] and more [2, 3].\n\n## References\n\n1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
            "2. Jones K. Another synthetic title. J Test. 2020;2:3-4.\n3. Green M. A third. J Test. 2021;3:5-6.\n",
            [("[1]", ("1",), 3), ("[2, 3]", ("2", "3"), 3)],
            id="markdown-brackets",
        ),
        pytest.param(
            "Prose.1 Far beyond the list [70] and in 2011.5 and cancer.5\n\nReferences\n\n1. Smith J. A synthetic title. J Test. 2019.\n",
            [("1", ("1",), 1)],
            id="numbers-beyond-the-list-refused",
        ),
        pytest.param(
            "Prose.1\n\n## References\n\n1. Smith J. A synthetic title. J Test. 2019;1:1-2. [2] cited.3\n"
            "2. Jones K. Another synthetic title. J Test. 2020;2:3-4.\n",
            [("1", ("1",), 1)],
            id="nothing-inside-the-list",
        ),
        pytest.param("Prose without a list [3] and cancer.2", [("[3]", ("3",), 1), ("2", ("2",), 1)], id="no-list-shape-only"),
        pytest.param(
            "Prose (Smith, 2019) and [1].\n\n## References\n\nSmith, J. (2019). A synthetic title. J Test.\n",
            [("[1]", ("1",), 1)],
            id="unnumbered-list-bounds-by-count",
        ),
    ],
)
def test_documents(text: str, expected: list[tuple[str, tuple[str, ...], int]]) -> None:
    assert _read(text) == expected


def _generated(entries: int, citations: int) -> str:
    """A synthetic document with `citations` markers of mixed forms and `entries` entries."""
    rng = random.Random(7)
    forms = ["cancer.{a}", "shown,{a}", "trials{a}-{b}", "as shown [{a}, {b}]", "reported ({a})", "data^{a}^"]
    sentences = []
    for index in range(citations):
        a = rng.randint(1, entries - 1)
        sentences.append("Some prose in 2011 with HER2 and 3.5 mg " + forms[index % len(forms)].format(a=a, b=a + 1) + ".")
        if index % 10 == 9:
            sentences.append("\n\n")
    body = " ".join(sentences)
    listing = "\n".join(f"{n}. Author{n} A. A synthetic title {n}. J Test. 2019;1:{n}-{n + 1}." for n in range(1, entries + 1))
    return f"{body}\n\n## References\n\n{listing}\n"


def test_generated_document() -> None:
    document = read_plain_text(SourceText("big.md", _generated(1000, 5000)))
    assert len(document.entries) == 1000
    assert len(document.citations) == 5000
    assert document.entries[999].number == 1000


def test_traps_with_a_long_list() -> None:
    """With 3,000 entries the bound rejects nothing below 1,000: shape alone must."""
    prose = (
        "HER2 and RIBBON-1 and E2100 and COVID-19 in 2011 and (2011) and 29(10) and July 27,2012\n"
        "and 9/2/2015 and 3.5 and p < 0.05 and 10% and 5 mg at 10:30 and H2O and BRCA1 and T-DM1\n"
        "and x^2 and Fig. [2] and Eq. (3) and pp.12-16 and https://example.org/a#cite-1 here.\n\n"
        "1. A numbered body list\n2) Another item\n\n## 2 Methods\n\nBody text.\n\n"
    )
    listing = "\n".join(f"{n}. Author{n} A. A synthetic title. J Test. 2019;1:1-2." for n in range(1, 3001))
    document = read_plain_text(SourceText("long.md", f"{prose}## References\n\n{listing}\n"))
    assert len(document.entries) == 3000
    assert document.citations == ()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("x", id="one-character"),
        pytest.param("A single line without newline.2", id="single-line"),
        pytest.param("\x00\x01\x02\x7f\ufffd[1](\n\x0c\x1b^1^<sup>", id="binary-ish"),
        # Unclosed brackets and parentheses around long lists: the shapes that make a careless
        # regular expression backtrack; 1 MB on one line.
        pytest.param("[1,2,3-4;5.6,7–8(9,10" * 50_000, id="line-of-digits-and-punctuation-1mb"),
        pytest.param("a" * 200_000 + "1", id="very-long-word"),
        # Long runs of spaces inside shapes that fail at their end: quadratic backtracking
        # would take minutes here.
        pytest.param("[1," + " " * 100_000 + "x", id="bracket-then-spaces"),
        pytest.param("a (1," + " " * 50_000 + "\n" + " " * 50_000 + "x", id="paren-then-spaces-and-break"),
        pytest.param("<sup>1" + " " * 100_000 + "x", id="sup-then-spaces"),
        pytest.param("References" + " " * 100_000 + "x", id="heading-then-spaces"),
        pytest.param("**x**" + " " * 100_000 + "y", id="bold-then-spaces"),
        pytest.param("## References\n\nA" + "a" * 100_000 + " B" + "b" * 100_000 + "\n", id="long-surname-like-line"),
        pytest.param("1" + " " * 100_000 + "\n2" + " " * 100_000 + "1", id="label-then-spaces"),
        pytest.param("```\n" * 5001, id="unclosed-fences"),
        pytest.param("\n1 a\n" * 20_000, id="many-one-labels"),
        pytest.param("References\nfoo\n" * 20_000, id="many-headings-without-lists"),
        pytest.param("cancer.1 [2] " * 5_000, id="many-markers-without-list"),
    ],
)
def test_bad_input_does_not_raise(text: str) -> None:
    document = read_plain_text(SourceText("bad.txt", text))
    assert all(0 <= c.span.start < c.span.end <= len(text) for c in document.citations)


def test_random_text_does_not_raise() -> None:
    rng = random.Random(11)
    tokens = [*"ab A1234567890.,;:-–()[]^<>/ ¹²³⁻٣\n\n#*`%", "References\n", "\n1. ", "[2] ", "```\n", "<sup>", "[^1]:"]
    for _ in range(300):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 120)))
        document = read_plain_text(SourceText("random.txt", text))
        for citation in document.citations:
            assert text[citation.span.start : citation.span.end] == citation.text
