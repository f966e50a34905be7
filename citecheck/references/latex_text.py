"""LaTeX in field values: escaping text for BibTeX, and decoding BibTeX values to plain text.

Non-ASCII is written as UTF-8, not as LaTeX accent macros (Biber and any BibTeX run with a
UTF-8 input encoding read it); LaTeX's special characters (`& % $ # _ { } ~ ^ \\`) are
escaped; `url` and `doi` are written verbatim.
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db


_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_VERBATIM_FIELDS = frozenset({"url", "doi", "file", "eprint", "urldate"})
_NEEDS_LATEX = re.compile(r"[\\~$`'-]")


def latex_escape(text: str) -> str:
    """Plain text → BibTeX text: LaTeX's special characters escaped, everything else kept."""
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def balanced_braces(text: str) -> bool:
    """True when every `{` in `text` is closed by a later `}` and no `}` comes unopened."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def encode_field_value(name: str, text: str) -> str:
    """A plain-text value as BibTeX field content (without the enclosing braces)."""
    if name.lower() in _VERBATIM_FIELDS:
        # URLs and DOIs are verbatim in BibTeX (url/hyperref): only unbalanced braces would break
        # the file, and percent-encoding them keeps the link valid.
        return text if balanced_braces(text) else text.replace("{", "%7B").replace("}", "%7D")
    if name.lower() == "pages":
        return latex_escape(re.sub(r"\s*[-‐‑‒–—]+\s*", "--", text))
    return latex_escape(text)


def _decoder() -> LatexNodes2Text:
    # As bibtexparser's LatexDecodingMiddleware: `\url{x}` is x, not `<x>`; math kept verbatim.
    context = get_default_latex_context_db()
    context.add_context_category(
        "citecheck", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")]
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


_DECODER = _decoder()
_CIRCUMFLEX = "\ue000"  # private-use stand-in: pylatexenc renders \textasciicircum as ˆ, not ^


def latex_to_text(value: str, name: str = "") -> str:
    """BibTeX field text → plain text: accents decoded (`{\\"o}` → ö), braces and escapes gone."""
    if name.lower() in _VERBATIM_FIELDS:
        text = re.sub(r"\\([_%&#$~])", r"\1", value).replace("{", "").replace("}", "")
    elif not _NEEDS_LATEX.search(value):
        text = value.replace("{", "").replace("}", "")  # the common case, without the parser
    else:
        try:
            text = _DECODER.latex_to_text(value.replace(r"\textasciicircum{}", _CIRCUMFLEX))
        except Exception:  # pylatexenc on malformed LaTeX: keep the text rather than fail
            text = value.replace("{", "").replace("}", "")
        text = text.replace(_CIRCUMFLEX, "^")
    return " ".join(text.replace("\xa0", " ").split())
