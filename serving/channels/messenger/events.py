"""Webhook payloads to events: every entry, every messaging item, echoes skipped.

The shapes are Meta's documented `messages`, `messaging_postbacks`, `message_echoes`,
`message_deliveries` and `message_reads` webhook events. Anything we do not answer
(echoes of our own sends, delivery and read receipts, reactions, opt-ins) is left
out here, so the rest of the channel only sees what a person did, already in the
engine's terms: the Get Started button opens the conversation, a quick reply
chooses the persona it names, a sticker or photo is something not to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from serving.chat import ChatUser, EventKind, Incoming

CHANNEL = "messenger"
# The payload our "Get Started" button sends; it opens the conversation.
GET_STARTED = "GET_STARTED"


@dataclass(frozen=True)
class MessengerEvent:
    """One thing a person did that deserves an answer."""

    event_id: str  # the message id (mid), unique per message across retries
    user_id: str  # the sender's page-scoped id (PSID)
    kind: EventKind
    text: str  # what the chat engine reads; empty for attachments

    def incoming(self) -> Incoming:
        """The event as the engine takes it; wrong passwords count per person."""
        return Incoming(ChatUser(CHANNEL, self.user_id), self.kind, self.text)


def parse_events(payload: Any) -> list[MessengerEvent]:
    """Every answerable event of a webhook body, in order; others are skipped."""
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return []
    events = []
    for entry in _dicts(payload.get("entry")):
        for item in _dicts(entry.get("messaging")):
            event = _event(item)
            if event is not None:
                events.append(event)
    return events


def _dicts(value: Any) -> list[dict[str, Any]]:
    return (
        [item for item in value if isinstance(item, dict)]
        if isinstance(value, list)
        else []
    )


def _event(item: dict[str, Any]) -> MessengerEvent | None:
    sender = item.get("sender")
    user_id = sender.get("id") if isinstance(sender, dict) else None
    if not isinstance(user_id, str | int) or not str(user_id):
        return None
    user_id = str(user_id)
    message = item.get("message")
    if isinstance(message, dict):
        return _message(user_id, message)
    postback = item.get("postback")
    if isinstance(postback, dict):
        return _postback(user_id, item, postback)
    return None  # delivery, read, reaction, optin, referral, ...


def _message(user_id: str, message: dict[str, Any]) -> MessengerEvent | None:
    mid = message.get("mid")
    if message.get("is_echo") or not isinstance(mid, str) or not mid:
        return None
    quick_reply = message.get("quick_reply")
    if isinstance(quick_reply, dict) and isinstance(quick_reply.get("payload"), str):
        return MessengerEvent(mid, user_id, EventKind.CHOOSE, quick_reply["payload"])
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return MessengerEvent(mid, user_id, EventKind.TEXT, text)
    if message.get("attachments") or message.get("sticker_id"):
        return MessengerEvent(mid, user_id, EventKind.NON_TEXT, "")
    return None


def _postback(
    user_id: str, item: dict[str, Any], postback: dict[str, Any]
) -> MessengerEvent | None:
    mid = postback.get("mid")
    if not isinstance(mid, str) or not mid:
        # Older postbacks carry no mid: the sender and the time identify them.
        mid = f"postback:{user_id}:{item.get('timestamp')}"
    payload = postback.get("payload")
    if not isinstance(payload, str):
        payload = (
            postback.get("title") if isinstance(postback.get("title"), str) else ""
        )
    if payload == GET_STARTED:
        return MessengerEvent(mid, user_id, EventKind.OPEN, "")
    return MessengerEvent(mid, user_id, EventKind.TEXT, payload)
