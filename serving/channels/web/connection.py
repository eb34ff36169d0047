"""One visitor's WebSocket: hello, history, then messages in and replies out.

Frames are JSON text. The visitor sends:
  {"type": "hello", "resume": TOKEN?}      first, within `hello_timeout_s`
  {"type": "message", "text": "..."}       something to say
  {"type": "choose", "persona": "NAME"}    start over with this persona
The server sends:
  {"type": "session", "token": TOKEN}      keep it to resume this conversation
  {"type": "history", "persona", "stored", "messages": [{"from", "text"}]}
  {"type": "persona", "persona", "stored"} whom the visitor talks to now
  {"type": "typing", "on": true|false}     while the persona writes its next message
  {"type": "reply", "text", "options"}     one message; options: names to pick from
  {"type": "error", "code", "text"}        the last frame was not handled
A frame that breaks this protocol closes the socket (1003 for binary, 1008 for the
rest); a visitor silent for `idle_timeout_s` is closed with 1000.

This module is input and output only: what the visitor's words lead to, pinning
the widget to its persona included, is the engine's answer (`serving.chat`).
"""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass, replace
from typing import Any, Protocol

from serving.channels.base import converse, deliver, ip_requester
from serving.channels.web.limits import WebGuards
from serving.channels.web.sessions import (
    CHANNEL,
    SessionTokens,
    new_session_id,
    store_exchange,
)
from serving.chat import ChatEngine, ChatUser, EventKind, Incoming, Outcome, Status
from serving.inputs import InputError, load_json

log = logging.getLogger(__name__)

CLOSE_NORMAL, CLOSE_UNSUPPORTED, CLOSE_POLICY = 1000, 1003, 1008
CLOSE_WAIT_S = 2.0
MAX_NAME_CHARS = 80


class WebSocketLike(Protocol):
    """What we use of simple_websocket's server connection."""

    def send(self, data: str) -> None: ...
    def receive(self, timeout: float | None = None) -> str | bytes | None: ...
    def close(self, reason: int | None = None, message: str | None = None) -> None: ...


