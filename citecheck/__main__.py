"""`python -m citecheck`: the same as the `citecheck` command."""

from citecheck.cli.app import run

run()
