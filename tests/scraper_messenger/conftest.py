"""A stand-in Messenger site per test, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scraper.messenger import ScrapeOptions
from tests.standins.messenger_history import generate_history
from tests.standins.messenger_site import MessengerSite

# No politeness pauses in tests; the rate limit has its own test.
FAST = ScrapeOptions(min_interval=0.0, backoff=0.0, timeout=5.0)


@pytest.fixture
def site() -> MessengerSite:
    """Three threads of 45 messages, 20 to a page: three pages each."""
    return MessengerSite(generate_history(threads=3, messages=45), page_size=20)


@pytest.fixture
def base_url(site: MessengerSite) -> Iterator[str]:
    """The stand-in's HTTP base URL."""
    with site.serve() as url:
        yield url
