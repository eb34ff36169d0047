"""The cookie scraper: chosen threads of the basic-HTML Messenger layout → `Message`s.

Facebook closed mbasic.facebook.com on 2024-12-03 and end-to-end encrypts personal
chats by default, so this is tested against a local stand-in of that layout only;
the export importer (`scraper.import_export`) is the reliable path.
"""

from scraper.messenger.errors import (
    CheckpointError,
    LayoutError,
    LoggedOutError,
    MessengerScrapeError,
    MessengerUnavailableError,
    ThreadNotFoundError,
)
from scraper.messenger.layout import ThreadRef, parse_thread_list, parse_thread_page
from scraper.messenger.scrape import list_threads, scrape_threads
from scraper.messenger.session import RateLimit, ScrapeOptions

__all__ = [
    "CheckpointError",
    "LayoutError",
    "LoggedOutError",
    "MessengerScrapeError",
    "MessengerUnavailableError",
    "RateLimit",
    "ScrapeOptions",
    "ThreadNotFoundError",
    "ThreadRef",
    "list_threads",
    "parse_thread_list",
    "parse_thread_page",
    "scrape_threads",
]
