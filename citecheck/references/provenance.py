"""Which fields of a registry record its provenance doubts.

A snapshot record assembled by hand (`citecheck/data/trial-papers.jsonl`) marks some of its
fields "unverified" or "single source" (`Work.unverified_fields`, free text such as `issue` or
`PMID 21383283`). Findings say so next to such a value, and the HTML report marks it in its
field comparison; both ask here, so they never disagree.
"""

from __future__ import annotations

from citecheck.model import Work

_FIELD_NAMES = {"issued": ("year",), "page": ("pages",), "author": ("authors",), "DOI": ("DOI",)}
"""CSL field → the other words a provenance note may use for it."""


def field_doubted(work: Work, field: str) -> bool:
    """True when the record's provenance marks the CSL `field` (`issued`, `page`, `DOI`, …) as
    unverified or single-source."""
    names = {field.lower(), *(n.lower() for n in _FIELD_NAMES.get(field, ()))}
    for doubtful in work.unverified_fields:
        words = {w.strip(" ,").lower() for w in doubtful.replace(",", " ").split()}
        if names & words:
            return True
    return False


__all__ = ["field_doubted"]
