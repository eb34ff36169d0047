"""WhatsApp's "Export chat": a `.txt` (or a `.zip` holding `_chat.txt`).

Lines look like `14/07/2023, 18:05 - Romeo: text` on Android and
`[14/07/2023, 18:05:23] Romeo: text` on iOS, in the phone's locale: the date's
order and separators (`14.07.23`, `2023/07/14`, `2023. 7. 14.`), the digits
(Arabic-Indic too), a word between date and time (`à`), and 12-hour marks before
or after the time (`6:05 p. m.`, `오후 6:05`) vary; `scraper.whatsapp_locales`
holds each language's marks and placeholders. The day/month order is inferred
from the dates themselves. A line that does not start with a date continues the
message before it. Times are local wall-clock times with no offset. The file is
read twice as a stream (once to infer the date order), so memory does not grow
with it; a line or a message longer than the limit is refused, not held.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import PurePosixPath

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.detect import Opening
from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport
from scraper.whatsapp_locales import (
    AM,
    CHAT_FILE,
    ENCRYPTED,
    PM,
    placeholder,
    unedited,
)

NAME = "whatsapp"
# iOS puts a left-to-right mark before its notices and media; right-to-left
# languages put marks inside dates; phone numbers come wrapped in embeddings.
_NOTICE_MARKS = "\u200e\u200f\ufeff"
_MARKS = _NOTICE_MARKS + "\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_M = f"[{_MARKS}]*"
_SPACE = "[ \u00a0\u202f]"
_SEP = rf"{_M}[./-]{_M}{_SPACE}?"
_DATE = rf"(?P<date>\d{{1,4}}{_SEP}\d{{1,2}}{_SEP}\d{{1,4}}\.?)"
# A 12-hour mark: "PM", "p. m.", "nachm.", "오후", "م"; checked against the table.
_HALF = r"[^\W\d_][^\d\[\]:\-\u2013]{0,11}?"
_JOIN = rf"{_M}[,\u060c]?{_SPACE}+(?:(?:à|às|klo|um){_SPACE}+)?"
_TIME = (
    rf"(?:(?P<pre>{_HALF}){_SPACE}?)?"
    rf"(?P<time>\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?)"
    rf"(?:{_SPACE}?(?P<post>{_HALF}))?{_M}"
)
_ANDROID = re.compile(
    rf"{_M}{_DATE}{_JOIN}{_TIME}{_SPACE}?[-\u2013]{_SPACE}(?P<rest>.*)"
)
_IOS = re.compile(rf"{_M}\[{_DATE}{_JOIN}{_TIME}\]{_SPACE}?(?P<rest>.*)")
_HALF_SPACE = re.compile(rf"[\s.{_MARKS}]")
_DIGITS = re.compile(r"\d+")


@dataclass(slots=True)
class _Pending:
    """The message being read: its header, then any continuation lines."""

    sent_at: datetime
    sender: str | None
    lines: list[str]
    system: bool
    size: int = 0  # characters in `lines`


def sniff(opening: Opening) -> bool:
    """Text whose first lines look like a WhatsApp chat."""
    if opening.kind != "text":
        return False
    lines = opening.text(4096).splitlines()[:10]
    return any(_header(line) for line in lines)


def _header(line: str) -> re.Match[str] | None:
    """The header of a message line, or None (a known 12-hour mark or none)."""
    match = _ANDROID.fullmatch(line) or _IOS.fullmatch(line)
    if match and (match["pre"] or match["post"]) and _half(match) is None:
        return None
    return match


def _half(match: re.Match[str]) -> str | None:
    """'am' or 'pm' from the header's 12-hour mark, or None if unknown."""
    return _half_of(match["pre"] or match["post"])


@cache
def _half_of(mark: str) -> str | None:
    # A chat repeats two or three marks thousands of times.
    mark = _HALF_SPACE.sub("", mark).lower()
    return "am" if mark in AM else "pm" if mark in PM else None


def read(
    files: ExportFiles, names: list[str], report: ImportReport, options: ImportOptions
) -> Iterator[Message]:
    """Every kept message of each chat, in the chat's order."""
    for name in names:
        report.files += 1
        thread_id = _thread_id(files, name)
        limit = options.limits.max_message_size
        day_first = _day_first(files, name, limit)
        clock = LocalClock(options.timezone)
        lines = _lines(files, name, limit)
        where = files.where(name)
        chat = _messages(lines, where, thread_id, day_first, clock, report, limit)
        for message in chat:
            report.kept(message)
            yield message


def _thread_id(files: ExportFiles, name: str) -> str:
    """`whatsapp-juliet` from "WhatsApp Chat with Juliet.txt" or its zip/folder."""
    path = PurePosixPath(name)
    stem = path.stem
    if stem == "_chat":
        stem = path.parent.name if len(path.parts) > 1 else files.label
    chat = CHAT_FILE.sub("", stem).strip() or stem
    return "whatsapp-" + (re.sub(r"\W+", "-", chat.lower()).strip("-") or "chat")


