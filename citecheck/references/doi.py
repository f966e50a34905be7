"""DOIs: finding them in text, normalising them, validating them, and URL-encoding them."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

# A DOI as it appears in running text or a reference: 10.<registrant>/<suffix>, the suffix
# running to the first whitespace. Trailing punctuation is trimmed afterwards.
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
_VALID = re.compile(r"^10\.\d{4,9}/\S+$")
_PREFIXES = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|https?://doi\.[a-z]+/|doi:\s*|doi\s+)",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")


def normalize_doi(text: str) -> str:
    """Strip resolver prefixes, `doi:`, whitespace and trailing punctuation; lower-case it.

    DOIs are case-insensitive (the DOI Handbook, 3.4), so lower case is the canonical form
    used for comparison and caching. The result may still be invalid: check `is_valid_doi`.
    """
    doi = _CONTROL.sub("", text).strip()
    doi = _PREFIXES.sub("", doi).strip()
    if "%" in doi:
        decoded = unquote(doi)
        # A DOI whose percent-encoding hides control characters (`%0A`, `%00`) stays encoded:
        # decoded, a second normalisation would strip them and ask about another DOI.
        if not _CONTROL.search(decoded):
            doi = decoded
    doi = doi.rstrip(".,;:")
    # A closing bracket belongs to the DOI only when the DOI also opens one: 10.1016/s0016-5107(74)73914-1
    while doi.endswith((")", "]")) and doi.count(doi[-1]) > doi.count("(" if doi[-1] == ")" else "["):
        doi = doi[:-1]
    return doi.lower()


def is_valid_doi(doi: str) -> bool:
    """True for `10.<4-9 digits>/<suffix>` with no whitespace, control characters or dot segments.

    A `.` or `..` path segment is refused: HTTP clients normalise it away (`10.5555/a/./b` is
    sent as `/works/10.5555/a/b`), so it would ask about another DOI, or another path.
    """
    segments = doi.split("/")
    return (
        bool(_VALID.match(doi)) and not _CONTROL.search(doi)
        and not any(segment in (".", "..") for segment in segments)
    )


def find_dois(text: str) -> list[str]:
    """Every DOI in a string, normalised, in order of appearance, without repeats."""
    found: list[str] = []
    for match in _DOI_IN_TEXT.finditer(text):
        doi = normalize_doi(match.group(0))
        if doi not in found:
            found.append(doi)
    return found


def quote_doi(doi: str) -> str:
    """The DOI encoded for use as one URL path segment (`/` kept, `?`, `#`, `%`, spaces encoded)."""
    return quote(doi, safe="/:;()[]<>-._~!$&'*+,=@")
