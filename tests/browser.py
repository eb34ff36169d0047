"""Headless Chromium for the tests that browse: Debian's, never a download.

A pytest plugin (see `tests/conftest.py`): `browser` is launched once per test
module that asks for it, `page` is a fresh context's page for one test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.local_http import CHROMIUM, CHROMIUM_FLAGS

PAGE_TIMEOUT_MS = 15_000  # what a step may take on a busy 2-core machine


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for this module's tests."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a context of its own (no cookies from other tests)."""
    context = browser.new_context()
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    yield context.new_page()
    context.close()
