"""A token bucket: a burst, then a steady rate, for one connection in this process.

Limits keyed by address or key are shared by every process instead
(`serving.ratelimit`).
"""

from __future__ import annotations

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
