"""Failed password attempts per client and persona, limited in a sliding window.

Kept in this process's memory: enough for one server; behind several servers each
counts its own share, so an attacker gets at most N times the limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_S = 15 * 60.0
MAX_KEYS = 100_000  # forget the oldest clients past this many, bounding memory


class AttemptLimiter:
    """Counts failures per key; `retry_after` says how long a key must wait."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again (0: it may try now)."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[0] + self.window_s - now) + 1)

    def failed(self, key: str) -> None:
        """Record one failed attempt."""
        with self._lock:
            now = self.clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            if len(self._failures) > MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        """Forget a key's failures after a right password."""
        with self._lock:
            self._failures.pop(key, None)
