"""Pairs: the persona's reply to the other side's last turn, with earlier context."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.message import Message
from corpus.turns import Turn

DEFAULT_CONTEXT_TURNS = 4


class PersonaNotFoundError(ValueError):
    """The persona cannot be found, or guessed, among the senders."""


@dataclass(frozen=True, slots=True)
class Pair:
    """What the persona said (`response`) after the other side's `prompt`."""

    context: tuple[Turn, ...]
    prompt: str
    response: str

    def to_dict(self) -> dict[str, object]:
        """The JSON-lines record of this pair."""
        return {
            "context": [turn.to_dict() for turn in self.context],
            "prompt": self.prompt,
            "response": self.response,
        }

    @classmethod
    def from_dict(cls, record: dict[str, object]) -> Pair:
        """Inverse of `to_dict`."""
        context = record.get("context") or []
        assert isinstance(context, list)
        return cls(
            tuple(Turn.from_dict(turn) for turn in context),
            str(record["prompt"]),
            str(record["response"]),
        )

    def history(self) -> list[Turn]:
        """The turns before the response: the context then the prompt (if any)."""
        turns = list(self.context)
        if self.prompt:
            turns.append(Turn("other", False, self.prompt))
        return turns


def make_pairs(
    turns: Sequence[Turn], context_turns: int = DEFAULT_CONTEXT_TURNS
) -> list[Pair]:
    """One pair for each persona turn of a conversation.

    The prompt is the turn just before it when someone else spoke it; a persona turn
    that opens the conversation has an empty prompt. Turns are already merged by
    sender, so a persona turn never follows another persona turn.
    """
    pairs = []
    for index, turn in enumerate(turns):
        if not turn.is_persona:
            continue
        before = turns[:index]
        prompt = before[-1].text if before else ""
        context = tuple(before[:-1][-context_turns:]) if context_turns > 0 else ()
        pairs.append(Pair(context, prompt, turn.text))
    return pairs


def guess_persona(messages: Iterable[Message]) -> str:
    """The sender who writes in the most threads, the most active among equals.

    In an export the owner is in every thread, which is how we recognise them; group
    chats where they only read along make "the most threads" the robust test.
    """
    threads: dict[str, set[str]] = {}
    activity: Counter[str] = Counter()
    for message in messages:
        threads.setdefault(message.sender, set()).add(message.thread_id)
        activity[message.sender] += 1
    if not threads:
        raise PersonaNotFoundError("there are no messages to choose a persona from")
    ranked = sorted(threads, key=lambda s: (len(threads[s]), activity[s]), reverse=True)
    best = ranked[0]
    if len(ranked) > 1 and (len(threads[ranked[1]]), activity[ranked[1]]) == (
        len(threads[best]),
        activity[best],
    ):
        raise PersonaNotFoundError(
            f"cannot tell whose history this is ({best!r} or {ranked[1]!r}); "
            "name the persona with --me"
        )
    return best
