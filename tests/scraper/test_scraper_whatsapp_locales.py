"""WhatsApp chats exported by phones in the languages with the most users.

Each file in tests/fixtures/exports/whatsapp_locales is written as that phone
writes it (date order and separators, digits, 12-hour marks, direction marks,
its language's notices and placeholders), and holds the same conversation:
the opening encryption notice, three messages (one on two lines, one edited),
media left out, a deleted message or a missed call, and a group notice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scraper_builders import EXPORTS

from scraper import import_export

LOCALES = EXPORTS / "whatsapp_locales"
ANDROID_SKIPS = {"system": 2, "media-only": 1, "unsent": 1}
IOS_SKIPS = {"system": 1, "media-only": 2, "call": 1}


def _at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2023, 7, day, hour, minute, second, tzinfo=UTC)


ANDROID = [
    ("en", "Romeo", "Juliet", "whatsapp-juliet",
     "But soft, what light through yonder window breaks?",
     "Romeo, Romeo\nwherefore art thou Romeo?", "Good morrow, love"),
    ("es", "Romeo", "Julieta", "whatsapp-julieta",
     "¿Qué luz asoma por esa ventana?", "Romeo, Romeo\n¿dónde estás?",
     "Buenos días, amor"),
    ("pt", "Romeu", "Julieta", "whatsapp-julieta",
     "Que luz é aquela na janela?", "Romeu, Romeu\nonde estás?", "Bom dia, amor"),
    ("de", "Romeo", "Julia", "whatsapp-julia",
     "Welch Licht bricht dort durch jenes Fenster?",
     "Romeo, Romeo\nwarum bist du Romeo?", "Guten Morgen"),
    ("fr", "Roméo", "Juliette", "whatsapp-juliette",
     "Quelle lumière jaillit par cette fenêtre ?",
     "Roméo, Roméo\npourquoi es-tu Roméo ?", "Bonjour mon amour"),
    ("it", "Romeo", "Giulietta", "whatsapp-giulietta",
     "Quale luce irrompe da quella finestra?", "Romeo, Romeo\nperché sei tu Romeo?",
     "Buongiorno amore"),
    ("id", "Romeo", "Juliet", "whatsapp-juliet",
     "Cahaya apa yang menembus jendela itu?", "Romeo, Romeo\ndi manakah kau?",
     "Selamat pagi"),
    ("hi", "रोमियो", "जूलियट", "whatsapp-juliet",
     "उस खिड़की से कौन सी रोशनी आ रही है?", "रोमियो, रोमियो\nतुम कहाँ हो?",
     "सुप्रभात"),
    ("ar", "روميو", "جولييت", "whatsapp-جولييت",
     "أي نور يشرق من تلك النافذة؟", "روميو، روميو\nلماذا أنت روميو؟",
     "صباح الخير يا حبيبي ١٢٣"),
    ("ru", "Ромео", "Джульетта", "whatsapp-джульеттой",
     "Что за свет блеснул в окне?", "Ромео, Ромео\nзачем же ты Ромео?",
     "Доброе утро"),
    ("tr", "Romeo", "Juliet", "whatsapp-whatsapp-sohbeti-juliet",
     "Şu pencereden süzülen ışık ne?", "Romeo, Romeo\nneden sen Romeo'sun?",
     "Günaydın"),
    ("ja", "ロミオ", "ジュリエット", "whatsapp-ジュリエット",
     "あの窓から差す光は何？", "ロミオ、ロミオ\nどうしてあなたはロミオなの？",
     "おはよう"),
    ("ko", "로미오", "줄리엣", "whatsapp-줄리엣",
     "저 창문을 통해 비치는 빛은 무엇인가?", "로미오, 로미오\n어디 있나요?",
     "좋은 아침"),
    ("zh", "罗密欧", "朱丽叶", "whatsapp-朱丽叶",
     "那边窗子里亮起来的是什么光？", "罗密欧，罗密欧\n你为什么是罗密欧？", "早安"),
]  # fmt: skip

IOS = [
    ("es_ios", "Romeo", "Julieta", "¿Qué luz asoma por esa ventana?",
     "Romeo, Romeo\n¿dónde estás?", "Buenos días, amor"),
    ("de_ios", "Romeo", "Julia", "Welch Licht bricht dort durch jenes Fenster?",
     "Romeo, Romeo\nwarum bist du Romeo?", "Guten Morgen"),
    ("ar_ios", "روميو", "جولييت", "أي نور يشرق من تلك النافذة؟",
     "روميو، روميو\nلماذا أنت روميو؟", "صباح الخير يا حبيبي ١٢٣"),
    ("ko_ios", "로미오", "줄리엣", "저 창문을 통해 비치는 빛은 무엇인가?",
     "로미오, 로미오\n어디 있나요?", "좋은 아침"),
]  # fmt: skip


def _only_file(folder: str) -> Path:
    (path,) = (LOCALES / folder).iterdir()
    return path


@pytest.mark.parametrize(
    ("locale", "romeo", "juliet", "thread", "first", "second", "third"), ANDROID
)
def test_android_chat_in_each_language(
    locale: str,
    romeo: str,
    juliet: str,
    thread: str,
    first: str,
    second: str,
    third: str,
) -> None:
    messages, report = import_export(_only_file(locale))
    assert report.format == "whatsapp"
    assert [(m.sender, m.sent_at, m.text) for m in messages] == [
        (romeo, _at(14, 18, 5), first),
        (juliet, _at(14, 18, 7), second),
        (juliet, _at(15, 9, 30), third),  # the edit mark is gone
    ]
    assert {m.thread_id for m in messages} == {thread}
    assert report.skipped == ANDROID_SKIPS
    assert report.attachments == {"media": 1}


@pytest.mark.parametrize(
    ("locale", "romeo", "juliet", "first", "second", "third"), IOS
)
def test_ios_chat_in_each_language(
    locale: str, romeo: str, juliet: str, first: str, second: str, third: str
) -> None:
    messages, report = import_export(LOCALES / locale)
    assert [(m.sender, m.sent_at, m.text) for m in messages] == [
        (romeo, _at(14, 18, 5, 9), first),
        (juliet, _at(14, 18, 7), second),
        (juliet, _at(15, 9, 30), third),
    ]
    assert {m.thread_id for m in messages} == {f"whatsapp-{locale}"}
    assert report.skipped == IOS_SKIPS
    assert report.attachments == {"media": 2}


def test_every_locale_folder_is_in_a_table() -> None:
    tested = {row[0] for row in ANDROID} | {row[0] for row in IOS}
    assert {path.name for path in LOCALES.iterdir()} == tested
