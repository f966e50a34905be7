"""What every command shares: the one-line user error, writing output, notes on stderr."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from citecheck.cli.fileio import OutputError, atomic_write
from citecheck.gate.exit_codes import EXIT_ERROR


class UserError(click.ClickException):
    """A one-line error for the user, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: object = None) -> None:
        """One line on stderr, `citecheck: error: ...` (click's own format names no program)."""
        click.echo(f"citecheck: error: {self.format_message()}", err=True)


def split_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select R001,R002 --select M` → ("R001", "R002", "M")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def write_output(path: Path, text: str, protect: tuple[Path, ...] = ()) -> None:
    """Write `text` to `path` atomically, refusing to overwrite an input (`protect`)."""
    try:
        atomic_write(path, text, protect=protect)
    except OutputError as error:
        raise UserError(str(error)) from None


def emit(text: str, output: Path | None, protect: tuple[Path, ...] = ()) -> None:
    """Print `text` on stdout, or write it to `output` (atomically, never over an input)."""
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text, protect)


def stderr_notes(quiet: bool) -> Callable[[str], None]:
    """A receiver of the engine's notes: `citecheck: …` lines on stderr, or nothing when quiet."""

    def notify(message: str) -> None:
        if not quiet:
            click.echo(f"citecheck: {message}", err=True)

    return notify


__all__ = ["UserError", "emit", "split_values", "stderr_notes", "write_output"]
