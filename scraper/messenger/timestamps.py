"""Basic-HTML Messenger shows times as text ("Aug 6, 2023 at 7:47 AM", "Yesterday
at 9:05 PM"); this turns them into aware datetimes relative to the scrape's `now`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from scraper.messenger.errors import LayoutError

_CLOCK = r"(?P<clock>\d{1,2}:\d{2}\s*[AP]M)"
_FULL = re.compile(rf"^(?P<day>[A-Z][a-z]{{2}} \d{{1,2}}, \d{{4}}) at {_CLOCK}$")
_THIS_YEAR = re.compile(rf"^(?P<day>[A-Z][a-z]{{2}} \d{{1,2}}) at {_CLOCK}$")
_RELATIVE = re.compile(rf"^(?P<word>Today|Yesterday|[A-Z][a-z]{{2}}) at {_CLOCK}$")
_ONLY_CLOCK = re.compile(rf"^{_CLOCK}$")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_timestamp(text: str, now: datetime, tz: tzinfo = UTC) -> datetime:
    """The UTC time a message-group label means, read in the account's time zone."""
    text = " ".join(text.replace("\u202f", " ").split())
    local_now = now.astimezone(tz)
    if match := _FULL.match(text):
        day = datetime.strptime(match["day"], "%b %d, %Y").date()
    elif match := _THIS_YEAR.match(text):
        day = datetime.strptime(f"{match['day']}, {local_now.year}", "%b %d, %Y").date()
        if day > local_now.date():  # "Dec 30" read in January is last year's
            day = day.replace(year=day.year - 1)
    elif match := _RELATIVE.match(text):
        day = _relative_day(match["word"], local_now.date(), text)
    elif match := _ONLY_CLOCK.match(text):
        day = local_now.date()
    else:
        raise LayoutError(f"unrecognised message time {text!r}")
    clock = datetime.strptime(match["clock"].replace(" ", ""), "%I:%M%p").time()
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _relative_day(word: str, today: date, text: str) -> date:
    if word == "Today":
        return today
    if word == "Yesterday":
        return today - timedelta(days=1)
    if word not in _WEEKDAYS:
        raise LayoutError(f"unrecognised message time {text!r}")
    back = (today.weekday() - _WEEKDAYS.index(word)) % 7 or 7
    return today - timedelta(days=back)
