"""A character n-gram model with interpolated Kneser-Ney smoothing: the baseline.

Chen & Goodman's interpolated Kneser-Ney with one absolute discount per order
(D = n1 / (n1 + 2 n2)). The highest order uses raw counts, lower orders use
continuation counts (how many distinct characters precede an n-gram), and the
lowest interpolates with a uniform distribution over the vocabulary, so every
character of the vocabulary gets a finite probability. Counting is done with
`collections.Counter` over string slices (C speed); scoring looks up dictionaries.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable


class KneserNey:
    """An order-n character model trained on one text."""

    def __init__(
        self, text: str, order: int = 5, vocab_size: int | None = None
    ) -> None:
        if order < 1:
            raise ValueError("order must be >= 1")
        self.order = order
        self.vocab_size = max(vocab_size or 0, len(set(text)), 1)
        # counts[k]: k-gram -> raw count (k == order) or continuation count (k < order)
        self.counts: list[Counter[str]] = [Counter() for _ in range(order + 1)]
        self.counts[order] = Counter(
            text[i : i + order] for i in range(len(text) - order + 1)
        )
        for k in range(order - 1, 0, -1):
            grams = Counter(text[i : i + k + 1] for i in range(len(text) - k))
            self.counts[k] = Counter(gram[1:] for gram in grams)
        # Per order and context: total count and how many distinct characters follow.
        self.totals: list[Counter[str]] = [Counter() for _ in range(order + 1)]
        self.types: list[Counter[str]] = [Counter() for _ in range(order + 1)]
        self.discounts = [0.0] * (order + 1)
        for k in range(1, order + 1):
            for gram, count in self.counts[k].items():
                self.totals[k][gram[:-1]] += count
                self.types[k][gram[:-1]] += 1
            values = Counter(self.counts[k].values())
            n1, n2 = values.get(1, 0), values.get(2, 0)
            self.discounts[k] = n1 / (n1 + 2 * n2) if n1 + 2 * n2 else 0.5

    def prob(self, history: str, char: str) -> float:
        """P(char | the last order-1 characters of history)."""
        context = history[-(self.order - 1) :] if self.order > 1 else ""
        p = 1.0 / self.vocab_size
        # From the empty context (unigram) up to the longest one seen in training.
        for k in range(1, len(context) + 2):
            h = context[len(context) - (k - 1) :] if k > 1 else ""
            total = self.totals[k].get(h, 0)
            if total == 0:
                break  # no longer context was seen either
            discount = self.discounts[k]
            count = self.counts[k].get(h + char, 0)
            backoff = discount * self.types[k][h] / total
            p = max(count - discount, 0.0) / total + backoff * p
        return p

    def bits(self, history: str, text: str) -> float:
        """Total bits to encode `text` after `history`."""
        full, start, keep = history + text, len(history), self.order - 1
        total = 0.0
        for i, char in enumerate(text, start=start):
            total -= math.log2(self.prob(full[max(0, i - keep) : i], char))
        return total

    def bits_per_char(self, pieces: Iterable[tuple[str, str]]) -> float:
        """Mean bits per character over (history, text) pieces, scoring text only."""
        bits, chars = 0.0, 0
        for history, text in pieces:
            bits += self.bits(history[-self.order :], text)
            chars += len(text)
        return bits / max(chars, 1)
