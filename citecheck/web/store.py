"""Finished audits, kept in the server's memory (never on disk) so their downloads can be made
after the upload's temporary directory is gone.

Each audit gets an unguessable token (`secrets.token_urlsafe`), the only way to reach it. The
store holds at most `capacity` audits, each for at most `ttl` seconds; the oldest go first.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from citecheck.results import Report


@dataclass(frozen=True)
class StoredAudit:
    """One finished audit and what its downloads need."""

    report: Report
    """The audit's report (the document's text and layout included)."""
    name: str
    """The manuscript's file name as uploaded (made safe), as the report shows it."""
    bib_texts: dict[str, str] = field(default_factory=dict)
    """The .bib files the manuscript used, by name: their text, for the corrected .bib."""
    created: float = field(default_factory=time.monotonic)
    """When it was stored (monotonic seconds)."""


class ReportStore:
    """Tokens → finished audits, bounded in number and age. Used from the event loop only."""

    def __init__(self, capacity: int = 16, ttl: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Keep at most `capacity` audits, each at most `ttl` seconds."""
        self.capacity = max(1, capacity)
        self.ttl = ttl
        self._clock = clock
        self._items: OrderedDict[str, StoredAudit] = OrderedDict()

    def put(self, audit: StoredAudit) -> str:
        """Store an audit; its token."""
        self._expire()
        token = secrets.token_urlsafe(24)
        self._items[token] = replace(audit, created=self._clock())
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return token

    def get(self, token: str) -> StoredAudit | None:
        """The audit stored under `token`, if it is still kept."""
        self._expire()
        return self._items.get(token)

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def _expire(self) -> None:
        now = self._clock()
        for token in [t for t, a in self._items.items() if now - a.created > self.ttl]:
            del self._items[token]


__all__ = ["ReportStore", "StoredAudit"]
