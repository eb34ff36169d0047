"""Facebook "Download Your Information" Messenger export, HTML flavour.

Two generations: before 2018, `html/messages.htm` (or `messages/<n>.html`) with
`div.thread > div.message` whose header holds `span.user` and `span.meta` and
whose text is in the `<p>` after it; from 2018, `messages/inbox/<thread>/
message_N.html` with one block per message. Facebook's class names change with
every release, so messages are found by shape instead: an element whose first
child is a short name and whose last child is a date, in any of the languages
`scraper.meta_dates` reads (`scraper.html_blocks`). A page is recognised the
same way, whatever it is called. Pages are streamed (`scraper.html_stream`) and
threads put in time order by `scraper.time_order`, so memory holds a window of a
page, never a page. Times have minute (old) or second (new) resolution, so
document order breaks ties. Instagram writes the same pages (`scraper.instagram`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.detect import Opening
from scraper.errors import MalformedExportError
from scraper.files import ExportFiles
from scraper.html_blocks import BlockFinder
from scraper.html_stream import HtmlPage
from scraper.meta_dates import parse_stamp
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport
from scraper.system import notice_reason
from scraper.time_order import BATCH, TimeOrder

NAME = "facebook-html"
_THREAD_FILE = re.compile(r"(?:^|/)(?P<thread>[^/]+)/message_(?P<n>\d+)\.html$")
_ZONES = {"GMT": 0, "BST": 1, "CET": 1, "CEST": 2, "EST": -5, "EDT": -4,
          "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}  # fmt: skip
_TEXT_NODE = re.compile(r">\s*([^<>]{6,80}?)\s*<")
_SPAN = 1 << 32  # sequence numbers of one thread in one file


def is_thread_page(opening: Opening) -> bool:
    """An HTML page holding a Meta date line, and not another page of a download.

    One where the download keeps a thread's page is one whatever it holds, so
    that a damaged page is named rather than passed over.
    """
    if opening.other_page:
        return False
    if opening.meta_thread and opening.name.endswith(".html"):
        return True
    return opening.kind == "html" and any(
        parse_stamp(html.unescape(node)) for node in _TEXT_NODE.findall(opening.text())
    )


def sniff(opening: Opening) -> bool:
    """A Messenger page of a Facebook download (Instagram's are claimed first)."""
    return not opening.instagram and is_thread_page(opening)


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
    threads: dict[str, list[str]] = {}
    for name in names:
        match = _THREAD_FILE.search(name)
        key = match["thread"] if match else name
        threads.setdefault(key, []).append(name)
    for key in sorted(threads):
        order = TimeOrder(options.limits.sort_in_memory)
        ranked = sorted(threads[key], key=_file_number, reverse=True)
        for rank, name in enumerate(ranked):
            report.files += 1
            is_thread_file = name != key
            runs = _PageRuns(order, rank)
            for thread, sent_at, sender, text in _read_file(
                files, name, options, report
            ):
                thread_id = prefix + (key if is_thread_file else thread)
                runs.add(thread, Message(thread_id, sender, sent_at, text))
            runs.flush(end=True)
        for batch in order.batches():
            for message in batch:
                report.kept(message)
                yield message


def _file_number(name: str) -> int:
    match = re.search(r"(\d+)\.html?$", name)
    return int(match[1]) if match else 0


def _read_file(
    files: ExportFiles, name: str, options: ImportOptions, report: ImportReport
) -> Iterator[tuple[str, datetime, str, str]]:
    """Each kept (thread, time, sender, text) of one page, in the page's order."""
    clock = LocalClock(options.timezone)
    limit = options.limits.max_message_size
    page = HtmlPage(files, name, limit)
    finder = BlockFinder(name, lambda text: _stamp(text, clock), limit)
    found = False
    for block in finder.blocks(page):
        found = True
        if block.media:
            report.attachments["media"] += block.media
        text = block.text
        if block.too_long:
            report.skip("too long")
        elif not text:
            report.skip("media-only" if block.media else "empty")
        elif notice_reason(block.sender, text):
            report.skip("system")
        else:
            yield block.thread, block.sent_at, block.sender, text
    if not found and (_THREAD_FILE.search(name) or not page.had_text):
        raise MalformedExportError(
            f"{files.where(name)}: no messages (a name, a text and a date in one "
            "block); expected a Messenger thread page"
        )


@dataclass(slots=True)
class _Thread:
    """One thread of one page: where its sequence numbers start, and its direction."""

    base: int
    step: int = 0  # 1 oldest first, -1 newest first, 0 not known yet
    count: int = 0  # messages handed on
    held: list[Message] = field(default_factory=list)


class _PageRuns:
    """One page's messages handed to `TimeOrder`, equal times in the order meant.

    A page writes each thread newest first or oldest first; the first two times
    that differ tell which, and until then a thread's messages wait.
    """

    def __init__(self, order: TimeOrder, rank: int) -> None:
        self._order = order
        self._rank = rank
        self._threads: dict[str, _Thread] = {}
        self._held = 0

    def add(self, thread: str, message: Message) -> None:
        """Take the page's next message of `thread`."""
        state = self._threads.get(thread)
        if state is None:
            number = self._rank * _SPAN + len(self._threads)
            state = self._threads[thread] = _Thread(number * _SPAN)
        if not state.step and state.held and message.sent_at != state.held[0].sent_at:
            state.step = 1 if message.sent_at > state.held[0].sent_at else -1
        state.held.append(message)
        self._held += 1
        if self._held >= BATCH:
            self.flush(end=False)

    def flush(self, end: bool) -> None:
        """Hand on what is held; a thread of one time so far reads in page order.

        Before the end, a thread whose direction is not known yet waits, unless
        such threads hold many messages together.
        """
        for state in self._threads.values():
            if not state.held or not (state.step or end):
                continue
            state.step = state.step or 1
            start = state.count if state.step > 0 else _SPAN - 1 - state.count
            self._order.add(state.held, state.base + start, state.step)
            state.count += len(state.held)
            state.held = []
        self._held = sum(len(state.held) for state in self._threads.values())
        if self._held >= BATCH // 2:
            self.flush(end=True)


def _stamp(text: str, clock: LocalClock) -> datetime | None:
    """The UTC time of one of Meta's date lines, or None if it is not one."""
    found = parse_stamp(text)
    return _in_zone(found[0], found[1], clock) if found else None


def _in_zone(naive: datetime, zone: str | None, clock: LocalClock) -> datetime | None:
    """UTC from an explicit `UTC+01`/`PDT`, else from the user's zone."""
    if zone is None:
        return clock.to_utc(naive)
    if zone in _ZONES:
        hours, minutes = _ZONES[zone], 0
    else:
        digits = re.sub(r"\D", "", zone)
        hours = int(digits[:-2] if len(digits) > 2 else digits or 0)
        minutes = int(digits[-2:]) if len(digits) > 2 else 0
        if "-" in zone:
            hours, minutes = -hours, -minutes
    try:
        offset = timezone(timedelta(hours=hours, minutes=minutes))
        return naive.replace(tzinfo=offset).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


READER = Reader(NAME, "html", sniff, read)
