"""citecheck: a citation-integrity and literature-metadata checker.

The public API: `audit()` runs the whole pipeline on documents and returns a `Report`;
`Report`, `Finding` and `Severity` are the values it holds.
"""

from __future__ import annotations

from citecheck.findings import Finding, Severity
from citecheck.results import Report
from citecheck.version import __version__

__all__ = ["Finding", "Report", "Severity", "__version__", "audit"]


def __getattr__(name: str) -> object:
    # The engine pulls in parsers and sources; import it only when `audit` is used.
    if name == "audit":
        from citecheck.engine import audit

        return audit
    raise AttributeError(name)
