"""`citecheck baseline`: record today's findings so that `audit --baseline` fails only on new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from citecheck.cli.audit import run_audit
from citecheck.cli.common import UserError, emit
from citecheck.cli.options import audit_options, prepare
from citecheck.results import UNVERIFIED_CODE


@click.command(name="baseline")
@click.argument("documents", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The baseline file to write.")
@audit_options
def make_baseline(documents: tuple[str, ...], output: Path, **params: Any) -> None:
    """Record today's findings in DOCUMENTS, so that `audit --baseline FILE` fails only on new ones."""
    from citecheck.gate.baseline import render_baseline  # deferred: start-up (it imports the reporters)

    paths, options, _config = prepare(documents, params)
    report = run_audit(tuple(paths), options, params["quiet"])
    unverified = sum(f.code == UNVERIFIED_CODE for f in report.findings)
    if unverified:
        # A failed source is not a finding to live with: recording it would hide the next outage.
        raise UserError(f"{unverified} reference(s) could not be verified; no baseline written (run again, or use --offline)")
    emit(render_baseline(report, output.parent), output, protect=tuple(paths))
    if not params["quiet"]:
        count = len(report.findings)
        click.echo(f"citecheck: recorded {count} finding{'s' if count != 1 else ''} in {output}", err=True)


__all__ = ["make_baseline"]
