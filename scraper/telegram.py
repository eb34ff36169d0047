"""Telegram Desktop's "Export chat history" / "Export Telegram data" (JSON).

A single chat is `{name, type, id, messages: […]}` (some tools write only
`{messages: […]}`); a whole account holds its chats under `chats.list` (and
`left_chats.list`). A full account can be gigabytes, so the file is streamed with
ijson, one message at a time. Text is a string or a list of strings and entities;
service messages (joins, calls, pins) are skipped; a forwarded message is kept in
the forwarder's turn, its first line marking whose words they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
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
from scraper.text import mark_forwarded

NAME = "telegram"
_CHAT_PREFIXES = ("", "chats.list.item", "left_chats.list.item")
_MESSAGE_LISTS = frozenset(f"{p}.messages".lstrip(".") for p in _CHAT_PREFIXES)
_MESSAGE_ITEMS = frozenset(f"{p}.item" for p in _MESSAGE_LISTS)
_MEDIA_KEYS = ("photo", "file", "location_information", "poll", "contact_information")
_ACCOUNT_KEYS = frozenset({"personal_information", "chats", "left_chats"})
_EXPECTED = "a Telegram export (one chat, or a whole account with chats.list)"
_CHAT_TYPES = frozenset(
    {"personal_chat", "private_group", "private_supergroup", "public_supergroup",
     "saved_messages", "bot_chat", "private_channel", "public_channel"}
)  # fmt: skip
_CALLS = frozenset({"phone_call", "group_call", "invite_to_group_call"})


def sniff(opening: Opening) -> bool:
    """A whole account (`about` with `chats`…), or messages shaped as Telegram's."""
    shape = opening.shape
    if shape is None:
        return False
    if "personal_information" in shape.top or (
        "about" in shape.top and shape.top & _ACCOUNT_KEYS
    ):
        return True
    return (
        shape.message_type in ("message", "service")
        or "date_unixtime" in shape.message
        or shape.top_type in _CHAT_TYPES
    )


def _chats(
    files: ExportFiles, name: str, limit: int
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(thread id, message) pairs, and (thread id, None) as a chat's list opens.

    A chat's name and id come before its messages in Telegram's files, so the
    chat is known by the time its messages go by.
    """
    fallback = "telegram-" + _slug(PurePosixPath(name).stem)
    chat: dict[str, Any] = {}
    for prefix, event, value in walk(files, name, _MESSAGE_ITEMS, _EXPECTED, limit):
        if event == ITEM:
            yield _thread_id(chat, fallback), value
        elif prefix in _MESSAGE_LISTS and event == "start_array":
            yield _thread_id(chat, fallback), None
        elif prefix in _CHAT_PREFIXES and event == "start_map":
            chat = {}
        elif event in ("string", "number") and prefix.rpartition(".")[0] in (
            _CHAT_PREFIXES
        ):
            chat[prefix.rpartition(".")[2]] = value


def _thread_id(chat: dict[str, Any], fallback: str) -> str:
    """`telegram-<chat id>`, else its name, else the file's (a bare message list)."""
    for key in ("id", "name"):
        if key in chat:
            return f"telegram-{chat[key]}"
    return fallback


def _slug(text: str) -> str:
    return re.sub(r"\W+", "-", text.lower()).strip("-") or "chat"


def _message(
    thread_id: str,
    raw: dict[str, Any],
    clock: LocalClock,
    report: ImportReport,
    where: str,
) -> Message | None:
    """One Telegram message as a Message, or None (counted) if it is not text."""
    if raw.get("type") != "message":
        report.skip("call" if raw.get("action") in _CALLS else "system")
        return None
    text = _text(raw.get("text")) or _text(raw.get("text_entities"))
    media = _media_kind(raw)
    if media:
        report.attachments[media] += 1
    if not text.strip():
        report.skip("media-only" if media else "empty")
        return None
    sender = raw.get("from")
    sender = sender if isinstance(sender, str) and sender else "Deleted Account"
    sent_at = _sent_at(raw, clock, where)
    if "forwarded_from" in raw:
        origin = raw["forwarded_from"]
        origin = origin if isinstance(origin, str) and origin else "a hidden account"
        text = mark_forwarded(origin, text)
        report.marked["forwarded"] += 1
    return Message(thread_id, sender, sent_at, text)


def _media_kind(raw: dict[str, Any]) -> str | None:
    """What a message carries besides text: its `media_type`, or photo/file/…"""
    kind = raw.get("media_type")
    if isinstance(kind, str) and kind:
        return kind
    for key in _MEDIA_KEYS:
        if raw.get(key):
            return "location" if key == "location_information" else key
    return None


def _text(value: object) -> str:
    """Telegram's `text`: a string, or a list of strings and entities with text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return ""


def _sent_at(raw: dict[str, Any], clock: LocalClock, where: str) -> datetime:
    """From `date_unixtime` (exact) if there, else the local `date`."""
    try:
        unix = raw.get("date_unixtime")
        if isinstance(unix, str | int) and not isinstance(unix, bool):
            return datetime.fromtimestamp(int(unix), UTC)
        date = raw.get("date")
        if isinstance(date, str):
            return clock.from_iso(date)
    except (ValueError, OverflowError, OSError):
        pass
    raise MalformedExportError(
        f"{where}: message {raw.get('id')!r} has no readable date_unixtime or date"
    )


# Every kept message of each file, in the file's (chronological) order.
READER = Reader(
    NAME,
    "json",
    sniff,
    partial(read_messages, threads=_chats, convert=_message, expected=_EXPECTED),
)
