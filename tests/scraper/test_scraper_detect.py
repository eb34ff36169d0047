"""Every format is recognised by what its files hold, whatever they are called."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from scraper_builders import EXPORTS, zip_folder

from scraper import FORMATS, MalformedExportError, UnknownFormatError, import_export
from serving.cli.stages import import_command

META = "your_facebook_activity/messages/inbox"

# (a file of one format, the format, how many messages it holds)
SINGLE_FILES = [
    ("facebook_json/your_facebook_activity/messages/e2ee_cutover/"
     "julietcapulet_7766554433/message_1.json", "facebook-json", 2),
    ("facebook_html_2017/html/messages.htm", "facebook-html", 5),
    ("facebook_html_2022/messages/inbox/mercutio_1a2b3c4d5e/message_1.html",
     "facebook-html", 2),
    ("messenger_e2ee/julietcapulet_10160000000000001.json", "messenger-e2ee", 2),
    ("telegram_chat/result.json", "telegram", 5),
    ("telegram_account/DataExport_2024-03-01/result.json", "telegram", 6),
    ("telegram_messages/juliet_chat.json", "telegram", 3),
    ("discord/Direct Messages - juliet_c [1098765432109876543].json", "discord", 3),
    ("whatsapp/WhatsApp Chat with Montagues.txt", "whatsapp", 6),
    ("whatsapp/WhatsApp Chat - Juliet/_chat.txt", "whatsapp", 3),
    ("whatsapp_locales/ar/دردشة واتساب مع جولييت.txt", "whatsapp", 3),
]  # fmt: skip


@pytest.mark.parametrize(("source", "format", "count"), SINGLE_FILES)
@pytest.mark.parametrize("new_name", ["export", "my chat (2).data", "x.html"])
def test_a_single_file_is_read_whatever_it_is_called(
    tmp_path: Path, source: str, format: str, count: int, new_name: str
) -> None:
    renamed = tmp_path / new_name
    shutil.copy(EXPORTS / source, renamed)
    messages, report = import_export(renamed, timezone="Europe/London")
    assert report.format == format
    assert len(messages) == count


def test_a_renamed_facebook_thread_is_named_by_its_thread_path(
    tmp_path: Path,
) -> None:
    source = EXPORTS / "facebook_json" / META / "montagues_5512345678"
    shutil.copy(source / "message_2.json", tmp_path / "older.json")
    messages, _ = import_export(tmp_path / "older.json")
    assert {m.thread_id for m in messages} == {"montagues_5512345678"}


@pytest.mark.parametrize(
    "folder",
    sorted(path.name for path in EXPORTS.iterdir() if path.is_dir()),
)
def test_a_zip_of_any_export_under_any_name_reads_as_the_folder(
    tmp_path: Path, folder: str
) -> None:
    expected, expected_report = import_export(EXPORTS / folder)
    archive = zip_folder(EXPORTS / folder, tmp_path / "Downloads (1).zip")
    messages, report = import_export(archive)
    assert report.format == expected_report.format
    # A folder lists its files before its subfolders, a zip by name.
    assert sorted(messages, key=repr) == sorted(expected, key=repr)


def test_other_pages_of_a_facebook_download_are_not_messages(tmp_path: Path) -> None:
    root = tmp_path / "facebook-romeo-2024"
    shutil.copytree(EXPORTS / "facebook_html_2022", root)
    # Posts and index pages are laid out exactly like message pages.
    post = root / "posts" / "your_posts_1.html"
    post.parent.mkdir()
    thread = root / "messages" / "inbox" / "mercutio_1a2b3c4d5e" / "message_1.html"
    post.write_text(thread.read_text().replace("Mercutio", "Romeo shared a link."))
    index = root / "messages" / "your_messages.html"
    index.write_text(thread.read_text().replace("Mercutio", "Romeo shared a link."))
    messages, _ = import_export(root)
    assert not any("shared a link" in m.sender for m in messages)
    assert len(messages) == 5


def test_an_instagram_thread_file_alone_is_known_by_its_media_paths(
    tmp_path: Path,
) -> None:
    # Instagram writes Facebook's format; the paths of its photos say Instagram.
    (source,) = (EXPORTS / "instagram_json").rglob("message_1.json")
    shutil.copy(source, tmp_path / "juliet.json")
    messages, report = import_export(tmp_path / "juliet.json")
    assert report.format == "instagram-json"
    assert len(messages) == 3


def test_format_forces_a_reader(tmp_path: Path) -> None:
    messages, report = import_export(EXPORTS / "instagram_json", format="facebook-json")
    assert report.format == "facebook-json"
    assert messages[0].thread_id == "julietcapulet_17841400000000001"
    with pytest.raises(UnknownFormatError, match="not an export we recognise"):
        import_export(EXPORTS / "discord", format="whatsapp")
    telegram = EXPORTS / "telegram_chat" / "result.json"
    with pytest.raises(MalformedExportError, match="no integer 'timestamp'"):
        import_export(telegram, format="messenger-e2ee")


def test_every_format_can_be_forced_from_the_command_line() -> None:
    choices = next(p for p in import_command.params if p.name == "export_format")
    assert tuple(choices.type.choices) == FORMATS  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"Shopping list\nmilk, eggs\n"),
        ("package.json", b'{"name": "left-pad", "version": "1.3.0"}'),
        ("page.html", b"<html><body><p>Nothing here, 12:30</p></body></html>"),
        ("photo.zip", b"PK\x05\x06" + bytes(18)),
    ],
)
def test_an_unrecognised_file_gets_one_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(
        import_command, [str(path), "-o", str(tmp_path / "m.jsonl")]
    )
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {path}: not an export we recognise; expected")
    assert "WhatsApp chat" in line and "DiscordChatExporter" in line
