"""Limits that keep the web chat safe on a public page: rates, sizes, connections.

The per-address message rate is shared by every server process (in Redis when
there is a broker, `serving.ratelimit`). A connection's own rate and the counts
of open connections are this process's: a connection lives in one process, and
a proxy in front should cap connections too.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from serving.channels.rates import Clock, TokenBucket
from serving.ratelimit import RateLimits, SharedLimiter

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

    def __init__(
        self,
        limits: WebLimits,
        shared: RateLimits | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.gate = ConnectionGate(limits)
        self.ip_rate = SharedLimiter(
            shared or RateLimits(),
            "web messages",
            limits.ip_burst,
            limits.ip_per_minute,
        )

    def connection_bucket(self) -> TokenBucket:
        """A fresh per-connection rate limit."""
        return TokenBucket(self.limits.burst, self.limits.per_minute, self.clock)
