"""WhatsApp's many line styles, and each reader's errors, on exports built here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper import MalformedExportError, UnknownFormatError, import_export


def _chat(tmp_path: Path, *lines: str, name: str = "WhatsApp Chat with Nurse.txt"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("14/07/2023, 18:05 - Nurse: Anon!", "2023-07-14T18:05"),
        ("14.07.23, 18:05 - Nurse: Anon!", "2023-07-14T18:05"),
        ("7/14/23, 6:05 PM - Nurse: Anon!", "2023-07-14T18:05"),
        ("7/14/23, 6:05\u202fpm - Nurse: Anon!", "2023-07-14T18:05"),
        ("7/14/23, 12:05 AM - Nurse: Anon!", "2023-07-14T00:05"),
        ("2023-07-14, 18:05 - Nurse: Anon!", "2023-07-14T18:05"),
        ("[14/07/2023, 18:05:09] Nurse: Anon!", "2023-07-14T18:05:09"),
        ("\u200e[7/14/23, 6:05:09\u202fPM] Nurse: Anon!", "2023-07-14T18:05:09"),
    ],
)
def test_whatsapp_line_styles(tmp_path: Path, line: str, when: str) -> None:
    messages, _ = import_export(_chat(tmp_path, line))
    assert [(m.sender, m.text) for m in messages] == [("Nurse", "Anon!")]
    assert messages[0].sent_at == datetime.fromisoformat(when).replace(tzinfo=UTC)


def test_whatsapp_infers_month_first_from_the_order_of_ambiguous_dates(
    tmp_path: Path,
) -> None:
    # Day-first would go 1 Dec -> 2 Jan of the same year; month-first is in order.
    path = _chat(
        tmp_path,
        "1/12/24, 10:00 - Nurse: one",
        "2/1/24, 10:00 - Nurse: two",
        "2/3/24, 10:00 - Nurse: three",
    )
    messages, _ = import_export(path)
    assert [(m.sent_at.month, m.sent_at.day) for m in messages] == [
        (1, 12),
        (2, 1),
        (2, 3),
    ]


def test_whatsapp_chat_name_is_the_thread(tmp_path: Path) -> None:
    messages, _ = import_export(_chat(tmp_path, "14/07/2023, 18:05 - Nurse: Anon!"))
    assert messages[0].thread_id == "whatsapp-nurse"


def test_whatsapp_text_without_chat_lines_is_a_named_error(tmp_path: Path) -> None:
    path = _chat(tmp_path, "just some notes", "nothing here", name="notes.txt")
    with pytest.raises(UnknownFormatError):
        import_export(path)
    with pytest.raises(MalformedExportError, match="notes.txt: no line like"):
        import_export(path, format="whatsapp")


def test_whatsapp_impossible_date_names_the_line(tmp_path: Path) -> None:
    path = _chat(tmp_path, "14/07/2023, 18:05 - Nurse: ok", "31/02/2023, 18:06 - A: x")
    with pytest.raises(MalformedExportError, match=r"Nurse.txt:2: 31/02/2023"):
        import_export(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"name": "x", "type": "personal_chat", "messages": [', "not valid JSON"),
        (b'{"name": "x", "type": "personal_chat"}', "no 'messages' list"),
        (b'{"messages": [{"type": "message", "text": "hi"}]}', "no readable date"),
    ],
)
def test_telegram_errors_name_the_file(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(content)
    with pytest.raises(MalformedExportError, match=expected) as caught:
        import_export(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"threadName": "x", "messages": {}}, "'messages' list"),
        ({"threadName": "x", "messages": [{"text": "hi"}]}, "integer 'timestamp'"),
    ],
)
def test_e2ee_errors_name_the_file(
    tmp_path: Path, document: dict[str, object], expected: str
) -> None:
    path = tmp_path / "juliet_1.json"
    path.write_text(json.dumps(document))
    with pytest.raises(MalformedExportError, match=expected) as caught:
        import_export(path)
    assert str(path) in str(caught.value)


def test_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = _chat(tmp_path, "14/07/2023, 18:05 - Nurse: Anon!")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        import_export(path, timezone="Mars/Olympus")


def test_facebook_html_thread_page_without_messages_is_a_named_error(
    tmp_path: Path,
) -> None:
    page = tmp_path / "messages" / "inbox" / "juliet_1" / "message_1.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><p>Sorry, this page isn't available</p></body></html>")
    with pytest.raises(MalformedExportError, match="no messages") as caught:
        import_export(tmp_path)
    assert str(page) in str(caught.value)
