"""Telegram Desktop's "Export chat history" / "Export Telegram data": `result.json`.

A single chat is `{name, type, id, messages: […]}`; a whole account holds its
chats under `chats.list` (and `left_chats.list`). A full account can be gigabytes,
so the file is streamed with ijson, one message at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

import ijson

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport

NAME = "telegram"
_CHAT_PREFIXES = ("", "chats.list.item", "left_chats.list.item")
_MESSAGE_LISTS = frozenset(f"{p}.messages".lstrip(".") for p in _CHAT_PREFIXES)
_MESSAGE_ITEMS = frozenset(f"{p}.item" for p in _MESSAGE_LISTS)
_MEDIA_KEYS = ("photo", "file", "location_information", "poll", "contact_information")
_SIGNATURE = re.compile(rb'"(?:about|personal_information|chats)"\s*:|"type"\s*:\s*"'
                        rb'(?:personal_chat|private_group|private_supergroup|'
                        rb'public_supergroup|saved_messages|bot_chat|'
                        rb'private_channel|public_channel)"')  # fmt: skip


def claim(files: ExportFiles, names: list[str], forced: bool) -> list[str]:
    """`result.json`, or a `.json` whose opening is Telegram's."""
    found = []
    for name in names:
        if not name.lower().endswith(".json"):
            continue
        if forced or name.rsplit("/", 1)[-1] == "result.json":
            found.append(name)
        elif _SIGNATURE.search(files.head(name, 8192)):
            found.append(name)
    return found


def read(
    files: ExportFiles, names: list[str], report: ImportReport, options: ImportOptions
) -> Iterator[Message]:
    """Every kept message of every chat, in the file's (chronological) order."""
    for name in names:
        report.files += 1
        where = files.where(name)
        seen_chat = False
        clock = LocalClock(options.timezone)
        try:
            with files.open(name) as stream:
                for chat, raw in _stream(stream):
                    seen_chat = True
                    if raw is None:
                        continue
                    message = _message(chat, raw, clock, report, where)
                    if message:
                        report.kept(message)
                        yield message
        except ijson.JSONError as error:
            raise MalformedExportError(
                f"{where}: not valid JSON ({error}); expected a Telegram result.json"
            ) from None
        except READ_ERRORS as error:
            raise MalformedExportError(f"{where}: unreadable ({error})") from None
        except UnicodeDecodeError:
            raise MalformedExportError(f"{where}: not UTF-8 text") from None
        if not seen_chat:
            raise MalformedExportError(
                f"{where}: no 'messages' list; expected a Telegram result.json "
                "(one chat, or a whole account with chats.list)"
            )


def _stream(
    stream: IO[bytes],
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(chat fields, message) pairs, and (chat fields, None) as a chat's list opens.

    A chat's name and id come before its messages in Telegram's files, so the chat
    dict is complete by the time its messages go by.
    """
    chat: dict[str, Any] = {}
    builder: ijson.ObjectBuilder | None = None
    depth = 0
    for prefix, event, value in ijson.parse(stream, use_float=True):
        if builder is not None:
            builder.event(event, value)
            depth += (event in ("start_map", "start_array")) - (
                event in ("end_map", "end_array")
            )
            if depth == 0:
                yield chat, builder.value
                builder = None
        elif prefix in _MESSAGE_ITEMS and event == "start_map":
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
            depth = 1
        elif prefix in _MESSAGE_LISTS and event == "start_array":
            yield chat, None
        elif prefix in _CHAT_PREFIXES and event == "start_map":
            chat = {}
        elif event in ("string", "number") and prefix.rpartition(".")[0] in (
            _CHAT_PREFIXES
        ):
            chat[prefix.rpartition(".")[2]] = value


def _message(
    chat: dict[str, Any],
    raw: dict[str, Any],
    clock: LocalClock,
    report: ImportReport,
    where: str,
) -> Message | None:
    """One Telegram message as a Message, or None (counted) if it is not text."""
    if raw.get("type") != "message":
        report.skip("system")
        return None
    if raw.get("forwarded_from") is not None:
        report.skip("forwarded")  # someone else's words
        return None
    text = _text(raw.get("text"))
    media = _media_kind(raw)
    if media:
        report.attachments[media] += 1
    if not text.strip():
        report.skip("media-only" if media else "empty")
        return None
    sender = raw.get("from")
    sender = sender if isinstance(sender, str) and sender else "Deleted Account"
    sent_at = _sent_at(raw, clock, where)
    thread_id = f"telegram-{chat.get('id', chat.get('name', 'chat'))}"
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
            when = datetime.fromisoformat(date)
            if when.tzinfo is not None:
                return when.astimezone(UTC)
            return clock.to_utc(when)
    except (ValueError, OverflowError, OSError):
        pass
    raise MalformedExportError(
        f"{where}: message {raw.get('id')!r} has no readable date_unixtime or date"
    )


READER = Reader(NAME, claim, read)
