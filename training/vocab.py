"""The character vocabulary: training characters plus the reserved markers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from corpus import MARKERS
from training.errors import ArtifactError


class Vocabulary:
    """Maps characters to ids; the four conversation markers are always present."""

    def __init__(self, chars: Iterable[str]) -> None:
        unique = sorted(set(chars) | set(MARKERS))
        if any(len(char) != 1 for char in unique):
            raise ValueError("a vocabulary holds single characters")
        self.chars: tuple[str, ...] = tuple(unique)
        self._index = {char: i for i, char in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Every character of the training text, plus the markers."""
        return cls(set(text))

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: object) -> bool:
        return char in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def id(self, char: str) -> int:
        """The id of one character (KeyError if it is not in the vocabulary)."""
        return self._index[char]

    def encode(self, text: str) -> list[int]:
        """Ids of the characters; characters never seen in training are dropped."""
        index = self._index
        return [index[char] for char in text if char in index]

    def decode(self, ids: Sequence[int]) -> str:
        """The text of a list of ids."""
        return "".join(self.chars[i] for i in ids)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready record, stored in checkpoints and artifact manifests."""
        return {"chars": "".join(self.chars)}

    @classmethod
    def from_json(cls, record: object) -> Vocabulary:
        """Inverse of `to_json`; ArtifactError if the record is malformed."""
        chars = record.get("chars") if isinstance(record, dict) else None
        if not isinstance(chars, str) or len(set(chars)) != len(chars):
            raise ArtifactError("vocabulary record must hold distinct 'chars'")
        vocab = cls(chars)
        if vocab.chars != tuple(chars):
            raise ArtifactError("vocabulary record is not sorted or lacks markers")
        return vocab
