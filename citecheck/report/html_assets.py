"""The HTML report's style sheet and script, their Content-Security-Policy hashes, and escaping.

The CSS and JavaScript live in `citecheck/data/html/` (edited as files, shipped as package
data) and are inlined into every report, so the page stays one self-contained file. The page's
policy allows exactly these two inline blocks, by their SHA-256 hashes: a `<script>` that ever
slipped into the page from a document's text would not run, and neither would an inline event
handler (`onerror=`) nor a `style=` attribute.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from html import escape
from importlib import resources


def esc(text: object) -> str:
    """HTML-escape anything for element content and quoted attribute values (`&`, `<`, `>`,
    `"` and `'`): user text is never markup."""
    return escape(str(text), quote=True)


@cache
def _asset(name: str) -> str:
    return resources.files("citecheck").joinpath("data", "html", name).read_text(encoding="utf-8")


def stylesheet() -> str:
    """The report's CSS."""
    return _asset("report.css")


def script() -> str:
    """The report's JavaScript (the citation map's clicks and filters)."""
    return _asset("report.js")


def csp_hash(text: str) -> str:
    """`'sha256-…'`: the CSP source that allows an inline block with exactly this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy() -> str:
    """The report's policy: nothing loaded from anywhere, no form posted elsewhere, and only
    citecheck's own inline style and script (by hash) may apply or run."""
    return ("default-src 'none'; "
            f"style-src {csp_hash(stylesheet())}; "
            f"script-src {csp_hash(script())}; "
            "img-src data:; base-uri 'none'; form-action 'self'")


__all__ = ["content_security_policy", "csp_hash", "esc", "script", "stylesheet"]
