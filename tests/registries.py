"""One replay server hosting every registry citecheck asks (Crossref, NCBI, DataCite, the DOI
system's agency lookup) on one base URL, and the command-line options that point citecheck at it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from citecheck.sources.pacing import Limits
from tests.crossref_server import CrossrefService
from tests.datacite_server import DataCiteService, DoiRaService
from tests.ncbi_server import NcbiService
from tests.replay_server import ReplayServer

SearchAnswer = Callable[[Mapping[str, list[str]]], list[dict[str, Any]]] | list[dict[str, Any]]


class RegistryServer(ReplayServer):
    """Crossref, NCBI, DataCite and doi.org on one local server (their paths do not collide)."""

    def __init__(
        self,
        works: Mapping[str, Path | str | dict[str, Any]] | None = None,
        search: SearchAnswer | None = None,
        agencies: Mapping[str, str] | None = None,
        crossref_limits: Limits | None = None,
        latency_ms: float = 0.0,
        response_headers: Mapping[str, str] | None = None,
        enforce: bool = True,
    ) -> None:
        self.crossref = CrossrefService(works, search, crossref_limits)
        """Crossref's REST API (recorded works, search answers, batches)."""
        self.ncbi = NcbiService(enforce=enforce)
        """EFetch, ECitMatch and the PMC ID converter."""
        self.datacite = DataCiteService(enforce=enforce)
        """DataCite's `/dois/{doi}`."""
        self.doi_ra = DoiRaService(agencies)
        """doi.org's `/ra/{prefix}`."""
        super().__init__([self.crossref, self.ncbi, self.datacite, self.doi_ra], latency_ms=latency_ms,
                         response_headers=response_headers, enforce=enforce)

    def cli_options(self) -> list[str]:
        """`--crossref-url … --pubmed-url … --datacite-url … --doi-url …`, all at this server."""
        url = self.base_url
        return ["--crossref-url", url, "--pubmed-url", url, "--datacite-url", url, "--doi-url", url]
