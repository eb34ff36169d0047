"""Large exports written straight to disk, a few messages at a time.

Each writes about `size` bytes of one format and returns the path to import.
Nothing large is ever built in memory: the tests that use them measure the
import's memory, and the generator runs in the same process tree.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

T0 = 1_700_000_000_000  # ms
WORDS = "but soft what light through yonder window breaks it is the east".split()
PEOPLE = ("Romeo Montague", "Juliet Capulet")


def _text(n: int) -> str:
    return " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(2 + n % 9))


def _write_list(
    out: IO[str], head: str, items: Iterator[str], tail: str, size: int
) -> int:
    """`head`, items joined by commas until `size` characters, `tail`; the count."""
    out.write(head)
    written, count = len(head), 0
    for item in items:
        out.write(item if count == 0 else ",\n" + item)
        written += len(item) + 2
        count += 1
        if written >= size:
            break
    out.write(tail)
    return count


def _facebook_messages(start: int, laugh: int = 0) -> Iterator[str]:
    """Facebook's message records, newest first, as its download writes them."""
    for n in range(10**9):
        content = "ha" * laugh if laugh else _text(n)
        yield (
            f'    {{\n      "sender_name": "{PEOPLE[n % 2]}",\n      "timestamp_ms": '
            f'{start - n * 61_000},\n      "content": "{content}",\n'
            '      "is_geoblocked_for_viewer": false\n    }'
        )


def _facebook_file(
    out: IO[str], thread: str, size: int, start: int, laugh: int = 0
) -> int:
    head = '{\n  "participants": [{"name": "Romeo"}, {"name": "Juliet"}],\n'
    head += '  "messages": [\n'
    tail = f'\n  ],\n  "title": "Juliet",\n  "thread_path": "inbox/{thread}"\n}}\n'
    return _write_list(out, head, _facebook_messages(start, laugh), tail, size)


def crafted_zip(path: Path, size: int = 150 * 1024**2) -> Path:
    """A ~1.1 MiB zip holding one thread file of `size` bytes of plausible JSON."""
    member = "messages/inbox/juliet_1/message_1.json"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with io.TextIOWrapper(archive.open(member, "w"), encoding="utf-8") as out:
            _facebook_file(out, "juliet_1", size, T0, laugh=450)
    return path


def facebook_download(root: Path, size: int) -> Path:
    """A Facebook JSON download: threads of 10,000-message files, one long thread."""
    written, thread = 0, 0
    while written < size:
        files = 40 if thread == 0 else 1 + thread % 4  # the first: 400,000 messages
        folder = root / "messages" / "inbox" / f"friend_{thread}"
        folder.mkdir(parents=True)
        for number in range(1, files + 1):
            path = folder / f"message_{number}.json"
            start = T0 - thread * 10**11 - number * 10**10
            with open(path, "w", encoding="utf-8") as out:
                _facebook_file(out, folder.name, 2_300_000, start)
            written += path.stat().st_size
        thread += 1
    return root


def html_page(root: Path, size: int) -> Path:
    """One 2018-style thread page of `size` bytes."""
    path = root / "messages" / "inbox" / "juliet_1" / "message_1.html"
    path.parent.mkdir(parents=True)
    block = (
        '<div class="pam _3-95 _2pi0 _2lej uiBoxWhite noborder"><div class="_3-96 '
        '_2pio _2lek _2lel">{who}</div><div class="_3-96 _2let"><div><div></div>'
        "<div>{text}</div><div></div><div></div></div></div><div "
        'class="_3-94 _2lem">Jul {day}, 2019, {hour}:{minute:02d} PM</div></div>'
    )
    blocks = (
        block.format(who=PEOPLE[n % 2], text=_text(n), day=28 - (n // 660) % 27,
                     hour=11 - (n // 60) % 11, minute=59 - n % 60)
        for n in range(10**9)
    )  # fmt: skip
    head = '<html><body><div role="main"><div><div>Participants: R and J</div></div>'
    with open(path, "w", encoding="utf-8") as out:
        _write_list(out, head, blocks, "</div></body></html>", size)
    return root


def old_html_page(root: Path, size: int) -> Path:
    """The single `html/messages.htm` of before 2018: every thread in one page."""
    path = root / "html" / "messages.htm"
    path.parent.mkdir(parents=True)
    message = (
        '<div class="message"><div class="message_header"><span class="user">{who}'
        '</span><span class="meta">Saturday, July {day}, 2016 at {hour}:{minute:02d}'
        "pm UTC+01</span></div></div><p>{text}</p>"
    )
    with open(path, "w", encoding="utf-8") as out:
        out.write("<html><body><div class=\"contents\"><div>")
        written, thread = 0, 0
        while written < size:
            out.write(f'<div class="thread">Romeo Montague, Friend {thread}')
            for n in range(5000):
                text = message.format(who=PEOPLE[n % 2], day=28 - n // 600,
                                      hour=11 - (n // 60) % 10, minute=59 - n % 60,
                                      text=_text(n))  # fmt: skip
                out.write(text)
                written += len(text)
            out.write("</div>")
            thread += 1
        out.write("</div></div></body></html>")
    return root


def _json_export(
    head: str, record: Callable[[int], dict], tail: str
) -> Callable[[Path, int], Path]:
    def write(root: Path, size: int) -> Path:
        root.mkdir(parents=True)
        path = root / "export.json"
        items = (json.dumps(record(n)) for n in range(10**9))
        with open(path, "w", encoding="utf-8") as out:
            _write_list(out, head, items, tail, size)
        return path

    return write


e2ee_chat = _json_export(
    '{"participants": ["Romeo", "Juliet"], "threadName": "Juliet", "messages": [',
    lambda n: {"isUnsent": False, "media": [], "reactions": [], "text": _text(n),
               "senderName": PEOPLE[n % 2], "timestamp": T0 - n * 61_000,
               "type": "text"},  # fmt: skip
    "]}",
)
telegram_account = _json_export(
    '{"about": "x", "chats": {"list": [{"name": "Juliet", "type": "personal_chat", '
    '"id": 7, "messages": [',
    lambda n: {"id": n, "type": "message", "date": "2024-01-01T10:00:00",
               "date_unixtime": str(1_700_000_000 + n * 60), "from": PEOPLE[n % 2],
               "text": _text(n)},  # fmt: skip
    "]}]}}",
)
discord_channel = _json_export(
    '{"guild": {"id": "1", "name": "Verona"}, "channel": {"id": "2"}, "messages": [',
    lambda n: {"id": str(n), "type": "Default", "content": _text(n),
               "timestamp": f"2024-02-14T09:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
               "author": {"id": "3", "name": PEOPLE[n % 2]}},  # fmt: skip
    "]}",
)


def whatsapp_chat(root: Path, size: int) -> Path:
    """An Android WhatsApp chat of `size` bytes."""
    root.mkdir(parents=True)
    path = root / "WhatsApp Chat with Juliet.txt"
    with open(path, "w", encoding="utf-8") as out:
        written, n = 0, 0
        while written < size:
            line = (
                f"{1 + n // 1440 % 28:02d}/07/2023, {n // 60 % 24:02d}:{n % 60:02d} - "
                f"{PEOPLE[n % 2]}: {_text(n)}\n"
            )
            out.write(line)
            written += len(line)
            n += 1
    return path
