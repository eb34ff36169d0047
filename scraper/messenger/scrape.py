"""Read chosen Messenger threads, every page of each, into `Message`s.

Only the threads the user chose are opened; the cookies live in one session's
jar and are cleared when the scrape returns or fails.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from corpus.message import Message
from scraper.messenger.errors import (
    LayoutError,
    LoggedOutError,
    MessengerScrapeError,
    ThreadNotFoundError,
)
from scraper.messenger.layout import (
    ThreadRef,
    parse_thread_list,
    parse_thread_page,
)
from scraper.messenger.session import PoliteSession, ScrapeOptions, open_session

log = logging.getLogger(__name__)

THREAD_ID = re.compile(r"^[\w.:-]{1,100}$")
ThreadProgress = Callable[[int, int], None]  # threads done, threads chosen


def scrape_threads(
    cookies: Mapping[str, str],
    thread_ids: Sequence[str],
    base_url: str,
    *,
    options: ScrapeOptions | None = None,
    now: datetime | None = None,
    on_progress: ThreadProgress | None = None,
) -> list[Message]:
    """Every message of the chosen threads, each thread oldest first."""
    options = options or ScrapeOptions()
    chosen = _check_ids(thread_ids)
    if not cookies:
        raise LoggedOutError("no session cookies were given")
    tz = ZoneInfo(options.time_zone)
    now = now or datetime.now(UTC)
    messages: list[Message] = []
    with open_session(cookies, base_url, options) as session:
        for done, thread_id in enumerate(chosen):
            url = f"{base_url.rstrip('/')}/messages/read/?tid={quote(thread_id)}"
            messages.extend(_read_thread(session, url, thread_id, options, now, tz))
            if on_progress is not None:
                on_progress(done + 1, len(chosen))
    log.info("scraped %d messages from %d threads", len(messages), len(chosen))
    return messages


def list_threads(
    cookies: Mapping[str, str],
    base_url: str,
    *,
    options: ScrapeOptions | None = None,
    max_pages: int = 20,
) -> list[ThreadRef]:
    """The conversations the account's thread list shows, newest first."""
    options = options or ScrapeOptions()
    if not cookies:
        raise LoggedOutError("no session cookies were given")
    threads: dict[str, ThreadRef] = {}
    with open_session(cookies, base_url, options) as session:
        url: str | None = f"{base_url.rstrip('/')}/messages/"
        for _ in range(max_pages):
            if url is None:
                break
            final_url, html = session.get(url)
            page = parse_thread_list(final_url, html)
            for ref in page.threads:
                threads.setdefault(ref.thread_id, ref)
            url = page.older_url
    return list(threads.values())


def _read_thread(
    session: PoliteSession,
    url: str,
    thread_id: str,
    options: ScrapeOptions,
    now: datetime,
    tz: ZoneInfo,
) -> list[Message]:
    """Follow "see older messages" to the first page; return messages oldest first."""
    pages: list[list[Message]] = []
    seen: set[str] = set()
    next_url: str | None = url
    while next_url is not None:
        if next_url in seen or len(seen) >= options.max_pages:
            raise LayoutError(f"thread {thread_id}: pagination does not end")
        seen.add(next_url)
        final_url, html = session.get(next_url)
        if not html:
            raise ThreadNotFoundError(f"thread {thread_id} does not exist")
        page = parse_thread_page(final_url, html, now, tz)
        pages.append(
            [Message(thread_id, m.sender, m.sent_at, m.text) for m in page.messages]
        )
        next_url = page.older_url
    log.debug("thread %s: %d pages", thread_id, len(pages))
    return [message for page in reversed(pages) for message in page]


def _check_ids(thread_ids: Sequence[str]) -> list[str]:
    if isinstance(thread_ids, str):
        raise TypeError("thread_ids must be a list of ids, not one string")
    chosen = list(dict.fromkeys(thread_ids))
    if not chosen:
        raise MessengerScrapeError("choose at least one conversation to read")
    for thread_id in chosen:
        if not isinstance(thread_id, str) or not THREAD_ID.match(thread_id):
            raise ThreadNotFoundError(f"{thread_id!r} is not a Messenger thread id")
    return chosen
