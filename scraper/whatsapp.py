"""WhatsApp's "Export chat": a `.txt` (or a `.zip` holding `_chat.txt`).

Lines look like `14/07/2023, 18:05 - Romeo: text` on Android and
`[14/07/2023, 18:05:23] Romeo: text` on iOS, in the phone's locale: day/month
order and 12/24-hour clocks vary, and the day/month order is inferred from the
dates themselves. A line that does not start with a date continues the message
before it. Times are local wall-clock times with no offset. The file is read twice
as a stream (once to infer the date order), so memory does not grow with it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport

NAME = "whatsapp"
_SPACE = "[ \u00a0\u202f]"
_DATE = r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_TIME = (
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
    rf"(?:{_SPACE}?(?P<ampm>[AaPp])\.?[Mm]\.?)?)"
)
_ANDROID = re.compile(rf"{_DATE},?{_SPACE}{_TIME}{_SPACE}[-\u2013]{_SPACE}(?P<rest>.*)")
_IOS = re.compile(rf"\[{_DATE},?{_SPACE}{_TIME}\]{_SPACE}(?P<rest>.*)")
_MARKS = "\u200e\u200f\ufeff"  # direction marks WhatsApp puts before notices
_MEDIA = re.compile(
    r"<Media omitted>|<attached: [^>]*>|(?:image|video|audio|sticker|GIF|document"
    r"|Contact card) omitted|.* \(file attached\)|null|location: https?://\S+",
    re.IGNORECASE,
)
_DELETED = re.compile(r"(?:This message was deleted|You deleted this message)\.?")
_MISSED_CALL = re.compile(r"Missed (?:group )?(?:voice|video) call(?:, .*)?")
_CALL = re.compile(r"(?:Voice|Video|Group voice|Group video) call(?:, .*)?")
_EDITED = " <This message was edited>"
_CHAT_NAME = re.compile(r"^WhatsApp Chat (?:with|-) ", re.IGNORECASE)


@dataclass(slots=True)
class _Pending:
    """The message being read: its header, then any continuation lines."""

    sent_at: datetime
    sender: str | None
    lines: list[str]
    system: bool


def claim(files: ExportFiles, names: list[str], forced: bool) -> list[str]:
    """`.txt` files whose first lines look like a WhatsApp chat."""
    texts = [name for name in names if name.lower().endswith(".txt")]
    if forced:
        return texts or names
    return [name for name in texts if _looks_like_chat(files.head(name, 4096))]


def _looks_like_chat(head: bytes) -> bool:
    lines = head.decode("utf-8", "replace").splitlines()[:10]
    return any(_header(line.lstrip(_MARKS)) for line in lines)


def _header(line: str) -> re.Match[str] | None:
    return _ANDROID.fullmatch(line) or _IOS.fullmatch(line)


def read(
    files: ExportFiles, names: list[str], report: ImportReport, options: ImportOptions
) -> Iterator[Message]:
    """Every kept message of each chat, in the chat's order."""
    for name in names:
        report.files += 1
        thread_id = _thread_id(files, name)
        day_first = _day_first(files, name)
        clock = LocalClock(options.timezone)
        for message in _messages(files, name, thread_id, day_first, clock, report):
            report.kept(message)
            yield message


def _thread_id(files: ExportFiles, name: str) -> str:
    """`whatsapp-juliet` from "WhatsApp Chat with Juliet.txt" or its zip/folder."""
    path = PurePosixPath(name)
    stem = path.stem
    if stem == "_chat":
        stem = path.parent.name if len(path.parts) > 1 else files.label
    chat = _CHAT_NAME.sub("", stem).strip() or stem
    return "whatsapp-" + (re.sub(r"\W+", "-", chat.lower()).strip("-") or "chat")


def _lines(files: ExportFiles, name: str) -> Iterator[str]:
    """The file's lines without line ends, named errors for bad bytes."""
    try:
        with files.open(name) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None)
            for line in text:
                yield line.rstrip("\n")
    except UnicodeDecodeError:
        raise MalformedExportError(
            f"{files.where(name)}: not UTF-8 text; expected a WhatsApp chat export"
        ) from None
    except READ_ERRORS as error:
        where = files.where(name)
        raise MalformedExportError(f"{where}: unreadable ({error})") from None


def _day_first(files: ExportFiles, name: str) -> bool:
    """Whether dates are day/month: from a field over 12, else the likelier order."""
    backwards = {True: 0, False: 0}
    previous: dict[bool, tuple[int, int, int] | None] = {True: None, False: None}
    for line in _lines(files, name):
        match = _header(line.lstrip(_MARKS))
        if not match:
            continue
        a, b, c = (int(part) for part in re.split(r"[./-]", match["date"]))
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
    a, b, c = (int(part) for part in re.split(r"[./-]", match["date"]))
    if a > 31:
        year, month, day = a, b, c
    elif day_first:
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if year < 100:
        year += 2000
    clock = re.split(r"[:.]", re.sub(r"[^\d:.]", "", match["time"]).strip("."))
    hour, minute = int(clock[0]), int(clock[1])
    second = int(clock[2]) if len(clock) > 2 and clock[2] else 0
    if match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"] in "Pp" else 0)
    return datetime(year, month, day, hour, minute, second)


def _messages(
    files: ExportFiles,
    name: str,
    thread_id: str,
    day_first: bool,
    clock: LocalClock,
    report: ImportReport,
) -> Iterator[Message]:
    pending: _Pending | None = None
    for number, line in enumerate(_lines(files, name), start=1):
        match = _header(line.lstrip(_MARKS))
        if not match:
            if pending is not None:
                pending.lines.append(line)
            elif line.strip():
                report.skip("unparsed line")
            continue
        try:
            sent_at = clock.to_utc(_timestamp(match, day_first))
        except (ValueError, OverflowError):
            raise MalformedExportError(
                f"{files.where(name)}:{number}: {match['date']} {match['time']} "
                "is not a date"
            ) from None
        if pending is not None:
            message = _finish(pending, thread_id, report)
            if message:
                yield message
        rest = match["rest"]
        sender, separator, text = rest.partition(": ")
        if not separator or not sender.strip() or sender[0] in _MARKS:
            pending = _Pending(sent_at, None, [rest], system=True)
        else:
            pending = _Pending(sent_at, sender.strip(), [text], system=False)
    if pending is None:
        raise MalformedExportError(
            f"{files.where(name)}: no line like '14/07/2023, 18:05 - Name: text'; "
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
    bare = first.lstrip(_MARKS)
    if _DELETED.fullmatch(bare):
        report.skip("unsent")
        return None
    if _MISSED_CALL.fullmatch(bare) or (bare != first and _CALL.fullmatch(bare)):
        report.skip("call")
        return None
    if _MEDIA.fullmatch(bare):
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
    text = text.replace(_EDITED, "")
    return Message(thread_id, pending.sender, pending.sent_at, text)


READER = Reader(NAME, claim, read)
