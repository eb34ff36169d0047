"""Talking to the chat engine in tests, the way a channel does."""

from __future__ import annotations

from serving.chat import ChatEngine, ChatUser, EventKind, Incoming, Outcome


def user(user_id: str, channel: str = "test", **details: str | None) -> ChatUser:
    """A user of a test channel (`requester`, `pinned` as keywords)."""
    return ChatUser(channel, user_id, **details)  # type: ignore[arg-type]


def say(engine: ChatEngine, who: ChatUser | str, text: str) -> Outcome:
    """Send a text as this user (a bare id is a user of the "test" channel)."""
    who = user(who) if isinstance(who, str) else who
    return engine.handle(Incoming(who, EventKind.TEXT, text))


def said(engine: ChatEngine, who: ChatUser | str, text: str) -> list[str]:
    """The texts of the replies to a text."""
    return [reply.text for reply in say(engine, who, text).replies]
