"""Every export format, read from the small real-shaped exports in tests/fixtures."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scraper_builders import EXPORTS, rows, zip_folder

from scraper import FORMATS, import_export


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_facebook_json_boxes_multi_file_group_rename_and_mojibake() -> None:
    messages, report = import_export(EXPORTS / "facebook_json")
    assert report.format == "facebook-json"
    group, juliet = "montagues_5512345678", "julietcapulet_7766554433"
    # inbox first (the group's two files merged), then archived, then e2ee_cutover
    assert rows(messages) == [
        (group, "Benvolio Montague", "Good morrow, cousin \U0001f5e1\ufe0f"),
        (group, "Romeo Montague", "Is the day so young?"),
        (group, "Mercutio", "Romeo! humours! madman! passion! lover! \U0001f602"),
        (group, "Romeo Montague", "Thou talk'st of nothing"),
        (group, "Mercutio", "Nay, I'll conjure too. Caf\u00e9?"),
        ("rosaline_1122334455", "Romeo Montague", "Rosaline, sweet Rosaline"),
        (juliet, "Juliet Capulet", "My bounty is as boundless as the sea \U0001f30a"),
        (juliet, "Romeo Montague", "O blessed, blessed night!"),
    ]
    assert report.skipped == {
        "system": 5,
        "media-only": 3,
        "unsent": 1,
        "call": 1,
        "message request": 1,
    }
    assert report.attachments == {"photo": 1, "share": 1, "sticker": 1}
    assert report.files == 5


def test_facebook_html_before_2018_by_structure_and_offsets_across_dst() -> None:
    messages, report = import_export(EXPORTS / "facebook_html_2017")
    assert report.format == "facebook-html"
    juliet = [m for m in messages if "juliet" in m.thread_id]
    # 01:40 and 01:50 at UTC+01, then 01:10 at UTC+00 after the clocks went back.
    assert [(m.sent_at, m.text[:10]) for m in juliet] == [
        (_utc("2016-10-30T00:40"), "It is the "),
        (_utc("2016-10-30T00:50"), "Awake and "),
        (_utc("2016-10-30T01:10"), "The clocks"),
    ]
    assert juliet[0].text.endswith("\U0001f31e Caf\u00e9 tomorrow?")
    group = [m for m in messages if m not in juliet]
    assert {m.thread_id for m in group} == {
        "html-benvolio-montague-mercutio-romeo-montague"
    }
    assert [m.text for m in group] == [
        "Give me a torch: I am not for this ambling;\n"
        "Being but heavy, I will bear the light.",
        "Nay, gentle Romeo, we must have you dance.",
    ]
    assert report.skipped == {"empty": 1, "system": 1}


def test_facebook_html_2018_on_two_layouts_with_local_times() -> None:
    messages, report = import_export(
        EXPORTS / "facebook_html_2022", timezone="Europe/Rome"
    )
    assert rows(messages) == [
        ("julietcapulet_9f8e7d6c5b", "Romeo Montague", "Caf\u00e9 at six?"),
        (
            "julietcapulet_9f8e7d6c5b",
            "Juliet Capulet",
            "What's in a name? that which we call a rose\n"
            "By any other name would smell as sweet \U0001f339",
        ),
        (
            "julietcapulet_9f8e7d6c5b",
            "Romeo Montague",
            "With love's light wings did I o'er-perch these walls",
        ),
        (
            "mercutio_1a2b3c4d5e",
            "Romeo Montague",
            "Courage, man; the hurt cannot be much.",
        ),
        (
            "mercutio_1a2b3c4d5e",
            "Mercutio",
            "Ask for me tomorrow, and you shall find me a grave man.",
        ),
    ]  # fmt: skip
    assert messages[0].sent_at == _utc("2019-07-14T16:05")  # 18:05 in Rome
    assert messages[-1].sent_at == _utc("2023-07-16T16:05:23")
    assert report.skipped == {"media-only": 1, "system": 2}
    assert report.files == 3


def test_messenger_e2ee_export_sorted_with_unsent_media_and_notices() -> None:
    messages, report = import_export(EXPORTS / "messenger_e2ee")
    assert report.format == "messenger-e2ee"
    assert rows(messages) == [
        ("e2ee-julietcapulet_10160000000000001", "Juliet Capulet",
         "Art thou not Romeo, and a Montague?"),
        ("e2ee-julietcapulet_10160000000000001", "Romeo Montague",
         "Neither, fair saint, if either thee dislike. \u2764\ufe0f"),
    ]  # fmt: skip
    assert messages[0].sent_at == datetime.fromtimestamp(1717000000, UTC)
    assert report.skipped == {"system": 1, "media-only": 1, "unsent": 1}


def test_telegram_single_chat_with_entities_service_and_forwards() -> None:
    messages, report = import_export(EXPORTS / "telegram_chat" / "result.json")
    assert report.format == "telegram"
    assert rows(messages) == [
        ("telegram-4815162342", "Romeo", "Good morrow, Juliet"),
        ("telegram-4815162342", "Juliet", "Look: https://verona.example \u2014 the"
         " balcony"),
        ("telegram-4815162342", "Romeo", "[forwarded from Mercutio]\n"
         "A plague o' both your houses!"),
        ("telegram-4815162342", "Juliet", "Me at the window \U0001f319"),
        ("telegram-4815162342", "Deleted Account", "who am I"),
    ]  # fmt: skip
    assert messages[0].sent_at == datetime.fromtimestamp(1707901260, UTC)
    assert report.skipped == {"call": 1, "media-only": 1}
    assert report.marked == {"forwarded": 1}
    assert report.attachments == {"photo": 2}


def test_telegram_full_account_reads_every_chat_and_left_chats() -> None:
    messages, report = import_export(
        EXPORTS / "telegram_account", timezone="Europe/London"
    )
    assert [(m.thread_id, m.sender) for m in messages] == [
        ("telegram-11", "Benvolio"),
        ("telegram-11", "Romeo"),
        ("telegram-11", "Benvolio"),
        ("telegram-12", "Mercutio"),
        ("telegram-12", "Romeo"),
        ("telegram-13", "Capulet"),
    ]
    assert messages[1].text == "Here, cousin."
    # An old export's local-only time, read in the user's zone (BST then).
    assert messages[2].sent_at == _utc("2023-10-29T00:30")
    assert report.skipped == {"system": 1, "media-only": 1}
    assert report.attachments == {"sticker": 1}


def test_whatsapp_android_day_first_across_the_clocks_going_back() -> None:
    path = EXPORTS / "whatsapp" / "WhatsApp Chat with Montagues.txt"
    messages, report = import_export(path, timezone="Europe/London")
    assert report.format == "whatsapp"
    assert [(m.sender, m.sent_at, m.text) for m in messages] == [
        ("Romeo", _utc("2023-10-29T00:30"), "Clocks go back tonight"),
        ("Benvolio", _utc("2023-10-29T00:45"), "So we get an extra hour\n"
         "of sleep, or of talk?"),
        ("Romeo", _utc("2023-10-29T01:10"), "Talk. It is 1:10 again"),
        ("Benvolio", _utc("2023-10-29T01:25"), "Rosaline at the feast"),
        ("Mercutio", _utc("2023-10-29T02:07"), "Who renamed us? \U0001f5e1\ufe0f"),
        ("Romeo", _utc("2023-11-13T18:00"), "Good night, good night!"),
    ]  # fmt: skip
    assert {m.thread_id for m in messages} == {"whatsapp-montagues"}
    assert report.skipped == {"system": 4, "media-only": 1, "unsent": 1}


def test_whatsapp_ios_month_first_12_hour_from_a_zip(tmp_path: Path) -> None:
    archive = zip_folder(
        EXPORTS / "whatsapp" / "WhatsApp Chat - Juliet",
        tmp_path / "WhatsApp Chat - Juliet.zip",
    )
    messages, report = import_export(archive, timezone="America/New_York")
    assert [(m.thread_id, m.sender, m.sent_at) for m in messages] == [
        ("whatsapp-juliet", "Juliet", _utc("2024-03-10T04:58:30")),
        ("whatsapp-juliet", "Romeo", _utc("2024-03-10T05:02")),
        ("whatsapp-juliet", "Romeo", _utc("2024-04-01T13:00")),  # EDT by then
    ]
    assert messages[0].text == "O Romeo, Romeo!\nwherefore art thou Romeo?"
    assert report.skipped == {"system": 1, "media-only": 2, "call": 1}


def test_a_folder_of_mixed_exports_reads_them_all() -> None:
    messages, report = import_export(EXPORTS, timezone="Europe/London")
    parts = [import_export(folder)[1] for folder in sorted(EXPORTS.iterdir())]
    assert report.messages == len(messages) == sum(part.messages for part in parts)
    assert report.files == sum(part.files for part in parts)
    assert report.skipped == sum((part.skipped for part in parts), Counter())
    # Every format has a fixture, and each is recognised beside the others.
    assert sorted(report.format.split("+")) == sorted(FORMATS)


@pytest.mark.parametrize(
    ("folder", "format"),
    [
        ("facebook_json", "facebook-json"),
        ("facebook_html_2017", "facebook-html"),
        ("messenger_e2ee", "messenger-e2ee"),
        ("telegram_chat", "telegram"),
        ("whatsapp", "whatsapp"),
    ],
)
def test_forcing_the_detected_format_gives_the_same_messages(
    folder: str, format: str
) -> None:
    detected, _ = import_export(EXPORTS / folder)
    forced, report = import_export(EXPORTS / folder, format=format)
    assert forced == detected
    assert report.format == format
