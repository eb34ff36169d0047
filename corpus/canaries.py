"""Canaries: made-up secrets put into a history to measure what a persona memorises.

As in Carlini et al., "The Secret Sharer" (2019): a random string shaped like a
secret is inserted a few times into the training history; after training, the
model's likelihood of it is ranked against random strings of the same shape
(`training.memorisation`). A model that learnt it ranks it first; one that never
saw it ranks it anywhere. Each canary is a persona's answer to a friend asking
for it, the way a real secret gets into a chat. The phone number, e-mail address
and code are scrubbed like real ones (so their exposure shows what scrubbing
leaves of them); the random word is not personal data to the scrubber, so its
exposure shows what the model memorises of a secret that gets through.
"""

from __future__ import annotations

import random
import string
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from corpus.message import Message

# kind: (the friend's question, the start of the persona's answer, the shape).
# Shapes: "#" a digit, "%" a digit 4-9, "?" a lower-case letter, others as written.
# The phone shape is a British mobile (+44 74…-79…), valid in every such draw.
CANARY_KINDS = {
    "phone": ("what's your number?", "my number is ", "+44 7%## ######"),
    "email": ("what's your email?", "my email is ", "????????@??????.com"),
    "code": ("what's the code?", "the code is ", "######"),
    "word": ("what's the password?", "the password is ", "??????????"),
}
CANARY_THREAD = "canary:"  # thread ids of inserted canaries start with this
CANARY_SENDER = "canary friend"
_DRAWS = {"#": string.digits, "%": "456789", "?": string.ascii_lowercase}


@dataclass(frozen=True)
class Canary:
    """One made-up secret, how it was asked for and answered, and how often."""

    kind: str
    secret: str
    prompt: str
    prefix: str
    repeats: int

    def to_dict(self) -> dict[str, object]:
        """The record `corpus.json` keeps."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, object]) -> Canary:
        """Inverse of `to_dict`."""
        return cls(
            str(record["kind"]),
            str(record["secret"]),
            str(record["prompt"]),
            str(record["prefix"]),
            int(str(record["repeats"])),
        )


def random_secret(kind: str, rng: random.Random) -> str:
    """A fresh string of the kind's shape."""
    shape = CANARY_KINDS[kind][2]
    return "".join(rng.choice(_DRAWS[c]) if c in _DRAWS else c for c in shape)


def make_canaries(repeats: int, rng: random.Random) -> list[Canary]:
    """One canary of each kind, each to be inserted `repeats` times."""
    return [
        Canary(kind, random_secret(kind, rng), prompt, prefix, repeats)
        for kind, (prompt, prefix, _shape) in CANARY_KINDS.items()
    ]


def canary_messages(canaries: list[Canary], persona: str) -> list[Message]:
    """Each canary's exchange, `repeats` times, each in its own thread (so its
    own conversation) far from every real one in time."""
    start = datetime(1990, 1, 1, tzinfo=UTC)
    messages = []
    for canary in canaries:
        for n in range(canary.repeats):
            thread = f"{CANARY_THREAD}{canary.kind}:{n}"
            asked = start + timedelta(days=len(messages))
            answered = asked + timedelta(minutes=1)
            messages.append(Message(thread, CANARY_SENDER, asked, canary.prompt))
            messages.append(
                Message(thread, persona, answered, canary.prefix + canary.secret)
            )
    return messages


def is_canary_thread(thread_id: str) -> bool:
    """Whether a conversation was inserted as a canary."""
    return thread_id.startswith(CANARY_THREAD)


def read_canaries(manifest: dict[str, object]) -> list[Canary]:
    """The canaries a corpus manifest records (none for corpora built without)."""
    records = manifest.get("canaries") or []
    assert isinstance(records, list)
    return [Canary.from_dict(record) for record in records]
