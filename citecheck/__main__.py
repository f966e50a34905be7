"""`python -m citecheck`: the same as the `citecheck` command."""

from citecheck.cli.app import run

# Guarded: a worker process of `citecheck serve` (multiprocessing's spawn or forkserver start)
# imports the main module again, and must not start a second command line.
if __name__ == "__main__":
    run()
