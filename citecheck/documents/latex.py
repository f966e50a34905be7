"""Key-based citations and bibliography files of a LaTeX document (plain LaTeX, natbib, biblatex).

The reader follows `\\input`, `\\include`, `\\subfile` and `\\import` into the files they name, so
a thesis split over chapters is read as the compiler reads it; each citation's span names the
file it stands in. It never reads the bibliography databases themselves: it reports which ones
the document names (`\\bibliography`, `\\addbibresource`) and leaves reading them to
`citecheck.references`.

Comments, `\\iffalse` branches, verbatim-like environments and `\\verb` are blanked out first
(same length, newlines kept), so every later search runs on text where offsets still match
the file and nothing commented out can pass for a citation.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from citecheck.documents.base import ReadDocument, SourceText
from citecheck.documents.loading import InputError, decode_document
from citecheck.model import Citation, CitationStyle

#: Commands taking `[prenote][postnote]{key,key}`: plain LaTeX, natbib, biblatex, apacite.
CITE_COMMANDS: frozenset[str] = frozenset(
    {
        # plain LaTeX and natbib
        "cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear",
        "citeyearpar", "citenum", "citefullauthor", "nocite",
        "Cite", "Citep", "Citet", "Citealp", "Citealt", "Citeauthor",
        # biblatex
        "parencite", "Parencite", "textcite", "Textcite", "autocite", "Autocite",
        "footcite", "Footcite", "footcitetext", "fullcite", "footfullcite", "supercite",
        "smartcite", "Smartcite", "citetitle", "Citetitle", "citedate", "citeurl",
        "volcite", "Volcite", "pvolcite", "fvolcite", "tvolcite", "avolcite",
        # apacite
        "citeA", "citeNP", "citeyearNP", "shortcite", "shortciteNP",
    }
)
#: biblatex multi-citation commands: `\cites(pre)(post)[pre][post]{k1}[pre][post]{k2}…`.
MULTICITE_COMMANDS: frozenset[str] = frozenset(
    {
        "cites", "Cites", "parencites", "Parencites", "textcites", "Textcites",
        "autocites", "Autocites", "footcites", "footcitetexts", "smartcites",
        "Smartcites", "supercites",
    }
)
#: Commands naming BibTeX databases without extension (`.bib` is added when absent).
_BIBTEX_COMMANDS = frozenset({"bibliography", "nobibliography"})
#: biblatex commands naming a resource with its extension, after optional options.
_BIBLATEX_COMMANDS = frozenset({"addbibresource", "addglobalbib", "addsectionbib"})
#: Commands that read another file in place: name -> how the argument(s) are read.
_INPUT_COMMANDS = frozenset({"input", "include", "subfile"})
#: `\import{dir}{file}` family (import package): absolute from the main directory, or
#: relative to the current import directory for the `sub` forms.
_IMPORT_COMMANDS = frozenset({"import", "inputfrom", "includefrom"})
_SUBIMPORT_COMMANDS = frozenset({"subimport", "subinputfrom", "subincludefrom"})

#: Environments whose content LaTeX does not read as commands (or does not typeset at all).
_VERBATIM_ENVIRONMENTS = (
    r"verbatim\*?|Verbatim\*?|BVerbatim|LVerbatim|lstlisting|minted|comment|filecontents\*?"
)
#: What the masking pass looks for; `\\%` and `\\\\` are escapes, not comments (and no other
#: command needs a stop in Python, which keeps the pass fast).
_MASK_TOKEN = re.compile(
    r"%|\\(?:(verb|lstinline)(?![A-Za-z@])\*?|begin\s*\{(" + _VERBATIM_ENVIRONMENTS + r")\}"
    r"|(iffalse)(?![A-Za-z@])|[\\%])",
    re.S,
)
#: Tokens that matter inside an `\iffalse` branch: nested conditionals, `\else`, `\fi`.
_IF_TOKEN = re.compile(
    r"%[^\n]*|\\newif\s*\\[A-Za-z@]+|\\(if[A-Za-z@]*|fi|else)(?![A-Za-z@])|\\.", re.S
)
#: `\if…` macros that take arguments instead of ending with `\fi` (ifthen, etoolbox, …).
_IF_WITHOUT_FI = frozenset(
    {
        "ifthenelse", "ifdef", "ifndef", "ifundef", "ifcsdef", "ifcsundef", "ifdefmacro",
        "ifdefempty", "ifdefvoid", "ifcsvoid", "ifstrequal", "ifstrempty", "ifblank",
        "ifbool", "ifboolexpr", "iftoggle", "ifnumcomp", "ifnumequal", "ifnumgreater",
        "ifnumless", "ifnumodd", "ifdimcomp", "ifdefstring", "ifcsstring", "ifcsmacro",
        "ifdefstrequal", "iflanguage", "ifpackageloaded", "ifclassloaded", "ifcitation",
    }
)

#: `\input chapter` without braces (the TeX primitive syntax).
_BARE_INPUT = re.compile(r"[ \t]+([^\s{}%\\]+)")

#: Only the commands this reader acts on; longest names first so none shadows another.
_COMMAND = re.compile(
    r"\\("
    + "|".join(
        sorted(
            CITE_COMMANDS | MULTICITE_COMMANDS | _BIBTEX_COMMANDS | _BIBLATEX_COMMANDS
            | _INPUT_COMMANDS | _IMPORT_COMMANDS | _SUBIMPORT_COMMANDS,
            key=lambda name: (-len(name), name),
        )
    )
    + r")(?![A-Za-z@])(\*?)"
)

#: Limits that keep a pathological or hostile tree from running away.
_MAX_DEPTH = 32
_MAX_FILES = 2000


@dataclass(frozen=True, slots=True)
class LatexScan:
    """A LaTeX document as read, with every file that went into it."""

    document: ReadDocument
    """Citations, bibliography files and problems, as `read_latex` returns them."""
    files: tuple[Path, ...]
    """Every file read, the main file first (to decide whether a `.aux` is fresh)."""


def mask_latex(text: str) -> str:
    """Return `text` with comments, `\\iffalse` branches, verbatim and `\\verb` blanked out.

    The result has the same length and the same newlines, so offsets found in it are offsets
    in `text`.
    """
    blanks: list[tuple[int, int]] = []
    position = 0
    length = len(text)
    while True:
        match = _MASK_TOKEN.search(text, position)
        if match is None:
            break
        start = match.start()
        if match.group(0) == "%":
            end = text.find("\n", start)
            end = length if end == -1 else end
        elif match.group(1):
            end = _verb_end(text, match.end())
        elif match.group(2):
            closing = re.compile(r"\\end\s*\{" + re.escape(match.group(2)) + r"\}")
            found = closing.search(text, match.end())
            end = found.end() if found else length
        elif match.group(3):
            end = _iffalse_end(text, match.end())
        else:
            position = match.end()
            continue
        blanks.append((start, end))
        position = max(end, start + 1)
    if not blanks:
        return text
    pieces: list[str] = []
    previous = 0
    for start, end in blanks:
        pieces.append(text[previous:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        previous = end
    pieces.append(text[previous:])
    return "".join(pieces)


def _verb_end(text: str, position: int) -> int:
    """End of a `\\verb|…|` or `\\lstinline[opts]{…}` whose delimiter is at `position`."""
    if position < len(text) and text[position] == "[":
        closing = text.find("]", position)
        position = closing + 1 if closing != -1 else position
    if position >= len(text) or text[position] in " \t\n":
        return position
    delimiter = "}" if text[position] == "{" else text[position]
    line_end = text.find("\n", position)
    line_end = len(text) if line_end == -1 else line_end
    end = text.find(delimiter, position + 1, line_end)
    # An unterminated \verb is an error in LaTeX too; blank the rest of the line.
    return line_end if end == -1 else end + 1


def _iffalse_end(text: str, position: int) -> int:
    """Where the dead branch of an `\\iffalse` starting before `position` ends."""
    depth = 1
    for match in _IF_TOKEN.finditer(text, position):
        name = match.group(1)
        if name is None:
            continue
        if name == "fi":
            depth -= 1
            if depth == 0:
                return match.end()
        elif name == "else":
            if depth == 1:  # the \else branch of \iffalse is live text
                return match.end()
        elif name not in _IF_WITHOUT_FI:
            depth += 1
    return len(text)


def _skip_space(text: str, position: int) -> int:
    """First position at or after `position` that is not white space."""
    length = len(text)
    while position < length and text[position] in " \t\n":
        position += 1
    return position


def _group(text: str, position: int, opening: str, closing: str) -> tuple[int, int] | None:
    """Content bounds of a balanced `opening…closing` group starting at `position`."""
    if position >= len(text) or text[position] != opening:
        return None
    depth = 0
    index = position + 1
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return (position + 1, index) if closing == "}" else None
            depth -= 1
        elif char == closing and depth == 0:
            return position + 1, index
        index += 1
    return None


def _cite_arguments(text: str, position: int) -> tuple[list[tuple[int, int]], int] | None:
    """Key groups and end of `[pre][post]{keys}` after a cite command, or None."""
    for _ in range(2):
        after = _skip_space(text, position)
        note = _group(text, after, "[", "]")
        if note is None:
            break
        position = note[1] + 1
    after = _skip_space(text, position)
    keys = _group(text, after, "{", "}")
    if keys is None:
        return None
    return [keys], keys[1] + 1


def _multicite_arguments(text: str, position: int) -> tuple[list[tuple[int, int]], int] | None:
    """Key groups and end of `(pre)(post)[pre][post]{k1}[pre][post]{k2}…`, or None."""
    for _ in range(2):
        note = _group(text, _skip_space(text, position), "(", ")")
        if note is None:
            break
        position = note[1] + 1
    groups: list[tuple[int, int]] = []
    while True:
        found = _cite_arguments(text, position)
        if found is None:
            break
        groups.extend(found[0])
        position = found[1]
    return (groups, position) if groups else None


def _brace_argument(text: str, position: int) -> tuple[str, int] | None:
    """Content and end of a `{…}` argument after optional `[…]` options."""
    after = _skip_space(text, position)
    options = _group(text, after, "[", "]")
    if options is not None:
        after = _skip_space(text, options[1] + 1)
    found = _group(text, after, "{", "}")
    if found is None:
        return None
    return text[found[0] : found[1]], found[1] + 1


class _Reader:
    """Walks a main file and the files it includes, collecting what `read_latex` returns."""

    def __init__(self, main_path: Path, root: Path | None) -> None:
        self.main_path = main_path
        self.main_dir = Path(os.path.abspath(main_path.parent))
        self.root = Path(os.path.abspath(root)) if root is not None else self.main_dir
        self.citations: list[Citation] = []
        self.bibliography: list[str] = []
        self.problems: list[str] = []
        self.files: list[Path] = []
        self.cite_all = False
        self.stack: list[Path] = []

    def display(self, relative: str) -> str:
        """The path of a file named relative to the main directory, as a user can open it."""
        return os.path.normpath(os.path.join(str(self.main_path.parent), relative))

    def read(self, source: SourceText, location: Path, import_dir: str) -> None:
        """Collect citations, bibliographies and includes of one file, in document order."""
        self.files.append(location)
        self.stack.append(location.resolve())
        text = source.text
        masked = mask_latex(text)
        position = 0
        while True:
            match = _COMMAND.search(masked, position)
            if match is None:
                break
            name = match.group(1)
            position = match.end()
            if name in CITE_COMMANDS or name in MULTICITE_COMMANDS:
                parse = _cite_arguments if name in CITE_COMMANDS else _multicite_arguments
                found = parse(masked, match.end())
                if found is not None:
                    self.cite(source, match.start(), found[1], found[0], name == "nocite")
                    position = found[1]
            elif name in _BIBTEX_COMMANDS or name in _BIBLATEX_COMMANDS:
                argument = _brace_argument(masked, match.end())
                if argument is not None:
                    self.add_bibliography(argument[0], add_extension=name in _BIBTEX_COMMANDS)
                    position = argument[1]
            elif name in _INPUT_COMMANDS:
                position = self.follow_input(source, match, masked, import_dir)
            elif name in _IMPORT_COMMANDS or name in _SUBIMPORT_COMMANDS:
                position = self.follow_import(source, match, masked, import_dir)
        self.stack.pop()

    def cite(
        self,
        source: SourceText,
        start: int,
        end: int,
        groups: list[tuple[int, int]],
        nocite: bool,
    ) -> None:
        """Record one citation command whose key lists stand at `groups`."""
        keys: list[str] = []
        for group_start, group_end in groups:
            for key in source.text[group_start:group_end].split(","):
                key = key.strip()
                if not key:
                    continue
                if "#" in key:
                    # A macro parameter: this \cite is inside a \newcommand, not a use.
                    return
                if nocite and key == "*":
                    self.cite_all = True
                    continue
                keys.append(key)
        if keys:
            self.citations.append(
                Citation(
                    span=source.span(start, end),
                    text=source.text[start:end],
                    targets=tuple(keys),
                    style=CitationStyle.KEY,
                )
            )

    def add_bibliography(self, argument: str, add_extension: bool) -> None:
        """Record the databases named by `\\bibliography{a,b}` or `\\addbibresource{x.bib}`."""
        names = argument.split(",") if add_extension else [argument]
        for name in names:
            name = name.strip()
            if not name or "#" in name:
                continue
            if add_extension and not name.lower().endswith(".bib"):
                name += ".bib"
            # Absolute and parent-directory database paths are kept: naming a shared .bib
            # elsewhere is normal practice, and the database is read by another module.
            resolved = name if os.path.isabs(name) else self.display(name)
            if resolved not in self.bibliography:
                self.bibliography.append(resolved)

    def follow_input(
        self, source: SourceText, match: re.Match[str], masked: str, import_dir: str
    ) -> int:
        """Read the file of `\\input{…}`, `\\include{…}` or `\\subfile{…}`; return where to go on."""
        found = _group(masked, _skip_space(masked, match.end()), "{", "}")
        if found is not None:
            name, end = source.text[found[0] : found[1]].strip(), found[1] + 1
        else:
            bare = _BARE_INPUT.match(masked, match.end()) if match.group(1) == "input" else None
            if bare is None:
                return match.end()
            name, end = bare.group(1), bare.end()
        where = source.span(match.start(), end)
        self.include(name, import_dir, source, where.line, match.group(0))
        return end

    def follow_import(
        self, source: SourceText, match: re.Match[str], masked: str, import_dir: str
    ) -> int:
        """Read the file of `\\import{dir}{file}` or `\\subimport{dir}{file}`."""
        first = _group(masked, _skip_space(masked, match.end()), "{", "}")
        if first is None:
            return match.end()
        second = _group(masked, _skip_space(masked, first[1] + 1), "{", "}")
        if second is None:
            return first[1] + 1
        directory = source.text[first[0] : first[1]].strip()
        name = source.text[second[0] : second[1]].strip()
        line = source.span(match.start(), match.start()).line
        if os.path.isabs(directory):
            self.problems.append(
                f"{source.path}:{line}: {match.group(0)}{{{directory}}}: absolute paths are "
                "not followed"
            )
            return second[1] + 1
        if match.group(1) in _SUBIMPORT_COMMANDS:
            directory = os.path.join(import_dir, directory)
        self.include(name, os.path.normpath(directory), source, line, match.group(0))
        return second[1] + 1

    def include(
        self, name: str, import_dir: str, source: SourceText, line: int, command: str
    ) -> None:
        """Read the file `name` (relative to `import_dir`) in place, or record why not."""
        where = f"{source.path}:{line}: {command}{{{name}}}"
        if not name or "#" in name:
            return
        if os.path.isabs(name) or name.startswith("~"):
            self.problems.append(f"{where}: absolute paths are not followed")
            return
        candidates = [name] if name.lower().endswith(".tex") else [name + ".tex", name]
        relative = None
        for candidate in candidates:
            joined = os.path.normpath(os.path.join(import_dir, candidate))
            absolute = Path(os.path.normpath(self.main_dir / joined))
            if os.path.relpath(absolute, self.root).split(os.sep)[0] == "..":
                self.problems.append(f"{where}: outside the document's directory, not followed")
                return
            if absolute.is_file():
                relative = joined
                break
        if relative is None:
            self.problems.append(f"{where}: file not found")
            return
        if absolute.resolve() in self.stack:
            self.problems.append(f"{where}: includes itself (cycle), not followed again")
            return
        if len(self.stack) >= _MAX_DEPTH or len(self.files) >= _MAX_FILES:
            self.problems.append(f"{where}: includes nested too deep or too many, not followed")
            return
        try:
            raw = absolute.read_bytes()
        except OSError as error:
            self.problems.append(f"{where}: cannot be read ({error.strerror or error})")
            return
        try:
            # The same decoding rules as the main document (UTF-8 or UTF-16 with a BOM).
            text = decode_document(raw, self.display(relative))
        except InputError as error:
            self.problems.append(f"{where}: {error}")
            return
        included = SourceText(path=self.display(relative), text=text)
        # Files read from here look names up in the same (import) directory, as TeX does.
        self.read(included, absolute, import_dir)


def scan_latex(path: Path, text: str, root: Path | None = None) -> LatexScan:
    """Read a LaTeX document and the files it includes; also list every file read.

    `path` is the main file as the user named it and `text` its decoded content. Included
    files are looked up relative to the main file's directory (or the current `\\import`
    directory) and must stay inside `root` (default: that directory): absolute paths and
    `..` escapes are refused with a problem, as are missing files and include cycles.
    """
    reader = _Reader(Path(path), root)
    main = SourceText(path=str(path), text=text)
    reader.read(main, Path(os.path.abspath(path)), "")
    document = ReadDocument(
        source=main,
        citations=tuple(reader.citations),
        entries=(),
        bibliography_files=tuple(reader.bibliography),
        cite_all=reader.cite_all,
        problems=tuple(reader.problems),
    )
    return LatexScan(document=document, files=tuple(reader.files))


def read_latex(path: Path, text: str, root: Path | None = None) -> ReadDocument:
    """Citations (`CitationStyle.KEY`) and bibliography files of a LaTeX document.

    See `scan_latex` for how included files are found; problems never raise, they are
    listed in `ReadDocument.problems`.
    """
    return scan_latex(path, text, root).document
