"""Rate limits every server process shares: in Redis when there is a broker.

With `MIMICAL_BROKER_URL` set, counts live in that Redis, so four gunicorn
workers on two machines allow what one would, not eight times as much; without
it they live in this process (the one-laptop setup has one process). Limits are
moving windows from the `limits` library, written as it reads them ("10/hour").
If Redis cannot be reached a request is let through and a warning logged: a
broken limiter must not take the whole service down with it.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RateLimited(Exception):
    """A caller went past a rate limit; `retry_after_s` says when to come back."""

    def __init__(self, what: str, retry_after_s: int) -> None:
        super().__init__(f"too many {what}; try again in {retry_after_s} s")
        self.what, self.retry_after_s = what, retry_after_s


class RateLimits:
    """Moving-window counters keyed by what is limited and who asks."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.storage: Storage = storage_from_string(redis_url or "memory://")
        self.shared = redis_url is not None
        self._limiter = MovingWindowRateLimiter(self.storage)

    def hit(self, rate: str, *key: str) -> int | None:
        """Count one try; None if allowed, else seconds until one would be."""
        items = parse_many(rate)
        try:
            for item in items:
                if not self._limiter.hit(item, *key):
                    return _retry_after(self._limiter, item, key)
        except (RedisError, ConnectionError) as error:
            log.warning("rate limit store unreachable, letting through: %s", error)
        return None

    def check(self, what: str, rate: str, *key: str) -> None:
        """`RateLimited` if this try goes past `rate` for this key."""
        wait = self.hit(rate, what, *key)
        if wait is not None:
            raise RateLimited(what, wait)


def _retry_after(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, key: tuple[str, ...]
) -> int:
    reset_at, _remaining = limiter.get_window_stats(item, *key)
    return max(1, math.ceil(reset_at - time.time()))


def burst_rate(capacity: int, per_minute: float) -> str:
    """A burst and a rate as two moving windows: `capacity` in any second, and
    `per_minute` (at least the burst) in any minute."""
    return f"{capacity} per second; {max(capacity, math.ceil(per_minute))} per minute"


class SharedLimiter:
    """`take(key)` for one named limit: a burst, then a steady rate per key."""

    def __init__(
        self, limits: RateLimits, name: str, capacity: int, per_minute: float
    ) -> None:
        self.limits, self.name = limits, name
        self.rate = burst_rate(capacity, per_minute)

    def take(self, key: str) -> bool:
        """Spend one of this key's tries if it has one."""
        return self.limits.hit(self.rate, self.name, key) is None
