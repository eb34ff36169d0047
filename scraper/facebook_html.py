"""Facebook "Download Your Information" Messenger export, HTML flavour.

Two generations: before 2018, `html/messages.htm` (or `messages/<n>.html`) with
`div.thread > div.message` whose header holds `span.user` and `span.meta` and
whose text is in the `<p>` after it; from 2018, `messages/inbox/<thread>/
message_N.html` with one block per message. Facebook's class names change with
every release, so messages are found by shape instead: an element whose first
child is a short name and whose last child is a date, in any of the languages
`scraper.meta_dates` reads. A page is recognised the same way, whatever it is
called. Times have minute (old) or second (new) resolution, so document order
breaks ties. Instagram writes the same pages (`scraper.instagram`).
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from operator import itemgetter
from pathlib import PurePosixPath

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag

from corpus.message import Message
from scraper.clock import LocalClock
from scraper.detect import Opening
from scraper.errors import MalformedExportError
from scraper.files import ExportFiles
from scraper.meta_dates import parse_stamp
from scraper.options import ImportOptions, Reader
from scraper.report import ImportReport
from scraper.system import notice_reason
from scraper.text import fix_mojibake

NAME = "facebook-html"
_THREAD_FILE = re.compile(r"(?:^|/)(?P<thread>[^/]+)/message_(?P<n>\d+)\.html$")
_ZONES = {"GMT": 0, "BST": 1, "CET": 1, "CEST": 2, "EST": -5, "EDT": -4,
          "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}  # fmt: skip
_MEDIA_TAGS = ("img", "video", "audio")
_TEXT_NODE = re.compile(r">\s*([^<>]{6,80}?)\s*<")


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
        entries: list[tuple[datetime, int, Message]] = []
        for name in sorted(threads[key], key=_file_number, reverse=True):
            report.files += 1
            is_thread_file = name != key
            for thread, found in _read_file(files, name, options, report).items():
                thread_id = prefix + (key if is_thread_file else thread)
                for sent_at, sender, text in found:
                    message = Message(thread_id, sender, sent_at, text)
                    entries.append((sent_at, len(entries), message))
        entries.sort(key=itemgetter(0, 1))
        for _, _, message in entries:
            report.kept(message)
            yield message


def _file_number(name: str) -> int:
    match = re.search(r"(\d+)\.html?$", name)
    return int(match[1]) if match else 0


def _read_file(
    files: ExportFiles, name: str, options: ImportOptions, report: ImportReport
) -> dict[str, list[tuple[datetime, str, str]]]:
    """Each thread of one file: its kept (time, sender, text), oldest first."""
    where = files.where(name)
    try:
        markup = files.read_bytes(name).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedExportError(f"{where}: not UTF-8 text") from None
    with warnings.catch_warnings():
        # A file that holds only "http:" or a file name is still just a bad export.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "html.parser")
    clock = LocalClock(options.timezone)
    threads: dict[str, list[tuple[datetime, str, str]]] = {}
    blocks = list(_blocks(soup, clock))
    if not blocks and (_THREAD_FILE.search(name) or not soup.get_text().strip()):
        raise MalformedExportError(
            f"{where}: no messages (a name, a text and a date in one block); "
            "expected a Messenger thread page"
        )
    for container, sent_at, sender, text, media in blocks:
        thread = _thread_name(container, name)
        if media:
            report.attachments["media"] += media
        if not text:
            report.skip("media-only" if media else "empty")
        elif notice_reason(sender, text):
            report.skip("system")
        else:
            threads.setdefault(thread, []).append((sent_at, sender, text))
    for found in threads.values():
        if len(found) > 1 and found[0][0] > found[-1][0]:
            found.reverse()  # newest first, as Facebook writes them
    return threads


def _blocks(
    soup: BeautifulSoup, clock: LocalClock
) -> Iterator[tuple[Tag | None, datetime, str, str, int]]:
    """(thread container, time, sender, text, media count) of every message block."""
    for element in soup.find_all(True):
        children = [child for child in element.children if isinstance(child, Tag)]
        if len(children) < 2:
            continue
        # The date is one piece of text; a whole message block ending in a
        # date (the last child of a thread's container) is not.
        texts = [text for text in children[-1].find_all(string=True) if text.strip()]
        last = texts[0].strip() if len(texts) == 1 else ""
        if len(last) > 80 or not any(ch.isdigit() for ch in last):
            continue
        sent_at = _stamp(last, clock)
        sender = fix_mojibake(children[0].get_text(" ", strip=True))
        if sent_at is None or not sender or len(sender) > 100:
            continue
        content = children[1:-1]
        container = element.parent
        if not content and container is not None:
            # Before 2018 the header sits alone in div.message; the text follows
            # in <p> siblings, and div.thread holds the messages.
            content = _following_paragraphs(container)
            container = container.parent
        text = "\n".join(
            part for part in (_text(tag) for tag in content) if part
        ).strip()
        media = sum(len(tag.find_all(_MEDIA_TAGS)) for tag in content)
        yield container, sent_at, sender, text, media


def _following_paragraphs(message: Tag) -> list[Tag]:
    found = []
    for sibling in message.next_siblings:
        if isinstance(sibling, Tag):
            if sibling.name != "p":
                break
            found.append(sibling)
    return found


def _text(tag: Tag) -> str:
    """A content element's text, without the reactions list Facebook puts in it."""
    for reactions in tag.find_all("ul"):
        reactions.extract()
    return fix_mojibake(tag.get_text("\n", strip=True))


def _thread_name(container: Tag | None, name: str) -> str:
    """Old exports: the participants line that opens div.thread; else the file."""
    if container is not None:
        for child in container.children:
            if isinstance(child, str) and child.strip():
                words = re.sub(r"\W+", "-", child.strip().lower()).strip("-")
                return "html-" + words[:80]
            if isinstance(child, Tag):
                break
    return "html-" + PurePosixPath(name).stem


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
