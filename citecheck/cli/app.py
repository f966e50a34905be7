"""The `citecheck` command group: every subcommand registered, and the entry point `run` that
turns a signal or an unexpected failure into one line and the documented exit code.

The report alone goes to stdout; notes, progress and the summary go to stderr. Exit codes are
in `citecheck.gate.exit_codes`.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from citecheck.version import __version__
from citecheck.cli import interrupts
from citecheck.cli.audit import audit
from citecheck.cli.baseline import make_baseline
from citecheck.cli.corpus import corpus
from citecheck.cli.extract import extract
from citecheck.cli.fix import fix
from citecheck.cli.parse import parse
from citecheck.cli.rules import explain_rule, list_rules
from citecheck.cli.serve import serve
from citecheck.cli.snapshot import snapshot
from citecheck.gate.exit_codes import EXIT_ERROR


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citecheck")
def main() -> None:
    """citecheck: check that a manuscript's citations and references agree, and that every
    reference is real and right (verified against Crossref)."""


for _command in (audit, make_baseline, parse, extract, list_rules, explain_rule, snapshot, fix, serve, corpus):
    main.add_command(_command)


def _log_warnings_to_stderr() -> None:
    """citecheck's own warnings (a damaged cache set aside, …) as `citecheck: …` lines on stderr.

    Only the `citecheck` logger: libraries' chatter (bibtexparser's parse warnings) reaches the
    user as findings instead.
    """
    logger = logging.getLogger("citecheck")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("citecheck: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


def run() -> None:
    """Entry point that turns unexpected failures into one line instead of a traceback."""
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


__all__ = ["main", "run"]
