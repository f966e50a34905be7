"""Which registration agency registered a DOI: the DOI system's own lookup, `doi.org/ra/{prefix}`.

Every DOI is registered through one agency (Crossref, DataCite, mEDRA, JaLC, KISTI, …), and a
prefix belongs to one agency, so the question is asked once per prefix (not per DOI), remembered
for the run and kept in the answer cache. The answer decides which registry's "not found" is
authoritative for a DOI: Crossref's 404 for a DataCite DOI says nothing about the DOI, and a
prefix the DOI system does not know means the DOI is registered nowhere.

The replies (recorded, see tests/fixtures/doi-ra/) are a JSON list with one object per name
asked: `[{"DOI": "10.5061", "RA": "DataCite"}]`, or `[{"DOI": "10.0137", "status": "DOI does not
exist"}]` for a prefix nobody registered, both with HTTP 200.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import httpx2

from citecheck.sources.base import NotCovered
from citecheck.sources.base import Malformed
from citecheck.sources.http import HttpService
from citecheck.sources.pacing import Limits, Pacer

DEFAULT_DOI_URL = "https://doi.org"
"""The DOI system's proxy, which answers `/ra/{prefix}`."""

#: doi.org publishes no rate limit for its RA lookup; one request per prefix is asked at most
#: 3 per second, one at a time, which is gentler than any registry's published limit.
DOI_RA_LIMITS = Limits(3, 3, 1)


@dataclass(frozen=True, slots=True)
class Agency:
    """What the DOI system says about a DOI prefix."""

    prefix: str
    """The prefix asked (`10.5061`)."""
    name: str
    """The agency as the DOI system names it (`Crossref`, `DataCite`, `mEDRA`); empty when the
    prefix is not registered."""

    @property
    def exists(self) -> bool:
        """False when the DOI system knows no such prefix: every DOI under it is unregistered."""
        return bool(self.name)

    @property
    def key(self) -> str:
        """The agency's name in lower case, as source names are (`crossref`, `datacite`)."""
        return self.name.lower()


def doi_prefix(doi: str) -> str:
    """The prefix of a normalised DOI (`10.5061/dryad.8515` → `10.5061`)."""
    return doi.split("/", 1)[0]


def _parse(response: httpx2.Response) -> Any:
    try:
        data = json.loads(response.content)
    except ValueError as error:
        raise Malformed("not JSON") from error
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        raise Malformed("not a list of DOI objects")
    entry = data[0]
    if isinstance(entry.get("RA"), str) and entry["RA"].strip():
        return entry["RA"].strip()
    if isinstance(entry.get("status"), str):
        return ""  # "DOI does not exist" (or "Invalid DOI"): registered with nobody
    raise Malformed("neither RA nor status")


class DoiAgencies:
    """Looks up and remembers the registration agency of DOI prefixes. Thread-safe; one per run.

    `cache` (an `AnswerCache`) keeps answers between runs (a prefix's agency for 30 days, an
    unknown prefix for a day). Offline, only what the cache holds is known: anything else is
    NotCovered. Network failures are SourceUnavailable, never "unregistered".
    """

    name = "doi.org"

    def __init__(
        self,
        base_url: str = DEFAULT_DOI_URL,
        *,
        pacer: Pacer | None = None,
        timeout: float = 10.0,
        cache: Any = None,
        offline: bool = False,
        refresh: bool = False,
        user_agent: str = "",
        secrets: tuple[str, ...] = (),
    ) -> None:
        self._service = HttpService(
            "doi.org", base_url, pacer or Pacer(DOI_RA_LIMITS), timeout=timeout,
            headers={"User-Agent": user_agent} if user_agent else {}, secrets=secrets,
        )
        self._cache = cache
        self._offline = offline
        self._refresh = refresh
        self._known: dict[str, Agency] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def unreachable(self) -> bool:
        """True once doi.org could not be connected to."""
        return self._service.unreachable

    @property
    def pacer(self) -> Pacer:
        """The pacer of the lookups."""
        return self._service.pacer

    def close(self) -> None:
        """Close the pooled connections."""
        self._service.close()

    def agency(self, doi: str) -> Agency:
        """The agency of a normalised DOI's prefix (asked once per prefix and run)."""
        prefix = doi_prefix(doi)
        with self._lock:
            known = self._known.get(prefix)
            if known is not None:
                return known
            lock = self._locks.setdefault(prefix, threading.Lock())
        with lock:  # threads resolving DOIs of one prefix wait for one answer, not ask twice
            with self._lock:
                known = self._known.get(prefix)
            if known is None:
                known = self._ask(prefix)
                with self._lock:
                    self._known[prefix] = known
        return known

    def _ask(self, prefix: str) -> Agency:
        key = ("doi-ra", prefix)
        if self._cache is not None and not self._refresh:
            stored = self._cache.get_value(key)
            if isinstance(stored, str):
                return Agency(prefix, stored)
        if self._offline:
            raise NotCovered(f"doi.org: offline, and the agency of prefix {prefix} is not cached")
        name = self._service.get(f"/ra/{prefix}", {}, _parse, f"agency of {prefix}", not_found_is_answer=False)
        if self._cache is not None:
            self._cache.put_value(key, name, found=bool(name))
        return Agency(prefix, name)
