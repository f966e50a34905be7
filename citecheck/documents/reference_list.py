"""Finding a plain-text or Markdown document's own reference list and splitting it into entries.

Two ways in:

1. A heading line: References, Bibliography, Works Cited, Literature Cited, Reference List,
   Literature, Sources, Notes (any case; Markdown `#`, bold `**...**`, a section number and a
   trailing colon allowed). The last such heading whose block yields entries wins, the strong
   names before `Notes`, `Sources` and `Literature`.
2. No heading: a trailing block of entries labelled `1 `, `1. `, `1) `, `(1) ` or `[1] `,
   numbered from 1, mostly looking like references, followed by at most a few short paragraphs
   (a colophon such as "This article was originally published on ...").

Numbered entries start at a label whose number is the next one; any other line continues the
entry (a wrapped line may start with a number; where blank lines set the entries apart, a
labelled line with no blank line before it starts an entry only if it carries the next number). After a blank line, an unindented line without
the next label ends the list. Unnumbered entries (author-year lists under a heading) are one per
paragraph, or one per line where lines start like `Surname, X.` / `Surname XY,` or every line
has a year. A following heading or footnote definition (`[^1]:`) ends the list. Under a weak
heading (`Notes`) so does a paragraph that does not look like a reference; under `References`
an unusual entry is still an entry, and only prose or a heading-like line with no reference
after it ends the list before the next heading.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from citecheck.documents.base import SourceText
from citecheck.model import RawEntry, Span

__all__ = ["find_reference_list", "reference_heading"]

_STRONG_NAMES = (
    r"references(?:[ \t]+cited)?|bibliography|works[ \t]+cited|literature[ \t]+cited"
    r"|reference[ \t]+list|cited[ \t]+literature"
)
_WEAK_NAMES = r"notes|endnotes|sources|literature"
_HEADING = re.compile(
    rf"""^[ \t]{{0,3}}(?:\#{{1,6}}[ \t]*+)?(?:(?:\d{{1,2}}|[IVXivx]{{1,5}})\.?[ \t]++)?
    (?:\*\*|__)?[ \t]*+(?:(?P<strong>{_STRONG_NAMES})|(?P<weak>{_WEAK_NAMES}))[ \t]*+:?[ \t]*+
    (?:\*\*|__)?[ \t]*+:?[ \t]*+\#*+[ \t]*+$""",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)
# Any line that reads as a heading, to end a list: Markdown `#`, a bold-only line, a setext rule.
# Possessive quantifiers (`*+`) so that runs of spaces are never re-split on failure.
_ANY_HEADING = re.compile(
    r"[ \t]{0,3}(?:#{1,6}(?:[ \t]|$)|\*\*[^*\n]++\*\*[ \t]*+:?[ \t]*+$|(?:=++|-{3,})[ \t]*+$)"
)
_LABEL = re.compile(
    r"""[ \t]{0,3}(?P<label>\[(?P<a>\d{1,4})\](?!:)|\((?P<b>\d{1,4})\)|(?P<c>\d{1,4})[.)]
    |(?P<d>\d{1,4})(?=[ \t]++[^\W\d_"“'‘\[(]))[ \t]++(?=\S)""",
    re.VERBOSE,
)
# A label alone on its line: the entry's text wrapped to the next one (a long URL in a PDF).
_BARE_LABEL = re.compile(r"[ \t]{0,3}(?P<label>\[(?P<a>\d{1,4})\]|(?P<c>\d{1,4})[.)])[ \t]*")
_SETEXT_RULE = re.compile(r"[ \t]*+(?:=++|-++)[ \t]*+")
_FIRST_LABEL = re.compile(r"^[ \t]{0,3}(?:\[1\]|\(1\)|1[.)]?)[ \t]+\S", re.MULTILINE)
_BULLET = re.compile(r"[ \t]{0,3}[-*+•][ \t]+(?=\S)")
_FOOTNOTE_DEFINITION = re.compile(r"[ \t]{0,3}\[\^[^\]\n]+\]:")
_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)|\bn\.\s?d\.")
_REFERENCE_HINT = re.compile(
    r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)|\bet al\b|\bdoi\b|\b10\.\d{4,9}/|https?://|\bpp?\.\s?\d|\bvol\.",
    re.IGNORECASE,
)
_SURNAME_START = re.compile(
    r"[ \t]{0,3}(?:(?:van|von|de|der|den|da|di|du|del|la|le|dos)[ \t]++)*+[A-Z][\w'’\-]++"
    r"(?:,[ \t]++[A-Z]|[ \t]++[A-Z]{1,3}[,.](?:[ \t]|$)|[ \t]++[A-Z][\w'’\-]++,[ \t]++[A-Z])"
)
_PAREN_YEAR = re.compile(r"\((?:1[5-9]|20)\d\d[a-z]?\)")
_PROSE_WORDS = re.compile(
    r"\b(?:was|were|is|are|has|have|had|will|this|these|we|our|it|in|on|at|to|for|since|from)\b",
    re.IGNORECASE,
)

