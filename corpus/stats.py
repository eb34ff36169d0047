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
    # How long this person's replies run: generation stops a little past p99.
    reply_chars_p90: int = 0
    reply_chars_p99: int = 0
    # The lengths at 5%, 15%, ... 95% of this person's replies: a reply is
    # chosen near one of them, drawn at random (`training.rerank.contenders`).
    reply_chars_deciles: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, float | int | list[int]]:
        """As JSON-ready numbers."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
        }


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
    replies = sorted(len(pair.response) for pair in (*train_pairs, *val_pairs))
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
        reply_chars_p90=_percentile(replies, 0.90),
        reply_chars_p99=_percentile(replies, 0.99),
        reply_chars_deciles=tuple(
            _percentile(replies, (2 * tenth + 1) / 20) for tenth in range(10)
        )
        if replies
        else (),
    )


def _percentile(ordered: Sequence[int], share: float) -> int:
    """The value below which `share` of the sorted values lie (0 if none)."""
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
