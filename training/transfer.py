"""Starting a persona from the base model: its weights, its vocabulary and more.

A person's history may hold characters the base model never saw (accents, emoji,
other scripts). They extend the vocabulary instead of being dropped: each gets an
embedding that is the mean of the known ones (so the LSTM reads it as "some
character") and an output row that ignores the state, with a bias below the rarest
known character's, so the model begins by almost never writing it and learns how
often this person does.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from training.config import ModelConfig
from training.model import CharLSTM
from training.vocab import Vocabulary

NEW_CHAR_PENALTY = 3.0  # nats below the rarest known character, at the start


def extended_vocabulary(base: Vocabulary, text: str) -> Vocabulary:
    """The base vocabulary plus every character of `text` it lacks."""
    return Vocabulary(set(base.chars) | set(text))


@torch.no_grad()
def transplant(
    model: CharLSTM, old: Vocabulary, new: Vocabulary, dropout: float | None = None
) -> CharLSTM:
    """A copy of `model` over vocabulary `new` (a superset of `old`).

    Known characters keep their rows wherever sorting moved them; `dropout`, if
    given, replaces the base model's (it changes no weight).
    """
    missing = [char for char in old.chars if char not in new]
    if missing:
        raise ValueError(f"the new vocabulary lacks {''.join(missing)!r}")
    config: ModelConfig = replace(
        model.config,
        vocab_size=len(new),
        dropout=model.config.dropout if dropout is None else dropout,
    )
    fresh = CharLSTM(config)
    fresh.lstm.load_state_dict(model.lstm.state_dict())
    old_rows = torch.tensor([new.id(char) for char in old.chars])  # (V_old,)
    new_rows = torch.tensor([new.id(c) for c in new.chars if c not in old])
    fresh.embed.weight[old_rows] = model.embed.weight
    fresh.head.weight[old_rows] = model.head.weight
    fresh.head.bias[old_rows] = model.head.bias
    if len(new_rows):
        fresh.embed.weight[new_rows] = model.embed.weight.mean(0)
        fresh.head.weight[new_rows] = 0.0
        fresh.head.bias[new_rows] = model.head.bias.min() - NEW_CHAR_PENALTY
    return fresh
