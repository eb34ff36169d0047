"""Parsing the basic-HTML Messenger layout (mbasic.facebook.com/messages/).

The layout, as this parser reads it (the local stand-in serves the same):

- thread list `/messages/`: `#threadlist_rows` holds one `a[href*="tid="]` per thread
  (its text is the title); `#see_older_threads a` links the next, older page.
- thread `/messages/read/?tid=ID`: `#messageGroup` holds `#see_older a` (older
  page, absent on the oldest), then message groups: a `div` with the sender in a
  `strong`, one `span` of `p` paragraphs per message, and an `abbr` with the time.
- logged out: a redirect to `/login*` or a page with a password field;
  checkpoint: a redirect to `/checkpoint*` or a form posting there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from scraper.messenger.errors import (
    CheckpointError,
    LayoutError,
    LoggedOutError,
    ThreadNotFoundError,
)
from scraper.messenger.timestamps import parse_timestamp


@dataclass(frozen=True)
class ThreadRef:
    """A conversation in the thread list: its id and the title shown for it."""

    thread_id: str
    title: str


@dataclass(frozen=True)
class RawMessage:
    """One message as a page shows it, before it becomes a `Message`."""

    sender: str
    sent_at: datetime
    text: str


@dataclass(frozen=True)
class ThreadPage:
    """One page of a thread: its messages (oldest first) and the older page's URL."""

    title: str
    messages: list[RawMessage]
    older_url: str | None
    skipped: int  # media-only messages without text


@dataclass(frozen=True)
class ThreadListPage:
    """One page of the thread list and the URL of the next, older page."""

    threads: list[ThreadRef]
    older_url: str | None


def check_session(url: str, soup: BeautifulSoup) -> None:
    """Raise the named error when the page is a login or checkpoint page."""
    path = urlsplit(url).path
    if path.startswith("/checkpoint") or soup.select_one('form[action*="checkpoint"]'):
        raise CheckpointError(
            "Facebook asks for a security check: open Messenger in your browser, "
            "clear it, then try again"
        )
    if path.startswith("/login") or soup.select_one('input[name="pass"]'):
        raise LoggedOutError(
            "the session cookies are not logged in (expired or logged out): "
            "log in to Messenger again and resend them"
        )


def parse_thread_list(url: str, html: str) -> ThreadListPage:
    """The threads a list page shows, in page order, and the next page's link."""
    soup = BeautifulSoup(html, "html.parser")
    check_session(url, soup)
    rows = soup.select_one("#threadlist_rows")
    if rows is None:
        raise LayoutError(f"{_path(url)}: no #threadlist_rows; not a thread list")
    threads: list[ThreadRef] = []
    for link in rows.select('a[href*="tid="]'):
        thread_id = thread_id_from_href(str(link["href"]))
        if thread_id and all(t.thread_id != thread_id for t in threads):
            threads.append(ThreadRef(thread_id, link.get_text(" ", strip=True)))
    return ThreadListPage(threads, _link(url, soup, "#see_older_threads a"))


def parse_thread_page(
    url: str, html: str, now: datetime | None = None, tz: tzinfo = UTC
) -> ThreadPage:
    """The messages one thread page shows, oldest first, and the older page's link."""
    soup = BeautifulSoup(html, "html.parser")
    check_session(url, soup)
    group = soup.select_one("#messageGroup")
    if group is None:
        raise ThreadNotFoundError(f"{_path(url)}: no conversation on this page")
    now = now or datetime.now(UTC)
    messages: list[RawMessage] = []
    skipped = 0
    for block in group.find_all("div", recursive=True):
        sender_tag, time_tag = block.find("strong"), block.find("abbr")
        if not _is_message_group(block, sender_tag, time_tag):
            continue
        sender = sender_tag.get_text(" ", strip=True)  # type: ignore[union-attr]
        sent_at = parse_timestamp(time_tag.get_text(" ", strip=True), now, tz)  # type: ignore[union-attr]
        for span in block.find_all("span"):
            paragraphs = [p.get_text(" ", strip=True) for p in span.find_all("p")]
            text = "\n".join(p for p in paragraphs if p)
            if text:
                messages.append(RawMessage(sender, sent_at, text))
            elif span.find("img"):
                skipped += 1
    title_tag = soup.select_one("title")
    title = title_tag.get_text(strip=True) if title_tag else ""
    return ThreadPage(title, messages, _link(url, soup, "#see_older a"), skipped)


def thread_id_from_href(href: str) -> str | None:
    """The thread id a link opens: `?tid=ID` (basic HTML) or `/t/ID` (messenger.com)."""
    parts = urlsplit(href)
    if tid := parse_qs(parts.query).get("tid"):
        return tid[0]
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[-2] == "t":
        return segments[-1]
    return None


def _is_message_group(block: Tag, sender: object, time: object) -> bool:
    """A group is the innermost div holding exactly one sender and one time."""
    if not isinstance(sender, Tag) or not isinstance(time, Tag):
        return False
    if len(block.find_all("strong")) != 1 or len(block.find_all("abbr")) != 1:
        return False
    return not any(
        len(child.find_all("strong")) == 1 and child.find("abbr")
        for child in block.find_all("div")
    )


def _link(url: str, soup: BeautifulSoup, selector: str) -> str | None:
    tag = soup.select_one(selector)
    return urljoin(url, str(tag["href"])) if tag and tag.get("href") else None


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
