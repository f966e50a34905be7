"""`python -m citecheck`: the same as the `citecheck` command."""

from citecheck.cli import run

run()
