"""Messenger's end-to-end-encrypted chats export (2024 onward).

Since personal chats became end-to-end encrypted, Facebook's download no longer
holds them; Messenger exports them itself, one JSON file per conversation,
`{participants, threadName, messages: [{senderName, text, timestamp, isUnsent,
media, reactions, type}]}`, beside a `media/` folder. A file is one conversation,
streamed a message at a time and put in time order by `scraper.time_order`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath

from corpus.message import Message
from scraper.detect import Opening
from scraper.errors import MalformedExportError
from scraper.files import ExportFiles
from scraper.json_document import Items, JsonDocument
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport
from scraper.system import notice_reason
from scraper.text import fix_mojibake
from scraper.time_order import BATCH, TimeOrder

NAME = "messenger-e2ee"
_TEXT_TYPES = frozenset({None, "text", "link", "share"})


def sniff(opening: Opening) -> bool:
    """A JSON conversation with a `threadName`, or messages with `senderName`."""
    shape = opening.shape
    return shape is not None and (
        "threadName" in shape.top or {"senderName", "timestamp"} <= shape.message
    )


def read(
    files: ExportFiles, names: list[str], report: ImportReport, options: ImportOptions
) -> Iterator[Message]:
    """Every kept message of each conversation, in time order."""
    for name in names:
        report.files += 1
        thread_id = "e2ee-" + PurePosixPath(name).stem
        order = TimeOrder(options.limits.sort_in_memory)
        where = files.where(name)
        first = 0
        document = JsonDocument(
            files,
            name,
            key="messages",
            limit=options.limits.max_message_size,
            expected="a Messenger end-to-end-encrypted chat export",
            shape="expected a JSON object with 'threadName' and a 'messages' list",
        )
        for _, value in document:
            if isinstance(value, Items):
                first = _read_messages(value, where, thread_id, report, order, first)
        for batch in order.batches():
            report.kept_many(thread_id, batch)
            yield from batch


def _read_messages(
    messages: Items,
    where: str,
    thread_id: str,
    report: ImportReport,
    order: TimeOrder,
    first: int,
) -> int:
    """Hand one list's kept messages to `order` from sequence `first`; the next."""
    kept: list[Message] = []
    for raw in messages:
        if not isinstance(raw, dict):
            raise MalformedExportError(f"{where}: a message is not a JSON object")
        stamp = raw.get("timestamp")
        if type(stamp) is not int:
            raise MalformedExportError(f"{where}: a message has no integer 'timestamp'")
        media = raw.get("media")
        if isinstance(media, list) and media:
            report.attachments["media"] += len(media)
        reason = _skip_reason(raw)
        if reason:
            report.skip(reason)
            continue
        sender = fix_mojibake(raw["senderName"])
        text = fix_mojibake(raw["text"])
        if notice_reason(sender, text):
            report.skip("system")
            continue
        try:
            sent_at = datetime.fromtimestamp(stamp / 1000, UTC)
        except (OverflowError, ValueError, OSError):
            raise MalformedExportError(
                f"{where}: timestamp {stamp} is not a date"
            ) from None
        kept.append(Message(thread_id, sender, sent_at, text))
        if len(kept) == BATCH:
            order.add(kept, first)
            first += len(kept)
            kept = []
    order.add(kept, first)
    return first + len(kept)


def _skip_reason(raw: dict[str, object]) -> str | None:
    """Why a message is not kept, before its text is looked at."""
    if raw.get("isUnsent"):
        return "unsent"
    sender, text = raw.get("senderName"), raw.get("text")
    if not isinstance(sender, str) or not sender:
        return "no sender"
    if not isinstance(text, str) or not text.strip():
        return "media-only" if raw.get("media") else "empty"
    kind = raw.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in _TEXT_TYPES):
        return "system"
    return None


READER = Reader(NAME, "json", sniff, read)
