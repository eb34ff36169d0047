"""What goes into the chat engine and what comes out: the whole channel interface.

A channel turns each platform event into an `Incoming` (who, what kind, the text)
and hands it to `ChatEngine.handle`; it sends back the `Outcome`'s replies, one
platform message each, in order. Everything a channel may want to know beyond the
texts is in the outcome: whether the persona's model wrote them (transcripts,
metrics), and whom the user talks to now (`Status`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from serving.models import ChatState


class EventKind(enum.StrEnum):
    """What the user did."""

    # Opened the conversation: a new web connection, Messenger's Get Started, the
    # terminal starting. A new user is greeted; a returning one is told nothing
    # new (the channel shows `Status.messages` if it can).
    OPEN = "open"
    TEXT = "text"  # said something
    # Tapped a persona offered as a quick reply or button (`text` is the name).
    CHOOSE = "choose"
    NON_TEXT = "non_text"  # sent a sticker, photo or file: nothing to read
    # Typed into a private password field (a Discord form): only ever checked as
    # the password the engine asked for, never chatted, echoed or kept.
    PASSWORD = "password"


@dataclass(frozen=True)
class ChatUser:
    """One user of one channel, as the engine keys sessions and lock-outs."""

    channel: str  # "web", "messenger", "terminal", "discord", ...
    user_id: str  # unique within the channel: a PSID, a session id
    # Whom wrong passwords are counted against, across sessions and channels:
    # "ip:ADDRESS" on the web and the HTTP API; by default the platform user.
    requester: str = ""
    # The only persona this user may talk to (the web widget of one persona).
    pinned: str | None = None

    def __post_init__(self) -> None:
        if not self.requester:
            object.__setattr__(self, "requester", f"{self.channel}:{self.user_id}")


@dataclass(frozen=True)
class Incoming:
    """One event from a user, as every channel hands it to the engine."""

    user: ChatUser
    kind: EventKind = EventKind.TEXT
    text: str = ""


@dataclass(frozen=True)
class Reply:
    """One message to send.

    `quick_replies` are persona names the platform may offer as buttons.
    `from_persona` marks the persona's own words (its model wrote them); a turn of
    several messages comes as several such replies, and channels show typing
    before each one after the first, as people text. `asks_password` marks a
    reply that waits for a password: a platform with a private form offers it.
    """

    text: str
    quick_replies: tuple[str, ...] = field(default_factory=tuple)
    from_persona: bool = False
    asks_password: bool = False


@dataclass(frozen=True)
class Status:
    """Where the user's conversation stands after the event."""

    state: ChatState = ChatState.CHOOSING
    persona: str | None = None  # chosen (chatting, or asked for its password)
    persona_id: int | None = None
    # The persona's owner keeps conversations (the channel must tell the user).
    stored: bool = False
    # The recent conversation, one entry per message: (from_persona, text).
    messages: tuple[tuple[bool, str], ...] = ()

    @property
    def chatting_with(self) -> str | None:
        """The persona the model answers as, or None before that."""
        return self.persona if self.state == ChatState.CHATTING else None


@dataclass(frozen=True)
class Outcome:
    """What an event led to: the replies to send, in order, and the new status."""

    replies: tuple[Reply, ...] = ()
    # The persona's model wrote the last replies: the user's text and those
    # replies are one exchange of the conversation (what transcripts keep).
    model_answered: bool = False
    status: Status = field(default_factory=Status)

    @property
    def persona_texts(self) -> list[str]:
        """The texts the persona's model wrote, one per message."""
        return [reply.text for reply in self.replies if reply.from_persona]
