"""`citecheck fix`: the corrected bibliography, a diff of it, or a renumbered document.

Decisions worth knowing (also in `citecheck fix --help`):

- **What is written.** For a document whose reference list is in the document (plain text,
  Markdown), the corrected bibliography is generated, in citation order, as BibTeX (default),
  CSL-JSON or a formatted list (`--to text|markdown|html`, `--style`). For a document whose
  bibliography is a .bib file (LaTeX, Pandoc, or `--bib`), `--to bibtex` is that .bib file
  with the changes applied surgically (entry order and formatting kept); other `--to` values
  generate the list in citation order as above.
- **`--diff`** prints a unified diff and writes nothing. For a .bib bibliography it is against
  the file itself; for a list in the document it is against what `citecheck extract` writes
  (so `citecheck extract DOC -o refs.bib && citecheck fix --diff DOC | patch refs.bib` works).
  With `--renumber`, against the document.
- **Nothing the user wrote is overwritten** unless `--in-place`, which keeps `FILE.bak` (a
  byte copy). Every write is atomic. `--in-place` applies to .bib bibliographies and to
  `--renumber`; a list inside a plain-text document is not rewritten in place.
- **A PDF** (or a Word document) gets its corrected bibliography written out like a plain-text
  document's; it is never rewritten: `--renumber` and `--in-place` on it are refused, since
  the text citecheck reads from a PDF is not the file.

Exit codes as the audit: 0 done, 2 usage, input or output error (one line, no traceback).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from citecheck.cli.common import UserError, emit, split_values, stderr_notes, write_output
from citecheck.config.options import DEFAULT_CROSSREF_URL, AuditOptions
from citecheck.documents.loading import InputError
from citecheck.documents.readers import INPUT_FORMATS
from citecheck.cli.fileio import OutputError, atomic_write
from citecheck.gate.exit_codes import EXIT_OK
from citecheck.model import Citation, CitationStyle
from citecheck.results import Report

TARGETS = ("bibtex", "csljson", "text", "markdown", "html")
"""What `--to` accepts (as `citecheck.fix.output.TARGETS`; spelt out so `--help` imports nothing)."""


def _replace_in_place(path: Path, text: str) -> None:
    """Back the file up (`FILE.bak`, a byte copy) and write `text` over it, atomically."""
    try:
        shutil.copy2(path, str(path) + ".bak")
        atomic_write(path, text)
    except (OSError, OutputError) as error:
        raise UserError(f"{path}: cannot write ({error})") from None


def _binary_format(document: Path, options: AuditOptions) -> str | None:
    """`pdf` or `docx` when the document is one (by `--input-format`, extension or content)."""
    from citecheck.fix.output import binary_format  # deferred: keeps `citecheck --help` fast

    return binary_format(document, options.input_format)


def _bib_paths(document: Path, options: AuditOptions) -> list[Path]:
    """The .bib files the document uses (named in it, or by `--bib`), as the readers find them."""
    from citecheck.fix.output import bibliography_paths  # deferred, as every heavy import here

    return bibliography_paths(document, options.bibliographies, options.input_format)


def _numbers_to_renumber(document: Path, options: AuditOptions) -> list[Citation]:
    """Every numeric marker the reader found, in whatever form.

    Not only the audit's citations: the audit leaves out numbers in a form the document does
    not cite in (`(2)` in a `[12]` document, `citecheck.checks.style`), which costs nothing
    there, but renumbering around a real citation would leave it pointing at another entry.
    Ranges without brackets are never renumbered.
    """
    from citecheck.documents.readers import read_document

    raw = read_document(document, str(document), options.input_format)
    return [c for c in raw.citations if c.style is CitationStyle.NUMERIC and c.form != "bare"]


def _renumber(document: Path, options: AuditOptions, output: Path | None, diff: bool,
              in_place: bool, quiet: bool) -> None:
    # Deferred, as every heavy import of this module: keeps `citecheck --help` fast.
    from citecheck.engine import read
    from citecheck.fix.plan import unified_diff
    from citecheck.fix.renumber import renumber

    result = read(document, options)
    if result.document.prose:
        raise UserError(f"{document}: --renumber rewrites plain text, Markdown and LaTeX, not XML; a JATS "
                        "article's numbering belongs to the tool that made its XML")
    if result.has_bibliography or not result.document.entries:
        raise UserError(f"{document}: --renumber needs a numeric document with its own numbered reference list")
    text = result.document.source.text
    outcome = renumber(text, _numbers_to_renumber(document, options), result.document.entries)
    if outcome.problem:
        raise UserError(f"{document}: {outcome.problem}")
    if not quiet:
        moved = [f"{old}→{new}" for old, new in sorted(outcome.mapping.items()) if old != new]
        click.echo(f"citecheck: renumbered {', '.join(moved) or 'nothing (already in order)'}", err=True)
    if diff:
        click.echo(unified_diff(text, outcome.text, str(document), str(document)), nl=False)
    elif in_place:
        _replace_in_place(document, outcome.text)
    else:
        emit(outcome.text, output, (document,))


@click.command()
@click.argument("document", type=click.Path(path_type=Path))
@click.option("--to", "target", type=click.Choice(TARGETS), default="bibtex", show_default=True,
              help="Output: BibTeX, CSL-JSON, or a list formatted in --style as text, Markdown or HTML.")
@click.option("--style", default="vancouver", show_default=True,
              help="CSL style for --to text/markdown/html: vancouver, american-medical-association, harvard, "
                   "a style citeproc-py ships, or FILE.csl (e.g. apa.csl, chicago-author-date.csl).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here (atomically) instead of stdout.")
@click.option("--diff", is_flag=True, help="Print a unified diff against the original bibliography; write nothing.")
@click.option("--in-place", is_flag=True, help="Rewrite the user's .bib file(s) (or, with --renumber, the document), keeping FILE.bak.")
@click.option("--unsafe-fixes", is_flag=True, help="Also change values the author wrote (title, year, pages, …).")
@click.option("--protect", multiple=True, help="Fields never changed, comma-separated (title,author); "
                                                "entries may also say citecheck-protect = {title}.")
@click.option("--renumber", is_flag=True, help="Renumber a numeric document in order of first citation.")
@click.option("--no-verify", is_flag=True, help="Do not resolve references (nothing is corrected).")
@click.option("--offline", is_flag=True, help="Do not ask Crossref; use the cache and snapshots only.")
@click.option("--snapshot", "snapshots", multiple=True, type=click.Path(path_type=Path), help="A snapshot file (repeatable).")
@click.option("--no-default-snapshot", is_flag=True, help="Do not consult the snapshot shipped with citecheck.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where to keep the answer cache.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the answer cache.")
@click.option("--crossref-url", envvar="CITECHECK_CROSSREF_URL", default=DEFAULT_CROSSREF_URL, show_default=True,
              help="Crossref API base URL [env: CITECHECK_CROSSREF_URL].")
@click.option("--mailto", envvar="CITECHECK_MAILTO", help="Your e-mail, for Crossref's polite pool [env: CITECHECK_MAILTO].")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True, help="Seconds per Crossref request.")
@click.option("--bib", "bibliographies", multiple=True, type=click.Path(path_type=Path),
              help="A bibliography file (.bib or CSL-JSON) for the document (repeatable).")
@click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)), help="Reader to use instead of guessing.")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing on stderr.")
def fix(document: Path, target: str, style: str, output: Path | None, diff: bool, in_place: bool,
        unsafe_fixes: bool, protect: tuple[str, ...], renumber: bool, no_verify: bool, offline: bool,
        snapshots: tuple[Path, ...], no_default_snapshot: bool, cache_dir: Path | None, no_cache: bool,
        crossref_url: str, mailto: str | None, timeout: float, bibliographies: tuple[Path, ...],
        input_format: str | None, quiet: bool) -> None:
    """Write DOCUMENT's corrected bibliography (BibTeX by default), in citation order.

    Safe fixes from a confident registry match (a missing DOI, volume, issue, pages; a DOI
    normalised) are applied; unsafe ones only with --unsafe-fixes. Unmatched and ambiguous
    entries stay as written. Each changed entry says where its data came from
    (`citecheck-source`). Nothing is overwritten unless --in-place (which keeps FILE.bak).
    """
    if sum(map(bool, (output, diff, in_place))) > 1:
        raise UserError("give at most one of -o/--output, --diff and --in-place")
    options = AuditOptions(
        select=("ALL",), fail_on=None, verify=not no_verify and not renumber, network=not offline,
        snapshots=snapshots, default_snapshot=not no_default_snapshot, cache_dir=cache_dir,
        use_cache=not no_cache, crossref_url=crossref_url, mailto=mailto or None,
        token=os.environ.get("CITECHECK_CROSSREF_TOKEN") or None, timeout=timeout,
        bibliographies=bibliographies, input_format=input_format,
    )
    binary = _binary_format(document, options)
    if binary and (renumber or in_place):
        flag = "--renumber" if renumber else "--in-place"
        raise UserError(f"{document}: {flag} rewrites the document, and a {binary.upper()} file is not rewritten; "
                        "fix its source, or write the corrected bibliography with -o FILE")
    try:
        if renumber:
            _renumber(document, options, output, diff, in_place, quiet)
        else:
            _fix(document, options, target, style, output, diff, in_place, unsafe_fixes, split_values(protect), quiet)
    except InputError as error:
        raise UserError(str(error)) from None
    sys.exit(EXIT_OK)


def _fix(document: Path, options: AuditOptions, target: str, style: str, output: Path | None, diff: bool,
         in_place: bool, unsafe: bool, protect: tuple[str, ...], quiet: bool) -> None:
    # Deferred: start-up (the engine and citeproc-py cost a third of a second).
    from citecheck.engine import audit
    from citecheck.fix.bib import read_bib
    from citecheck.fix.formatting import StyleError, resolve_style
    from citecheck.fix.output import fix_plan, generated_bibliography, updated_bibs
    from citecheck.fix.plan import original_bibtex, summary_lines, unified_diff

    if target in {"text", "markdown", "html"}:
        try:
            resolve_style(style)  # a bad style is a usage error: say so before any lookup
        except StyleError as error:
            raise UserError(str(error)) from None
    bib_files = _bib_paths(document, options)
    texts = {path: read_bib(path) for path in bib_files}

    from citecheck.sources.snapshot import SnapshotError  # deferred: start-up

    try:
        report = audit([document], options, notify=stderr_notes(quiet))
    except SnapshotError as error:  # a broken snapshot file: one line, as the audit says it
        raise UserError(str(error)) from None
    plan = fix_plan(report.documents[0], report.findings, texts, unsafe, protect)
    if not quiet:
        for line in summary_lines(plan):
            click.echo(f"citecheck: {line}", err=True)
    inputs = (document, *bib_files)

    if target == "bibtex" and bib_files:
        updated = updated_bibs(plan, texts)
        if diff:
            click.echo("".join(unified_diff(texts[p], updated[p], str(p), str(p)) for p in bib_files), nl=False)
        elif in_place:
            for path in bib_files:
                if updated[path] != texts[path]:
                    _replace_in_place(path, updated[path])
        elif len(bib_files) > 1:
            raise UserError(f"{document} uses {len(bib_files)} .bib files; use --in-place or --diff "
                            "(or --bib to name one)")
        else:
            emit(updated[bib_files[0]], output, inputs)
        return

    if in_place:
        raise UserError(f"{document}: its reference list is part of the document; write the corrected "
                        "bibliography with -o FILE (or use --renumber --in-place)")
    try:
        text = generated_bibliography(plan, target, style)
    except StyleError as error:
        raise UserError(str(error)) from None
    if diff:
        if target != "bibtex":
            raise UserError("--diff compares BibTeX (against `citecheck extract`); use --to bibtex")
        name = f"{document.stem}.bib"
        click.echo(unified_diff(original_bibtex(report.documents[0]), text, name, name), nl=False)
        return
    emit(text, output, inputs)


def write_corrections(report: Report, options: AuditOptions, unsafe: bool, quiet: bool) -> list[Path]:
    """`citecheck audit --fix`: write each document's corrected bibliography beside it, from the
    same audit (no second lookup), and return the files written.

    A document's own reference list becomes `STEM.corrected.bib`; a .bib file it names becomes
    `NAME.corrected.bib`, edited only where fixes apply. Nothing the user wrote is overwritten:
    in-place correction is `citecheck fix --in-place`.
    """
    # Deferred: only `audit --fix` needs the fixer.
    from citecheck.fix.bib import read_bib
    from citecheck.fix.output import fix_plan, generated_bibliography, updated_bibs

    written: list[Path] = []
    for document in report.documents:
        path = Path(document.path)
        bib_files = _bib_paths(path, options)
        texts = {bib: read_bib(bib) for bib in bib_files}
        plan = fix_plan(document, report.findings, texts, unsafe)
        outputs = (
            {bib.with_name(f"{bib.stem}.corrected.bib"): text for bib, text in updated_bibs(plan, texts).items()}
            if bib_files
            else {path.with_name(f"{path.stem}.corrected.bib"): generated_bibliography(plan, "bibtex")}
        )
        for target, text in outputs.items():
            write_output(target, text, (path, *bib_files))
            written.append(target)
            if not quiet:
                click.echo(f"citecheck: wrote the corrected bibliography of {document.path} to {target}", err=True)
    return written


__all__ = ["TARGETS", "fix", "write_corrections"]
