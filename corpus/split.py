"""Train/validation split by whole conversation, so no conversation leaks across."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def _bucket(key: str) -> float:
    """A stable number in [0, 1) for a key: the same split on every machine."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_by_key(
    items: Sequence[T], keys: Sequence[str], val_fraction: float = 0.1
) -> tuple[list[T], list[T]]:
    """Put each item in train or validation by the hash of its key.

    With two or more items, validation gets at least one and train keeps at least one,
    so a tiny corpus still has a held-out figure.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError("val_fraction must be in [0, 1)")
    order = sorted(range(len(items)), key=lambda i: _bucket(keys[i]))
    n_val = round(len(items) * val_fraction)
    if len(items) >= 2 and val_fraction > 0:
        n_val = min(max(n_val, 1), len(items) - 1)
    val_index = set(order[:n_val])
    train = [item for i, item in enumerate(items) if i not in val_index]
    val = [item for i, item in enumerate(items) if i in val_index]
    return train, val
