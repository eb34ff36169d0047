"""The gateway half of the Discord stand-in: sessions over a WebSocket.

It speaks Discord's documented gateway protocol (v10, JSON, text frames): HELLO
with the heartbeat interval; IDENTIFY (token checked, else close 4004) answered
by READY with a session id and a `resume_gateway_url`; HEARTBEAT answered by
HEARTBEAT_ACK; DISPATCH events numbered by the session's sequence; RESUME after
a lost connection, answered by the events missed since the given sequence and
RESUMED, or by INVALID_SESSION (`d: false`) when the session is unknown. It
records every payload it receives, and can drop a connection the way a network
does: no close frame, the socket just goes.
"""

from __future__ import annotations

import itertools
import json
import queue
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from simple_websocket import ConnectionClosed

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
AUTHENTICATION_FAILED = 4004
POLL_S = 0.02


@dataclass(frozen=True)
class Received:
    """One payload the gateway received: on which path, when, what."""

    path: str
    op: int
    data: Any
    at: float


@dataclass
class _Session:
    session_id: str
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    outbox: queue.Queue[dict[str, Any]] | None = None  # the live connection's


class GatewayStandIn:
    """Gateway sessions of one bot token; `serve(ws, path)` runs one connection."""

    def __init__(
        self, token: str, ready: dict[str, Any], heartbeat_ms: int = 1000
    ) -> None:
        self.token = token
        self.ready = ready  # READY's fixed part (user, application, guilds)
        self.heartbeat_ms = heartbeat_ms
        self.resume_url = ""
        self.received: list[Received] = []
        self.connections = 0
        self._sessions: dict[str, _Session] = {}
        self._current: _Session | None = None
        self._drop = threading.Event()
        self._changed = threading.Condition()
        self._ids = itertools.count(1)

    # -- what tests do -------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to the bot's session (kept for a RESUME if it is away)."""
        with self._changed:
            session = self._current
            assert session is not None, "no bot has identified yet"
            session.seq += 1
            payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
            session.events.append(payload)
            if session.outbox is not None:
                session.outbox.put(payload)

    def drop(self) -> None:
        """Lose the live connection without a close frame, as a network does."""
        self._drop.set()

    def forget_sessions(self) -> None:
        """Forget every session: the next RESUME gets INVALID_SESSION."""
        with self._changed:
            self._sessions.clear()

    def ops(self, op: int) -> list[Received]:
        """The payloads received with this opcode, in order."""
        with self._changed:
            return [r for r in self.received if r.op == op]

    def wait_for(self, check: Any, timeout_s: float = 20.0) -> bool:
        """Block until `check()` holds (re-checked on every payload received)."""
        with self._changed:
            return self._changed.wait_for(check, timeout_s)

    # -- one connection -------------------------------------------------------

    def serve(self, ws: Any, path: str) -> None:
        """Speak the protocol on one WebSocket until it closes or is dropped."""
        outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        session: _Session | None = None
        with self._changed:
            self.connections += 1
        self._drop.clear()
        ws.send(
            json.dumps({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_ms}})
        )
        try:
            while True:
                if self._drop.is_set():
                    self._drop.clear()
                    ws.sock.shutdown(socket.SHUT_RDWR)
                    return
                raw = ws.receive(timeout=POLL_S)
                if raw is not None:
                    session = self._on(ws, path, json.loads(raw), outbox, session)
                while not outbox.empty():
                    ws.send(json.dumps(outbox.get()))
        except ConnectionClosed:
            return
        finally:
            with self._changed:
                if session is not None and session.outbox is outbox:
                    session.outbox = None

    def _on(
        self,
        ws: Any,
        path: str,
        payload: dict[str, Any],
        outbox: queue.Queue[dict[str, Any]],
        session: _Session | None,
    ) -> _Session | None:
        op, data = payload.get("op"), payload.get("d")
        with self._changed:
            self.received.append(Received(path, op, data, time.time()))
            self._changed.notify_all()
        if op == HEARTBEAT:
            outbox.put({"op": HEARTBEAT_ACK})
        elif op in (IDENTIFY, RESUME) and (data or {}).get("token") != self.token:
            ws.close(AUTHENTICATION_FAILED, "Authentication failed.")
            raise ConnectionClosed()
        elif op == IDENTIFY:
            return self._identify(outbox)
        elif op == RESUME:
            return self._resume(data, outbox, session)
        return session

    def _identify(self, outbox: queue.Queue[dict[str, Any]]) -> _Session:
        with self._changed:
            session = _Session(uuid.uuid4().hex, outbox=outbox)
            self._sessions[session.session_id] = session
            self._current = session
        ready = {
            **self.ready,
            "v": 10,
            "session_id": session.session_id,
            "resume_gateway_url": self.resume_url,
        }
        self.dispatch("READY", ready)
        return session

    def _resume(
        self,
        data: dict[str, Any],
        outbox: queue.Queue[dict[str, Any]],
        session: _Session | None,
    ) -> _Session | None:
        with self._changed:
            known = self._sessions.get(str(data.get("session_id")))
            if known is None:
                outbox.put({"op": INVALID_SESSION, "d": False})
                return session
            known.outbox = outbox
            self._current = known
            since = data.get("seq") or 0
            for event in known.events:
                if event["s"] > since:
                    outbox.put(event)
        self.dispatch("RESUMED", {})
        return known
