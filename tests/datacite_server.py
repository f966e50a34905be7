"""DataCite's REST API and the DOI system's registration-agency lookup for the replay server
(tests/replay_server.py), answered from the recorded replies in tests/fixtures/datacite/ and
tests/fixtures/doi-ra/.

* DataCite (`/dois/{doi}`): the recorded record of that DOI (the query string, e.g. `include=`, is
  ignored); for any other DOI the recorded JSON:API 404 (`dois_not-found_404.json`) with status
  404. Limits: DataCite's anonymous limit, 500 requests in any 5 minutes (identified callers
  may ask 1,000).
* The DOI system (`/ra/{prefix}`): the recorded reply for that prefix. A test may give other
  prefixes an agency (`agencies`): they are answered with a recorded reply of that agency whose
  echoed `DOI` value is the prefix asked. Any other prefix gets the recorded `DOI does not exist`
  reply, echo likewise replaced. Both with status 200, as recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.replay_server import ClassLimit, Handler

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATACITE = FIXTURES / "datacite"
"""The recorded DataCite replies (see its README.md)."""
DOI_RA = FIXTURES / "doi-ra"
"""The recorded registration-agency replies (see its README.md)."""


def datacite_records(directory: Path = DATACITE) -> dict[str, Path]:
    """DOI (lower case) → the recorded `/dois/{doi}` reply holding it."""
    table: dict[str, Path] = {}
    for path in sorted(directory.glob("dois_10.*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        table[data["data"]["attributes"]["doi"].lower()] = path
    return table


def recorded_agencies(directory: Path = DOI_RA) -> dict[str, tuple[str, Path]]:
    """Prefix → (agency, or '' for "does not exist"; the recorded reply)."""
    table: dict[str, tuple[str, Path]] = {}
    for path in sorted(directory.glob("ra_*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))[0]
        table[entry["DOI"]] = (entry.get("RA", ""), path)
    return table


class DataCiteService:
    """`/dois/{doi}` from recorded DataCite records."""

    name = "datacite"

    def __init__(self, directory: Path = DATACITE, enforce: bool = True) -> None:
        self.records = datacite_records(directory)
        """DOI → recorded reply."""
        self._not_found = (directory / "dois_not-found_404.json").read_bytes()
        # The anonymous limit (the stricter one) for every caller.
        self.limits: dict[str, ClassLimit] = {"datacite": ClassLimit(500, 300)} if enforce else {}
        self.concurrency: int | None = None

    def kind(self, path: str, query: dict[str, list[str]]) -> str | None:
        """One class, counted per 5-minute window."""
        if path.startswith("/dois/"):
            return "datacite"
        return None

    def answer(self, handler: Handler, path: str, query: dict[str, list[str]], kind: str) -> None:
        """The recorded record, or the recorded 404."""
        doi = path[len("/dois/"):].lower()
        recorded = self.records.get(doi)
        if recorded is None:
            handler.send(404, self._not_found, "application/json; charset=utf-8")
        else:
            handler.send(200, recorded.read_bytes(), "application/json; charset=utf-8")


class DoiRaService:
    """`/ra/{prefix}` from recorded agency replies."""

    name = "doi-ra"

    def __init__(self, agencies: Mapping[str, str] | None = None, directory: Path = DOI_RA) -> None:
        self.recorded = recorded_agencies(directory)
        """Prefix → (agency, recorded reply)."""
        self.agencies: dict[str, str] = dict(agencies or {})
        """Further prefixes and the agency to answer for them (`{"10.5555": "Crossref"}`)."""
        self.limits: dict[str, ClassLimit] = {}
        self.concurrency: int | None = None

    def kind(self, path: str, query: dict[str, list[str]]) -> str | None:
        """One class, not limited (doi.org publishes no limit)."""
        return "doi-ra" if path.startswith("/ra/") else None

    def answer(self, handler: Handler, path: str, query: dict[str, list[str]], kind: str) -> None:
        """The recorded reply for the prefix, or a recorded reply of its agency with the prefix echoed."""
        prefix = path[len("/ra/"):].split("/")[0]
        if prefix in self.recorded and prefix not in self.agencies:
            handler.send(200, self.recorded[prefix][1].read_bytes(), "application/json;charset=UTF-8")
            return
        agency = self.agencies.get(prefix, "")
        template = next(p for a, p in self.recorded.values() if a == agency)
        reply: list[dict[str, Any]] = json.loads(template.read_text(encoding="utf-8"))
        reply[0]["DOI"] = prefix
        handler.send(200, json.dumps(reply, indent=2).encode(), "application/json;charset=UTF-8")
