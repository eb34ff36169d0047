"""Corpus statistics: what a person checks before training on their history."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from corpus.message import Message
from corpus.pairs import Pair


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Counts and sizes of one built corpus."""

    messages: int
    threads: int
    senders: int
    conversations: int
    conversations_with_persona: int
    persona_messages: int
    pairs_train: int
    pairs_val: int
    chars_train: int
    chars_val: int
    median_reply_chars: float

    def to_dict(self) -> dict[str, float | int]:
        """As JSON-ready numbers."""
        return asdict(self)


def compute_stats(
    messages: Sequence[Message],
    persona: str,
    conversations: int,
    conversations_with_persona: int,
    train_pairs: Sequence[Pair],
    val_pairs: Sequence[Pair],
    train_text: str,
    val_text: str,
) -> CorpusStats:
    """Gather the figures of a corpus being built."""
    senders = Counter(message.sender for message in messages)
    replies = [len(pair.response) for pair in (*train_pairs, *val_pairs)]
    return CorpusStats(
        messages=len(messages),
        threads=len({message.thread_id for message in messages}),
        senders=len(senders),
        conversations=conversations,
        conversations_with_persona=conversations_with_persona,
        persona_messages=senders.get(persona, 0),
        pairs_train=len(train_pairs),
        pairs_val=len(val_pairs),
        chars_train=len(train_text),
        chars_val=len(val_text),
        median_reply_chars=float(statistics.median(replies)) if replies else 0.0,
    )
