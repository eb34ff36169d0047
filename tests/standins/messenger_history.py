"""A generated Messenger history for the stand-in site: threads of timed messages."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

OWNER = "Robin Vale"
FRIENDS = ("Ada Quill", "Bram Stone", "Cleo Marsh", "Dov Reyes", "Esme Lark")
OPENERS = ("hey", "so", "ok", "honestly", "wait", "lol", "right", "well")
SUBJECTS = (
    "the train",
    "dinner",
    "the concert",
    "your sister",
    "the new flat",
    "that film",
    "the weekend",
    "work",
    "the garden",
    "coffee",
)
VERBS = ("was great", "is late again", "sounds fun", "got cancelled", "is tomorrow")
TAILS = ("!", "?", " :)", "...", ".", " haha", " right?", " no way")


@dataclass(frozen=True)
class StandinMessage:
    """One message as the site shows it; `text` is empty for a photo-only one."""

    sender: str
    sent_at: datetime  # whole minutes: the page shows minute-precision times
    text: str


@dataclass
class StandinThread:
    """One conversation: its id, title (the other person) and messages, oldest first."""

    thread_id: str
    title: str
    messages: list[StandinMessage] = field(default_factory=list)

    @property
    def texts(self) -> list[StandinMessage]:
        """The messages a scraper keeps: those with text."""
        return [m for m in self.messages if m.text]


def generate_history(
    threads: int = 3,
    messages: int = 60,
    seed: int = 7,
    start: datetime = datetime(2023, 3, 1, 9, 0, tzinfo=UTC),
) -> list[StandinThread]:
    """Threads between OWNER and friends; bursts share a minute, gaps split chats."""
    rng = random.Random(seed)
    history = []
    for index in range(threads):
        friend = FRIENDS[index % len(FRIENDS)]
        thread = StandinThread(str(100000 + 7 * index + 1), friend)
        when = start + timedelta(days=index)
        sender = rng.choice((OWNER, friend))
        for number in range(messages):
            if rng.random() < 0.55:
                sender = friend if sender == OWNER else OWNER
                when += timedelta(minutes=rng.choice((1, 2, 3, 5, 90, 600)))
            photo_only = number % 37 == 36
            thread.messages.append(
                StandinMessage(sender, when, "" if photo_only else _line(rng))
            )
        history.append(thread)
    return history


def _line(rng: random.Random) -> str:
    return (
        f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} "
        f"{rng.choice(VERBS)}{rng.choice(TAILS)}"
    )
