"""Facebook's JSON export: threads merged, repaired, and notices skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scraper_builders import fb_message, write_fb_thread, zip_folder

from corpus import Message
from scraper import (
    ExportFormatError,
    MalformedExportError,
    UnknownFormatError,
    fix_mojibake,
    import_export,
)

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z


def test_thread_split_over_files_is_merged_in_time_order(tmp_path: Path) -> None:
    root = tmp_path / "export"
    # Facebook puts the newest messages in message_1.json; the older in message_2.
    write_fb_thread(root, "juliet_1", [fb_message("Juliet", T0 + 3000, "c")], 1)
    write_fb_thread(
        root,
        "juliet_1",
        [fb_message("Romeo", T0 + 1000, "a"), fb_message("Juliet", T0 + 2000, "b")],
        2,
    )
    messages, report = import_export(root)
    assert [m.text for m in messages] == ["a", "b", "c"]
    assert {m.thread_id for m in messages} == {"juliet_1"}
    assert messages[0] == Message(
        "juliet_1", "Romeo", datetime.fromtimestamp((T0 + 1000) / 1000, UTC), "a"
    )
    assert report.files == 2
    assert report.per_thread == {"juliet_1": 3}


def test_overlapping_files_are_still_sorted(tmp_path: Path) -> None:
    root = tmp_path / "export"
    write_fb_thread(
        root, "t", [fb_message("A", T0 + 1, "1"), fb_message("A", T0 + 5, "5")]
    )
    write_fb_thread(root, "t", [fb_message("B", T0 + 3, "3")], number=2)
    messages, _ = import_export(root)
    assert [m.text for m in messages] == ["1", "3", "5"]


@pytest.mark.parametrize(
    "text",
    [
        "caf\u00e9",
        "\U0001f339 and \u2764\ufe0f",
        "\u00e9t\u00e9 \u2014 \u201cquoted\u201d",
    ],
)
def test_mojibake_is_repaired_in_text_and_names(tmp_path: Path, text: str) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "t", [fb_message("Ren\u00e9e", T0, text)])
    messages, _ = import_export(root)
    assert [(m.sender, m.text) for m in messages] == [("Ren\u00e9e", text)]


def test_fix_mojibake_keeps_strings_that_are_not_mojibake() -> None:
    assert fix_mojibake("plain") == "plain"
    assert fix_mojibake("caf\u00c3\u00a9") == "caf\u00e9"
    assert fix_mojibake("caf\u00e9") == "caf\u00e9"  # not valid UTF-8 bytes
    assert fix_mojibake("\U0001f339") == "\U0001f339"  # not latin-1 at all


def test_file_with_bom_is_read(tmp_path: Path) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "t", [fb_message("A", T0, "hi")], bom=True)
    messages, _ = import_export(root)
    assert [m.text for m in messages] == ["hi"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (fb_message("A", T0, photos=[{"uri": "p.jpg"}]), "media-only"),
        (fb_message("A", T0, sticker={"uri": "s.png"}), "media-only"),
        (fb_message("A", T0, "A sent a photo.", photos=[{"uri": "p"}]), "media-only"),
        (fb_message("A", T0, "secret", is_unsent=True), "unsent"),
        (fb_message("A", T0, is_unsent=True), "unsent"),
        (fb_message("A", T0), "empty"),
        (fb_message("A", T0, "A joined.", type="Subscribe"), "system"),
        (fb_message("A", T0, "A left.", type="Unsubscribe"), "system"),
        (fb_message("A", T0, "A started a video chat.", type="Call"), "call"),
        (fb_message("A", T0, "You called A.", call_duration=12), "call"),
        (fb_message("A", T0, "You are now connected on Messenger"), "system"),
        (fb_message("A", T0, "A set the nickname for B to Bee."), "system"),
        (fb_message("A", T0, "You set your nickname to Romeo."), "system"),
        (fb_message("A", T0, "A named the group Verona."), "system"),
        (fb_message("A", T0, "A added B to the group."), "system"),
        (fb_message("A", T0, "A changed the group photo."), "system"),
        (fb_message("A", T0, "hi", sender_name=""), "no sender"),
    ],
)
def test_non_text_messages_are_skipped_and_counted(
    tmp_path: Path, record: dict[str, object], reason: str
) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "t", [record, fb_message("B", T0 + 1, "kept")])
    messages, report = import_export(root)
    assert [m.text for m in messages] == ["kept"]
    assert report.skipped == {reason: 1}


@pytest.mark.parametrize(
    "text",
    [
        "I named the group chat after you",
        "B named the group Verona.",  # someone else's name is not the sender's notice
        "You are my sunshine",
        "Look at this",
    ],
)
def test_people_writing_like_notices_are_kept(tmp_path: Path, text: str) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "t", [fb_message("A", T0, text, share={"link": "x"})])
    messages, report = import_export(root)
    assert [m.text for m in messages] == [text]
    assert report.attachments == {"share": 1}


def test_files_without_type_are_read(tmp_path: Path) -> None:
    root = tmp_path / "export"
    record = fb_message("A", T0, "2024 style")
    del record["type"]
    write_fb_thread(root, "t", [record])
    messages, _ = import_export(root)
    assert [m.text for m in messages] == ["2024 style"]


def test_folder_above_messages_or_inside_it_gives_the_same_messages(
    tmp_path: Path,
) -> None:
    root = tmp_path / "download" / "your_facebook_activity"
    write_fb_thread(root, "romeo_1", [fb_message("A", T0, "x")])
    for path in (tmp_path, root, root / "messages", root / "messages" / "inbox"):
        messages, _ = import_export(path)
        assert [(m.thread_id, m.text) for m in messages] == [("romeo_1", "x")]


def test_zip_gives_the_same_messages_as_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "a_1", [fb_message("A", T0, "caf\u00e9")], bom=True)
    write_fb_thread(root, "a_1", [fb_message("B", T0 - 5, "older")], number=2)
    write_fb_thread(root, "b_2", [fb_message("A", T0, "x"), fb_message("A", T0 + 1)])
    archive = zip_folder(root, tmp_path / "facebook-romeo.zip")
    from_folder, folder_report = import_export(root)
    from_zip, zip_report = import_export(archive)
    assert from_zip == from_folder
    assert zip_report.skipped == folder_report.skipped == {"empty": 1}
    assert len(from_zip) == 3


def test_message_requests_are_skipped_unless_asked_for(tmp_path: Path) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "friend_1", [fb_message("A", T0, "hi")])
    write_fb_thread(
        root, "stranger_2", [fb_message("S", T0, "buy")], box="message_requests"
    )
    write_fb_thread(root, "old_3", [fb_message("A", T0, "old")], box="archived_threads")
    messages, report = import_export(root)
    assert sorted(m.text for m in messages) == ["hi", "old"]
    assert report.skipped == {"message request": 1}
    messages, report = import_export(root, include_requests=True)
    assert sorted(m.text for m in messages) == ["buy", "hi", "old"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"participants": [], "messages": [', "not valid JSON"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"[1, 2, 3]", "'messages' list"),
        (b'{"messages": {"a": 1}}', "'messages' list"),
        (b'{"messages": [1]}', "not a JSON object"),
        (b'{"messages": [{"sender_name": "A", "content": "x"}]}', "timestamp_ms"),
        (b'{"messages": [{"timestamp_ms": "soon"}]}', "timestamp_ms"),
        (b'{"messages": [{"sender_name": "A", "timestamp_ms": 1e30}]}', "timestamp_ms"),
        (
            b'{"messages": [{"sender_name": "A", "content": "x", '
            b'"timestamp_ms": 99999999999999999999}]}',
            "not a date",
        ),
    ],
)
def test_malformed_file_is_a_named_error_naming_the_file(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    root = tmp_path / "export"
    write_fb_thread(root, "good_1", [fb_message("A", T0, "fine")])
    bad = root / "messages" / "inbox" / "bad_2" / "message_1.json"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(content)
    with pytest.raises(MalformedExportError) as caught:
        import_export(root)
    assert str(bad) in str(caught.value)
    assert expected in str(caught.value)


def test_unknown_export_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("hello")
    with pytest.raises(UnknownFormatError, match="not an export we recognise"):
        import_export(tmp_path)
    with pytest.raises(ExportFormatError, match="no such file"):
        import_export(tmp_path / "missing.zip")
    with pytest.raises(UnknownFormatError, match="unknown format 'icq'"):
        import_export(tmp_path, format="icq")


def test_export_format_error_is_a_value_error() -> None:
    assert issubclass(MalformedExportError, ExportFormatError)
    assert issubclass(ExportFormatError, ValueError)
