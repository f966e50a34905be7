"""Key-based citations of Pandoc Markdown, Quarto (`.qmd`) and R Markdown (`.Rmd`) documents.

Pandoc's syntax: `[@key]`, `[see @a, p. 3; @b]`, `[-@key]` (author suppressed), `@key` in
running text (narrative), `@{odd/key:chars}`; the YAML front matter names the databases
(`bibliography:`) and the keys cited without a marker (`nocite:`). Keys follow Pandoc's rule:
a letter, digit or `_`, then letters, digits, `_` and single internal punctuation
(`:.#$%&-+?<>~/`), so trailing punctuation is not part of the key.

Code (spans, fenced and indented blocks), HTML comments, URLs and e-mail addresses are
blanked out or skipped first; `@fig:x`, `@sec-x` and other cross-references
(pandoc-crossref, Quarto) are not citations. The front matter is parsed by a small reader
of the few YAML forms these two keys take, to avoid a YAML dependency.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from citecheck.documents.base import ReadDocument, SourceText
from citecheck.model import Citation, CitationStyle

#: One key, Pandoc's rules (`simpleCiteIdentifier`), or any non-space text in braces.
_KEY = (
    r"(?:\{(?P<braced>[^{}\s]+)\}"
    r"|(?P<plain>[\w*](?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*))"
)
#: `@key`; `_keys` then drops those glued to a word (e-mail addresses), an `@` or a backslash.
_CITE_KEY = re.compile(r"@" + _KEY)
#: A bracketed group that may be a citation; nested brackets are not citations in practice.
_BRACKETS = re.compile(r"\[([^\[\]]*@[^\[\]]*)\]")
#: An optional locator right after a narrative citation: `@key [p. 33]`.
_NARRATIVE_SUFFIX = re.compile(r" ?\[[^\[\]@]*\](?![(\[{])")
#: Cross-reference prefixes of pandoc-crossref (`fig:`) and Quarto (`fig-`), callouts included.
_CROSS_REFERENCE = re.compile(
    r"(?i:fig|sec|tbl|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|alg|apx|nte|tip|wrn|imp|cau)"
    r"[:-]"
)
#: Inline things that hold no citations: code spans, HTML comments, autolinks, URLs, link
#: destinations. The alternatives are tried left to right at each position.
_INLINE_SKIP = re.compile(
    r"(?=[`<hfm(])(?:(?P<ticks>`+)|<!--.*?(?:-->|\Z)|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>"
    r"|<[^<>\s@]+@[^<>\s]+>|(?<![@{\w])(?:https?|ftp|file|mailto):[^\s<>()\[\]]*|(?<=\])\((?P<destination>[^()\s]+)\))",
    re.S,
)
_RAW_ENVIRONMENT = re.compile(r"^[ ]{0,3}\\begin\{(?P<name>[A-Za-z]+\*?)\}", re.M)
#: A LaTeX command with its arguments: `\caption{Results [@key]}`, `\textbf{x}`, `\ref{a}`.
_RAW_COMMAND = re.compile(r"\\[A-Za-z]+\*?(?:\[[^\]\n]*\])?(?:\{(?:[^{}\n]|\{[^{}\n]*\})*\})+")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_FRONT_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


def read_pandoc(source: SourceText, base_dir: Path) -> ReadDocument:
    """Citations (`CitationStyle.KEY`), databases and `nocite` of a Pandoc-family document.

    Bibliography paths are resolved against `base_dir` (the document's directory) unless
    absolute. Problems (an unclosed front matter) are listed, never raised.
    """
    text = source.text
    problems: list[str] = []
    front_end, fields = _front_matter(text, problems, source.path)
    citations: list[Citation] = []
    cite_all = False
    bibliography: list[str] = []
    if "bibliography" in fields:
        value, _ = fields["bibliography"]
        for name in _yaml_strings(value):
            resolved = name if os.path.isabs(name) else os.path.normpath(str(base_dir / name))
            if resolved not in bibliography:
                bibliography.append(resolved)
    if "nocite" in fields:
        value, offset = fields["nocite"]
        keys = []
        first, last = len(value), 0
        for key_start, key_end, key in _keys(value):
            if key == "*":
                cite_all = True
            elif not _CROSS_REFERENCE.match(key):
                keys.append(key)
                first, last = min(first, key_start), key_end
        if keys:
            # The span runs from the first key to the last, inside the front matter.
            offset, end = offset + first, offset + last
            citations.append(
                Citation(source.span(offset, end), text[offset:end], tuple(keys), CitationStyle.KEY)
            )
    masked = mask_markdown(text, front_end)
    citations.extend(_body_citations(source, masked))
    return ReadDocument(
        source=source,
        citations=tuple(citations),
        entries=(),
        bibliography_files=tuple(bibliography),
        cite_all=cite_all,
        problems=tuple(problems),
    )


def _body_citations(source: SourceText, masked: str) -> list[Citation]:
    """Bracketed citations first, then narrative ones outside them, in document order."""
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for match in _BRACKETS.finditer(masked):
        start, end = match.span()
        following = masked[end : end + 1]
        if start > 0 and masked[start - 1] == "!":
            # An image: its text is the figure's caption, where Pandoc reads `@key` as a
            # citation like anywhere in running text (the narrative scan below finds it).
            continue
        if following in ("(", "{"):
            # A link or bracketed span: `[@handle](https://…)` is someone's account, not a
            # citation, so nothing inside counts.
            taken.append((start, end))
            continue
        if following == ":" and (start == 0 or masked[start - 1] == "\n"):
            taken.append((start, end))  # a reference-link definition `[@x]: url`
            continue
        keys = _bracket_keys(match.group(1))
        if keys is None:
            continue
        taken.append((start, end))
        if keys:
            found.append(
                Citation(source.span(start, end), source.text[start:end], keys, CitationStyle.KEY)
            )
    taken_index = 0
    for start, end, key in _keys(masked):
        while taken_index < len(taken) and taken[taken_index][1] <= start:
            taken_index += 1
        if taken_index < len(taken) and taken[taken_index][0] <= start:
            continue
        if key == "*" or _CROSS_REFERENCE.match(key):
            continue
        suffix = _NARRATIVE_SUFFIX.match(masked, end)
        if suffix is not None:
            end = suffix.end()
        found.append(
            Citation(source.span(start, end), source.text[start:end], (key,), CitationStyle.KEY)
        )
    found.sort(key=lambda citation: citation.span.start)
    return found


def _keys(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of every `@key` or `-@key` in `text` that Pandoc would read as one."""
    for match in _CITE_KEY.finditer(text):
        start = match.start()
        if start > 0 and text[start - 1] == "-":
            start -= 1
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@\\"):
            continue
        yield start, match.end(), match.group("braced") or match.group("plain")


def _bracket_keys(content: str) -> tuple[str, ...] | None:
    """Keys of a bracketed citation, or None when the brackets are not one.

    Pandoc reads `[…]` as a citation only when every `;`-separated part holds a key; a group
    of cross-references alone is a citation of nothing (an empty tuple).
    """
    keys: list[str] = []
    for part in content.split(";"):
        found = [key for _, _, key in _keys(part)]
        if not found:
            return None
        for key in found:
            if key != "*" and not _CROSS_REFERENCE.match(key):
                keys.append(key)
    return tuple(keys)


def mask_markdown(text: str, body_start: int = 0) -> str:
    """`text` with the front matter, code, raw LaTeX, HTML comments and URLs blanked (same length).

    Raw LaTeX follows Pandoc's `raw_tex`: an environment starting a line (`\\begin{figure}` …
    `\\end{figure}`) is a raw block and a command with its arguments (`\\caption{…}`) raw
    inline text, passed to LaTeX as written; a `[@key]` inside is not a citation for Pandoc.
    """
    blocks = sorted([*_code_blocks(text, body_start), *_raw_latex(text, body_start)])
    masked = _blank(text, [(0, body_start), *_merged(blocks)])
    # Inline level: code spans, comments, autolinks, URLs and link destinations.
    ranges: list[tuple[int, int]] = []
    position = body_start
    while True:
        match = _INLINE_SKIP.search(masked, position)
        if match is None:
            break
        start, end = match.span()
        if match.group("ticks"):
            closing = re.compile(r"(?<!`)" + match.group("ticks") + r"(?!`)")
            found = closing.search(masked, end)
            if found is None:
                position = end  # an unmatched backtick run is literal text
                continue
            end = found.end()
        elif match.group("destination"):
            start, end = match.span("destination")  # keep `(` and `)`: they mark a link
        ranges.append((start, end))
        position = max(end, start + 1)
    return _blank(masked, ranges)


def _raw_latex(text: str, body_start: int) -> list[tuple[int, int]]:
    """Offsets of raw LaTeX environments (from a line's `\\begin{name}` to its `\\end{name}`)
    and of LaTeX commands with their arguments in running text."""
    ranges: list[tuple[int, int]] = []
    for match in _RAW_ENVIRONMENT.finditer(text, body_start):
        close = text.find(f"\\end{{{match.group('name')}}}", match.end())
        end = len(text) if close < 0 else close + len(match.group("name")) + 6
        ranges.append((match.start(), end))
    ranges += [m.span() for m in _RAW_COMMAND.finditer(text, body_start)]
    return ranges


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges with overlaps joined, as `_blank` takes them."""
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _code_blocks(text: str, body_start: int) -> list[tuple[int, int]]:
    """Offsets of the lines of fenced and indented code blocks."""
    ranges: list[tuple[int, int]] = []
    position = body_start
    fence: tuple[str, int] | None = None
    previous_blank = True
    in_list = False
    for line in text[body_start:].split("\n"):
        end = position + len(line)
        stripped = line.strip()
        if fence is not None:
            ranges.append((position, end))
            marker, size = fence
            if stripped.startswith(marker * size) and stripped == marker * len(stripped):
                fence = None
        elif (opening := _FENCE_OPEN.match(line)) is not None and not (
            opening.group(1)[0] == "`" and "`" in line[opening.end() :]
        ):
            fence = (opening.group(1)[0], len(opening.group(1)))
            ranges.append((position, end))
        elif stripped and previous_blank and not in_list and _indent(line) >= 4:
            ranges.append((position, end))
            # Only another indented line (or a blank one) continues the code block.
            position = end + 1
            continue
        if stripped:
            if _LIST_ITEM.match(line):
                in_list = True
            elif previous_blank and _indent(line) == 0:
                in_list = False
        previous_blank = not stripped
        position = end + 1
    return ranges


def _blank(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` with each (start, end) range, in order, replaced by spaces, newlines kept."""
    pieces: list[str] = []
    previous = 0
    for start, end in ranges:
        if end <= start:
            continue
        pieces.append(text[previous:start])
        segment = text[start:end]
        pieces.append(re.sub(r"[^\n]", " ", segment) if "\n" in segment else " " * len(segment))
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


def _indent(line: str) -> int:
    """Columns of leading white space, a tab counting as four."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _front_matter(
    text: str, problems: list[str], path: str
) -> tuple[int, dict[str, tuple[str, int]]]:
    """End offset of the YAML front matter and its top-level fields (raw value, offset)."""
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip() != "---":
        return 0, {}
    fields: dict[str, tuple[str, int]] = {}
    current: str | None = None
    position = first_end + 1
    while position < len(text):
        line_end = text.find("\n", position)
        line_end = len(text) if line_end == -1 else line_end
        line = text[position:line_end]
        if line.rstrip() in ("---", "..."):
            return line_end + 1, fields
        key = _FRONT_KEY.match(line)
        if key is not None:
            current = key.group(1)
            value_start = position + key.end()
            fields[current] = (text[value_start:line_end], value_start)
        elif current is not None and (line[:1] in (" ", "\t", "-") or not line.strip()):
            value, offset = fields[current]
            fields[current] = (text[offset:line_end], offset)
        else:
            current = None
        position = line_end + 1
    problems.append(f"{path}:1: the YAML front matter is not closed by '---' or '...'")
    return 0, {}


def _yaml_strings(value: str) -> list[str]:
    """The strings of a YAML scalar, flow list or block list, as `bibliography:` uses them."""
    items: list[str] = []
    lines = [_strip_comment(line) for line in value.split("\n")]
    head = lines[0].strip()
    if head.startswith("["):
        flow = " ".join(line.strip() for line in lines)
        flow = flow[1 : flow.rfind("]")] if "]" in flow else flow[1:]
        items = _split_flow(flow)
    elif head and head[0] not in "|>":
        items = [" ".join(line.strip() for line in lines if line.strip())]
    elif head[:1] in ("|", ">"):
        items = [line.strip() for line in lines[1:] if line.strip()]
    else:
        for line in lines[1:]:
            stripped = line.strip()
            if stripped.startswith("- ") or stripped == "-":
                items.append(stripped[1:].strip())
    return [name for name in (_unquote(item) for item in items) if name]


def _strip_comment(line: str) -> str:
    """`line` without a YAML comment (`#` after white space, outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _split_flow(flow: str) -> list[str]:
    """Items of a YAML flow sequence's content, commas inside quotes kept."""
    items: list[str] = []
    current: list[str] = []
    quote = ""
    for char in flow:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == ",":
            items.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    items.append("".join(current).strip())
    return items


def _unquote(item: str) -> str:
    """A YAML scalar without its quotes (`''` in single quotes is one quote)."""
    item = item.strip()
    if len(item) >= 2 and item[0] == item[-1] == "'":
        return item[1:-1].replace("''", "'")
    if len(item) >= 2 and item[0] == item[-1] == '"':
        return item[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return item