_MAX_TRAILING_PARAGRAPHS = 3
_MAX_TRAILING_CHARS = 2000
_MAX_TRIES = 20
_MAX_ENTRY_CHARS = 2000
_MAX_LABEL_GAP = 5


@dataclass(slots=True)
class _Draft:
    """An entry being assembled from its lines."""

    start: int
    label: str
    number: int | None
    parts: list[str] = field(default_factory=list)
    end: int = 0


def find_reference_list(source: SourceText) -> tuple[Span | None, list[RawEntry], int]:
    """The document's reference list: where it starts, its entries, and the offset of its region.

    The offset is that of the heading, or of the first entry when there is no heading; it is
    `len(source.text)` when the document has no list (then the span is None and no entries).
    """
    text = source.text
    lines = _Lines(source)
    # Strong names first, later before earlier; a bounded number of tries, each a linear parse,
    # so that a document of thousands of `References` lines stays linear.
    headings = sorted(_HEADING.finditer(text), key=lambda m: (m.group("strong") is None, -m.start()))
    for heading in headings[:_MAX_TRIES]:
        first = lines.index_of(heading.start()) + 1
        drafts, stop = _parse_after_heading(lines, first, tolerant=heading.group("strong") is not None)
        # `Notes`, `Sources`, `Literature` also head body sections: their list must close the
        # document (or meet the next heading), or the body after it would go unscanned.
        if drafts and (heading.group("strong") or _ends_document(text, stop)):
            return source.span(heading.start(), heading.end()), _finish(source, drafts), heading.start()
    starts = list(_FIRST_LABEL.finditer(text))[-_MAX_TRIES:]
    for candidate in reversed(starts):
        index = lines.index_of(candidate.start())
        drafts, stop = _parse_numbered(lines, index)
        if _is_trailing_list(text, drafts, stop):
            first_line_end = lines.end(index)
            span = source.span(drafts[0].start, first_line_end)
            return span, _finish(source, drafts), lines.start(index)
    return None, [], len(text)


def reference_heading(line: str) -> str | None:
    """`"strong"` or `"weak"` when a line on its own reads as a reference-list heading (see the
    module docs), else None. The PDF reader uses it to find the list among laid-out rows."""
    match = _HEADING.match(line.strip())
    if match is None:
        return None
    return "strong" if match.group("strong") else "weak"


