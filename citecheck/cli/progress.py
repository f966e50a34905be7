"""Progress of verification on stderr, for people watching a run."""

from __future__ import annotations

import sys

import click


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


__all__ = ["Progress"]
