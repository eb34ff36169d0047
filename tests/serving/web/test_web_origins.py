"""Origins: how owners write them, and which pages count as our own."""

from __future__ import annotations

import pytest

from serving.channels.web.origins import (
    OriginError,
    embed_allowed,
    normalize_origin,
    same_origin,
)


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("https://Me.Example", "https://me.example"),
        ("https://me.example:443/", "https://me.example"),
        ("http://me.example:80", "http://me.example"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_origins_are_written_one_way(given: str, normal: str) -> None:
    assert normalize_origin(given) == normal


@pytest.mark.parametrize(
    "given",
    [
        "me.example",
        "ftp://me.example",
        "https://me.example/x",
        "https://a@me.example",
        "https://me.example:99999",
        "https://",
        "null",
    ],
)
def test_what_is_not_an_origin_is_refused(given: str) -> None:
    with pytest.raises(OriginError):
        normalize_origin(given)


@pytest.mark.parametrize(
    ("origin", "host", "ours"),
    [
        ("http://127.0.0.1:5000", "127.0.0.1:5000", True),
        ("https://bot.example", "bot.example", True),  # TLS ends at the proxy
        ("https://bot.example", "bot.example:443", True),
        ("http://127.0.0.1:5001", "127.0.0.1:5000", False),
        ("https://bot.example.evil", "bot.example", False),
        ("null", "bot.example", False),
    ],
)
def test_same_origin_compares_host_and_port(origin: str, host: str, ours: bool) -> None:
    assert same_origin(origin, host) is ours


def test_a_page_is_allowed_only_if_listed() -> None:
    allowed = ["https://me.example"]
    assert embed_allowed("https://ME.example", allowed)
    assert not embed_allowed("https://other.example", allowed)
    assert not embed_allowed("null", allowed)
