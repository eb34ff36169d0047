"""Reading basic-HTML times and links, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scraper.messenger import LayoutError
from scraper.messenger.layout import thread_id_from_href
from scraper.messenger.timestamps import parse_timestamp

NOW = datetime(2024, 1, 10, 15, 0, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("label", "when"),
    [
        ("Aug 6, 2023 at 7:47 AM", datetime(2023, 8, 6, 7, 47, tzinfo=UTC)),
        ("Jan 3 at 12:05 PM", datetime(2024, 1, 3, 12, 5, tzinfo=UTC)),
        ("Dec 30 at 11:59 PM", datetime(2023, 12, 30, 23, 59, tzinfo=UTC)),
        ("Today at 9:00 AM", datetime(2024, 1, 10, 9, 0, tzinfo=UTC)),
        ("Yesterday at 12:00 AM", datetime(2024, 1, 9, 0, 0, tzinfo=UTC)),
        ("Mon at 6:30 PM", datetime(2024, 1, 8, 18, 30, tzinfo=UTC)),
        ("Wed at 6:30 PM", datetime(2024, 1, 3, 18, 30, tzinfo=UTC)),
        ("2:15 PM", datetime(2024, 1, 10, 14, 15, tzinfo=UTC)),
    ],
)
def test_times_are_read_relative_to_now(label: str, when: datetime) -> None:
    assert parse_timestamp(label, NOW) == when


def test_times_are_read_in_the_accounts_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert parse_timestamp("Aug 6, 2023 at 7:47 AM", NOW, paris) == datetime(
        2023, 8, 6, 5, 47, tzinfo=UTC
    )


def test_an_unknown_time_label_is_a_layout_error() -> None:
    with pytest.raises(LayoutError, match="unrecognised message time"):
        parse_timestamp("a while ago", NOW)


@pytest.mark.parametrize(
    ("href", "thread_id"),
    [
        ("/messages/read/?tid=cid.c.1%3A2&refid=11", "cid.c.1:2"),
        ("https://www.messenger.com/t/100001/", "100001"),
        ("/messages/t/42", "42"),
        ("/profile.php?id=3", None),
    ],
)
def test_thread_ids_come_from_both_link_styles(
    href: str, thread_id: str | None
) -> None:
    assert thread_id_from_href(href) == thread_id
