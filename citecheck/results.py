"""The outcome of an audit: what the library API returns and every reporter renders."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from citecheck.findings import Finding, Severity
from citecheck.model import Citation, Reference, Resolution, ResolutionStatus, Span, TextLayout

UNVERIFIED_CODE = "S001"
"""The rule that says the checker could not do its job for a reference."""


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything found in one document."""

    path: str
    """The document as the user named it."""
    citations: tuple[Citation, ...]
    """Every citation, in document order."""
    references: tuple[Reference, ...]
    """Every entry of its reference list or bibliography, in order."""
    resolutions: tuple[Resolution, ...] = ()
    """How each reference was resolved against the sources (empty when resolution was off)."""
    reference_list: Span | None = None
    """Where the reference list starts."""
    text: str = field(default="", repr=False, compare=False)
    """The decoded document, for reporters that quote sentences (HTML) and for fixes; for a PDF,
    the text citecheck extracted from it."""
    layout: TextLayout | None = field(default=None, repr=False, compare=False)
    """For a PDF: where each character of `text` stands on the pages (page, line, rectangles to
    highlight; `TextLayout.boxes`). None for text formats."""

    def resolution(self, reference_id: str) -> Resolution | None:
        """The resolution of one reference, if it was resolved."""
        for item in self.resolutions:
            if item.reference_id == reference_id:
                return item
        return None


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts a CI job reads to tell "the bibliography has problems" from "the check was incomplete"."""

    findings: int
    """Findings after selection and suppression."""
    by_severity: dict[str, int]
    """`{"error": n, "warning": n, "info": n}`."""
    by_code: dict[str, int]
    """Findings per rule code, sorted by code."""
    references: int
    """References audited."""
    citations: int
    """Citations found."""
    resolved: int
    """References matched to a registry record."""
    unverified: int
    """References that could not be verified because a source failed."""
    unchecked: int = 0
    """References (of kinds Crossref holds) that only partial sources were asked about."""
    resolved_by: dict[str, int] = field(default_factory=dict)
    """Matched references per deciding source (`{"crossref": 280, "pubmed": 15}`), sorted by name."""

    @property
    def complete(self) -> bool:
        """True when every reference that was to be verified could be."""
        return self.unverified == 0 and self.unchecked == 0


@dataclass(frozen=True, slots=True)
class Report:
    """The result of auditing one or more documents."""

    documents: tuple[DocumentResult, ...]
    """Per document, in the order given."""
    findings: tuple[Finding, ...]
    """All findings, sorted by file, line, column and code."""
    notes: tuple[str, ...] = ()
    """One-line notes about the run (sources unreachable, no e-mail for the polite pool)."""
    unchecked: int = 0
    """References of kinds Crossref holds that no complete source was asked about (offline
    with partial snapshots only): the run did not check them, and says so in its exit code."""

    @property
    def summary(self) -> Summary:
        """Counts over the findings and resolutions."""
        severities = Counter(f.severity.label for f in self.findings)
        codes = Counter(f.code for f in self.findings)
        resolutions = [r for d in self.documents for r in d.resolutions]
        return Summary(
            findings=len(self.findings),
            by_severity={s.label: severities.get(s.label, 0) for s in sorted(Severity, reverse=True)},
            by_code=dict(sorted(codes.items())),
            references=sum(len(d.references) for d in self.documents),
            citations=sum(len(d.citations) for d in self.documents),
            resolved=sum(r.status is ResolutionStatus.MATCHED for r in resolutions),
            unverified=sum(f.code == UNVERIFIED_CODE for f in self.findings),
            unchecked=self.unchecked,
            resolved_by=dict(sorted(Counter(r.decided_by or (r.work.source if r.work else "")
                                            for r in resolutions if r.status is ResolutionStatus.MATCHED).items())),
        )

    def worst(self) -> Severity | None:
        """The highest severity among the findings, or None when there are none."""
        return max((f.severity for f in self.findings), default=None)
