"""Where do the uncited references belong? Sentences of the document each entry most plausibly
supports, ranked by TF-IDF cosine similarity.

Method (nothing in it knows any particular document):

- the document before its reference list is cut into sentences (at `.`, `!`, `?` followed by
  a capital, allowing a glued citation marker such as `metastases.1` in between, and at line
  breaks); fragments of fewer than `MIN_WORDS` words (headings, captions) are not claims and
  are not proposed;
- words are lower-cased, stop words dropped, and lightly stemmed (plural and `-ing`/`-ed`
  endings), so `trials` meets `Trial` and `treating` meets `treatment`'s stem `treat`;
- weights are sublinear TF × IDF, the IDF computed over the document's own sentences (so words
  the whole document repeats, like its topic, weigh little);
- an entry's query is its title, plus the abstract of its matched registry record when there is
  one; a sentence's score is the cosine of its vector with the query's, blended with the cosine
  of its paragraph (`PARAGRAPH_WEIGHT`): citing sentences are read in their context, and a
  short sentence on the right topic should beat a stray word match elsewhere.

Each R001 finding gains `details["suggestions"]` (the top `TOP` sentences with line, column,
text and score) and its message the best one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any
from dataclasses import dataclass, replace

from citecheck.findings import Finding
from citecheck.model import Reference, Resolution, ResolutionStatus, TextLayout

UNCITED_CODE = "R001"
"""The rule whose findings get placement hints."""
TOP = 3
"""Suggestions kept per entry."""
MIN_WORDS = 5
"""Shorter fragments are headings or captions, not claims a reference could support."""
PARAGRAPH_WEIGHT = 0.35
"""Share of a sentence's score that comes from its paragraph's similarity."""
MIN_SCORE = 0.01
"""Scores below this mean no shared content word: no suggestion."""

_STOP = frozenset("""a about above after again against all also am an and any are as at be because
been before being below between both but by can could did do does doing down during each even few
for from further had has have having he her here hers him his how i if in into is it its itself just
may me might more most my no nor not now of off on once only or other our out over own same she
should so some such than that the their them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your via
versus vs without within per upon seem seems several many much new use used using one two three
first second""".split())
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*(?:[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,–-][0-9]+)*)?\s+(?=[\"“(\[]?[A-Z0-9])")


# A claim ends like a sentence, possibly with a glued citation marker (`metastases.1`).
_CLAIM_END = re.compile(r"[.!?][\"”’)\]]*[0-9⁰¹²³⁴⁵⁶⁷⁸⁹,–-]*$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the document, where it stands, and its paragraph."""

    text: str
    start: int
    paragraph: int


