"""Facebook downloads in Spanish, French, German, Portuguese and Italian.

Each language's JSON thread holds two things people wrote (one opening with a
name, as notices do) between seven of Meta's notices: a group named, a nickname
set, someone added by the owner, someone leaving, a reaction, "now connected",
a photo sent. Each language's HTML page dates its messages the way that
language writes dates, short and long, 24- and 12-hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from scraper_builders import EXPORTS

from scraper import import_export
from scraper.meta_dates import month_number, parse_stamp
from scraper.meta_notices import LANGUAGES

NOTICES = [
    ("es", "Romeo, ¿eres tú?", "Hasta mañana, mi amor"),
    ("fr", "Roméo, est-ce toi ?", "À demain, mon amour"),
    ("de", "Romeo, bist du es?", "Bis morgen, mein Schatz"),
    ("pt", "Romeu, és tu?", "Até amanhã, meu amor"),
    ("it", "Romeo, sei tu?", "A domani, amore mio"),
]


@pytest.mark.parametrize(("language", "first", "last"), NOTICES)
def test_facebook_notices_in_each_language_are_skipped(
    language: str, first: str, last: str
) -> None:
    messages, report = import_export(EXPORTS / "facebook_json_locales" / language)
    assert [(m.sender, m.text) for m in messages] == [
        ("Juliet Capulet", first),
        ("Romeo Montague", last),
    ]
    assert report.skipped == {"system": 7}


DATES = [
    ("es", "¿Qué luz asoma por esa ventana?", "Es el oriente, y Julieta es el sol.",
     "Hasta luego"),
    ("fr", "Quelle lumière jaillit par cette fenêtre ?",
     "C\u2019est l\u2019Orient, et Juliette est le soleil.", "À bientôt"),
    ("de", "Welch Licht bricht dort durch jenes Fenster?",
     "Es ist der Ost, und Julia ist die Sonne.", "Bis bald"),
    ("pt", "Que luz é aquela na janela?", "É o oriente, e Julieta é o sol.",
     "Até logo"),
    ("it", "Quale luce irrompe da quella finestra?",
     "È l\u2019oriente, e Giulietta è il sole.", "A presto"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "first", "second", "third"), DATES)
def test_facebook_html_dates_in_each_language(
    language: str, first: str, second: str, third: str
) -> None:
    messages, report = import_export(
        EXPORTS / "facebook_html_locales" / language, timezone="Europe/Rome"
    )
    assert [(m.sender, m.sent_at, m.text) for m in messages] == [
        ("Juliet Capulet", datetime(2019, 7, 14, 16, 5, tzinfo=UTC), first),
        # the long form carries its own offset
        ("Romeo Montague", datetime(2019, 7, 14, 16, 6, tzinfo=UTC), second),
        ("Romeo Montague", datetime(2019, 7, 14, 16, 8, tzinfo=UTC), third),
    ]
    assert report.skipped == {"system": 1}  # "… changed the group photo."


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Jul 14, 2019, 6:05 PM", "2019-07-14 18:05"),
        ("Sunday, 30 October 2016 at 01:10 UTC+01", "2016-10-30 01:10"),
        ("mar. 14 juil. 2019 à 18:05", "2019-07-14 18:05"),
        ("14 févr. 2020 à 09:00", "2020-02-14 09:00"),
        ("14. Okt. 2020, 09:00", "2020-10-14 09:00"),
        ("2020-10-14 09:00", "2020-10-14 09:00"),
        ("14 de dez de 2020 21:30", "2020-12-14 21:30"),
        ("14 dic 2020, 9:30 p.\u00a0m.", "2020-12-14 21:30"),
    ],
)
def test_date_lines_in_other_spellings(line: str, expected: str) -> None:
    found = parse_stamp(line)
    assert found is not None
    assert found[0] == datetime.fromisoformat(expected)


@pytest.mark.parametrize(
    "line",
    [
        "Romeo Montague Café at six? Jul 14, 2019, 6:05 PM",  # a block, not a date
        "Call me at 6:05",
        "Jul 14, 6:05 PM",  # no year
        "Feb 30, 2019 6:05:23 pm",
        "14 jul 2019, 13:05 p. m.",
    ],
)
def test_lines_that_are_not_date_lines(line: str) -> None:
    assert parse_stamp(line) is None


def test_ambiguous_month_openings_are_not_months() -> None:
    assert month_number("ju") is None and month_number("jui") is None
    assert month_number("juil") == 7 and month_number("MÄR") == 3


def test_every_own_notice_opens_with_a_plain_word() -> None:
    # The import's hot path finds candidate notices by their first word.
    for language in LANGUAGES:
        for pattern in language.own:
            assert re.fullmatch(r"\w+", pattern.split(" ", 1)[0]), pattern
