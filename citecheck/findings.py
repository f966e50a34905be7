"""Findings: the problems an audit reports, with their severity and, where one exists, a fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from citecheck.model import Span


class Severity(IntEnum):
    """How much a finding matters. Ordered, so `--fail-on` can compare."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Lower-case name used in reports and on the command line."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """`"warning"` → `Severity.WARNING`; raises ValueError for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected info, warning or error)") from None


@dataclass(frozen=True, slots=True)
class Fix:
    """A change to one reference that would resolve a finding."""

    field: str
    """CSL field to change (`DOI`, `volume`, `page`, …)."""
    value: Any
    """The new value."""
    old: Any = None
    """The value the author wrote, or None when the field was missing."""
    safe: bool = True
    """Safe: adds what was missing or normalises it. Unsafe: changes what the author wrote."""
    source: str = ""
    """Where the new value comes from (`crossref`, `snapshot:citecheck-default (…provenance…)`)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a document or its bibliography."""

    code: str
    """Rule code (`R001`)."""
    name: str
    """Rule name (`uncited-reference`)."""
    severity: Severity
    """Severity after configuration."""
    message: str
    """One line saying what is wrong, in terms of the user's document."""
    span: Span | None = None
    """Where it is; None for findings about the document as a whole."""
    reference: str | None = None
    """Id of the entry it concerns, if any."""
    fixes: tuple[Fix, ...] = ()
    """Changes that would resolve it."""
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Structured extras for machine-readable reports (DOIs, scores, suggested sentences)."""

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        """Deterministic report order: file, page (PDF), line, column, code, reference."""
        span = self.span
        return (
            span.path if span else "",
            (span.page or 0) if span else 0,
            span.line if span else 0,
            span.column if span else 0,
            self.code,
            self.reference or "",
        )