def stem(word: str) -> str:
    """A light English stemmer: enough to make plural and verb forms meet, nothing clever."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """Content words of a text, lower-cased and stemmed."""
    out = []
    for word in _WORD.findall(text.lower()):
        for part in word.replace("’", "'").split("-"):
            part = part.strip("'")
            if len(part) >= 3 and part not in _STOP and not part.isdigit():
                out.append(stem(part))
    return out


def sentences(text: str, end: int) -> list[Sentence]:
    """The sentences of `text[:end]`, each with its offset and paragraph number."""
    found: list[Sentence] = []
    paragraph = 0
    for block in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text[:end]):
        paragraph += 1
        for line in re.finditer(r"[^\n]+", block.group(0)):
            offset = block.start() + line.start()
            cursor = 0
            pieces = [m.end() for m in _SENTENCE_END.finditer(line.group(0))] + [len(line.group(0))]
            for stop in pieces:
                piece = line.group(0)[cursor:stop]
                stripped = piece.strip()
                if stripped:
                    lead = len(piece) - len(piece.lstrip())
                    found.append(Sentence(stripped, offset + cursor + lead, paragraph))
                cursor = stop
    return found


def _vector(counts: Counter[str], idf: dict[str, float], default: float) -> dict[str, float]:
    weights = {t: (1 + math.log(c)) * idf.get(t, default) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


class SentenceIndex:
    """The candidate sentences of a document, vectorised once, ready to rank many queries."""

    def __init__(self, text: str, end: int) -> None:
        """Index the sentences of `text[:end]`."""
        found = sentences(text, end)
        bags = [Counter(terms(s.text)) for s in found]
        frequency = Counter(t for bag in bags for t in bag)
        count = len(found)
        # Plain log(N/df): a word in every sentence (the document's topic) weighs nothing.
        self.idf = {t: math.log((1 + count) / df) for t, df in frequency.items()}
        self.unseen = math.log(1 + count)  # a query word no sentence has: weighs, matches nothing
        paragraphs: dict[int, Counter[str]] = {}
        for sentence, bag in zip(found, bags):
            paragraphs.setdefault(sentence.paragraph, Counter()).update(bag)
        self.paragraphs = {p: self._vector(bag) for p, bag in paragraphs.items()}
        self.candidates = [
            (sentence, self._vector(bag)) for sentence, bag in zip(found, bags)
            # a heading or a caption is not a claim a reference could support
            if len(_WORD.findall(sentence.text)) >= MIN_WORDS and _CLAIM_END.search(sentence.text)
        ]

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        return _vector(counts, self.idf, self.unseen)

    def rank(self, query: str) -> list[tuple[Sentence, float]]:
        """Every candidate sentence with its score for `query`, best first."""
        query_vector = self._vector(Counter(terms(query)))
        paragraph_scores = {p: _cosine(v, query_vector) for p, v in self.paragraphs.items()}
        scored = []
        for sentence, vector in self.candidates:
            own = _cosine(vector, query_vector)
            if own >= MIN_SCORE:
                score = (1 - PARAGRAPH_WEIGHT) * own + PARAGRAPH_WEIGHT * paragraph_scores[sentence.paragraph]
                scored.append((sentence, round(score, 4)))
        scored.sort(key=lambda item: (-item[1], item[0].start))
        return scored


def rank_sentences(text: str, query: str, end: int) -> list[tuple[Sentence, float]]:
    """Every candidate sentence of `text[:end]` with its score for `query`, best first."""
    return SentenceIndex(text, end).rank(query)


def _query(reference: Reference, resolution: Resolution | None) -> str:
    title = str(reference.csl.get("title", "") or "")
    work = resolution.work if resolution and resolution.status is ResolutionStatus.MATCHED else None
    if work is not None:
        title = title or work.title
        if work.abstract:
            return f"{title}\n{work.abstract}"
    return title or reference.raw


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def suggest_placements(text: str, references: Sequence[Reference], findings: Sequence[Finding],
                       exclude_from: int, resolutions: Sequence[Resolution] = (),
                       layout: TextLayout | None = None) -> list[Finding]:
    """`findings` with each uncited-reference finding given placement suggestions.

    Sentences from `exclude_from` on (the reference list and what follows) are never proposed.
    Other findings come back unchanged, in the same order. For a PDF (`layout` given) the
    paragraphs' line breaks are read as spaces, so a sentence is not cut where a line ends, and
    a suggestion names its page and the line on the page.
    """
    if layout is not None:
        # Same length, so offsets still index the text and the layout.
        text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    by_id = {r.id: r for r in references}
    resolved = {r.reference_id: r for r in resolutions}
    index: SentenceIndex | None = None  # built on the first uncited entry, once
    out = []
    for finding in findings:
        reference = by_id.get(finding.reference or "")
        if finding.code != UNCITED_CODE or reference is None:
            out.append(finding)
            continue
        index = index or SentenceIndex(text, exclude_from)
        ranked = index.rank(_query(reference, resolved.get(reference.id)))[:TOP]
        if not ranked:
            out.append(finding)
            continue
        suggestions = []
        for sentence, score in ranked:
            suggestion: dict[str, Any]
            if layout is not None:
                span = layout.span("", sentence.start, sentence.start + 1)
                suggestion = {"page": span.page, "line": span.line, "column": span.column}
            else:
                line, column = _line_column(text, sentence.start)
                suggestion = {"line": line, "column": column}
            suggestions.append({**suggestion, "sentence": sentence.text, "score": score})
        best = suggestions[0]
        quoted = best["sentence"] if len(best["sentence"]) <= 90 else best["sentence"][:89] + "…"
        where = f"page {best['page']}, line {best['line']}" if "page" in best else f"line {best['line']}"
        message = f"{finding.message}; it may support {where}: “{quoted}” (score {best['score']:.2f})"
        out.append(replace(finding, message=message, details={**finding.details, "suggestions": suggestions}))
    return out
