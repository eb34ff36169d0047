"""The HTTP side of a scrape: a cookie-carrying session that is polite and retries.

Cookies are set on the jar for the base URL's host only, so a redirect elsewhere
never carries them, and the jar is cleared when the scrape ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scraper.messenger.errors import MessengerScrapeError, MessengerUnavailableError

log = logging.getLogger(__name__)

# A desktop browser's identity: the basic-HTML site serves other layouts to bots.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class ScrapeOptions:
    """How politely and how persistently to read the pages."""

    min_interval: float = 1.0  # seconds between two requests: about one page a second
    retries: int = 3  # per request, on connection errors and RETRY_STATUSES
    backoff: float = 0.5  # urllib3 backoff factor: waits 0, 1, 2... s between tries
    timeout: float = 20.0  # seconds per request
    max_pages: int = 1000  # per thread: a bound against a pagination loop
    time_zone: str = "UTC"  # the zone the account shows times in


class RateLimit:
    """Spaces requests at least `min_interval` seconds apart."""

    def __init__(
        self,
        min_interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval, self.clock, self.sleep = min_interval, clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the next request is allowed, then mark it sent."""
        if self._last is not None:
            pause = self._last + self.min_interval - self.clock()
            if pause > 0:
                self.sleep(pause)
        self._last = self.clock()


class PoliteSession:
    """GETs pages of one site with the session cookies, a rate limit and retries."""

    def __init__(self, session: requests.Session, options: ScrapeOptions) -> None:
        self.session, self.options = session, options
        self.limit = RateLimit(options.min_interval)

    def get(self, url: str) -> tuple[str, str]:
        """The final URL (after redirects) and the HTML of one page."""
        self.limit.wait()
        try:
            response = self.session.get(url, timeout=self.options.timeout)
        except requests.RequestException as error:
            raise MessengerUnavailableError(
                f"{urlsplit(url).netloc} did not answer after "
                f"{self.options.retries} retries ({type(error).__name__})"
            ) from None
        if response.status_code == 404:
            return response.url, ""
        if response.status_code >= 400:
            raise MessengerScrapeError(
                f"{urlsplit(url).path} answered HTTP {response.status_code}"
            )
        return response.url, response.text


@contextmanager
def open_session(
    cookies: Mapping[str, str], base_url: str, options: ScrapeOptions
) -> Iterator[PoliteSession]:
    """A session holding the cookies for the scrape's duration only."""
    host = urlsplit(base_url).hostname
    if urlsplit(base_url).scheme not in ("http", "https") or not host:
        raise ValueError(f"base URL must be http(s)://host..., not {base_url!r}")
    retry = Retry(
        total=options.retries,
        backoff_factor=options.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept-Language": "en-US"})
    domain = host if "." in host else f"{host}.local"  # how cookielib names it
    for name, value in cookies.items():
        session.cookies.set(name, value, domain=domain, path="/")
    try:
        yield PoliteSession(session, options)
    finally:
        session.cookies.clear()
        session.close()
