"""An in-memory source: the test double for matching and checks, and a building block."""

from __future__ import annotations

import re
from collections.abc import Iterable

from citecheck.model import Work
from citecheck.sources.base import SourceUnavailable

_WORD = re.compile(r"\w+")


class InMemorySource:
    """Answers from a fixed list of works; search ranks by shared words with the query.

    `fail=True` makes every call raise SourceUnavailable, to stand for an unreachable service.
    """

    def __init__(self, works: Iterable[Work], name: str = "memory", fail: bool = False) -> None:
        self.name = name
        self._works = list(works)
        self._by_doi = {w.doi.lower(): w for w in self._works}
        self._fail = fail
        self.calls: list[tuple[str, str]] = []
        """Every call made, as (method, argument): tests assert on what was asked."""

    def lookup_doi(self, doi: str) -> Work | None:
        """The work with this DOI, or None."""
        self.calls.append(("lookup_doi", doi))
        if self._fail:
            raise SourceUnavailable(f"{self.name}: unavailable")
        return self._by_doi.get(doi.lower())

    def search(self, query: str, rows: int = 5) -> list[Work]:
        """Works sharing at least two words with the query, most shared first."""
        self.calls.append(("search", query))
        if self._fail:
            raise SourceUnavailable(f"{self.name}: unavailable")
        wanted = {w.lower() for w in _WORD.findall(query)}
        scored = []
        for index, work in enumerate(self._works):
            text = " ".join([work.title, work.container_title, *(a.family for a in work.authors)])
            shared = len(wanted & {w.lower() for w in _WORD.findall(text)})
            if shared >= 2:
                scored.append((-shared, index, work))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [work for _, _, work in scored[:rows]]