def finish(ws: WebSocketLike) -> None:
    """Wait for the visitor's close reply, then shut our sending side.

    Werkzeug's server writes an HTTP response after the WebSocket view returns;
    Chrome reads those bytes as a broken frame and reports 1006 instead of our
    close code. With the sending side shut, that write fails as a dropped
    connection, which the server ignores.
    """
    reader = getattr(ws, "thread", None)
    if reader is not None:
        reader.join(CLOSE_WAIT_S)
    sock = getattr(ws, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # already gone


class BadFrame(ValueError):
    """A frame that does not follow the web chat protocol."""

    def __init__(self, message: str, code: int = CLOSE_POLICY) -> None:
        super().__init__(message)
        self.code = code


def parse_frame(data: str | bytes, expected: tuple[str, ...]) -> dict[str, Any]:
    """The JSON object in a text frame, of one of the expected types."""
    if isinstance(data, bytes):
        raise BadFrame("only text frames are accepted", CLOSE_UNSUPPORTED)
    try:
        # Lone surrogates become U+FFFD: the visitor's text is kept, not refused.
        frame = load_json(data, repair=True)
    except InputError:
        raise BadFrame("frames must be JSON, at most a few levels deep") from None
    if not isinstance(frame, dict) or frame.get("type") not in expected:
        raise BadFrame(f"expected a frame of type {' or '.join(expected)}")
    return frame


@dataclass(frozen=True)
class Visitor:
    """Who is on the other end, as the handshake told us."""

    ip: str
    cookie_session: str | None  # from our signed cookie: same-origin pages only
    pinned: str | None  # the widget's persona: this connection talks to it only


class WebOutput:
    """The output side: each reply one frame, typing frames around the writing."""

    def __init__(self, ws: WebSocketLike) -> None:
        self.ws = ws
        self.typing = False

    def send_text(self, user_id: str, text: str) -> None:
        """One reply frame (typing ends as the message arrives)."""
        self.send_quick_replies(user_id, text, ())

    def send_quick_replies(
        self, user_id: str, text: str, options: tuple[str, ...]
    ) -> None:
        """One reply frame with persona names the page shows as buttons."""
        self.send_typing(user_id, False)
        self.frame({"type": "reply", "text": text, "options": list(options)})

    def send_typing(self, user_id: str, on: bool) -> None:
        """Show or hide the page's typing indicator (only when it changes)."""
        if on != self.typing:
            self.typing = on
            self.frame({"type": "typing", "on": on})

    def frame(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame."""
        self.ws.send(json.dumps(frame, ensure_ascii=False))


def history_frame(status: Status) -> dict[str, Any]:
    """The `history` frame sent when a visitor (re)connects."""
    return {
        "type": "history",
        "persona": status.chatting_with,
        "stored": status.stored,
        "messages": [
            {"from": "bot" if from_persona else "you", "text": text}
            for from_persona, text in status.messages
        ],
    }


def persona_frame(status: Status) -> dict[str, Any]:
    """Tells the page whom the visitor now talks to (and if it is kept)."""
    chatting = status.chatting_with
    return {
        "type": "persona",
        "persona": chatting,
        "stored": status.stored and chatting is not None,
    }


class ChatConnection:
    """Runs the protocol for one WebSocket until either side closes it."""

    def __init__(
        self,
        ws: WebSocketLike,
        engine: ChatEngine,
        tokens: SessionTokens,
        guards: WebGuards,
        visitor: Visitor,
    ) -> None:
        self.ws, self.engine, self.tokens = ws, engine, tokens
        self.guards, self.visitor = guards, visitor
        self.limits = guards.limits
        self.bucket = guards.connection_bucket()
        self.strikes = 0
        self.output = WebOutput(ws)
        self.user = ChatUser(CHANNEL, "", ip_requester(visitor.ip), visitor.pinned)
        self.shown: dict[str, Any] = {}

    def run(self) -> None:
        """Greet or resume, then answer frames until the visitor leaves or idles."""
        try:
            self._open()
            while True:
                data = self.ws.receive(timeout=self.limits.idle_timeout_s)
                if data is None:
                    self.ws.close(CLOSE_NORMAL, "closed after inactivity")
                    return
                frame = parse_frame(data, ("message", "choose"))
                if not self._within_rate():
                    if self.strikes > self.limits.max_strikes:
                        self.ws.close(CLOSE_POLICY, "too many messages")
                        return
                    continue
                if frame["type"] == "choose":
                    self._on_choose(frame.get("persona"))
                else:
                    self._on_message(frame.get("text"))
        except BadFrame as error:
            self.ws.close(error.code, str(error))

    def _open(self) -> None:
        data = self.ws.receive(timeout=self.limits.hello_timeout_s)
        if data is None:
            raise BadFrame("no hello frame")
        hello = parse_frame(data, ("hello",))
        resumed = self.tokens.unsign(hello.get("resume"))
        if self.visitor.pinned is None:
            resumed = self.visitor.cookie_session or resumed
        session_id = resumed or new_session_id()
        self.user = replace(self.user, user_id=session_id)
        opened = self.engine.handle(Incoming(self.user, EventKind.OPEN))
        self.output.frame({"type": "session", "token": self.tokens.sign(session_id)})
        self.output.frame(history_frame(opened.status))
        self.shown = persona_frame(opened.status)
        deliver(opened.replies, self.output, session_id)

    def _within_rate(self) -> bool:
        """Spend a token from the connection and the address; warn if none."""
        if self.bucket.take() and self.guards.ip_rate.take(self.visitor.ip):
            return True
        self.strikes += 1
        self._error("rate_limited", "You are sending messages too fast. Wait a bit.")
        return False

    def _on_message(self, text: object) -> None:
        if not isinstance(text, str):
            raise BadFrame("a message frame needs a text string")
        text = text.strip()
        if not text:
            return
        limit = self.limits.max_message_chars
        if len(text) > limit:
            self._error("too_long", f"Messages can be at most {limit} characters.")
            return
        outcome = converse(self.engine, self.output, Incoming(self.user, text=text))
        if outcome.model_answered:
            self._keep(text, outcome)
        self._show(outcome.status)

    def _on_choose(self, name: object) -> None:
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
            raise BadFrame("a choose frame needs a persona name")
        choice = Incoming(self.user, EventKind.CHOOSE, name)
        self._show(converse(self.engine, self.output, choice).status)

    def _keep(self, text: str, outcome: Outcome) -> None:
        """Store the exchange if the persona's owner keeps conversations."""
        status = outcome.status
        if status.stored and status.persona_id is not None:
            conversation = self.tokens.conversation_id(self.user.user_id)
            store_exchange(
                self.engine.db,
                status.persona_id,
                conversation,
                text,
                outcome.persona_texts,
            )

    def _show(self, status: Status) -> None:
        """Tell the page whom the visitor talks to, if that changed."""
        current = persona_frame(status)
        if current != self.shown:
            self.shown = current
            self.output.frame(current)

    def _error(self, code: str, text: str) -> None:
        self.output.frame({"type": "error", "code": code, "text": text})
