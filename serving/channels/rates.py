"""Token buckets: a burst, then a steady rate; one per key where keys are many.

Counters live in this process. Under gunicorn each worker counts on its own, so the
effective caps are per worker; a proxy in front should also limit requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Clock = Callable[[], float]


class TokenBucket:
    """Allows `capacity` events at once and `per_minute` on average."""

    def __init__(self, capacity: int, per_minute: float, clock: Clock) -> None:
        self.capacity = float(capacity)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.tokens = float(capacity)
        self.stamp = clock()

    def take(self) -> bool:
        """Spend one token if there is one."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def full(self) -> bool:
        """Whether the bucket has refilled (so forgetting it changes nothing)."""
        elapsed = self.clock() - self.stamp
        return self.tokens + elapsed * self.rate >= self.capacity


class KeyedLimiter:
    """One token bucket per key (an IP address), safe across threads."""

    PRUNE_ABOVE = 10_000

    def __init__(self, capacity: int, per_minute: float, clock: Clock) -> None:
        self.capacity, self.per_minute, self.clock = capacity, per_minute, clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        """Spend one of this key's tokens if it has one."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) > self.PRUNE_ABOVE:
                    self._prune()
                bucket = TokenBucket(self.capacity, self.per_minute, self.clock)
                self._buckets[key] = bucket
            return bucket.take()

    def _prune(self) -> None:
        """Forget keys whose buckets are full again: memory stays bounded."""
        for key in [k for k, b in self._buckets.items() if b.full()]:
            del self._buckets[key]
