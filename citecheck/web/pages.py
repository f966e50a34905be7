"""The app's pages: the upload form, an error page, and a finished audit's report with its
downloads. Every value that comes from a user or a document is escaped; the upload page loads
its script and style from `/static/` (no inline script at all), and the report page is the
HTML report itself (its inline blocks allowed by hash).
"""

from __future__ import annotations

from importlib import resources

from citecheck.documents.readers import INPUT_FORMATS
from citecheck.fix.output import TARGETS
from citecheck.report.html import render
from citecheck.report.html_assets import esc
from citecheck.version import __version__
from citecheck.web.downloads import STYLES
from citecheck.web.settings import MIB, ServeSettings
from citecheck.web.store import StoredAudit
from citecheck.web.uploads import BIBLIOGRAPHY, MANUSCRIPT

MANUSCRIPT_TYPES = ".txt,.text,.md,.markdown,.qmd,.rmd,.tex,.ltx,.docx,.pdf,text/plain,text/markdown,application/pdf"
"""What the file chooser offers for a manuscript (any file may still be dropped)."""
_TARGET_NAMES = {"bibtex": "BibTeX (.bib)", "csljson": "CSL-JSON", "text": "Formatted list (text)",
                 "markdown": "Formatted list (Markdown)", "html": "Formatted list (HTML)"}


def static_file(name: str) -> str:
    """The text of one of the app's static files (`app.js`, `app.css`)."""
    return resources.files("citecheck").joinpath("data", "web", name).read_text(encoding="utf-8")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{esc(title)}</title>\n"
            '<link rel="stylesheet" href="/static/app.css">\n</head>\n<body>\n'
            f"{body}\n"
            f'<footer>citecheck {esc(__version__)} · <a href="/">check another manuscript</a></footer>\n'
            '<script src="/static/app.js"></script>\n</body>\n</html>\n')


def index_page(settings: ServeSettings) -> str:
    """The upload form, with what the server will do with the file."""
    limit = settings.max_upload_bytes
    formats = "".join(f'<option value="{esc(name)}">{esc(name)}</option>' for name in INPUT_FORMATS)
    verify = settings.audit.verify
    checkbox = (f'<input type="hidden" name="verify" value="off"><label><input type="checkbox" name="verify" '
                f'value="on"{" checked" if verify else " disabled"}> verify references against the registry</label>')
    body = f"""<header><h1>citecheck</h1>
<p>Check that a manuscript's citations and references agree, and that every reference is real and right.</p></header>
<main>
<form id="upload" method="post" action="/audit" enctype="multipart/form-data" data-max-bytes="{limit}">
<div id="drop" class="drop">
<p><strong>Drop a manuscript here</strong> (and its .bib, if it has one), or choose them:</p>
<p><label>Manuscript <input type="file" id="{MANUSCRIPT}" name="{MANUSCRIPT}" required accept="{MANUSCRIPT_TYPES}"></label></p>
<p><label>Bibliography, optional <input type="file" id="{BIBLIOGRAPHY}" name="{BIBLIOGRAPHY}" accept=".bib,.json,.yaml,.yml"></label></p>
<p class="sub">Plain text, Markdown, Pandoc, Quarto or R Markdown, LaTeX, Word (.docx) or PDF, up to {limit / MIB:g} MiB
with its bibliography. A LaTeX or Pandoc manuscript's .bib goes in the second field, under the name the manuscript uses.</p>
<p id="chosen" class="sub"></p>
</div>
<details><summary>Options</summary>
<p><label>Read as <select name="input_format"><option value="">guess from the file</option>{formats}</select></label></p>
<p>{checkbox}</p>
</details>
<p><button type="submit" id="check">Check the manuscript</button></p>
</form>
<section id="progress" hidden>
<h2>Checking <span id="progress-name"></span></h2>
<progress id="bar"></progress>
<p id="stage" aria-live="polite"></p>
<ul id="notes"></ul>
<p><button type="button" id="cancel">Cancel</button></p>
</section>
<p id="error" class="error" role="alert" hidden></p>
<section class="about">
<h2>Where your file goes</h2>
<p>{esc(settings.describe_sources())} {_privacy(settings)}</p>
<p>The manuscript is saved in a temporary directory of this computer for the audit and deleted
as soon as the answer is sent. The report stays in this server's memory (never on disk) for
{settings.keep_seconds / 60:g} minutes, for its downloads, and is gone when the server stops.</p>
</section>
</main>"""
    return _page("citecheck", body)


def _privacy(settings: ServeSettings) -> str:
    options = settings.audit
    if options.verify and options.network:
        return ("Verifying asks Crossref about each reference (its DOI, or its title, authors and year); "
                "the manuscript itself is never sent.")
    return "Nothing leaves this computer."


def error_page(message: str) -> str:
    """A page saying what went wrong, in one line, with the way back."""
    body = (f'<header><h1>citecheck</h1></header>\n<main><p class="error" role="alert">{esc(message)}</p>'
            '<p><a href="/">Check another manuscript</a></p></main>')
    return _page("citecheck: cannot check this", body)


def report_page(stored: StoredAudit, token: str) -> str:
    """The audit's HTML report, with the downloads above it."""
    targets = "".join(f'<option value="{esc(t)}">{esc(_TARGET_NAMES.get(t, t))}</option>' for t in TARGETS)
    styles = "".join(f'<option value="{esc(s)}">{esc(s)}</option>' for s in STYLES)
    summary = stored.report.summary
    honesty = ""
    if summary.unverified:
        honesty = (f'<p class="sev-warning">{summary.unverified} reference{"s" if summary.unverified != 1 else ""} '
                   "could not be verified because a source failed: the check is incomplete (this is not "
                   "“not found”). Run it again later.</p>")
    actions = f"""<p><strong>{esc(stored.name)}</strong> — the uploaded files are deleted; this report is kept in memory
for its downloads.</p>{honesty}
<form method="get" action="/download/{esc(token)}/bibliography" id="download-bibliography">
<span>Corrected bibliography:</span>
<label>as <select name="to" id="to">{targets}</select></label>
<label>style <select name="style" id="style">{styles}</select></label>
<label><input type="checkbox" name="unsafe" value="1"> also change values the author wrote (unsafe fixes)</label>
<button type="submit" id="download-bib">Download</button>
</form>
<p>Report: <a href="/download/{esc(token)}/sarif" id="download-sarif" download>SARIF</a> ·
<a href="/download/{esc(token)}/json" id="download-json" download>JSON</a> ·
<a href="/">check another manuscript</a></p>"""
    return render(stored.report, actions=actions)


__all__ = ["error_page", "index_page", "report_page", "static_file"]