def _lines(files: ExportFiles, name: str, limit: int) -> Iterator[str]:
    """The file's lines without line ends, named errors for bad bytes."""
    try:
        with files.open(name) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None)
            number = 0
            while line := text.readline(limit + 1):
                number += 1
                if len(line) > limit and not line.endswith("\n"):
                    raise MalformedExportError(
                        f"{files.where(name)}:{number}: a line longer than the limit "
                        f"of {limit} characters; expected a WhatsApp chat export"
                    )
                yield line.rstrip("\n")
    except UnicodeDecodeError:
        raise MalformedExportError(
            f"{files.where(name)}: not UTF-8 text; expected a WhatsApp chat export"
        ) from None
    except READ_ERRORS as error:
        where = files.where(name)
        raise MalformedExportError(f"{where}: unreadable ({error})") from None


def _day_first(files: ExportFiles, name: str, limit: int) -> bool:
    """Whether dates are day/month: from a field over 12, else the likelier order."""
    backwards = {True: 0, False: 0}
    previous: dict[bool, tuple[int, int, int] | None] = {True: None, False: None}
    for line in _lines(files, name, limit):
        match = _header(line)
        if not match:
            continue
        a, b, c = (int(part) for part in _DIGITS.findall(match["date"]))
        if a > 31:  # year first: no order to infer
            return True
        if a > 12:
            return True
        if b > 12:
            return False
        for day_first, (day, month) in ((True, (a, b)), (False, (b, a))):
            key = (c, month, day)
            last = previous[day_first]
            backwards[day_first] += last is not None and key < last
            previous[day_first] = key
    return backwards[True] <= backwards[False]


def _timestamp(match: re.Match[str], day_first: bool) -> datetime:
    """The naive local time of a header, or ValueError."""
    a, b, c = (int(part) for part in _DIGITS.findall(match["date"]))
    if a > 31:
        year, month, day = a, b, c
    elif day_first:
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if year < 100:
        year += 2000
    hour, minute, *rest = (int(part) for part in _DIGITS.findall(match["time"]))
    if match["pre"] or match["post"]:
        if not 0 <= hour <= 12:
            raise ValueError("not a 12-hour clock")
        hour = hour % 12 + (12 if _half(match) == "pm" else 0)
    return datetime(year, month, day, hour, minute, rest[0] if rest else 0)


def _messages(
    lines: Iterator[str],
    where: str,
    thread_id: str,
    day_first: bool,
    clock: LocalClock,
    report: ImportReport,
    limit: int,
) -> Iterator[Message]:
    """Each kept message of a chat's lines; one longer than `limit` is refused."""
    pending: _Pending | None = None
    for number, line in enumerate(lines, start=1):
        match = _header(line)
        if not match:
            if pending is not None:
                pending.lines.append(line)
                pending.size += len(line) + 1
                if pending.size > limit:
                    raise MalformedExportError(
                        f"{where}:{number}: a message longer than the limit of "
                        f"{limit} characters; expected a WhatsApp chat export"
                    )
            elif line.strip():
                report.skip("unparsed line")
            continue
        try:
            sent_at = clock.to_utc(_timestamp(match, day_first))
        except (ValueError, OverflowError):
            raise MalformedExportError(
                f"{where}:{number}: {match['date']} {match['time']} is not a date"
            ) from None
        if pending is not None:
            message = _finish(pending, thread_id, report)
            if message:
                yield message
        rest = match["rest"]
        sender, separator, text = rest.partition(": ")
        sender = sender.strip(_MARKS + " ")
        if (
            not separator
            or not sender
            or rest[0] in _NOTICE_MARKS
            or rest.startswith(ENCRYPTED)
        ):
            pending = _Pending(sent_at, None, [rest], system=True)
        else:
            pending = _Pending(sent_at, sender, [text], system=False)
    if pending is None:
        raise MalformedExportError(
            f"{where}: no line like '14/07/2023, 18:05 - Name: text'; "
            "expected a WhatsApp chat export"
        )
    message = _finish(pending, thread_id, report)
    if message:
        yield message


def _finish(pending: _Pending, thread_id: str, report: ImportReport) -> Message | None:
    """The message a header and its continuation lines make, or None if skipped."""
    if pending.system or pending.sender is None:
        report.skip("system")
        return None
    text = "\n".join(pending.lines).strip()
    first, _, caption = text.partition("\n")
    bare = first.lstrip(_NOTICE_MARKS)
    stands_for = placeholder(bare, marked=bare != first)
    if stands_for in ("unsent", "call"):
        report.skip(stands_for)
        return None
    if bare.startswith(ENCRYPTED):
        report.skip("system")
        return None
    if stands_for == "media":
        report.attachments["media"] += 1
        text = caption.strip()  # a photo's caption follows its file name
        if not text:
            report.skip("media-only")
            return None
    elif bare != first:  # iOS marks its notices, in the chat name's voice
        report.skip("system")
        return None
    if not text:
        report.skip("empty")
        return None
    return Message(thread_id, pending.sender, pending.sent_at, unedited(text))


READER = Reader(NAME, "text", sniff, read)
