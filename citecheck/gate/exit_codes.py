"""The exit codes of every command, and the one for an audit's report.

Ruff's convention:
  0  nothing at or above `--fail-on`;
  1  findings at or above `--fail-on`: the bibliography has problems;
  2  usage, input or configuration error, or the check itself is incomplete: a reference
     could not be verified because a source failed (`could-not-verify`), or was not checked
     because only partial sources (the shipped snapshot, a partial snapshot) were asked.
"""

from __future__ import annotations

from citecheck.findings import Severity
from citecheck.results import UNVERIFIED_CODE, Report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
"""Nothing to report; findings at or above the gate; the check could not be done."""


def exit_code(report: Report, fail_on: Severity | None) -> int:
    """The documented exit code for a report (`fail_on` None: `--fail-on never`)."""
    if fail_on is None:
        return EXIT_OK
    if any(f.code == UNVERIFIED_CODE for f in report.findings) or report.unchecked:
        return EXIT_ERROR
    worst = report.worst()
    return EXIT_FINDINGS if worst is not None and worst >= fail_on else EXIT_OK


__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "exit_code"]