class _Lines:
    """Line access by index over a SourceText, without copying the text into a list."""

    def __init__(self, source: SourceText) -> None:
        self.text = source.text
        self.starts = source.line_starts
        self.count = len(self.starts)

    def start(self, index: int) -> int:
        """Offset of line `index`'s first character."""
        return self.starts[index]

    def end(self, index: int) -> int:
        """Offset just past line `index`'s last character (before its newline)."""
        return self.starts[index + 1] - 1 if index + 1 < self.count else len(self.text)

    def line(self, index: int) -> str:
        """Line `index` without its newline."""
        return self.text[self.start(index) : self.end(index)]

    def index_of(self, offset: int) -> int:
        """Index of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1


def _parse_after_heading(lines: _Lines, first: int, tolerant: bool = False) -> tuple[list[_Draft], int]:
    """Entries under a heading (numbered if the first text line carries a label) and the
    offset where the list stops; `tolerant` for a strong heading (see `_parse_unnumbered`)."""
    index = first
    while index < lines.count:
        line = lines.line(index)
        # Skip blank lines and a setext underline (`References\n----------`).
        if line.strip() and not _SETEXT_RULE.fullmatch(line):
            break
        index += 1
    if index >= lines.count:
        return [], len(lines.text)
    if _LABEL.match(lines.line(index)):
        return _parse_numbered(lines, index)
    return _parse_unnumbered(lines, index, tolerant)


def _parse_numbered(lines: _Lines, first: int) -> tuple[list[_Draft], int]:
    """Numbered entries from line `first` on, and the offset where the list stops.

    A list may mix in unnumbered author-year entries (`Smith, J. (2019). …` after `3. …`): a
    line that starts one, after a blank line or after an entry's closing full stop, is an entry
    of its own, without a number; numbering goes on after it.
    """
    drafts: list[_Draft] = []
    current: _Draft | None = None
    numbered: _Draft | None = None  # the last numbered entry, for the numbering's continuity
    blank_before = False
    spaced = 0  # entries so far that a blank line set apart from the one before
    stop = lines.end(lines.count - 1)
    for index in range(first, lines.count):
        line = lines.line(index)
        if not line.strip():
            blank_before = True
            continue
        if _ANY_HEADING.match(line) or _FOOTNOTE_DEFINITION.match(line):
            stop = lines.start(index)
            break
        label = _LABEL.match(line)
        if label is None and (bare := _BARE_LABEL.fullmatch(line)):
            # Only the next number: `300.` alone is as often the end of a wrapped page range.
            expected = (numbered.number or 0) + 1 if numbered is not None else 1
            label = bare if _label_number(bare) == expected else None
        number = _label_number(label) if label else None
        following = (numbered.number or 0) + 1 if numbered is not None else 1
        if label and current is not None and not blank_before and spaced >= 2 and spaced >= 0.8 * (len(drafts) - 1) \
                and number != following:
            # Entries set apart by blank lines (nearly all: a page break may eat one): a wrapped
            # line that starts with a number (`10. The dusky shark`, `23. doi:`) continues the entry.
            label = None
        if label and (numbered is None or _continues_numbering(numbered, label, number)):
            spaced += bool(drafts) and blank_before
            current = _Draft(lines.start(index) + label.start("label"), label.group("label"), number)
            current.parts.append(line[label.end() :].strip())
            current.end = lines.start(index) + len(line.rstrip())
            drafts.append(current)
            numbered = current
            blank_before = False
            continue
        if current is not None and not label and _starts_unnumbered_entry(line, current, blank_before):
            current = _Draft(lines.start(index) + len(line) - len(line.lstrip()), "", None)
            current.parts.append(line.strip())
            current.end = lines.start(index) + len(line.rstrip())
            drafts.append(current)
            blank_before = False
            continue
        if current is None or (blank_before and (label or not line[:1].isspace())):
            # A new list, or prose after the list (`This article was originally published...`).
            stop = lines.start(index)
            break
        current.parts.append(line.strip())
        current.end = lines.start(index) + len(line.rstrip())
        blank_before = False
    return drafts, stop


def _starts_unnumbered_entry(line: str, current: _Draft, blank_before: bool) -> bool:
    """Whether an unlabelled line in a numbered list starts an author-year entry of its own:
    unindented, reading as a reference, and after a blank line or a line closing an entry
    with a year in parentheses near its start (`Smith, J., & Jones, B. (2018). …`)."""
    if line[:1].isspace() or not _looks_like_reference(line.strip()):
        return False
    if blank_before:
        return True
    closed = bool(current.parts) and current.parts[-1].rstrip()[-1:] in ".)"
    return closed and bool(_SURNAME_START.match(line)) and bool(_PAREN_YEAR.search(line, 0, 150))


def _parse_unnumbered(lines: _Lines, first: int, tolerant: bool = False) -> tuple[list[_Draft], int]:
    """Author-year entries from line `first` on (one per paragraph, line or bullet) and the
    offset where the list stops.

    Strict (under a weak heading such as `Notes`): the first paragraph that does not look like
    a reference ends the list. Tolerant (under `References` and the other strong names): the
    list goes on to the next heading or the document's end, and an entry citecheck cannot read
    is still an entry (`Adler I (1975) …`, an organisation, a 200-author consortium paper); only
    prose (`This article was originally published on …`) or a heading-like line ends it early,
    when no entry that looks like a reference follows it.
    """
    paragraphs: list[list[int]] = []
    paragraph: list[int] = []
    stop = len(lines.text)
    index = first
    while index <= lines.count:
        line = lines.line(index) if index < lines.count else ""
        if line.strip() and not (_ANY_HEADING.match(line) or _FOOTNOTE_DEFINITION.match(line)):
            paragraph.append(index)
            index += 1
            continue
        if paragraph:
            paragraphs.append(paragraph)
            paragraph = []
        if index < lines.count and line.strip():  # a heading or a footnote definition
            stop = lines.start(index)
            break
        index += 1
    drafts: list[_Draft] = []
    split = [_split_paragraph(lines, p) for p in paragraphs]
    looks = [all(_looks_like_reference(" ".join(d.parts)) for d in entries) for entries in split]
    for number, (entries, fine) in enumerate(zip(split, looks)):
        if not fine:
            text = " ".join(part for d in entries for part in d.parts)
            ends = not tolerant or _reads_as_prose(text) or _reads_as_heading(lines, paragraphs[number])
            if ends and not any(looks[number + 1 :]):
                return drafts, lines.start(paragraphs[number][0])
        drafts.extend(entries)
    return drafts, stop


def _reads_as_prose(text: str) -> bool:
    """Prose, not a reference: sentence words (`this`, `was`, `on`) before its first year, or
    throughout when it has none (`This article was originally published on July 27,2012.`)."""
    year = _YEAR.search(text)
    head = text[: year.start()] if year else text[:300]
    return len(_PROSE_WORDS.findall(head)) >= 2


def _reads_as_heading(lines: _Lines, paragraph: list[int]) -> bool:
    """A single short line with no year and no closing full stop: `Figure legends`, `Tables`."""
    if len(paragraph) != 1:
        return False
    text = lines.line(paragraph[0]).strip()
    return len(text) <= 80 and not _YEAR.search(text) and not text.endswith(".")


def _split_paragraph(lines: _Lines, indexes: list[int]) -> list[_Draft]:
    """One paragraph of an unnumbered list as entries (see the module docs for the rule)."""
    texts = [lines.line(i) for i in indexes]
    bullets = [_BULLET.match(t) for t in texts]
    surnames = [bool(_SURNAME_START.match(t)) for t in texts]
    if any(bullets):
        starts = [b is not None for b in bullets]
    elif len(texts) > 1 and all(_YEAR.search(t) and t[:1].isupper() for t in texts):
        starts = [True] * len(texts)
    elif len(texts) > 1 and surnames[0] and sum(surnames) > 1:
        # A new entry where a surname starts a line after a line that ends an entry.
        starts = [
            i == 0 or (surnames[i] and texts[i - 1].rstrip()[-1:] in ".)") for i in range(len(texts))
        ]
    else:
        starts = [True] + [False] * (len(texts) - 1)
    starts[0] = True
    drafts: list[_Draft] = []
    for index, line, is_start, bullet in zip(indexes, texts, starts, bullets):
        begin = lines.start(index)
        if is_start:
            skip = bullet.end() if bullet else len(line) - len(line.lstrip())
            drafts.append(_Draft(begin + skip, "", None, [line[skip:].strip()]))
        else:
            drafts[-1].parts.append(line.strip())
        drafts[-1].end = begin + len(line.rstrip())
    return drafts


def _is_trailing_list(text: str, drafts: list[_Draft], stop: int) -> bool:
    """Whether a heading-less numbered block is the document's reference list.

    It must start at 1, read mostly like references, and be followed by little or nothing
    (not even a heading: a numbered block before a further section is part of the body).
    """
    if not drafts or drafts[0].number != 1:
        return False
    hinted = sum(1 for d in drafts if _REFERENCE_HINT.search(" ".join(d.parts)))
    if hinted * 2 < len(drafts) or (len(drafts) == 1 and not hinted):
        return False
    return _ends_document(text, stop, heading_ends=False)


def _ends_document(text: str, stop: int, heading_ends: bool = True) -> bool:
    """Whether a list stopping at `stop` closes the document: what follows is a few short
    paragraphs at most (a colophon), or, when `heading_ends`, a further heading."""
    if heading_ends and _ANY_HEADING.match(text, stop):
        return True
    rest = text[stop : stop + _MAX_TRAILING_CHARS + 1].strip()
    if len(rest) > _MAX_TRAILING_CHARS:
        return False
    return len([p for p in re.split(r"\n[ \t]*\n", rest) if p.strip()]) <= _MAX_TRAILING_PARAGRAPHS


def _looks_like_reference(entry: str) -> bool:
    """A starting surname, or, in a short paragraph, an early year after author-like text.

    Strict on purpose: everything from the list's heading on is taken out of the citation scan,
    so a body paragraph mistaken for an entry would hide the citations after it.
    """
    if len(entry) > _MAX_ENTRY_CHARS:
        return False
    if _SURNAME_START.match(entry):
        return True
    year = _YEAR.search(entry, 0, 200)
    if year is None:
        return False
    before = entry[: year.start()]
    # "American Cancer Society. (2004)" has an author's full stop or comma before the year;
    # "In 2019 we found" and "This article was published on July 27,2012" do not read so.
    return bool(re.search(r"[.,]", before)) and not _PROSE_WORDS.search(before)


def _continues_numbering(current: _Draft, label: re.Match[str], number: int | None) -> bool:
    """Whether a labelled line starts the next entry rather than continuing `current`.

    The next number always does. A small gap (`1.` then `3.`, an entry lost in copying) does
    only for labels with punctuation in the same style: a wrapped line starting `2019. ` or
    `12 ` is text.
    """
    previous = current.number or 0
    if number is None or number <= previous:
        return False
    if number == previous + 1:
        return True
    style = label.group("label").strip("0123456789")
    same_style = bool(style) and style == current.label.strip("0123456789")
    return same_style and number - previous <= _MAX_LABEL_GAP


def _label_number(label: re.Match[str]) -> int:
    """The number a label match carries."""
    groups = label.groupdict()
    for name in ("a", "b", "c", "d"):
        if groups.get(name) is not None:
            return int(label.group(name))
    return 0  # pragma: no cover - every label alternative has a number


def _finish(source: SourceText, drafts: list[_Draft]) -> list[RawEntry]:
    """Drafts to RawEntry values: text joined by single spaces, span from the label on."""
    return [
        RawEntry(
            text=" ".join(part for part in draft.parts if part),
            span=source.span(draft.start, draft.end),
            number=draft.number,
            label=draft.label,
        )
        for draft in drafts
    ]
