"""Finished reports in memory: reached by their token only, bounded in number and in age."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="citecheck serve needs the web extra: pip install -e '.[web]'")

from citecheck.results import Report  # noqa: E402
from citecheck.web.store import ReportStore, StoredAudit  # noqa: E402


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _audit(name: str) -> StoredAudit:
    return StoredAudit(Report((), ()), name)


def test_tokens_are_unguessable_and_distinct() -> None:
    store = ReportStore()
    tokens = {store.put(_audit(f"{i}.txt")) for i in range(50)}
    assert len(tokens) == 50 and all(len(t) >= 32 for t in tokens)
    assert store.get("not-a-token") is None


@pytest.mark.parametrize(
    ("capacity", "stored", "kept"),
    [
        pytest.param(3, 2, ["0.txt", "1.txt"], id="under-capacity"),
        pytest.param(3, 5, ["2.txt", "3.txt", "4.txt"], id="oldest-go-first"),
        pytest.param(1, 2, ["1.txt"], id="capacity-one"),
    ],
)
def test_capacity(capacity: int, stored: int, kept: list[str]) -> None:
    store = ReportStore(capacity=capacity)
    tokens = [store.put(_audit(f"{i}.txt")) for i in range(stored)]
    assert [a.name for t in tokens if (a := store.get(t)) is not None] == kept


def test_reports_expire() -> None:
    clock = Clock()
    store = ReportStore(ttl=60, clock=clock)
    old = store.put(_audit("old.txt"))
    clock.now += 30
    new = store.put(_audit("new.txt"))
    clock.now += 31
    assert store.get(old) is None and store.get(new) is not None and len(store) == 1
    clock.now += 30
    assert store.get(new) is None and len(store) == 0
