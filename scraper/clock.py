"""Local wall-clock times to UTC, for exports that write no offset."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def resolve_zone(zone: str | tzinfo | None) -> tzinfo:
    """A tzinfo from an IANA name ("Europe/London"), a tzinfo, or UTC for None."""
    if zone is None:
        return UTC
    if not isinstance(zone, str):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r}") from None


class LocalClock:
    """Turns a chat's naive local times into UTC, in the chat's own order.

    When clocks go back an hour, 01:00-02:00 happens twice; a chat is written
    in time order, so an ambiguous time that would go backwards in UTC is read
    as its second occurrence.
    """

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._last: datetime | None = None  # UTC of the previous message

    def to_utc(self, naive: datetime) -> datetime:
        """The UTC time of `naive`, read in the zone."""
        utc = naive.replace(tzinfo=self._zone).astimezone(UTC)
        if self._last and utc < self._last:
            later = naive.replace(tzinfo=self._zone, fold=1).astimezone(UTC)
            utc = max(utc, later)
        self._last = utc
        return utc

    def from_iso(self, text: str) -> datetime:
        """An ISO 8601 time in UTC: by its own offset if it has one, else local.

        ValueError (or OverflowError) when it is not a time.
        """
        when = datetime.fromisoformat(text)
        return when.astimezone(UTC) if when.tzinfo is not None else self.to_utc(when)
