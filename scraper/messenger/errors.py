"""The errors a cookie scrape can raise; each tells the user what to do next."""

from __future__ import annotations


class MessengerScrapeError(Exception):
    """The Messenger pages could not be read with the given session."""


class LoggedOutError(MessengerScrapeError):
    """The cookies do not open a logged-in session: log in again, send fresh ones."""


class CheckpointError(MessengerScrapeError):
    """Facebook shows a security checkpoint; the user must clear it in a browser."""


class ThreadNotFoundError(MessengerScrapeError):
    """A chosen thread id does not open a conversation for this account."""


class LayoutError(MessengerScrapeError):
    """The page is not the basic-HTML Messenger layout this scraper parses."""


class MessengerUnavailableError(MessengerScrapeError):
    """The site kept failing or timing out after our retries."""
