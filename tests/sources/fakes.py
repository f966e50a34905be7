"""Test doubles shared by the source tests."""

from __future__ import annotations

import threading


class FakeClock:
    """Pacer clock and sleep: time moves only when the pacer or the backoff waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and move time on by it."""
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
