"""What the app's download links return, made from a stored audit in memory.

The corrected bibliography goes through `citecheck.fix.output`, the code `citecheck fix` runs,
so the .bib downloaded for a manuscript is byte for byte what `citecheck fix` prints for it
with the same sources; SARIF and JSON are the reporters `citecheck audit --format` uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from citecheck.fix.formatting import StyleError
from citecheck.fix.output import TARGETS, corrected_bibliography, fix_plan
from citecheck.report import formats
from citecheck.web.store import StoredAudit

STYLES = ("vancouver", "american-medical-association", "apa", "harvard", "chicago-author-date", "ieee", "nature",
          "modern-language-association")
"""The styles the page offers by name (any name of the CSL styles repository is accepted)."""
_STYLE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
"""A style *name*: never a path, so a request cannot make citecheck read a file it names."""

_MEDIA = {
    "bibtex": ("application/x-bibtex; charset=utf-8", ".bib"),
    "csljson": ("application/vnd.citationstyles.csl+json; charset=utf-8", ".json"),
    "text": ("text/plain; charset=utf-8", ".txt"),
    "markdown": ("text/markdown; charset=utf-8", ".md"),
    "html": ("text/html; charset=utf-8", ".html"),
}


class DownloadError(Exception):
    """A download that cannot be made (an unknown format or style): one line for the page."""


@dataclass(frozen=True)
class Download:
    """A file to send."""

    filename: str
    """The name the browser saves it under."""
    media_type: str
    """Its content type."""
    body: str
    """Its text."""

    def disposition(self) -> str:
        """`Content-Disposition`: an attachment, with an ASCII name and the UTF-8 one (RFC 6266)."""
        fallback = re.sub(r"[^A-Za-z0-9._-]", "_", self.filename) or "download"
        return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(self.filename, safe='')}"


def bibliography(stored: StoredAudit, target: str, style: str, unsafe: bool) -> Download:
    """The corrected bibliography as `citecheck fix --to TARGET --style STYLE [--unsafe-fixes]`
    writes it: the uploaded .bib with the changes made, or the list generated in citation order."""
    if target not in TARGETS:
        raise DownloadError(f"unknown bibliography format {target!r} (expected one of {', '.join(TARGETS)})")
    if not _STYLE_NAME.fullmatch(style):
        raise DownloadError(f"{style!r} is not a style name (vancouver, apa, … : a name of the CSL styles repository)")
    bib_texts = {Path(name): text for name, text in stored.bib_texts.items()}
    plan = fix_plan(stored.report.documents[0], stored.report.findings, bib_texts, unsafe)
    if len(bib_texts) > 1 and target == "bibtex":
        raise DownloadError("this manuscript uses several .bib files; download CSL-JSON or a formatted list")
    try:
        body = corrected_bibliography(plan, bib_texts, target, style)
    except StyleError as error:
        raise DownloadError(str(error).removeprefix("--style: ")) from None
    media_type, suffix = _MEDIA[target]
    base = next(iter(bib_texts)) if bib_texts and target == "bibtex" else Path(stored.name)
    return Download(f"{base.stem}.corrected{suffix}", media_type, body)


def report(stored: StoredAudit, kind: str) -> Download:
    """The audit's report as `citecheck audit --format sarif|json` writes it."""
    stem = Path(stored.name).stem
    if kind == "sarif":
        return Download(f"{stem}.sarif", "application/sarif+json; charset=utf-8", formats()["sarif"](stored.report))
    if kind == "json":
        return Download(f"{stem}.citecheck.json", "application/json; charset=utf-8", formats()["json"](stored.report))
    raise DownloadError(f"unknown report format {kind!r} (expected sarif or json)")


__all__ = ["STYLES", "Download", "DownloadError", "bibliography", "report"]
