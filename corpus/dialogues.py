"""A corpus of many people's dialogues, for the base chat model.

A persona corpus is one person's history; the base model learns from thousands of
two-person chats instead. Each chat is encoded as a persona corpus would be, with
one of its speakers (picked by a stable hash, so about half the turns of each
person) in the persona role: the base model then knows both sides of the
encoding before a persona is fine-tuned from it. The folder has the usual corpus
format, so the training loop reads it like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from corpus.build import Corpus, EmptyCorpusError, write_corpus
from corpus.clean import clean_text
from corpus.encoding import encode_conversation
from corpus.message import Message
from corpus.pairs import DEFAULT_CONTEXT_TURNS, make_pairs
from corpus.split import split_by_key
from corpus.stats import compute_stats
from corpus.turns import DEFAULT_GAP, Turn, merge_turns, split_conversations

DIALOGUES_PERSONA = ""  # no one person: each dialogue has its own persona


def persona_of(conversation_id: str, speakers: Iterable[str]) -> str:
    """The speaker who plays the persona in one dialogue: stable across runs."""
    return min(
        speakers,
        key=lambda s: hashlib.sha256(f"{conversation_id}|{s}".encode()).digest(),
    )


def build_dialogue_corpus(
    dialogues: Iterable[Sequence[Message]],
    out_dir: str | Path,
    gap: timedelta = DEFAULT_GAP,
    val_fraction: float = 0.05,
    source: dict[str, object] | None = None,
) -> Corpus:
    """Clean, segment and encode many dialogues; write a corpus folder.

    Train and validation are split by dialogue (its thread id), so no chat is on
    both sides.
    """
    messages: list[Message] = []
    encoded: list[tuple[str, list[Turn]]] = []
    for dialogue in dialogues:
        cleaned = [
            Message(m.thread_id, m.sender, m.sent_at, text)
            for m in dialogue
            if (text := clean_text(m.text))
        ]
        if not cleaned:
            continue
        messages.extend(cleaned)
        thread = cleaned[0].thread_id
        persona = persona_of(thread, {m.sender for m in cleaned})
        for conversation in split_conversations(cleaned, gap):
            encoded.append((thread, merge_turns(conversation, persona)))
    train, val = split_by_key(encoded, [thread for thread, _ in encoded], val_fraction)
    train_pairs = [p for _, turns in train for p in make_pairs(turns)]
    val_pairs = [p for _, turns in val for p in make_pairs(turns)]
    if not train_pairs:
        raise EmptyCorpusError("the dialogues hold no replies to train on")
    train_text = "".join(encode_conversation(turns) for _, turns in train)
    val_text = "".join(encode_conversation(turns) for _, turns in val)
    stats = compute_stats(
        messages,
        DIALOGUES_PERSONA,
        len(encoded),
        len(encoded),
        train_pairs,
        val_pairs,
        train_text,
        val_text,
    )
    return write_corpus(
        Path(out_dir),
        persona=DIALOGUES_PERSONA,
        gap=gap,
        val_fraction=val_fraction,
        context_turns=DEFAULT_CONTEXT_TURNS,
        stats=stats,
        train_text=train_text,
        val_text=val_text,
        train_pairs=train_pairs,
        val_pairs=val_pairs,
        extra={"kind": "dialogues", "source": source or {}},
    )
