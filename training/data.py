"""Text to tensors: the training and validation ids, cut into contiguous streams."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch
from torch import Tensor

from corpus import CONVERSATION_START, OTHER_TURN, PERSONA_TURN, Corpus
from training.config import TrainConfig
from training.errors import TrainingError
from training.model import cpu_bf16_is_fast
from training.vocab import Vocabulary


def pick_device(name: str) -> torch.device:
    """A GPU when present and asked for with "auto", else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def pick_precision(name: str, device: torch.device) -> str:
    """"bf16" where the hardware multiplies bfloat16 fast, else "fp32" ("auto");
    an explicit choice as given."""
    if name != "auto":
        return name
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_bf16_is_fast() else "fp32"


def autocast(device: torch.device, precision: str) -> AbstractContextManager[Any]:
    """The context that runs matrix products in `precision`."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def pick_threads(requested: int | None) -> int:
    """CPU threads for a run: as asked, else the cores the load average leaves idle."""
    if requested:
        return requested
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


def make_streams(ids: Tensor, batch: int, min_len: int) -> Tensor:
    """Cut a 1-D id tensor into at most `batch` contiguous rows of >= min_len ids."""
    rows = max(1, min(batch, len(ids) // min_len))
    length = len(ids) // rows
    return ids[: rows * length].view(rows, length)  # (B, L)


def split_ids(
    corpus: Corpus, vocab: Vocabulary, config: TrainConfig
) -> tuple[Tensor, Tensor]:
    """Train and validation ids; a train tail is held back when val_text is empty."""
    train = torch.tensor(vocab.encode(corpus.train_text), dtype=torch.long)
    val = torch.tensor(vocab.encode(corpus.val_text), dtype=torch.long)
    if len(val) < 2:
        cut = len(train) - max(2, int(len(train) * config.val_fraction))
        train, val = train[:cut], train[cut:]
    if len(train) < config.seq_len + 2:
        raise TrainingError(
            f"the corpus has {len(train)} training characters; at least "
            f"{config.seq_len + 2} are needed (or use a shorter seq_len)"
        )
    return train, val


def persona_weights(ids: Tensor, vocab: Vocabulary, other_weight: float) -> Tensor:
    """Loss weight of each character as a target: 1 in the persona's turns (marker,
    text and end of turn), `other_weight` in everyone else's and between turns.

    A character belongs to the turn whose opening marker came last before it.
    """
    openers = torch.zeros(len(ids), dtype=torch.bool)
    for marker in (CONVERSATION_START, OTHER_TURN, PERSONA_TURN):
        openers |= ids == vocab.id(marker)
    index = torch.arange(len(ids))
    last_open = torch.cummax(torch.where(openers, index, -1), dim=0).values  # (N,)
    persona = (last_open >= 0) & (
        ids[last_open.clamp_min(0)] == vocab.id(PERSONA_TURN)
    )
    weights = torch.full((len(ids),), float(other_weight))
    weights[persona] = 1.0
    return weights
