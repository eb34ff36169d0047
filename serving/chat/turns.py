"""A turn as the model writes it, and as people text it: several messages.

In the corpus a turn is one sender's consecutive messages joined with "\\n"
(`corpus.turns.merge_turns`), so a turn the persona's model writes may hold
several messages. Sessions keep whole turns, as the model was trained; channels
send one message per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from corpus import Turn

PERSONA, OTHER = "persona", "user"


def split_turn(text: str) -> list[str]:
    """The messages of one turn: its non-empty lines, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def join_turn(messages: Iterable[str]) -> str:
    """One turn from its messages (what the model reads and the session keeps)."""
    return "\n".join(messages)


def history_turns(records: Sequence[dict[str, Any]]) -> list[Turn]:
    """Session history records (`{"persona": bool, "text": str}`) as model turns."""
    return [
        Turn(PERSONA if r["persona"] else OTHER, bool(r["persona"]), r["text"])
        for r in records
        if isinstance(r.get("text"), str)
    ]


def history_messages(records: Sequence[dict[str, Any]]) -> tuple[tuple[bool, str], ...]:
    """Session history as the user saw it: one entry per message sent."""
    shown: list[tuple[bool, str]] = []
    for record in records:
        text = record.get("text")
        if not isinstance(text, str):
            continue
        if record.get("persona"):
            shown.extend((True, message) for message in split_turn(text))
        else:
            shown.append((False, text))
    return tuple(shown)
