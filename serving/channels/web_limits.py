"""Limits that keep the web chat safe on a public page: rates, sizes, connections.

Counters live in this process. Under gunicorn each worker counts on its own, so the
effective caps are per worker; a proxy in front should also limit connections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]

# Frames larger than this are refused by the WebSocket layer itself (close 1009).
MAX_FRAME_BYTES = 16 * 1024


@dataclass(frozen=True)
class WebLimits:
    """What one visitor, one address and the whole process may use."""

    max_connections: int = 200
    max_connections_per_ip: int = 10
    # Per connection: a burst, then a steady rate.
    burst: int = 5
    per_minute: float = 20.0
    # Per IP address, over all its connections.
    ip_burst: int = 20
    ip_per_minute: float = 60.0
    max_message_chars: int = 1000
    idle_timeout_s: float = 600.0
    hello_timeout_s: float = 10.0
    # Rate-limited messages a connection may send before it is closed.
    max_strikes: int = 10


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


class ConnectionGate:
    """Counts open WebSockets, in all and per address, and refuses past the caps."""

    def __init__(self, limits: WebLimits) -> None:
        self.limits = limits
        self.total = 0
        self._per_ip: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, ip: str) -> str | None:
        """Count a new connection; or say why it is refused (and count nothing)."""
        with self._lock:
            if self.total >= self.limits.max_connections:
                return "the chat server is full, try again in a minute"
            if self._per_ip.get(ip, 0) >= self.limits.max_connections_per_ip:
                return "too many chats open from your address"
            self.total += 1
            self._per_ip[ip] = self._per_ip.get(ip, 0) + 1
            return None

    def leave(self, ip: str) -> None:
        """Count a connection as closed."""
        with self._lock:
            self.total -= 1
            left = self._per_ip.get(ip, 0) - 1
            if left > 0:
                self._per_ip[ip] = left
            else:
                self._per_ip.pop(ip, None)


class WebGuards:
    """The limits and the shared counters of one app."""

    def __init__(self, limits: WebLimits, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.gate = ConnectionGate(limits)
        self.ip_rate = KeyedLimiter(limits.ip_burst, limits.ip_per_minute, clock)

    def connection_bucket(self) -> TokenBucket:
        """A fresh per-connection rate limit."""
        return TokenBucket(self.limits.burst, self.limits.per_minute, self.clock)
