"""Facebook "Download Your Information" Messenger export, JSON flavour.

Each thread is a folder `messages/<box>/<thread>/` holding `message_1.json`,
`message_2.json`… with the newest messages first; strings carry the latin-1
mojibake. Each file is streamed a message at a time (`scraper.json_document`) and
a thread's messages are put in time order by `scraper.time_order`, in memory or,
for a long thread, on disk: memory does not grow with a file or a thread. A
thread file is recognised by its keys, so one saved under another name is read
too: it is a thread of its own, named by its `thread_path`. Instagram writes its
threads the same way (`scraper.instagram`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath

from corpus.message import Message
from scraper.detect import Opening
from scraper.errors import MalformedExportError
from scraper.files import ArchiveLimits, ExportFiles
from scraper.json_document import Items, JsonDocument
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport
from scraper.system import (
    MEDIA_KEYS,
    MEDIA_KINDS,
    NOTICE_INITIALS,
    NOTICE_OPENERS,
    notice_reason,
    system_reason,
)
from scraper.text import fix_mojibake
from scraper.time_order import BATCH, TimeOrder

NAME = "facebook-json"
_THREAD_FILE = re.compile(
    r"(?:^|/)(?:(?P<box>[^/]+)/)?(?P<thread>[^/]+)/message_(?P<n>\d+)\.json$"
)
REQUEST_BOXES = frozenset({"message_requests", "filtered_threads"})
_IN_FILE = 1 << 32  # sequence numbers of one file's messages (newest highest)
_BOX_ORDER = ("inbox", "archived_threads", "e2ee_cutover")
# Keys of a plain text message; one with any other key takes the careful path.
_PLAIN_KEYS = frozenset(
    {
        "sender_name",
        "timestamp_ms",
        "content",
        "type",
        "is_geoblocked_for_viewer",
        "is_unsent",
        "reactions",
        "is_unsent_image_by_messenger_kid_parent",
        "is_taken_down",
        "bumped_message_metadata",
    }
)


def is_thread(opening: Opening) -> bool:
    """A Meta thread file: its messages have `sender_name` and `timestamp_ms`.

    One where the download keeps a thread's file is one whatever it holds, so
    that a damaged file is named rather than passed over.
    """
    shape = opening.shape
    if opening.meta_thread and opening.name.endswith(".json"):
        return True
    return shape is not None and (
        {"sender_name", "timestamp_ms"} <= shape.message
        or {"participants", "messages", "thread_path"} <= shape.top
    )


def sniff(opening: Opening) -> bool:
    """A thread file of a Facebook download (Instagram's are claimed first)."""
    return not opening.instagram and is_thread(opening)


def thread_files(names: list[str]) -> dict[tuple[str, str], list[str]]:
    """The files of each (box, thread), oldest file (highest N) first.

    Threads split across the parts of a multi-zip export are merged by key. A
    file outside the download's layout is a thread of its own, keyed by its
    whole name (its thread id comes from the file's `thread_path`).
    """
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in names:
        match = _THREAD_FILE.search(name)
        key = (match["box"] or "inbox", match["thread"]) if match else ("", name)
        found.setdefault(key, []).append((int(match["n"]) if match else 1, name))
    ordered = sorted(
        found,
        key=lambda key: (
            _BOX_ORDER.index(key[0]) if key[0] in _BOX_ORDER else len(_BOX_ORDER),
            key,
        ),
    )
    return {
        key: [name for _, name in sorted(found[key], reverse=True)] for key in ordered
    }


def read(
    files: ExportFiles,
    names: list[str],
    report: ImportReport,
    options: ImportOptions,
    prefix: str = "",
) -> Iterator[Message]:
    """Every kept message, thread by thread, each thread in time order.

    `prefix` starts every thread id (Instagram's, so they never meet Facebook's).
    """
    limits = options.limits
    for (box, thread), members in thread_files(names).items():
        if box in REQUEST_BOXES and not options.include_requests:
            for name in members:
                report.files += 1
                report.skip("message request", _count(files, name, limits))
            continue
        order = TimeOrder(limits.sort_in_memory)
        # A file outside the layout names its thread at its end (`thread_path`).
        thread_id = prefix + thread if box else ""
        for rank, name in enumerate(members):
            report.files += 1
            named = _read_file(files, name, thread_id, report, order, rank, limits)
            if not box:
                thread_id = prefix + (named or PurePosixPath(name).stem)
        for batch in order.batches():
            if not box:
                batch = [Message(thread_id, m.sender, m.sent_at, m.text) for m in batch]
            report.kept_many(thread_id, batch)
            yield from batch


def _read_file(
    files: ExportFiles,
    name: str,
    thread_id: str,
    report: ImportReport,
    order: TimeOrder,
    rank: int,
    limits: ArchiveLimits,
) -> str | None:
    """Hand one file's kept messages to `order`; the thread its `thread_path` names.

    Files come oldest first (`rank`), each newest message first, so sequence
    numbers fall through a file: equal times keep the order Facebook meant.
    """
    where = files.where(name)
    thread_path: str | None = None
    first = rank * _IN_FILE + _IN_FILE - 1
    for key, value in _document(files, name, limits):
        if isinstance(value, Items):
            for kept in _batches(value, where, thread_id, report):
                order.add(kept, first, -1)
                first -= len(kept)
        elif key == "thread_path" and isinstance(value, str) and value.strip("/"):
            thread_path = value.strip("/").rsplit("/", 1)[-1]
    return thread_path


def _count(files: ExportFiles, name: str, limits: ArchiveLimits) -> int:
    """How many messages one file holds, read only to be counted."""
    return sum(
        sum(1 for _ in value)
        for _, value in _document(files, name, limits)
        if isinstance(value, Items)
    )


def _document(files: ExportFiles, name: str, limits: ArchiveLimits) -> JsonDocument:
    return JsonDocument(
        files,
        name,
        key="messages",
        limit=limits.max_message_size,
        expected="a Messenger thread file",
        shape="expected a JSON object with a 'messages' list",
    )


def _batches(
    raw_messages: Iterable[object], where: str, thread_id: str, report: ImportReport
) -> Iterator[list[Message]]:
    """The kept messages of one file in its order, a batch at a time.

    This loop is the import's hot path (a big export has millions of messages):
    a plain text message takes the first branch, which only checks what it
    must; anything else goes through `_classify`.
    """
    kept: list[Message] = []
    people: dict[str, tuple[str, str]] = {}  # raw name -> fixed, fixed + " "
    plain_keys, fix, to_date = _PLAIN_KEYS, fix_mojibake, datetime.fromtimestamp
    openers, initials = NOTICE_OPENERS, NOTICE_INITIALS
    for raw in raw_messages:
        if type(raw) is not dict:
            raise MalformedExportError(f"{where}: a message is not a JSON object")
        stamp = raw.get("timestamp_ms")
        if type(stamp) is not int:
            raise MalformedExportError(
                f"{where}: a message has no integer 'timestamp_ms'"
            )
        sender, content = raw.get("sender_name"), raw.get("content")
        if (
            raw.keys() <= plain_keys
            and type(content) is str
            and content
            and type(sender) is str
            and sender
            and raw.get("type", "Generic") == "Generic"
            and not raw.get("is_unsent")
        ):
            person = people.get(sender)
            if person is None:
                fixed = fix(sender)
                person = people[sender] = (fixed, fixed + " ")
            sender = person[0]
            text = content if content.isascii() else fix(content)
            # Notices open with the sender's name or one of a few words; the
            # careful check runs only on those.
            if (
                text.startswith(person[1])
                or (text[:1] in initials and text.partition(" ")[0] in openers)
            ) and notice_reason(sender, text):
                report.skip("system")
                continue
        else:
            found = _classify(raw, report)
            if found is None:
                continue
            sender, text = found
        try:
            sent_at = to_date(stamp / 1000, UTC)
        except (OverflowError, ValueError, OSError):
            raise MalformedExportError(
                f"{where}: timestamp_ms {stamp} is not a date"
            ) from None
        kept.append(Message(thread_id, sender, sent_at, text))
        if len(kept) == BATCH:
            yield kept
            kept = []
    yield kept


def _classify(raw: dict[str, object], report: ImportReport) -> tuple[str, str] | None:
    """(sender, text) of a message off the plain path, or None once counted."""
    for key in MEDIA_KEYS.intersection(raw):
        items = raw[key]
        report.attachments[MEDIA_KINDS[key]] += (
            len(items) if isinstance(items, list) else 1
        )
    if raw.get("is_unsent"):
        report.skip("unsent")
        return None
    sender = raw.get("sender_name")
    if not isinstance(sender, str) or not sender:
        report.skip("no sender")
        return None
    sender = fix_mojibake(sender)
    content = raw.get("content")
    text = fix_mojibake(content) if isinstance(content, str) else ""
    reason = system_reason(raw, sender, text)
    if reason:
        report.skip(reason)
        return None
    return sender, text


READER = Reader(NAME, "json", sniff, read)
