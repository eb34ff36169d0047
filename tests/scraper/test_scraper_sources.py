"""Instagram, Discord and bare Telegram message lists, from real-shaped fixtures."""

from __future__ import annotations

from datetime import UTC, datetime

from scraper_builders import EXPORTS, rows

from scraper import import_export


def test_instagram_json_download_with_mojibake_likes_and_shares() -> None:
    messages, report = import_export(EXPORTS / "instagram_json")
    assert report.format == "instagram-json"
    thread = "instagram-julietcapulet_17841400000000001"
    assert rows(messages) == [
        (thread, "Juliet Capulet", "Romeo! \u00bfd\u00f3nde est\u00e1s? \U0001f319"),
        (thread, "Romeo", "Under thy balcony, caf\u00e9 in hand"),
        (thread, "Romeo", "Romeo is a name, not a fate"),
    ]
    assert messages[0].sent_at == datetime.fromtimestamp(1_705_000_000, UTC)
    # "Liked a message", "Reacted … to your message", "Romeo started a video chat"
    assert report.skipped == {"system": 3, "media-only": 2}
    assert report.attachments == {"share": 1, "photo": 1}


def test_instagram_html_download_read_in_time_order() -> None:
    messages, report = import_export(
        EXPORTS / "instagram_html", timezone="Europe/Rome"
    )
    assert report.format == "instagram-html"
    thread = "instagram-mercutio_17841400000000002"
    assert rows(messages) == [
        (thread, "Mercutio", "Nay, I'll conjure too. Caf\u00e9?"),
        (thread, "Romeo", "Courage, man; the hurt cannot be much."),
        (thread, "Mercutio", "Ask for me tomorrow, and you shall find me a grave man."),
    ]
    assert messages[0].sent_at == datetime(2024, 1, 12, 19, 12, tzinfo=UTC)
    assert report.skipped == {"system": 1}


def test_discord_channels_keep_both_sides_and_skip_calls_pins_and_joins() -> None:
    messages, report = import_export(EXPORTS / "discord")
    assert report.format == "discord"
    dm, square = "discord-1098765432109876543", "discord-1000000000000000005"
    assert rows(messages) == [
        (dm, "romeo.m", "Good morrow, fair saint \U0001f339"),
        (dm, "juliet_c", "@romeo.m wherefore art thou **Romeo**?"),
        (dm, "romeo.m", "With love's light wings"),
        (square, "mercutio", "A plague o' both your houses!"),
        (square, "romeo.m", "Courage, man; the hurt cannot be much."),
        (square, "NurseBot", "Anon, anon!"),
    ]
    # Written at 10:02 in UTC+01: the offset is honoured.
    assert messages[1].sent_at == datetime(2024, 2, 14, 9, 2, tzinfo=UTC)
    assert report.skipped == {"call": 1, "system": 2, "media-only": 1}
    assert report.attachments == {"attachment": 1, "sticker": 1}
    assert report.files == 2


def test_telegram_bare_message_list_with_entities_pins_and_a_forward() -> None:
    messages, report = import_export(EXPORTS / "telegram_messages")
    assert report.format == "telegram"
    thread = "telegram-juliet_chat"
    assert rows(messages) == [
        (thread, "Juliet", "Tomorrow at nine, @romeo"),
        (thread, "Romeo", "[forwarded from Friar Laurence]\n"
         "These violent delights have violent ends"),
        (thread, "Romeo", "At nine, my love"),
    ]  # fmt: skip
    assert report.skipped == {"system": 1, "media-only": 1}
    assert report.attachments == {"sticker": 1}
    assert report.marked == {"forwarded": 1}
    assert "kept, marked forwarded: 1" in report.summary()
