"""DiscordChatExporter's JSON: one file per channel, everyone's messages in it.

DiscordChatExporter (the tool people use to save Discord history) writes
`{guild: {id, name}, channel: {id, type, name, …}, dateRange, exportedAt,
messages: [{id, type, timestamp, content, author: {id, name, nickname, isBot},
attachments, stickers, embeds, reactions, reference…}], messageCount}`, oldest
message first, with mentions and emoji already written as text. A channel can
be large, so it is streamed. A sender is the author's account `name`, the same in
every server, where the nickname changes from one server to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.detect import Opening
from scraper.errors import MalformedExportError
from scraper.files import ExportFiles
from scraper.json_stream import ITEM, read_messages, walk
from scraper.options import Reader
from scraper.report import ImportReport

NAME = "discord"
_ITEMS = frozenset({"messages.item"})
_EXPECTED = "a DiscordChatExporter channel (.json)"
# Message types that are somebody writing; the others are Discord's notices.
_TEXT_TYPES = frozenset(
    {"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"}
)
_CALL_TYPES = frozenset({"Call"})
_MEDIA_KEYS = (("attachments", "attachment"), ("stickers", "sticker"))


def sniff(opening: Opening) -> bool:
    """A channel export: `guild` and `channel`, or messages with an `author`."""
    shape = opening.shape
    return shape is not None and (
        {"guild", "channel"} <= shape.top
        or {"author", "timestamp", "content"} <= shape.message
    )


def _channel(
    files: ExportFiles, name: str, limit: int
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(thread id, message) pairs, and (thread id, None) as the list opens."""
    channel = "discord-" + PurePosixPath(name).stem
    for prefix, event, value in walk(files, name, _ITEMS, _EXPECTED, limit):
        if prefix == "channel.id" and event in ("string", "number"):
            channel = f"discord-{value}"  # written before the messages
        elif prefix == "messages" and event == "start_array":
            yield channel, None
        elif event == ITEM:
            yield channel, value


def _message(
    thread_id: str,
    raw: dict[str, Any],
    clock: LocalClock,
    report: ImportReport,
    where: str,
) -> Message | None:
    """One Discord message as a Message, or None (counted) if it is not text."""
    kind = raw.get("type", "Default")
    if kind not in _TEXT_TYPES:
        report.skip("call" if kind in _CALL_TYPES else "system")
        return None
    media = 0
    for key, label in _MEDIA_KEYS:
        items = raw.get(key)
        if isinstance(items, list) and items:
            report.attachments[label] += len(items)
            media += len(items)
    author = raw.get("author")
    sender = author.get("name") if isinstance(author, dict) else None
    if not isinstance(sender, str) or not sender:
        report.skip("no sender")
        return None
    content = raw.get("content")
    text = content if isinstance(content, str) else ""
    if not text.strip():
        report.skip("media-only" if media else "empty")
        return None
    return Message(thread_id, sender, _sent_at(raw, clock, where), text)


def _sent_at(raw: dict[str, Any], clock: LocalClock, where: str) -> datetime:
    """The message's ISO 8601 `timestamp` (with its offset) in UTC."""
    stamp = raw.get("timestamp")
    try:
        if isinstance(stamp, str):
            return clock.from_iso(stamp)
    except (ValueError, OverflowError):
        pass
    raise MalformedExportError(
        f"{where}: message {raw.get('id')!r} has no readable timestamp"
    )


# Every kept message of each file, in the file's (chronological) order.
READER = Reader(
    NAME,
    "json",
    sniff,
    partial(read_messages, threads=_channel, convert=_message, expected=_EXPECTED),
)
