"""What a previous LaTeX run recorded: cited keys and databases from a `.aux` or biblatex `.bcf`.

LaTeX writes every key it met into the `.aux` file (`\\citation{key}`, or `\\abx@aux@cite` with
biblatex) and the databases into `\\bibdata{…}`; biblatex with biber writes them into the
`.bcf` control file instead. Reading these, as checkcites does, catches citations hidden
behind user macros that the source reader cannot expand — but only when the file is fresh:
an `.aux` older than the sources describes an earlier draft, so `read_aux` refuses it.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_AUX_COMMAND = re.compile(
    r"\\(citation|bibdata|@input|abx@aux@cite)\{([^{}]*)\}(?:\{([^{}]*)\})?"
)
#: `\@input` chains (one `.aux` per `\include`d chapter) are short; this bounds a loop.
_MAX_AUX_FILES = 500


@dataclass(frozen=True, slots=True)
class AuxInfo:
    """Citations and databases recorded by a LaTeX run."""

    path: str
    """The `.aux` or `.bcf` file read."""
    citations: tuple[str, ...]
    """Cited keys in order of first appearance, each once (`*` excluded: see `cite_all`)."""
    bibliography_files: tuple[str, ...]
    """Databases named, resolved against the file's directory (`.bib` added for BibTeX)."""
    cite_all: bool = False
    """True when the run saw `\\nocite{*}`."""
    problems: tuple[str, ...] = ()
    """What could not be read (a missing chapter `.aux`, a broken `.bcf`)."""


def read_aux(path: Path, newer_than: Iterable[Path] = ()) -> AuxInfo | None:
    """Read `main.aux`/`main.bcf` when it is fresh; None when absent, unreadable or stale.

    `path` is the `.aux` or `.bcf` file, or the main `.tex` file, in which case its `.bcf`
    (written by biblatex with biber) is preferred to its `.aux`, and the `.tex` itself must be
    older. The file must also be newer than every path in `newer_than` (pass every `.tex`
    file the source reader read, e.g. `scan_latex(...).files`).
    """
    path = Path(path)
    sources = list(newer_than)
    if path.suffix.lower() == ".tex":
        sources.append(path)
        candidates = [path.with_suffix(".bcf"), path.with_suffix(".aux")]
    else:
        candidates = [path]
    for candidate in candidates:
        if candidate.is_file() and _is_fresh(candidate, sources):
            if candidate.suffix.lower() == ".bcf":
                return _read_bcf(candidate)
            return _read_aux_file(candidate)
    return None


def _is_fresh(path: Path, sources: Iterable[Path]) -> bool:
    """True when `path` was written after every source that exists."""
    try:
        written = path.stat().st_mtime
    except OSError:
        return False
    for source in sources:
        try:
            if Path(source).stat().st_mtime > written:
                return False
        except OSError:
            continue  # a source that is gone cannot make the record stale
    return True


def _read_aux_file(path: Path) -> AuxInfo:
    """Collect `\\citation`, `\\abx@aux@cite` and `\\bibdata`, following `\\@input`."""
    keys: dict[str, None] = {}
    databases: dict[str, None] = {}
    problems: list[str] = []
    cite_all = False
    base = path.parent
    pending = [path]
    seen: set[Path] = set()
    while pending and len(seen) < _MAX_AUX_FILES:
        current = pending.pop(0)
        if current.resolve() in seen:
            continue
        seen.add(current.resolve())
        try:
            text = current.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            problems.append(f"{current}: cannot be read ({error.strerror or error})")
            continue
        for match in _AUX_COMMAND.finditer(text):
            command, first, second = match.groups()
            if command == "@input":
                pending.append(base / first.strip())
            elif command == "bibdata":
                for name in first.split(","):
                    name = name.strip()
                    if name:
                        name = name if name.lower().endswith(".bib") else name + ".bib"
                        databases[_resolve(base, name)] = None
            else:
                # \abx@aux@cite{key} (old biblatex) or \abx@aux@cite{refsection}{key}.
                names = second if command == "abx@aux@cite" and second is not None else first
                for key in names.split(","):
                    key = key.strip()
                    if key == "*":
                        cite_all = True
                    elif key:
                        keys[key] = None
    return AuxInfo(
        path=str(path),
        citations=tuple(keys),
        bibliography_files=tuple(databases),
        cite_all=cite_all,
        problems=tuple(problems),
    )


def _read_bcf(path: Path) -> AuxInfo:
    """Collect `bcf:citekey` and file `bcf:datasource` elements of a biblatex control file."""
    try:
        tree = ElementTree.parse(path)
    except (OSError, ElementTree.ParseError) as error:
        return AuxInfo(str(path), (), (), problems=(f"{path}: cannot be read ({error})",))
    keys: dict[str, None] = {}
    databases: dict[str, None] = {}
    cite_all = False
    for element in tree.iter():
        # Match local names: the biblatex namespace URI has changed between versions.
        tag = element.tag.rsplit("}", 1)[-1]
        value = (element.text or "").strip()
        if tag == "citekey" and value:
            if value == "*":
                cite_all = True
            else:
                keys[value] = None
        elif tag == "datasource" and value and element.get("type", "file") == "file":
            databases[_resolve(path.parent, value)] = None
    return AuxInfo(str(path), tuple(keys), tuple(databases), cite_all=cite_all)


def _resolve(base: Path, name: str) -> str:
    """`name` relative to `base` unless it is absolute."""
    return name if os.path.isabs(name) else os.path.normpath(os.path.join(str(base), name))
