"""One visitor's WebSocket: hello, history, then messages in and replies out.

Frames are JSON text. The visitor sends:
  {"type": "hello", "resume": TOKEN?}      first, within `hello_timeout_s`
  {"type": "message", "text": "..."}       something to say
  {"type": "choose", "persona": "NAME"}    start over with this persona
The server sends:
  {"type": "session", "token": TOKEN}      keep it to resume this conversation
  {"type": "history", "persona", "stored", "messages": [{"from", "text"}]}
  {"type": "persona", "persona", "stored"} whom the visitor talks to now
  {"type": "typing", "on": true|false}     while a reply is being written
  {"type": "reply", "text", "options"}     options: persona names to pick from
  {"type": "error", "code", "text"}        the last frame was not handled
A frame that breaks this protocol closes the socket (1003 for binary, 1008 for the
rest); a visitor silent for `idle_timeout_s` is closed with 1000.
"""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass
from typing import Any, Protocol

from serving.channels.web_limits import WebGuards
from serving.channels.web_session import (
    CHANNEL,
    ChatView,
    SessionTokens,
    chat_view,
    new_session_id,
    store_exchange,
)
from serving.chat import ChatEngine, Reply
from serving.models import ChatState
from serving.personas import name_key

log = logging.getLogger(__name__)

CLOSE_NORMAL, CLOSE_UNSUPPORTED, CLOSE_POLICY = 1000, 1003, 1008
CLOSE_WAIT_S = 2.0
LIST_COMMANDS = ("%show all", "%showall", "%list")


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
        frame = json.loads(data)
    except ValueError:
        raise BadFrame("frames must be JSON") from None
    if not isinstance(frame, dict) or frame.get("type") not in expected:
        raise BadFrame(f"expected a frame of type {' or '.join(expected)}")
    return frame


@dataclass(frozen=True)
class Visitor:
    """Who is on the other end, as the handshake told us."""

    ip: str
    cookie_session: str | None  # from our signed cookie: same-origin pages only
    pinned: str | None  # the widget's persona: this connection talks to it only


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
        self.session_id = ""
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
        self.session_id = resumed or new_session_id()
        view = chat_view(self.engine.db, self.session_id)
        if self.visitor.pinned is not None:
            opening = [] if self._on_pinned(view) else self._choose_pinned()
        elif not view.exists:
            opening = [
                *self.engine.handle(CHANNEL, self.session_id, ""),
                *self.engine.handle(CHANNEL, self.session_id, LIST_COMMANDS[0]),
            ]
        elif view.state == ChatState.CHOOSING:  # back before picking anyone
            opening = self.engine.handle(CHANNEL, self.session_id, LIST_COMMANDS[0])
        else:
            opening = []
        if opening:
            view = chat_view(self.engine.db, self.session_id)
        self._send({"type": "session", "token": self.tokens.sign(self.session_id)})
        self._send(view.frame())
        self.shown = view.persona_frame()
        self._send_replies(opening)

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
        pinned = self.visitor.pinned
        before = chat_view(self.engine.db, self.session_id)
        if pinned is not None and not self._on_pinned(before):
            self._send_replies(self._choose_pinned())
            before = chat_view(self.engine.db, self.session_id)
            if before.state != ChatState.CHATTING:
                return
        command = " ".join(text.lower().split())
        if pinned is not None and command == "%restart":
            self._send_replies(self._choose_pinned())
            return
        if pinned is not None and command in LIST_COMMANDS:
            self._send_replies([Reply(f"This chat is only for {pinned}.")])
            return
        self._send({"type": "typing", "on": True})
        try:
            replies = self.engine.handle(CHANNEL, self.session_id, text)
        finally:
            self._send({"type": "typing", "on": False})
        after = chat_view(self.engine.db, self.session_id)
        if _is_model_exchange(before, after, text) and before.stored:
            assert before.persona_id is not None
            store_exchange(
                self.engine.db,
                before.persona_id,
                self.tokens.conversation_id(self.session_id),
                text,
                [reply.text for reply in replies],
            )
        self._send_replies(replies, after)

    def _on_choose(self, name: object) -> None:
        if not isinstance(name, str) or not 0 < len(name) <= 80:
            raise BadFrame("a choose frame needs a persona name")
        pinned = self.visitor.pinned
        if pinned is not None and name_key(name) != name_key(pinned):
            self._send_replies([Reply(f"This chat is only for {pinned}.")])
            return
        self._send_replies(self.engine.choose(CHANNEL, self.session_id, name))

    def _on_pinned(self, view: ChatView) -> bool:
        """Whether the session already talks to (or unlocks) the widget's persona."""
        assert self.visitor.pinned is not None
        return (
            view.persona is not None
            and view.state != ChatState.CHOOSING
            and name_key(view.persona) == name_key(self.visitor.pinned)
        )

    def _choose_pinned(self) -> list[Reply]:
        assert self.visitor.pinned is not None
        return self.engine.choose(CHANNEL, self.session_id, self.visitor.pinned)

    def _send_replies(self, replies: list[Reply], view: ChatView | None = None) -> None:
        """Send the replies, then whom the visitor talks to if that changed."""
        for reply in replies:
            options = [] if self.visitor.pinned else list(reply.quick_replies)
            self._send({"type": "reply", "text": reply.text, "options": options})
        if not replies:
            return
        current = (view or chat_view(self.engine.db, self.session_id)).persona_frame()
        if current != self.shown:
            self.shown = current
            self._send(current)

    def _error(self, code: str, text: str) -> None:
        self._send({"type": "error", "code": code, "text": text})

    def _send(self, frame: dict[str, Any]) -> None:
        self.ws.send(json.dumps(frame, ensure_ascii=False))


def _is_model_exchange(before: ChatView, after: ChatView, text: str) -> bool:
    """Whether the persona's model answered (not a command, password or choice)."""
    return (
        not text.startswith("%")
        and before.state == ChatState.CHATTING
        and after.state == ChatState.CHATTING
        and before.persona_id is not None
        and before.persona_id == after.persona_id
    )
