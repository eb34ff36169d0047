"""The date lines of Facebook's and Instagram's HTML pages, in the languages we read.

Meta writes each message's time in the language of the account that downloaded
it: "Jul 14, 2019, 6:05 PM", "Sunday, 30 October 2016 at 01:10 UTC+01",
"domingo, 14 de julio de 2019 a las 18:05", "14 juil. 2019 à 18:05",
"14.07.2019, 18:05", "14 de jul de 2019 18:05", "14 lug 2019, 18:05". Rather
than one strptime pattern per language and year, a line is read as its parts:
the time (and a 12-hour mark, and a zone), a four-digit year, a day, and a month
written as a number or as a word that opens one month's name in one of the
languages. A weekday and little words ("de", "à", "um") are passed over; more
words than that and it is a sentence, not a date line.
"""

from __future__ import annotations

import re
from datetime import datetime

# Full month names; a word is a month when it opens the names of one month only,
# so abbreviations ("juil.", "févr", "Okt", "lug", "dez") need no table.
_MONTHS = (
    "january february march april may june july august september october "
    "november december",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
    "noviembre diciembre",
    "janvier février mars avril mai juin juillet août septembre octobre "
    "novembre décembre",
    "januar februar märz april mai juni juli august september oktober "
    "november dezember",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro "
    "novembro dezembro",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
    "novembre dicembre",
)
_NAMES = [
    (name, number)
    for line in _MONTHS
    for number, name in enumerate(line.split(), start=1)
]
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})
_TIME = re.compile(
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s?(?P<half>[AaPp]\.?\s?[Mm]\.?)?"
    r"(?:\s*(?P<zone>UTC(?:[+-]\d{1,2}(?::?\d{2})?)?|GMT(?:[+-]\d{1,2})?"
    r"|[A-Z]{3,5}))?\s*$"
)
_WORD = re.compile(r"[^\W\d_]+")
_NUMERIC = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")


def month_number(word: str) -> int | None:
    """The month a (possibly shortened) month name means, or None."""
    word = word.lower()
    if len(word) < 3:
        return None
    found = {number for name, number in _NAMES if name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def parse_stamp(text: str) -> tuple[datetime, str | None] | None:
    """The naive time and the written zone ("UTC+01", "PDT") of a date line.

    None when the line is not a date with a time: Meta's pages hold other short
    lines with digits, and those must not pass for message times.
    """
    text = text.translate(_SPACES).strip()
    time = _TIME.search(text)
    if time is None or len(text) > 80 or "\n" in text:
        return None
    date = text[: time.start()]
    day_month_year = _date(date)
    if day_month_year is None:
        return None
    day, month, year = day_month_year
    hour, minute = int(time["hour"]), int(time["minute"])
    if time["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if time["half"][0] in "Pp" else 0)
    try:
        when = datetime(year, month, day, hour, minute, int(time["second"] or 0))
    except ValueError:
        return None
    return when, time["zone"]


def _date(text: str) -> tuple[int, int, int] | None:
    """(day, month, year) of the part of a date line before its time."""
    words = _WORD.findall(text)
    months = [month_number(word) for word in words]
    # Besides the month, a weekday and little words ("de", "las", "alle ore"):
    # a sentence that happens to hold a date is not a date line.
    others = sum(
        len(word) > 3 and month is None
        for word, month in zip(words, months, strict=True)
    )
    if len(words) > 8 or others > 2 or "?" in text or "!" in text:
        return None
    numeric = _NUMERIC.search(text)
    if numeric:
        a, b, c = (int(part) for part in numeric.groups())
        if a > 31:  # 2019-07-14
            return c, b, a
        return a, b, c  # 14.07.2019, 14/07/2019: Europe writes the day first
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if 1 <= n <= 31]
    named = [month for month in months if month is not None]
    if not named or len(years) != 1 or len(days) != 1:
        return None
    return days[0], named[-1], years[0]  # an abbreviated weekday may look a month
