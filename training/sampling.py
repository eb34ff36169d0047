"""Choosing the next character: temperature, top-k, top-p, and a repetition guard."""

from __future__ import annotations

import torch
from torch import Tensor


def next_token_probs(
    logits: Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> Tensor:
    """Probabilities (B, V) to sample from, after temperature, top-k and top-p.

    A temperature of 0 or less means greedy: all the mass on the best character.
    """
    if temperature <= 0:
        return torch.zeros_like(logits).scatter_(
            -1, logits.argmax(-1, keepdim=True), 1.0
        )
    logits = logits / temperature  # (B, V)
    if top_k is not None and 0 < top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]  # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if top_p is not None and 0 < top_p < 1:
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # mass ahead of each
        # Keep the smallest head of the ranking whose mass reaches top_p.
        sorted_probs = sorted_probs.masked_fill(before >= top_p, 0.0)
        probs = torch.zeros_like(probs).scatter_(-1, order, sorted_probs)
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs


def _repeats(period: int) -> int:
    """How many times a unit must repeat to count as a loop (see `loop_cut`)."""
    return 3 if period >= 4 else -(-12 // period)


def looping_rows(ids: Tensor, max_period: int = 32) -> Tensor:
    """Which rows of (A, T) ids end in a loop, by `loop_cut`'s rule, all at once.

    Sampling checks the whole batch with this every few characters instead of
    running `loop_cut` on every stream's text after every character.
    """
    rows, size = ids.shape
    flags = torch.zeros(rows, dtype=torch.bool)
    for period in range(1, min(max_period, size // 2) + 1):
        span = period * _repeats(period)
        if size < span:
            continue
        tail = ids[:, size - span :].reshape(rows, -1, period)  # (A, repeats, period)
        flags |= (tail == tail[:, -1:, :]).flatten(1).all(dim=1)
    return flags


def loop_cut(text: str, max_period: int = 32) -> int | None:
    """Where to cut `text` if it ends in a loop, else None.

    A unit of 4+ characters said three times in a row is a loop, and so is a short
    unit ("!", "ha") filling 12 characters; the cut keeps one occurrence of a long
    unit and about 6 characters of a short one, since "hahaha" is how people write.
    """
    size = len(text)
    for period in range(1, min(max_period, size // 2) + 1):
        if text[-period:] != text[-2 * period : -period]:
            continue
        repeats = _repeats(period)
        if (
            size < period * repeats
            or text[-period * repeats :] != text[-period:] * repeats
        ):
            continue
        while (
            size >= period * (repeats + 1)
            and text[-period * (repeats + 1) : -period * repeats] == text[-period:]
        ):
            repeats += 1
        keep_units = max(1, 6 // period)
        return size - period * (repeats - keep_units)
    return None
