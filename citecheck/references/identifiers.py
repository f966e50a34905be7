"""The identifiers a reference gives for its work: a DOI, a PubMed or PubMed Central ID."""

from __future__ import annotations

from citecheck.model import Reference
from citecheck.references.doi import is_valid_doi, normalize_doi


def reference_doi(reference: Reference) -> str:
    """The reference's DOI, normalised, when it gives a valid one; else ''."""
    written = reference.csl.get("DOI")
    doi = normalize_doi(str(written)) if written else ""
    return doi if doi and is_valid_doi(doi) else ""


def reference_pubmed_id(reference: Reference) -> tuple[str, str]:
    """("pmid", digits) or ("pmcid", "PMC…") when the reference gives one; else ("", "")."""
    pmid = str(reference.csl.get("PMID", "") or "").strip()
    if pmid.isdigit() and pmid.strip("0"):
        return "pmid", pmid.lstrip("0")
    pmcid = str(reference.csl.get("PMCID", "") or "").strip().upper()
    if pmcid and not pmcid.startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    if len(pmcid) > 3 and pmcid[3:].isdigit():
        return "pmcid", pmcid
    return "", ""
