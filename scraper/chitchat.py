"""The Chit-Chat Challenge corpus (PyPI `chitchat-dataset`): real two-person chats.

It is the public chat corpus the base model learns from, and the people whose
personas the fidelity benchmark rebuilds. `dataset.json` maps a conversation id to
`{"messages": [[{"text", "timestamp", "sender"}, …], …], …}`: each inner list is one
turn, the messages one person sent in a row. The file is streamed with ijson.

Evaluation people are kept apart: the ten most prolific speakers (by message
count) never enter a training corpus of ours; ranks 1-5 are the benchmark's
personas and ranks 6-10 stay unused.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import ijson

from corpus.message import Message
from scraper.errors import MalformedExportError

PACKAGE = "chitchat-dataset"
PACKAGE_VERSION = "0.9.0"
LICENCE = "MIT"
EVALUATION_SPEAKERS = 10  # the most prolific speakers, never trained on


class ChitchatMissingError(FileNotFoundError):
    """The chitchat-dataset package (or its dataset.json) is not installed."""


@dataclass(frozen=True)
class Conversation:
    """One chat of the corpus: its id and its messages in order."""

    id: str
    messages: tuple[Message, ...]

    @property
    def speakers(self) -> frozenset[str]:
        """Everyone who wrote in it."""
        return frozenset(message.sender for message in self.messages)

    @property
    def chars(self) -> int:
        """Characters of text it holds."""
        return sum(len(message.text) for message in self.messages)


def dataset_path() -> Path:
    """Where the installed package keeps dataset.json."""
    spec = importlib.util.find_spec("chitchat_dataset")
    if spec is None or spec.origin is None:
        raise ChitchatMissingError(
            f"the {PACKAGE} package is not installed; run "
            f"`pip install {PACKAGE}=={PACKAGE_VERSION}` (or `pip install -e "
            "'.[pretrain]'`)"
        )
    path = Path(spec.origin).parent / "dataset.json"
    if not path.is_file():
        raise ChitchatMissingError(f"{path} is missing; reinstall {PACKAGE}")
    return path


def sha256_of(path: Path) -> str:
    """The file's sha256, recorded so a model names exactly what it learnt from."""
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_conversations(path: Path | None = None) -> Iterator[Conversation]:
    """Every conversation of dataset.json, in file order."""
    path = path or dataset_path()
    try:
        with open(path, "rb") as data:
            for conv_id, record in ijson.kvitems(data, "", use_float=True):
                yield Conversation(conv_id, tuple(_messages(conv_id, record)))
    except (ijson.JSONError, KeyError, TypeError, ValueError) as error:
        raise MalformedExportError(
            f"{path}: not the chitchat layout ({error})"
        ) from None


def _messages(conv_id: str, record: dict) -> Iterator[Message]:
    for turn in record["messages"]:
        for message in turn:
            stamp = message["timestamp"].replace("Z", "+00:00")
            sent_at = datetime.fromisoformat(stamp)
            yield Message(conv_id, message["sender"], sent_at, message["text"])


def speaker_ranking(conversations: Iterable[Conversation]) -> list[str]:
    """Speakers from the most messages to the fewest (ties by id, so stable)."""
    counts: Counter[str] = Counter()
    for conversation in conversations:
        counts.update(message.sender for message in conversation.messages)
    return sorted(counts, key=lambda speaker: (-counts[speaker], speaker))


def evaluation_speakers(conversations: Iterable[Conversation]) -> list[str]:
    """The ten most prolific speakers, in rank order: never in a training corpus."""
    return speaker_ranking(conversations)[:EVALUATION_SPEAKERS]


def without_speakers(
    conversations: Iterable[Conversation], speakers: Iterable[str]
) -> Iterator[Conversation]:
    """The conversations none of `speakers` takes part in."""
    kept_out = frozenset(speakers)
    for conversation in conversations:
        if not conversation.speakers & kept_out:
            yield conversation
