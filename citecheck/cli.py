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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from citecheck import __version__
from citecheck.config import DEFAULT_CROSSREF_URL, AuditOptions
from citecheck.documents.discovery import expand_documents
from citecheck.documents.loading import InputError
from citecheck.documents.readers import INPUT_FORMATS
from citecheck.findings import Severity
from citecheck.results import UNVERIFIED_CODE, Report

if TYPE_CHECKING:
    from citecheck.configfile import ConfigFile

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON_CHOICES = ("error", "warning", "info", "never")


class UserError(click.ClickException):
    """A one-line error for the user, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: object = None) -> None:
        """One line on stderr, `citecheck: error: ...` (click's own format names no program)."""
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
        """Show that `done` of `total` references are resolved (runs under 20 show nothing)."""
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


_AUDIT_OPTIONS = (
    click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="warning", show_default=True,
                 help="Lowest severity that makes the exit code 1."),
    click.option("--select", multiple=True, help="Rules to report: codes, prefixes or names, comma-separated."),
    click.option("--ignore", multiple=True, help="Rules never to report: codes, prefixes or names, comma-separated."),
    click.option("--no-verify", is_flag=True, help="Linking checks only: do not resolve references at all."),
    click.option("--offline", is_flag=True, help="Do not ask Crossref; use the cache and snapshots only."),
    click.option("--snapshot", "snapshots", multiple=True, type=click.Path(path_type=Path),
                 help="A snapshot built with `citecheck snapshot build` (repeatable)."),
    click.option("--no-default-snapshot", is_flag=True, help="Do not consult the small snapshot shipped with citecheck."),
    click.option("--cache-dir", type=click.Path(path_type=Path), help="Where to keep the answer cache."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the answer cache."),
    click.option("--refresh", is_flag=True, help="Ignore cached answers (new answers are still stored)."),
    click.option("--crossref-url", envvar="CITECHECK_CROSSREF_URL", default=DEFAULT_CROSSREF_URL, show_default=True,
                 help="Crossref API base URL, e.g. a mirror or a test server [env: CITECHECK_CROSSREF_URL]."),
    click.option("--mailto", envvar="CITECHECK_MAILTO", help="Your e-mail, for Crossref's polite pool [env: CITECHECK_MAILTO]."),
    click.option("--jobs", type=click.IntRange(0, 16), default=0, help="Parallel requests (0: the pool's limit)."),
    click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True,
                 help="Seconds per Crossref request."),
    click.option("--rate-limits", metavar="LOOKUPS,SEARCHES,CONCURRENT",
                 help="Crossref pacing: DOI lookups/s, searches/s, requests at a time (default: the pool's "
                      "published limits, 10,3,3 with an e-mail and 5,1,1 without)."),
    click.option("--bib", "bibliographies", multiple=True, type=click.Path(path_type=Path),
                 help="A bibliography file (.bib or CSL-JSON) for the document (repeatable)."),
    click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)),
                 help="Reader to use instead of guessing."),
    click.option("--config", "config_file", type=click.Path(path_type=Path),
                 help="Read this configuration file instead of looking for one."),
    click.option("--isolated", is_flag=True, help="Read no configuration file."),
    click.option("-q", "--quiet", is_flag=True, help="No notes, progress or summary on stderr."),
)


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `audit` and `baseline` share (what to check and how)."""
    for option in reversed(_AUDIT_OPTIONS):
        command = option(command)
    return command


def _given(params: dict[str, Any]) -> set[str]:
    """The parameters the user set on the command line or through the environment."""
    from click.core import ParameterSource

    context = click.get_current_context()
    return {name for name in params
            if context.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}


def _configuration(documents: list[Path], params: dict[str, Any]) -> "ConfigFile":
    from citecheck.configfile import ConfigFile, discover, load_config

    if params["isolated"]:
        return ConfigFile()
    if params["config_file"] is not None:
        config = load_config(params["config_file"])
    else:
        first = documents[0]
        config = discover(first if first.is_dir() else (first.parent if str(first.parent) else Path(".")))
    if config.error is not None:
        raise UserError(config.error)
    return config


def _rate_limits(text: str | None) -> tuple[float, float, int] | None:
    """`--rate-limits 10,3,3` → (10.0, 3.0, 3); None when not given; a usage error when malformed."""
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        lookups, searches, concurrent = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3 or lookups <= 0 or searches <= 0 or concurrent < 1:
            raise ValueError
    except (ValueError, IndexError):
        raise UserError(f"--rate-limits: expected LOOKUPS,SEARCHES,CONCURRENT (e.g. 10,3,3), got {text!r}") from None
    return lookups, searches, concurrent


def prepare(arguments: tuple[str, ...], params: dict[str, Any]) -> tuple[list[Path], AuditOptions, "ConfigFile"]:
    """Documents, options (command line over configuration file over defaults) and the file used."""
    from citecheck.configfile import merge_options

    try:
        documents = expand_documents(arguments)
    except InputError as error:
        raise UserError(str(error)) from None
    config = _configuration(documents, params)
    selectors, ignores = _split(params["select"]), _split(params["ignore"])
    _check_selectors(selectors, "--select")
    _check_selectors(ignores, "--ignore")
    options = AuditOptions(
        select=selectors or ("ALL",),
        ignore=ignores,
        fail_on=None if params["fail_on"] == "never" else Severity.parse(params["fail_on"]),
        verify=not params["no_verify"],
        network=not params["offline"],
        snapshots=params["snapshots"],
        default_snapshot=not params["no_default_snapshot"],
        cache_dir=params["cache_dir"],
        use_cache=not params["no_cache"],
        refresh=params["refresh"],
        crossref_url=params["crossref_url"],
        mailto=params["mailto"] or None,
        token=os.environ.get("CITECHECK_CROSSREF_TOKEN") or None,
        jobs=params["jobs"],
        timeout=params["timeout"],
        rate_limits=_rate_limits(params["rate_limits"]),
        bibliographies=params["bibliographies"],
        input_format=params["input_format"],
    )
    return documents, merge_options(options, config, _given(params)), config


@main.command()
@click.argument("documents", nargs=-1, required=True)
@click.option("--format", "output_format", default="text", show_default=True,
              help="Report format: text, json, markdown, sarif, github, junit, html.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here (atomically) instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 after reporting (except on errors).")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path),
              help="Leave out the findings recorded in this baseline (`citecheck baseline`); fail only on new ones.")
@click.option("--fix", "write_fixes", is_flag=True,
              help="Also write each document's corrected bibliography beside it (STEM.corrected.bib).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix: also change values the author wrote.")
@audit_options
def audit(
    documents: tuple[str, ...],
    output_format: str,
    output: Path | None,
    exit_zero: bool,
    baseline_file: Path | None,
    write_fixes: bool,
    unsafe_fixes: bool,
    **params: Any,
) -> NoReturn:
    """Audit DOCUMENTS (files, directories, globs): link citations to references, verify
    references, report findings."""
    from citecheck.report import formats

    paths, options, config = prepare(documents, params)
    # `format` in the configuration file applies unless `--format` was given.
    if "output_format" not in _given({"output_format": output_format}) and "format" in config.values:
        output_format = config.values["format"]
    renderers = formats()
    if output_format not in renderers:
        raise UserError(f"--format: unknown format {output_format!r} (expected one of {', '.join(sorted(renderers))})")
    baseline = None
    if baseline_file is not None:
        from citecheck.baseline import load_baseline

        baseline = load_baseline(baseline_file)
        if baseline.error is not None:
            raise UserError(baseline.error)
    quiet = params["quiet"]
    report = _run_audit(tuple(paths), options, quiet)
    known = 0
    if baseline is not None and baseline_file is not None:
        from citecheck.baseline import without_baseline

        report, known = without_baseline(report, baseline, baseline_file.parent)
    rendered = renderers[output_format](report)
    _emit(rendered, output, protect=tuple(paths))
    if write_fixes:
        from citecheck.cli_fix import write_corrections

        write_corrections(report, options, unsafe_fixes, quiet)
    if not quiet:
        from citecheck.report.text import summary_text

        click.echo(summary_text(report), err=True, nl=False)
        if known:
            click.echo(f"{known} finding{'s' if known != 1 else ''} in the baseline.", err=True)
    code = EXIT_OK if exit_zero else exit_code(report, options.fail_on)
    sys.exit(code)


@main.command(name="baseline")
@click.argument("documents", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The baseline file to write.")
@audit_options
def make_baseline(documents: tuple[str, ...], output: Path, **params: Any) -> None:
    """Record today's findings in DOCUMENTS, so that `audit --baseline FILE` fails only on new ones."""
    from citecheck.baseline import render_baseline

    paths, options, _config = prepare(documents, params)
    report = _run_audit(tuple(paths), options, params["quiet"])
    unverified = sum(f.code == UNVERIFIED_CODE for f in report.findings)
    if unverified:
        # A failed source is not a finding to live with: recording it would hide the next outage.
        raise UserError(f"{unverified} reference(s) could not be verified; no baseline written (run again, or use --offline)")
    _emit(render_baseline(report, output.parent), output, protect=tuple(paths))
    if not params["quiet"]:
        count = len(report.findings)
        click.echo(f"citecheck: recorded {count} finding{'s' if count != 1 else ''} in {output}", err=True)


def _run_audit(documents: tuple[Path, ...], options: AuditOptions, quiet: bool) -> Report:
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
        from citecheck.documents.loading import load_document

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
    from citecheck.engine import read
    from citecheck.references.bibtex_write import write_bibtex

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


def _log_warnings_to_stderr() -> None:
    """citecheck's own warnings (a damaged cache set aside, …) as `citecheck: …` lines on stderr.

    Only the `citecheck` logger: libraries' chatter (bibtexparser's parse warnings) reaches the
    user as findings instead.
    """
    import logging

    logger = logging.getLogger("citecheck")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("citecheck: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


def run() -> None:
    """Entry point that turns unexpected failures into one line instead of a traceback."""
    from citecheck import interrupts

    interrupts.install()  # SIGINT/SIGTERM: exit 130/143, nothing half-written
    _log_warnings_to_stderr()
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

from citecheck.cli_fix import fix as _fix_command  # noqa: E402
main.add_command(_fix_command)
