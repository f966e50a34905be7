"""`citecheck audit`: report what is wrong with DOCUMENTS, and exit with the code CI gates on."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from citecheck.cli.common import UserError, emit, stderr_notes
from citecheck.cli.options import audit_options, given_on_command_line, prepare
from citecheck.cli.progress import Progress
from citecheck.config.options import AuditOptions
from citecheck.documents.loading import InputError
from citecheck.gate.exit_codes import EXIT_OK, exit_code
from citecheck.results import Report


@click.command()
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
    # Deferred imports here and below keep `citecheck --help` and `citecheck rules` fast:
    # the reporters, the engine and the fixer pull in the parser, the sources and citeproc.
    from citecheck.report import formats

    paths, options, config = prepare(documents, params)
    # `format` in the configuration file applies unless `--format` was given.
    if "output_format" not in given_on_command_line({"output_format": output_format}) and "format" in config.values:
        output_format = config.values["format"]
    renderers = formats()
    if output_format not in renderers:
        raise UserError(f"--format: unknown format {output_format!r} (expected one of {', '.join(sorted(renderers))})")
    baseline = None
    if baseline_file is not None:
        from citecheck.gate.baseline import load_baseline  # deferred: start-up (it imports the reporters)

        baseline = load_baseline(baseline_file)
        if baseline.error is not None:
            raise UserError(baseline.error)
    quiet = params["quiet"]
    report = run_audit(tuple(paths), options, quiet)
    known = 0
    if baseline is not None and baseline_file is not None:
        from citecheck.gate.baseline import without_baseline  # deferred: start-up

        report, known = without_baseline(report, baseline, baseline_file.parent)
    rendered = renderers[output_format](report)
    emit(rendered, output, protect=tuple(paths))
    if write_fixes:
        from citecheck.cli.fix import write_corrections  # deferred: only `--fix` needs the fixer

        write_corrections(report, options, unsafe_fixes, quiet)
    if not quiet:
        from citecheck.report.text import summary_text  # deferred: start-up

        click.echo(summary_text(report), err=True, nl=False)
        if known:
            click.echo(f"{known} finding{'s' if known != 1 else ''} in the baseline.", err=True)
    code = EXIT_OK if exit_zero else exit_code(report, options.fail_on)
    sys.exit(code)


def run_audit(documents: tuple[Path, ...], options: AuditOptions, quiet: bool) -> Report:
    """Run the engine with notes and progress on stderr; input and snapshot errors become one line."""
    # Deferred: start-up (the engine loads the parser; the snapshot module, SQLite).
    from citecheck.engine import audit as run
    from citecheck.sources.snapshot import SnapshotError

    try:
        return run(documents, options, notify=stderr_notes(quiet), progress=Progress(quiet))
    except (InputError, SnapshotError) as error:
        raise UserError(str(error)) from None


__all__ = ["audit", "run_audit"]
