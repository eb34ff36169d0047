"""What protects a public chat: rate limits, size caps, idle timeout, caps."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from serving.channels.web.limits import MAX_FRAME_BYTES, TokenBucket, WebLimits
from tests.serving.web.conftest import ChatSocket, World, handshake_status

Connect = Callable[..., ChatSocket]
Start = Callable[[WebLimits], World]

# Nothing refills during a test: the counts below are exact.
TIGHT = WebLimits(
    burst=3,
    per_minute=0.001,
    ip_burst=5,
    ip_per_minute=0.001,
    max_message_chars=50,
    max_strikes=2,
)


def test_a_connection_past_its_burst_is_told_to_slow_down_then_closed(
    start_server: Start, connect: Connect
) -> None:
    chat = connect(on=start_server(TIGHT))
    chat.greeted()
    for n in range(3):
        assert chat.say(f"%help {n}")[-1]["type"] == "reply"
    for _ in range(2):  # strikes 1 and 2 are warned; the third closes
        frame = chat.say("%help")[-1]
        assert frame == {
            "type": "error",
            "code": "rate_limited",
            "text": "You are sending messages too fast. Wait a bit.",
        }
    chat.send({"type": "message", "text": "%help"})
    assert chat.close_code() == 1008


def test_one_address_shares_its_rate_over_all_its_connections(
    start_server: Start, connect: Connect
) -> None:
    server = start_server(TIGHT)
    first, second = connect(on=server), connect(on=server)
    first.greeted()
    second.greeted()
    for _ in range(3):
        assert first.say("%help")[-1]["type"] == "reply"
    assert [second.say("%help")[-1]["type"] for _ in range(3)] == [
        "reply",
        "reply",
        "error",
    ]


def test_a_long_message_is_refused_and_the_chat_goes_on(
    start_server: Start, connect: Connect
) -> None:
    chat = connect(on=start_server(TIGHT))
    chat.greeted()
    assert chat.say("x" * 51)[-1] == {
        "type": "error",
        "code": "too_long",
        "text": "Messages can be at most 50 characters.",
    }
    assert chat.say("%help")[-1]["type"] == "reply"


def test_an_oversized_frame_closes_the_socket(connect: Connect) -> None:
    chat = connect()
    chat.greeted()
    chat.send({"type": "message", "text": "x" * MAX_FRAME_BYTES})
    assert chat.close_code() == 1009


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00\x01binary", 1003),
        ("not json", 1008),
        ('["a list"]', 1008),
        ('{"type": "shout", "text": "hi"}', 1008),
        ('{"type": "message", "text": 5}', 1008),
        ('{"type": "choose", "persona": ""}', 1008),
        ('{"type": "hello"}', 1008),  # a second hello
    ],
)
def test_a_bad_frame_closes_the_socket_cleanly(
    connect: Connect, frame: str | bytes, code: int
) -> None:
    chat = connect()
    chat.hello()
    chat.send(frame)
    assert chat.close_code() == code
    assert connect().hello()[-1]["type"] == "history"  # the server is fine


def test_a_visitor_who_never_says_hello_is_closed(
    start_server: Start, connect: Connect
) -> None:
    chat = connect(on=start_server(WebLimits(hello_timeout_s=0.3)))
    assert chat.close_code() == 1008


def test_a_silent_visitor_is_closed_after_the_idle_timeout(
    start_server: Start, connect: Connect
) -> None:
    chat = connect(on=start_server(WebLimits(idle_timeout_s=0.5)))
    chat.greeted()
    started = time.monotonic()
    assert chat.close_code() == 1000
    assert time.monotonic() - started < 5


def test_connections_past_the_cap_are_refused_until_one_closes(
    start_server: Start, connect: Connect
) -> None:
    server = start_server(WebLimits(max_connections=5, max_connections_per_ip=2))
    first, second = connect(on=server), connect(on=server)
    first.hello()
    second.hello()
    assert handshake_status(server.url, None) == 503
    first.close()
    deadline = time.monotonic() + 5
    while handshake_status(server.url, None) != 101:
        assert time.monotonic() < deadline, "the closed connection was not released"
        time.sleep(0.05)


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(2, per_minute=60, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] = 1.0
    assert bucket.take() and not bucket.take()
