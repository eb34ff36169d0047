"""Streaming a large JSON export: its messages one at a time, in bounded memory.

Telegram's whole-account export and a DiscordChatExporter channel can be
gigabytes. ijson walks the file; each message object is built whole (they are
small), everything else goes by as parse events, and the file's damage turns
into our named errors. A message (or any one value) longer than the limit is
refused before it is read whole, so memory is one message, never the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles
from scraper.options import ImportOptions
from scraper.report import ImportReport

ITEM = "item"  # the event under which a built object goes by
_BUFFER = 64 * 1024  # ijson's own read size
# (thread id, message) pairs of one file, given the limit of one message's bytes;
# (thread id, None) as a message list opens.
Threads = Callable[
    [ExportFiles, str, int], Iterator[tuple[str, dict[str, Any] | None]]
]
# One raw message as a Message, or None once counted as skipped.
Convert = Callable[
    [str, dict[str, Any], LocalClock, ImportReport, str], Message | None
]


def read_messages(
    files: ExportFiles,
    names: list[str],
    report: ImportReport,
    options: ImportOptions,
    threads: Threads,
    convert: Convert,
    expected: str,
) -> Iterator[Message]:
    """Every kept message of each file, in the file's order, counted as it goes.

    A file without any message list is not the promised export.
    """
    for name in names:
        report.files += 1
        where = files.where(name)
        clock = LocalClock(options.timezone)
        seen_list = False
        limit = options.limits.max_message_size
        for thread_id, raw in threads(files, name, limit):
            seen_list = True
            if raw is None:
                continue
            message = convert(thread_id, raw, clock, report, where)
            if message:
                report.kept(message)
                yield message
        if not seen_list:
            raise MalformedExportError(
                f"{where}: no 'messages' list; expected {expected}"
            )


def walk(
    files: ExportFiles, name: str, items: frozenset[str], expected: str, limit: int
) -> Iterator[tuple[str, str, Any]]:
    """(prefix, event, value) of a JSON file; objects at `items` come built whole.

    A built object goes by as (its prefix, ITEM, the dict). `expected` names the
    format in errors ("a Telegram export"); no more than `limit` bytes are read
    between two things handed on.
    """
    where = files.where(name)
    try:
        with files.open(name) as raw:
            stream = _Window(raw, limit, f"{where}: a value longer than the limit "
                             f"of {limit} bytes; expected {expected}")  # fmt: skip
            builder: ijson.ObjectBuilder | None = None
            depth = 0
            # Reads no larger than the limit, so the window holds about one.
            buffer = min(_BUFFER, limit)
            parsed = ijson.parse(stream, buf_size=buffer, use_float=True)
            for prefix, event, value in parsed:
                if builder is not None:
                    builder.event(event, value)
                    depth += (event in ("start_map", "start_array")) - (
                        event in ("end_map", "end_array")
                    )
                    if depth == 0:
                        yield prefix, ITEM, builder.value
                        stream.handed_on()
                        builder = None
                elif prefix in items and event == "start_map":
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                    depth = 1
                else:
                    yield prefix, event, value
                    stream.handed_on()
    except ijson.JSONError as error:
        raise MalformedExportError(
            f"{where}: not valid JSON ({error}); expected {expected}"
        ) from None
    except READ_ERRORS as error:
        raise MalformedExportError(f"{where}: unreadable ({error})") from None
    except UnicodeDecodeError:
        raise MalformedExportError(f"{where}: not UTF-8 text") from None


class _Window:
    """A file that refuses to be read far past the last thing handed on.

    ijson holds a value until it is whole: a 150 MB string would be held whole.
    """

    def __init__(self, stream: IO[bytes], limit: int, refusal: str) -> None:
        self._stream = stream
        self._limit = limit
        self._refusal = refusal
        self._read = 0
        self._mark = 0

    def read(self, size: int = -1) -> bytes:
        """The next bytes, unless too many went by since the last hand-on."""
        if self._read - self._mark > self._limit:
            raise MalformedExportError(self._refusal)
        data = self._stream.read(size)
        self._read += len(data)
        return data

    def handed_on(self) -> None:
        """Something was handed on: the window starts again here."""
        self._mark = self._read
