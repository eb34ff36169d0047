"""What a reader holds at once: one message, never a file or a thread.

A thread longer than the messages sorted in memory is sorted on disk and reads
the same; a message longer than the limit is refused with the file and line, or
skipped and counted, never held.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scraper_builders import EXPORTS, fb_message, write_fb_thread

from corpus import Message
from scraper import ArchiveLimits, MalformedExportError, import_export
from scraper.time_order import TimeOrder

T0 = 1_700_000_000_000
ON_DISK = ArchiveLimits(sort_in_memory=1)  # every thread goes to disk


def _tied_thread(root: Path) -> Path:
    """Three files of one thread, many messages sharing a millisecond."""
    for number in (1, 2, 3):
        records = [
            fb_message("AB"[n % 2], T0 + (4 - number) * 1000 + n // 3, f"{number}.{n}")
            for n in range(12)
        ]
        write_fb_thread(root, "tied_1", records, number=number)
    write_fb_thread(root, "short_2", [fb_message("A", T0, "one")])
    return root


def _old_page(root: Path, threads: dict[str, list[int]]) -> Path:
    """Before 2018: one page of threads, each a list of minutes past 6pm."""

    def thread(people: str, minutes: list[int]) -> str:
        blocks = "".join(
            f'<div class="message"><div class="message_header"><span class="user">'
            f"{'AB'[n % 2]}</span><span class=\"meta\">Saturday, July 16, 2016 at "
            f'6:{minute:02d}pm UTC+01</span></div></div><p>{people} {n}</p>'
            for n, minute in enumerate(minutes)
        )
        return f'<div class="thread">{people}{blocks}</div>'

    page = root / "html" / "messages.htm"
    page.parent.mkdir(parents=True)
    body = "".join(thread(people, minutes) for people, minutes in threads.items())
    page.write_text(f"<html><body><div>{body}</div></body></html>")
    return root


def _old_page_with_ties(root: Path) -> Path:
    """Two threads newest first, several messages a minute."""
    return _old_page(
        root, {"A, B": [9, 9, 9, 8, 8, 7, 7, 7, 7, 6], "A, C": [5, 5, 4, 4, 4, 3]}
    )


@pytest.mark.parametrize(
    "export",
    [
        lambda tmp: _tied_thread(tmp / "export"),
        lambda tmp: _old_page_with_ties(tmp / "export"),
        lambda tmp: EXPORTS / "facebook_json",
        lambda tmp: EXPORTS / "facebook_html_2017",
        lambda tmp: EXPORTS / "facebook_html_2022",
        lambda tmp: EXPORTS / "instagram_json",
        lambda tmp: EXPORTS / "instagram_html",
        lambda tmp: EXPORTS / "messenger_e2ee",
    ],
    ids=[
        "json-ties",
        "html-2017-ties",
        "facebook_json",
        "facebook_html_2017",
        "facebook_html_2022",
        "instagram_json",
        "instagram_html",
        "messenger_e2ee",
    ],
)
def test_long_thread_sorted_on_disk_reads_as_in_memory(tmp_path: Path, export) -> None:
    path = export(tmp_path)
    in_memory, report = import_export(path)
    on_disk, disk_report = import_export(path, limits=ON_DISK)
    assert on_disk == in_memory
    assert disk_report == report
    assert len(in_memory) > 1


def test_ties_keep_the_order_facebook_meant(tmp_path: Path) -> None:
    messages, _ = import_export(_tied_thread(tmp_path / "export"))
    tied = [m.text for m in messages if m.thread_id == "tied_1"]
    # Oldest file first; each file is newest first, so equal times read backwards.
    assert tied[:6] == ["3.2", "3.1", "3.0", "3.5", "3.4", "3.3"]
    html, _ = import_export(_old_page_with_ties(tmp_path / "old"))
    assert [m.text for m in html] == [
        *("A, C 5", "A, C 4", "A, C 3", "A, C 2", "A, C 1", "A, C 0"),
        *("A, B 9", "A, B 8", "A, B 7", "A, B 6", "A, B 5", "A, B 4", "A, B 3"),
        *("A, B 2", "A, B 1", "A, B 0"),
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 4), max_size=40), st.sampled_from([1, -1])),
        max_size=40,
    )
)
def test_time_order_on_disk_is_time_then_sequence(
    runs: list[tuple[list[int], int]],
) -> None:
    in_memory, on_disk = TimeOrder(10**9), TimeOrder(1)
    expected = []
    for number, (minutes, step) in enumerate(runs):
        first = number * 100 + (0 if step > 0 else 99)
        messages = [
            Message("t", "A", datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=m),
                    f"{number}.{n}")
            for n, m in enumerate(minutes)
        ]  # fmt: skip
        expected += [(m.sent_at, first + step * n, m) for n, m in enumerate(messages)]
        in_memory.add(messages, first, step)
        on_disk.add(messages, first, step)
    order = [m for _, _, m in sorted(expected, key=lambda e: (e[0], e[1]))]
    assert [m for batch in in_memory.batches() for m in batch] == order
    assert [m for batch in on_disk.batches() for m in batch] == order


def test_a_threads_direction_waits_for_its_first_change_of_time(
    tmp_path: Path,
) -> None:
    # "A, B" fills a batch of 10,000 as "A, C" begins with two messages of one
    # minute; its third shows it is written newest first.
    long = [59 - n * 50 // 9_999 for n in range(9_999)]
    messages, _ = import_export(
        _old_page(tmp_path / "export", {"A, B": long, "A, C": [5, 5, 4]})
    )
    assert [m.text for m in messages[:3]] == ["A, C 2", "A, C 1", "A, C 0"]


LIMITED = ArchiveLimits(max_message_size=1000)
LONG = "x" * 5000


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "messages/inbox/t_1/message_1.json",
            json.dumps({"messages": [fb_message("A", T0, LONG)]}),
            "a value longer than the limit of 1000 characters",
        ),
        (
            "juliet.json",
            json.dumps(
                {"threadName": "J",
                 "messages": [{"senderName": "A", "timestamp": T0, "text": LONG}]}
            ),
            "a value longer than the limit of 1000 characters",
        ),
        (
            "result.json",
            json.dumps({"name": "J", "type": "personal_chat", "id": 1,
                        "messages": [{"type": "message", "from": "A", "text": LONG,
                                      "date_unixtime": "1700000000"}]}),
            "a value longer than the limit of 1000 bytes",
        ),  # fmt: skip
        (
            "channel.json",
            json.dumps({"guild": {}, "channel": {"id": "1"},
                        "messages": [{"author": {"name": "A"}, "content": LONG,
                                      "timestamp": "2024-02-14T09:01:00+00:00"}]}),
            "a value longer than the limit of 1000 bytes",
        ),  # fmt: skip
        (
            "chat.txt",
            f"14/07/2023, 18:05 - Romeo: {LONG}\n",
            ":1: a line longer than the limit of 1000 characters",
        ),
        (
            "chat.txt",
            "14/07/2023, 18:05 - Romeo: hi\n" + "more words\n" * 200,
            ":92: a message longer than the limit of 1000 characters",
        ),
    ],
    ids=["facebook", "e2ee", "telegram", "discord", "whatsapp-line", "whatsapp"],
)
def test_message_longer_than_the_limit_is_refused_naming_the_file(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = _write(tmp_path / "export" / name, content)
    with pytest.raises(MalformedExportError) as caught:
        import_export(tmp_path / "export", limits=LIMITED)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)
    import_export(tmp_path / "export")  # the default limit reads it


def test_html_message_longer_than_the_limit_is_skipped_and_counted(
    tmp_path: Path,
) -> None:
    block = (
        "<div><div>{who}</div><div><div>{text}</div></div>"
        "<div>Jul 14, 2019, 6:0{n} PM</div></div>"
    )
    page = "".join(
        block.format(who=who, text=text, n=n)
        for n, (who, text) in enumerate([("A", "hi"), ("B", LONG), ("A", "bye")])
    )
    _write(tmp_path / "messages/inbox/t_1/message_1.html", f"<html>{page}</html>")
    messages, report = import_export(tmp_path, limits=LIMITED)
    assert [m.text for m in messages] == ["hi", "bye"]
    assert report.skipped == {"too long": 1}
