"""The `Message`: the one format every importer emits and the corpus reads."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

MESSAGES_FORMAT = "mimical.messages"
MESSAGES_VERSION = 1
# An importer keeps a forwarded message with this first line (the contract between
# scraper and corpus): the words are the origin's, not the forwarder's.
FORWARDED = "[forwarded from {origin}]"
_FORWARDED_HEAD, _FORWARDED_TAIL = FORWARDED.split("{origin}")


class MessageFormatError(ValueError):
    """A Message JSON-lines file we cannot read."""


@dataclass(frozen=True, slots=True)
class Message:
    """One text message: who wrote what, when, in which thread."""

    thread_id: str
    sender: str
    sent_at: datetime  # aware, UTC
    text: str

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None:
            raise ValueError("Message.sent_at must be timezone-aware")

    def to_dict(self) -> dict[str, str]:
        """The JSON-lines record of this message."""
        return {
            "thread_id": self.thread_id,
            "sender": self.sender,
            "sent_at": self.sent_at.astimezone(UTC).isoformat(),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, record: dict[str, object]) -> Message:
        """Build a message from its JSON-lines record, checking every field."""
        try:
            thread_id, sender, sent_at, text = (
                record["thread_id"],
                record["sender"],
                record["sent_at"],
                record["text"],
            )
        except KeyError as missing:
            raise MessageFormatError(f"message record lacks {missing}") from None
        if not all(isinstance(v, str) for v in (thread_id, sender, sent_at, text)):
            raise MessageFormatError("message fields must be strings")
        try:
            when = datetime.fromisoformat(sent_at)  # type: ignore[arg-type]
        except ValueError:
            raise MessageFormatError(f"bad sent_at {sent_at!r}") from None
        if when.tzinfo is None:
            raise MessageFormatError(f"sent_at {sent_at!r} has no time zone")
        return cls(str(thread_id), str(sender), when.astimezone(UTC), str(text))


def write_messages(messages: Iterable[Message], out: IO[str]) -> int:
    """Write a header line and one JSON object per message; return the count."""
    header = {"format": MESSAGES_FORMAT, "version": MESSAGES_VERSION}
    out.write(json.dumps(header) + "\n")
    count = 0
    for message in messages:
        out.write(json.dumps(message.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count


def read_messages(path: str | Path) -> Iterator[Message]:
    """Stream the messages of a JSON-lines file written by `write_messages`."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise MessageFormatError(f"{path}:{number}: not JSON") from None
            if not isinstance(record, dict):
                raise MessageFormatError(f"{path}:{number}: not a JSON object")
            if "format" in record:
                if (
                    record.get("format") != MESSAGES_FORMAT
                    or record.get("version") != MESSAGES_VERSION
                ):
                    raise MessageFormatError(
                        f"{path}: format {record.get('format')} "
                        f"v{record.get('version')} is not {MESSAGES_FORMAT} "
                        f"v{MESSAGES_VERSION}"
                    )
                continue
            try:
                yield Message.from_dict(record)
            except MessageFormatError as error:
                raise MessageFormatError(f"{path}:{number}: {error}") from None


def forwarded_origin(text: str) -> tuple[str, str] | None:
    """(origin, the forwarded words) of a marked forward, else None."""
    first, _, rest = text.partition("\n")
    if first.startswith(_FORWARDED_HEAD) and first.endswith(_FORWARDED_TAIL):
        origin = first[len(_FORWARDED_HEAD) : -len(_FORWARDED_TAIL)].strip()
        if origin:
            return origin, rest
    return None
