"""Channels: an input side that hands events to the engine, an output side that sends.

Every conversation rule lives in `serving.chat`. A channel has two jobs only:

- **input**: turn each platform event into an `Incoming` (a `ChatUser` with the
  channel's name, the platform's user id and whom wrong passwords count against;
  the kind of event; the text) and give it to the engine;
- **output**: implement `OutputChannel` (send a text, a text with quick replies,
  the typing indicator) and let `deliver` send the outcome's replies.

`converse` does both for a channel that answers while its request is open (the
web chat, a gateway bot); Messenger answers from background threads with
`ChatEngine.handle_batch` and `deliver`. Adding a channel means one subpackage
with an `InputChannel` and an `OutputChannel`, and one line in
`serving.channels.CHANNELS`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from flask import Flask, current_app

from serving.chat import ChatEngine, Incoming, Outcome, Reply


class InputChannel(Protocol):
    """A platform's way in: its name and the routes or threads it adds to the app."""

    name: str

    def register(self, app: Flask) -> None: ...


class OutputChannel(Protocol):
    """What a platform must offer to carry replies back to a user."""

    def send_text(self, user_id: str, text: str) -> None: ...

    def send_quick_replies(
        self, user_id: str, text: str, options: tuple[str, ...]
    ) -> None: ...

    def send_typing(self, user_id: str, on: bool) -> None: ...


@runtime_checkable
class PasswordForms(Protocol):
    """An output that can also ask for a password in a private form (Discord)."""

    def send_password_prompt(self, user_id: str, text: str) -> None: ...


def deliver(replies: Sequence[Reply], output: OutputChannel, user_id: str) -> None:
    """Send each reply as one message, in order, as people text.

    A persona turn of several messages shows typing before each message after
    the first; quick replies go out as the platform's buttons; a reply that asks
    for a password offers the platform's private form where it has one.
    """
    persona_before = False
    for reply in replies:
        if reply.from_persona and persona_before:
            output.send_typing(user_id, True)
        if reply.asks_password and isinstance(output, PasswordForms):
            output.send_password_prompt(user_id, reply.text)
        elif reply.quick_replies:
            output.send_quick_replies(user_id, reply.text, reply.quick_replies)
        else:
            output.send_text(user_id, reply.text)
        persona_before = reply.from_persona


def converse(engine: ChatEngine, output: OutputChannel, incoming: Incoming) -> Outcome:
    """Answer one event in full: typing while the model writes, then the replies."""
    user_id = incoming.user.user_id
    outcome = engine.handle(
        incoming, on_writing=lambda _event: output.send_typing(user_id, True)
    )
    deliver(outcome.replies, output, user_id)
    return outcome


T = TypeVar("T")
_per_app_lock = threading.Lock()


def per_app(key: str, build: Callable[[Flask], T]) -> T:
    """The current app's `key` extension, built once on first use.

    Built lazily so tests can set the app's config (limits) after `create_app`,
    and after any fork, in the process that serves.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(key)
    if found is None:
        with _per_app_lock:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = build(app)
    return found


def ip_requester(address: str | None) -> str:
    """Whom wrong passwords from this address count against (web and HTTP API)."""
    return f"ip:{address or '?'}"
