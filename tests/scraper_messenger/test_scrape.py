"""The cookie scraper against the stand-in basic-HTML Messenger site."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from scraper.messenger import (
    CheckpointError,
    LoggedOutError,
    MessengerUnavailableError,
    RateLimit,
    ScrapeOptions,
    ThreadNotFoundError,
    list_threads,
    scrape_threads,
)
from tests.scraper_messenger.conftest import FAST
from tests.standins.messenger_site import MessengerSite
from tests.standins.selfsigned import make_certificate


def expected(site: MessengerSite, thread_id: str) -> list[tuple[str, str, object]]:
    return [(m.sender, m.text, m.sent_at) for m in site.threads[thread_id].texts]


def test_scrape_reads_every_page_of_the_chosen_threads_oldest_first(
    site: MessengerSite, base_url: str
) -> None:
    chosen = list(site.threads)[:2]
    messages = scrape_threads(site.issue_session(), chosen, base_url, options=FAST)
    for thread_id in chosen:
        got = [
            (m.sender, m.text, m.sent_at) for m in messages if m.thread_id == thread_id
        ]
        assert got == expected(site, thread_id)
    assert {m.thread_id for m in messages} == set(chosen)
    assert len(messages) == 2 * 44  # 45 each, one photo-only dropped


def test_scrape_opens_only_the_chosen_threads(
    site: MessengerSite, base_url: str
) -> None:
    chosen = list(site.threads)[1]
    scrape_threads(site.issue_session(), [chosen], base_url, options=FAST)
    assert site.thread_reads() == [chosen] * 3  # three pages of one thread
    assert all(r.logged_in for r in site.requests)
    assert not any(r.path == "/messages/" for r in site.requests)


@pytest.mark.parametrize(
    "cookies",
    [{"c_user": "100004242", "xs": "expired"}, {"c_user": "1", "datr": "x"}],
    ids=["expired-xs", "no-xs"],
)
def test_logged_out_cookies_raise_logged_out_error(
    site: MessengerSite, base_url: str, cookies: dict[str, str]
) -> None:
    with pytest.raises(LoggedOutError, match="log in to Messenger again"):
        scrape_threads(cookies, list(site.threads)[:1], base_url, options=FAST)


def test_no_cookies_raise_before_any_request(
    site: MessengerSite, base_url: str
) -> None:
    with pytest.raises(LoggedOutError):
        scrape_threads({}, ["100001"], base_url, options=FAST)
    assert site.requests == []


def test_checkpoint_page_raises_checkpoint_error(
    site: MessengerSite, base_url: str
) -> None:
    site.checkpoint = True
    with pytest.raises(CheckpointError, match="security check"):
        scrape_threads(site.issue_session(), ["100001"], base_url, options=FAST)


def test_unknown_thread_raises_thread_not_found(
    site: MessengerSite, base_url: str
) -> None:
    with pytest.raises(ThreadNotFoundError, match="999"):
        scrape_threads(site.issue_session(), ["999"], base_url, options=FAST)


def test_malformed_thread_id_is_refused_without_a_request(
    site: MessengerSite, base_url: str
) -> None:
    with pytest.raises(ThreadNotFoundError):
        scrape_threads(site.issue_session(), ["../admin"], base_url, options=FAST)
    assert site.requests == []


def test_transient_server_errors_are_retried(
    site: MessengerSite, base_url: str
) -> None:
    site.fail_next(2, status=503)
    messages = scrape_threads(site.issue_session(), ["100001"], base_url, options=FAST)
    assert len(messages) == 44
    assert len(site.requests) == 2 + 3


def test_persistent_server_errors_raise_unavailable(
    site: MessengerSite, base_url: str
) -> None:
    site.fail_next(10, status=503)
    options = ScrapeOptions(min_interval=0.0, retries=2, backoff=0.0, timeout=5.0)
    with pytest.raises(MessengerUnavailableError, match="after 2 retries"):
        scrape_threads(site.issue_session(), ["100001"], base_url, options=options)
    assert len(site.requests) == 3


def test_requests_are_spaced_by_the_rate_limit(
    site: MessengerSite, base_url: str
) -> None:
    options = ScrapeOptions(min_interval=0.1, backoff=0.0)
    started = time.monotonic()
    scrape_threads(site.issue_session(), ["100001"], base_url, options=options)
    assert len(site.requests) == 3
    assert time.monotonic() - started >= 2 * 0.1  # two pauses between three pages


def test_rate_limit_sleeps_only_what_is_left_of_the_interval() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limit = RateLimit(1.0, clock=lambda: now[0], sleep=sleep)
    limit.wait()  # the first request goes at once
    now[0] += 0.25
    limit.wait()
    now[0] += 3.0  # a slow parse: no need to wait
    limit.wait()
    assert slept == [0.75]


def test_list_threads_follows_the_older_pages(
    site: MessengerSite, base_url: str
) -> None:
    threads = list_threads(site.issue_session(), base_url, options=FAST)
    assert sorted(t.thread_id for t in threads) == sorted(site.threads)
    assert {t.title for t in threads} == {t.title for t in site.threads.values()}
    assert [r.path for r in site.requests] == ["/messages/"] * 2  # 2 threads a page


def test_login_sets_the_session_cookies_the_scraper_needs(
    site: MessengerSite, base_url: str
) -> None:
    with requests.Session() as browser:
        browser.post(
            f"{base_url}/login.php",
            data={"email": "robin@example.com", "pass": site.password},
            timeout=5,
        )
        cookies = browser.cookies.get_dict()
    assert {"c_user", "xs"} <= set(cookies)
    messages = scrape_threads(cookies, ["100008"], base_url, options=FAST)
    assert len(messages) == 44


def test_scrape_over_https_with_a_self_signed_certificate(
    site: MessengerSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = make_certificate(tmp_path / "tls", ("www.messenger.com",))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.cert))
    with site.serve(tls) as url:
        assert url.startswith("https://")
        messages = scrape_threads(site.issue_session(), ["100001"], url, options=FAST)
    assert len(messages) == 44


def test_cookies_never_follow_a_redirect_to_another_host(
    site: MessengerSite, base_url: str
) -> None:
    elsewhere = MessengerSite(page_size=20)
    with elsewhere.serve() as other_url:
        site.moved_to = other_url.replace("127.0.0.1", "localhost")
        with pytest.raises(LoggedOutError):
            scrape_threads(site.issue_session(), ["100001"], base_url, options=FAST)
    assert site.requests[0].cookie_names == {"c_user", "xs", "datr"}
    assert elsewhere.requests and all(not r.cookie_names for r in elsewhere.requests)
