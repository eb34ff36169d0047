"""Whatever bytes a user hands us, a reader returns messages or a documented error."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values

from corpus import Message
from scraper import ExportFormatError, import_export
from scraper.meta_dates import parse_stamp

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

stamps = st.integers(min_value=-(2**66), max_value=2**66) | json_values


def _field(keys: list[str], value=json_values):
    """A dict with some of `keys` (known names, so the parser's paths run)."""
    return st.dictionaries(st.sampled_from(keys), value, max_size=len(keys))


facebook_messages = st.fixed_dictionaries(
    {"sender_name": st.text(max_size=8) | json_values, "timestamp_ms": stamps},
    optional={
        "content": st.text(max_size=30) | json_values,
        "type": st.sampled_from(["Generic", "Call", "Share", "Subscribe"])
        | json_values,
        "is_unsent": json_values,
        "photos": json_values,
        "share": json_values,
        "call_duration": json_values,
    },
)
e2ee_messages = st.fixed_dictionaries(
    {"senderName": json_values, "timestamp": stamps, "text": json_values},
    optional={"isUnsent": json_values, "media": json_values, "type": json_values},
)
telegram_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "service"]) | json_values},
    optional={
        "from": json_values,
        "text": json_values | st.lists(st.text(max_size=5) | json_values),
        "date": st.text(max_size=25) | json_values,
        "date_unixtime": st.integers().map(str) | json_values,
        "photo": json_values,
        "forwarded_from": json_values,
        "media_type": json_values,
    },
)
whatsapp_lines = st.lists(
    st.sampled_from(
        [
            "14/07/2023, 18:05 - Romeo: ",
            "7/14/23, 6:05\u202fPM - Juliet: ",
            "[31/02/2023, 25:61:00] Nurse: ",
            "[1/2/3, 0:00:00 AM] ",
            "2023-07-14, 18:05 - ",
            "99/99/9999, 99:99 - A: ",
            "\u0661\u0664\u200f/\u0667\u200f/\u0662\u0660\u0662\u0663\u060c "
            "\u0666:\u0660\u0665 \u0645 - \u0631: ",
            "2023. 7. 14. \uc624\ud6c4 6:05 - \ub85c: ",
            "2023/07/14 \u5348\u5f8c13:05 - A: ",
            "14/7/23, 6:05\u202fp.\u00a0m. - Julieta: ",
            "14.07.23, 6:05 nachm. - Julia: ",
            "[14/07/2023 \u00e0 18:05:09] Juliette: ",
            "14/07/23 18.05 - Juliet: ",
            "14/07/23, 6:05 xyz - A: ",
            "\u200e",
            "",
        ]
    ).flatmap(lambda head: st.text(max_size=20).map(lambda tail: head + tail)),
    max_size=8,
).map("\n".join)


def _import(files: dict[str, bytes], format: str | None = None) -> None:
    """Import the files; the only thing allowed to escape is an ExportFormatError."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        target = root / next(iter(files)) if len(files) == 1 else root
        try:
            messages, report = import_export(target, format=format)
        except ExportFormatError:
            return
        assert all(isinstance(message, Message) for message in messages)
        assert report.messages == len(messages)


FB_FILE = "messages/inbox/t_1/message_1.json"


@SETTINGS
@given(st.binary(max_size=300))
def test_facebook_json_bytes(content: bytes) -> None:
    _import({FB_FILE: content, "other.md": b""})


@SETTINGS
@given(json_values | st.fixed_dictionaries({"messages": st.lists(facebook_messages)}))
def test_facebook_json_documents(document: object) -> None:
    _import({FB_FILE: json.dumps(document).encode(), "other.md": b""})


@SETTINGS
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_facebook_html_bytes(content: bytes) -> None:
    _import({"message_1.html": content}, format="facebook-html")


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.text(max_size=12),
            st.text(max_size=20),
            st.sampled_from(
                [
                    "Jul 14, 2019, 6:05 PM",
                    "Sunday, 30 October 2016 at 01:10 UTC+99",
                    "Feb 30, 2019 6:05:23 pm",
                    "Jul 14, 2019 6:05 PM XYZ",
                    "12 May 2020 25:00",
                ]
            ),
        ),
        max_size=5,
    )
)
def test_facebook_html_message_shaped_pages(blocks: list[tuple[str, str, str]]) -> None:
    body = "".join(
        f"<div><div>{who}</div><div>{text}</div><div>{when}</div></div>"
        for who, text, when in blocks
    )
    page = {"message_1.html": f"<html><body>{body}</body></html>".encode()}
    _import(page, "facebook-html")
    _import(page, "instagram-html")
    _import(page)


@SETTINGS
@given(
    st.binary(max_size=300).map(lambda b: {"x.json": b})
    | json_values.map(lambda v: {"x.json": json.dumps(v).encode()})
    | st.lists(e2ee_messages).map(
        lambda messages: {
            "x.json": json.dumps({"threadName": "t", "messages": messages}).encode()
        }
    )
)
def test_messenger_e2ee(files: dict[str, bytes]) -> None:
    _import(files, format="messenger-e2ee")


@SETTINGS
@given(
    st.binary(max_size=300).map(lambda b: {"result.json": b})
    | json_values.map(lambda v: {"result.json": json.dumps(v).encode()})
    | st.lists(telegram_messages).map(
        lambda messages: {
            "result.json": json.dumps(
                {"chats": {"list": [{"id": 1, "name": "c", "messages": messages}]}}
            ).encode()
        }
    )
)
def test_telegram(files: dict[str, bytes]) -> None:
    _import(files)


@SETTINGS
@given(st.binary(max_size=300) | whatsapp_lines.map(str.encode))
def test_whatsapp(content: bytes) -> None:
    _import({"chat.txt": content}, format="whatsapp")
    _import({"WhatsApp Chat with X.txt": content})


discord_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["Default", "Reply", "Call", "GuildMemberJoin"])},
    optional={
        "timestamp": st.sampled_from(
            ["2024-02-14T09:01:00.123+00:00", "2024-02-14T09:01:00", "0001-01-01T00:00"]
        )
        | json_values,
        "content": json_values,
        "author": st.fixed_dictionaries({}, optional={"name": json_values})
        | json_values,
        "attachments": json_values,
        "stickers": json_values,
    },
)


@SETTINGS
@given(
    st.lists(discord_messages).map(
        lambda messages: {
            "c.json": json.dumps(
                {"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": messages}
            ).encode()
        }
    )
    | json_values.map(lambda v: {"c.json": json.dumps(v).encode()})
)
def test_discord(files: dict[str, bytes]) -> None:
    _import(files)
    _import(files, format="discord")


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["a.json", "b/c.txt", "d.html", "messages/inbox/t/e.json"]),
        st.binary(max_size=200)
        | json_values.map(lambda v: json.dumps(v).encode())
        | whatsapp_lines.map(str.encode),
        min_size=1,
    )
)
def test_detection_on_any_folder(files: dict[str, bytes]) -> None:
    _import(files)


@SETTINGS
@given(st.text(max_size=90))
def test_meta_date_lines(line: str) -> None:
    found = parse_stamp(line)
    assert found is None or found[0].year >= 1000


@SETTINGS
@given(st.binary(max_size=400))
def test_zip_like_bytes(content: bytes) -> None:
    _import({"export.zip": b"PK\x03\x04" + content})
    _import({"export.zip": content + b"PK\x05\x06" + bytes(18)})
