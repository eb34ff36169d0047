"""The verbatim filter: a persona never repeats a long span of someone else's words.

A persona is trained on its friends' messages too, and a character LSTM can learn
a message by heart. A reply that repeats `SPAN_WORDS` consecutive words of any other
speaker's turn in the training text is a copy, and is never sent (`rerank` falls
back to the next candidate). Words are compared case-blind, punctuation and spacing
aside, so "Meet me at the old mill, 5 o'clock sharp" is caught however it is typed.
Eight words is about 40 characters of chat: long enough that everyday phrases
rarely trip it, short enough to catch a sentence lifted whole.

The index is the sorted set of 64-bit hashes of every 8-word span (shingle) of the
other speakers' turns, built once at training time and stored with the artifact as
a safetensors file; checking a reply is a few binary searches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from corpus import END_OF_TURN, OTHER_TURN, PLACEHOLDER_WORDS
from training.errors import ArtifactError

VERBATIM_FORMAT = "mimical.verbatim"
VERBATIM_VERSION = 1
SPAN_WORDS = 8
_WORD = re.compile(r"\w+")
# A placeholder counts as no word, as the model writes it (a private-use character,
# not \w) and as it is shown ("[phone number]"), so a reply reads the same before
# and after it is rendered.
_RENDERED = re.compile("|".join(map(re.escape, PLACEHOLDER_WORDS.values())))
_OTHER_TURN = re.compile(f"{OTHER_TURN}([^{END_OF_TURN}]*)")
# A shingle's hash is sum(word_hash[i] * P**(K-1-i)) modulo 2**64 (numpy's uint64
# arithmetic wraps), so all shingles of a text come out of K vectorised steps.
_P = np.uint64(0x9E3779B97F4A7C15)


class VerbatimIndex:
    """The hashed word spans of others' turns; answers "does this copy them?"."""

    def __init__(self, hashes: np.ndarray, span_words: int = SPAN_WORDS) -> None:
        self.hashes = np.unique(hashes.astype(np.uint64))  # sorted, for searchsorted
        self.span_words = span_words

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], span_words: int = SPAN_WORDS
    ) -> VerbatimIndex:
        """The index of every span of `span_words` words of each text."""
        hashes, _owners = _spans(list(texts), span_words)
        return cls(hashes, span_words)

    @classmethod
    def from_training_text(cls, training_text: str) -> VerbatimIndex:
        """The index of the other speakers' turns of an encoded training text."""
        return cls.from_texts(_OTHER_TURN.findall(training_text))

    def __len__(self) -> int:
        return len(self.hashes)

    @property
    def nbytes(self) -> int:
        """Memory (and file) size of the hashes."""
        return int(self.hashes.nbytes)

    def copies(self, texts: Sequence[str]) -> list[bool]:
        """For each text, whether it repeats a span of the index (one search)."""
        queries, owners = _spans(texts, self.span_words)
        if not len(self.hashes) or not len(queries):
            return [False] * len(texts)
        at = np.searchsorted(self.hashes, queries).clip(max=len(self.hashes) - 1)
        found = self.hashes[at] == queries
        return (np.bincount(owners[found], minlength=len(texts)) > 0).tolist()

    def describe(self) -> dict[str, object]:
        """What the artifact manifest records of this index."""
        return {
            "format": VERBATIM_FORMAT,
            "version": VERBATIM_VERSION,
            "span_words": self.span_words,
            "shingles": len(self),
            "bytes": self.nbytes,
        }

    def save(self, path: str | Path) -> None:
        """Write the hashes with what a reader must know to use them."""
        metadata = {
            "format": VERBATIM_FORMAT,
            "version": str(VERBATIM_VERSION),
            "span_words": str(self.span_words),
            "hash": "blake2b-64 per word, polynomial mod 2^64 per span",
        }
        save_file({"shingles": self.hashes}, str(path), metadata=metadata)

    @classmethod
    def load(cls, path: str | Path) -> VerbatimIndex:
        """Read an index written by `save`; ArtifactError if it is not one."""
        try:
            with safe_open(str(path), "np") as stored:
                metadata = stored.metadata() or {}
                hashes = stored.get_tensor("shingles")
            span = int(metadata["span_words"])
        except (OSError, SafetensorError, KeyError, ValueError) as error:
            raise ArtifactError(f"cannot read the verbatim index: {error}") from None
        if metadata.get("format") != VERBATIM_FORMAT or metadata.get("version") != str(
            VERBATIM_VERSION
        ):
            raise ArtifactError(f"{path} is not a {VERBATIM_FORMAT} file we can read")
        return cls(hashes, span)


def _spans(texts: Sequence[str], span: int) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every run of `span` consecutive words within one of `texts`,
    and the index of the text it is in; all texts hashed in one pass."""
    words = [_WORD.findall(_RENDERED.sub(" ", text).casefold()) for text in texts]
    counts = np.array([len(text_words) for text_words in words], dtype=np.int64)
    total = int(counts.sum())
    if total < span:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    codes = np.fromiter(
        (_word_hash(word) for text_words in words for word in text_words),
        np.uint64,
        total,
    )
    starts = total - span + 1
    hashes = np.zeros(starts, np.uint64)
    for offset in range(span):
        hashes = hashes * _P + codes[offset : offset + starts]
    owners = np.repeat(np.arange(len(texts)), counts)[:starts]
    inside = np.arange(starts) + span <= np.cumsum(counts)[owners]  # not across
    return hashes[inside], owners[inside]


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (the same on every machine and run)."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")
