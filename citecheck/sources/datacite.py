"""DataCite's REST API as a source, for the DOIs DataCite registers (datasets, software, many
theses, reports and preprints such as arXiv's), and its JSON:API records turned into `Work`s.

A DOI is looked up only when the DOI system says DataCite registered it (`agency.DoiAgencies`):
DataCite's 404 is then its own word that the DOI is not registered, and a DOI of another agency
is NotCovered, never "not found". DataCite offers no bibliographic search here (NotCovered).

DataCite's published limits (per IP, 5-minute window): 500 requests anonymously, 1,000 with an
e-mail address in the User-Agent (sent when `--mailto` is given), 3,000 authenticated. Paced
evenly at 1.5 and 3 requests a second, a run never comes near either.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from citecheck.model import Name, Work
from citecheck.references.doi import is_valid_doi, normalize_doi, quote_doi
from citecheck.sources.agency import DoiAgencies
from citecheck.sources.base import NotCovered, SourceUnavailable
from citecheck.sources.base import Malformed
from citecheck.sources.http import HttpService
from citecheck.sources.pacing import Limits, Pacer

DEFAULT_DATACITE_URL = "https://api.datacite.org"
"""DataCite's REST API."""
DATACITE_LIMITS = Limits(1.5, 1.5, 1)
"""Anonymous: 500 requests per 5 minutes is 1.67 a second."""
DATACITE_IDENTIFIED_LIMITS = Limits(3, 3, 2)
"""With an e-mail address: 1,000 per 5 minutes is 3.33 a second."""
SOURCE = "datacite"

#: DataCite's `resourceTypeGeneral` → the Crossref work type used elsewhere in citecheck.
_TYPES = {
    "journalarticle": "journal-article", "preprint": "posted-content", "dataset": "dataset",
    "dissertation": "dissertation", "report": "report", "book": "book", "bookchapter": "book-chapter",
    "conferencepaper": "proceedings-article", "software": "software",
}


def _string(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _creators(value: Any) -> tuple[Name, ...]:
    names: list[Name] = []
    for creator in value if isinstance(value, list) else ():
        if not isinstance(creator, dict):
            continue
        family, given = _string(creator.get("familyName")), _string(creator.get("givenName"))
        # nameType may be missing or null (recorded): a family name then means a person.
        if family and creator.get("nameType") in (None, "", "Personal"):
            names.append(Name(family=family, given=given))
        elif _string(creator.get("name")):
            names.append(Name(literal=_string(creator.get("name"))))
    return tuple(names)


def _year(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    text = _string(value) if isinstance(value, str) else ""
    return int(text[:4]) if text[:4].isdigit() else None


def work_from_datacite(data: dict[str, Any]) -> Work:
    """A `Work` from a DataCite `/dois/{doi}` reply's `data` object (tolerant of missing fields)."""
    attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
    titles = attributes.get("titles") if isinstance(attributes.get("titles"), list) else []
    main = [t for t in titles if isinstance(t, dict) and not t.get("titleType")] or [t for t in titles if isinstance(t, dict)]
    subtitle = next((_string(t.get("title")) for t in titles if isinstance(t, dict) and t.get("titleType") == "Subtitle"), "")
    title = _string(main[0].get("title")) if main else ""
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    container = attributes.get("container") if isinstance(attributes.get("container"), dict) else {}
    publisher = attributes.get("publisher")
    if isinstance(publisher, dict):  # the newer object form
        publisher = publisher.get("name")
    types = attributes.get("types") if isinstance(attributes.get("types"), dict) else {}
    general = _string(types.get("resourceTypeGeneral")).lower()
    first, last = _string(container.get("firstPage")), _string(container.get("lastPage"))
    return Work(
        doi=normalize_doi(_string(attributes.get("doi")) or _string(data.get("id"))),
        title=title,
        authors=_creators(attributes.get("creators")),
        container_title=_string(container.get("title")),
        year=_year(attributes.get("publicationYear")),
        volume=_string(container.get("volume")),
        issue=_string(container.get("issue")),
        page=f"{first}-{last}" if first and last else first,
        type=_TYPES.get(general, general),
        publisher=_string(publisher),
        source=SOURCE,
    )


def _parse(response: httpx2.Response) -> Work:
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise Malformed("not JSON") from error
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        raise Malformed("no data.attributes")
    work = work_from_datacite(data)
    if not work.doi:
        raise Malformed("record carries no DOI")
    return work


class DataCiteSource:
    """DataCite's REST API, for DataCite DOIs. Thread-safe; one per run."""

    name = "datacite"
    cache_namespace = "datacite"
    """Its answers are kept apart from Crossref's (a DOI is a different question at each)."""
    remote = True
    """A network source, asked after local sources."""

    def __init__(
        self,
        agencies: DoiAgencies,
        base_url: str = DEFAULT_DATACITE_URL,
        *,
        mailto: str | None = None,
        timeout: float = 10.0,
        pacer: Pacer | None = None,
        user_agent: str = "",
    ) -> None:
        self.agencies = agencies
        """Who registered a DOI: only DataCite's DOIs are asked here."""
        if mailto and "mailto:" not in user_agent:
            user_agent = f"{user_agent} (mailto:{mailto})".strip()
        self._service = HttpService(
            "datacite", base_url, pacer or Pacer(DATACITE_IDENTIFIED_LIMITS if mailto else DATACITE_LIMITS),
            timeout=timeout, headers={"User-Agent": user_agent} if user_agent else {}, secrets=(mailto or "",),
        )

    @property
    def pacer(self) -> Pacer:
        """The pacer every DataCite request goes through."""
        return self._service.pacer

    @property
    def unreachable(self) -> bool:
        """True once DataCite could not be connected to."""
        return self._service.unreachable

    def close(self) -> None:
        """Close the pooled connections."""
        self._service.close()

    def lookup_doi(self, doi: str) -> Work | None:
        """The DataCite record of a DataCite DOI; None when DataCite (or the DOI system) has no
        such DOI; NotCovered for another agency's DOI. ValueError for an invalid DOI."""
        normalised = normalize_doi(doi)
        if not is_valid_doi(normalised):
            raise ValueError(f"not a valid DOI: {doi!r}")
        try:
            agency = self.agencies.agency(normalised)
        except SourceUnavailable as error:
            raise self._service.asker.fail(f"the agency of {normalised} could not be asked ({error})") from None
        if not agency.exists:
            return None
        if agency.key != SOURCE:
            raise NotCovered(f"datacite: DOI {normalised} is registered with {agency.name}, not DataCite")
        return self._service.get(f"/dois/{quote_doi(normalised)}", {}, _parse, f"DOI {normalised}")

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Not offered: DataCite is asked about DOIs only."""
        raise NotCovered("datacite: DOI lookups only, no bibliographic search")
