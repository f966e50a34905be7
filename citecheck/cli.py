"""The `citecheck` command: flags → options → engine → reporter → exit code. Nothing else.

Exit codes (ruff's convention):
  0  nothing at or above `--fail-on`;
  1  findings at or above `--fail-on`;
  2  usage, input or configuration error, or a reference could not be verified because a
     source failed (`could-not-verify`): the check itself is incomplete.
The report alone goes to stdout; notes, progress and the summary go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from citecheck import __version__
from citecheck.config import DEFAULT_CROSSREF_URL, AuditOptions
from citecheck.findings import Severity
from citecheck.results import UNVERIFIED_CODE, Report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON_CHOICES = ("error", "warning", "info", "never")


class UserError(click.ClickException):
    """A one-line error for the user, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: object = None) -> None:
        click.echo(f"citecheck: error: {self.format_message()}", err=True)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select R001,R002 --select M` → ("R001", "R002", "M")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _check_selectors(selectors: tuple[str, ...], flag: str) -> None:
    from citecheck.rules import RULES, matching_rules

    for selector in selectors:
        if not matching_rules(selector):
            import difflib

            names = [r.code for r in RULES] + [r.name for r in RULES]
            near = difflib.get_close_matches(selector, names, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise UserError(f"{flag}: no rule matches {selector!r}{hint}")


def exit_code(report: Report, fail_on: Severity | None) -> int:
    """The documented exit code for a report."""
    if fail_on is None:
        return EXIT_OK
    if any(f.code == UNVERIFIED_CODE for f in report.findings):
        return EXIT_ERROR
    worst = report.worst()
    return EXIT_FINDINGS if worst is not None and worst >= fail_on else EXIT_OK


class Progress:
    """Progress on stderr: a bar on a terminal, a plain line per tenth otherwise, nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total < 20:
            return
        if self.tty:
            width = 30
            filled = width * done // total
            click.echo(f"\rverifying [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", err=True, nl=done == total)
            return
        tenth = 10 * done // total
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            click.echo(f"verifying: {done}/{total} references", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citecheck")
def main() -> None:
    """citecheck: check that a manuscript's citations and references agree, and that every
    reference is real and right (verified against Crossref)."""


@main.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "output_format", default="text", show_default=True,
              help="Report format: text, json, markdown, sarif, github, junit, html.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="warning", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 after reporting (except on errors).")
@click.option("--select", multiple=True, help="Rules to report: codes, prefixes or names, comma-separated.")
@click.option("--ignore", multiple=True, help="Rules never to report: codes, prefixes or names, comma-separated.")
@click.option("--no-verify", is_flag=True, help="Linking checks only: do not resolve references at all.")
@click.option("--offline", is_flag=True, help="Do not ask Crossref; use the cache and snapshots only.")
@click.option("--snapshot", "snapshots", multiple=True, type=click.Path(path_type=Path),
              help="A snapshot built with `citecheck snapshot build` (repeatable).")
@click.option("--no-default-snapshot", is_flag=True, help="Do not consult the small snapshot shipped with citecheck.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where to keep the answer cache.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the answer cache.")
@click.option("--refresh", is_flag=True, help="Ignore cached answers (new answers are still stored).")
@click.option("--crossref-url", envvar="CITECHECK_CROSSREF_URL", default=DEFAULT_CROSSREF_URL, show_default=True,
              help="Crossref API base URL, e.g. a mirror or a test server [env: CITECHECK_CROSSREF_URL].")
@click.option("--mailto", envvar="CITECHECK_MAILTO", help="Your e-mail, for Crossref's polite pool [env: CITECHECK_MAILTO].")
@click.option("--jobs", type=click.IntRange(0, 16), default=0, help="Parallel requests (0: the pool's limit).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True, help="Seconds per Crossref request.")
@click.option("--bib", "bibliographies", multiple=True, type=click.Path(path_type=Path),
              help="A bibliography file (.bib or CSL-JSON) for the document (repeatable).")
@click.option("--input-format", type=click.Choice(["text", "markdown", "pandoc", "latex"]), help="Reader to use instead of guessing.")
@click.option("-q", "--quiet", is_flag=True, help="No notes, progress or summary on stderr.")
def audit(
    documents: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    fail_on: str,
    exit_zero: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_verify: bool,
    offline: bool,
    snapshots: tuple[Path, ...],
    no_default_snapshot: bool,
    cache_dir: Path | None,
    no_cache: bool,
    refresh: bool,
    crossref_url: str,
    mailto: str | None,
    jobs: int,
    timeout: float,
    bibliographies: tuple[Path, ...],
    input_format: str | None,
    quiet: bool,
) -> NoReturn:
    """Audit DOCUMENTS: link citations to references, verify references, report findings."""
    from citecheck.report import formats

    renderers = formats()
    if output_format not in renderers:
        raise UserError(f"--format: unknown format {output_format!r} (expected one of {', '.join(sorted(renderers))})")
    selectors, ignores = _split(select) or ("ALL",), _split(ignore)
    _check_selectors(selectors, "--select")
    _check_selectors(ignores, "--ignore")
    options = AuditOptions(
        select=selectors,
        ignore=ignores,
        fail_on=None if fail_on == "never" else Severity.parse(fail_on),
        verify=not no_verify,
        network=not offline,
        snapshots=snapshots,
        default_snapshot=not no_default_snapshot,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        refresh=refresh,
        crossref_url=crossref_url,
        mailto=mailto or None,
        token=os.environ.get("CITECHECK_CROSSREF_TOKEN") or None,
        jobs=jobs,
        timeout=timeout,
        bibliographies=bibliographies,
        input_format=input_format,
    )
    report = _run_audit(documents, options, quiet)
    rendered = renderers[output_format](report)
    _emit(rendered, output, protect=documents)
    if not quiet:
        from citecheck.report.text import summary_text

        click.echo(summary_text(report), err=True, nl=False)
    code = EXIT_OK if exit_zero else exit_code(report, options.fail_on)
    sys.exit(code)


def _run_audit(documents: tuple[Path, ...], options: AuditOptions, quiet: bool) -> Report:
    from citecheck.documents.loading import InputError
    from citecheck.engine import audit as run

    def notify(message: str) -> None:
        if not quiet:
            click.echo(f"citecheck: {message}", err=True)

    try:
        return run(documents, options, notify=notify, progress=Progress(quiet))
    except InputError as error:
        raise UserError(str(error)) from None
    except _source_errors() as error:
        raise UserError(str(error)) from None


def _source_errors() -> tuple[type[Exception], ...]:
    try:
        from citecheck.sources.snapshot import SnapshotError
    except ImportError:  # pragma: no cover - the module ships with the package
        return ()
    return (SnapshotError,)


def _emit(text: str, output: Path | None, protect: tuple[Path, ...] = ()) -> None:
    from citecheck.fileio import OutputError, atomic_write

    if output is None:
        click.echo(text, nl=False)
        return
    try:
        atomic_write(output, text, protect=protect)
    except OutputError as error:
        raise UserError(str(error)) from None


@main.command()
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path), help="Parse every line of FILE (one reference per line).")
def parse(text: str | None, file: Path | None) -> None:
    """Parse a reference string into CSL-JSON (one JSON object per reference)."""
    from citecheck.references.parser import parse_reference

    if (text is None) == (file is None):
        raise UserError("give a reference string or --file FILE (one of them)")
    if text is not None:
        lines = [text]
    else:
        from citecheck.documents.loading import InputError, load_document

        try:
            lines = [line for line in load_document(file).text.splitlines() if line.strip()]
        except InputError as error:
            raise UserError(str(error)) from None
    indent = 2 if text is not None else None
    for line in lines:
        result = parse_reference(line)
        item = dict(result.csl)
        if not result.ok:
            item["citecheck-problems"] = list(result.problems) or ["could not be parsed"]
        click.echo(json.dumps(item, ensure_ascii=False, indent=indent))


@main.command()
@click.argument("document", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the BibTeX here (atomically) instead of stdout.")
def extract(document: Path, output: Path | None) -> None:
    """Write DOCUMENT's reference list as BibTeX, with stable readable keys."""
    from citecheck.documents.loading import InputError
    from citecheck.engine import read
    from citecheck.references.bibtex import write_bibtex

    try:
        result = read(document, AuditOptions(verify=False))
    except InputError as error:
        raise UserError(str(error)) from None
    text = write_bibtex([(r.key, r.csl) for r in result.references], et_al={r.key for r in result.references if r.et_al})
    _emit(text, output, protect=(document,))


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, default severity, fixable."""
    from citecheck.rules import RULES

    for item in RULES:
        click.echo(f"{item.code}  {item.name:<26} {item.severity.label:<8} {item.fix or '-':<7} {item.summary}")


@main.command(name="rule")
@click.argument("code_or_name")
def explain_rule(code_or_name: str) -> None:
    """Explain one rule: what it does, why it matters, an example, whether its fix is safe."""
    from citecheck.rules import rule

    try:
        item = rule(code_or_name)
    except KeyError:
        raise UserError(f"no rule {code_or_name!r} (see `citecheck rules`)") from None
    fix = {"safe": "yes, safe", "unsafe": "yes, unsafe (applied with --unsafe-fixes)"}.get(item.fix, "no")
    click.echo(
        f"{item.code} {item.name} ({item.severity.label})\n\n{item.summary}\n\n"
        f"Why it matters: {item.why}\n\nExample: {item.example}\n\nFixable: {fix}"
    )


@main.group()
def snapshot() -> None:
    """Local snapshots of Crossref records, for offline and fast verification."""


@snapshot.command(name="build")
@click.argument("records", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The snapshot file to write.")
def snapshot_build(records: tuple[Path, ...], output: Path) -> None:
    """Build a snapshot from JSON Lines (gzip or not) of Crossref work records."""
    from citecheck.sources.snapshot import build_snapshot

    for path in records:
        if not path.is_file():
            raise UserError(f"{path}: no such file")
    try:
        count = build_snapshot(records, output)
    except (OSError, ValueError) as error:
        raise UserError(f"{output}: {error}") from None
    click.echo(f"citecheck: wrote {count} records to {output}", err=True)


def run() -> None:
    """Entry point that turns unexpected failures into one line instead of a traceback."""
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("citecheck: interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        if os.environ.get("CITECHECK_DEBUG"):
            raise
        click.echo(
            f"citecheck: internal error: {type(error).__name__}: {error} "
            "(set CITECHECK_DEBUG=1 for details, and please report it)",
            err=True,
        )
        sys.exit(EXIT_ERROR)
