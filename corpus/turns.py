"""Turns and conversations: how messages group before they become pairs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from corpus.message import Message

DEFAULT_GAP = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Turn:
    """Consecutive messages of one sender, joined by newlines."""

    sender: str
    is_persona: bool
    text: str
    started_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON record used inside pair files."""
        return {"sender": self.sender, "persona": self.is_persona, "text": self.text}

    @classmethod
    def from_dict(cls, record: dict[str, object]) -> Turn:
        """Inverse of `to_dict`."""
        return cls(str(record["sender"]), bool(record["persona"]), str(record["text"]))


def split_conversations(
    messages: Iterable[Message], gap: timedelta = DEFAULT_GAP
) -> Iterator[list[Message]]:
    """Group each thread's messages into conversations separated by silences.

    Messages are sorted by thread then time; a silence longer than `gap` (or a new
    thread) starts a new conversation.
    """
    ordered = sorted(messages, key=lambda m: (m.thread_id, m.sent_at))
    current: list[Message] = []
    for message in ordered:
        if current and (
            message.thread_id != current[-1].thread_id
            or message.sent_at - current[-1].sent_at > gap
        ):
            yield current
            current = []
        current.append(message)
    if current:
        yield current


def merge_turns(conversation: Iterable[Message], persona: str) -> list[Turn]:
    """Join consecutive messages of one sender into turns."""
    turns: list[Turn] = []
    for message in conversation:
        if turns and turns[-1].sender == message.sender:
            last = turns[-1]
            turns[-1] = Turn(
                last.sender,
                last.is_persona,
                f"{last.text}\n{message.text}",
                last.started_at,
            )
        else:
            turns.append(
                Turn(
                    message.sender,
                    message.sender == persona,
                    message.text,
                    message.sent_at,
                )
            )
    return turns
