"""The committed demo export: Romeo's Messenger inbox, built from the play."""

from __future__ import annotations

import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from scraper_builders import REPO, SAMPLE_EXPORT

from corpus import guess_persona
from scraper import import_export

SOURCE = REPO.parent / "shared" / "data" / "tinyshakespeare.txt"


@pytest.fixture(scope="module")
def sample():
    return import_export(SAMPLE_EXPORT)


def test_sample_imports_every_thread_and_message(sample) -> None:
    messages, report = sample
    assert report.format == "facebook-json"
    assert report.messages == len(messages) == 1150
    assert len(report.per_thread) == 17
    assert report.files == 26
    assert sum(report.per_sender.values()) == len(messages)
    assert report.per_sender.most_common(1)[0] == ("Romeo", 227)
    assert {"Juliet", "Mercutio", "Friar Laurence", "Benvolio"} <= set(
        report.per_sender
    )


def test_sample_counts_what_it_skips_by_reason(sample) -> None:
    _, report = sample
    assert report.skipped == {"system": 18, "media-only": 3, "unsent": 2, "call": 1}
    assert report.attachments == {"photo": 2, "sticker": 1, "share": 1}


def test_romeo_writes_in_the_most_threads_so_he_is_the_guessed_persona(
    sample,
) -> None:
    messages, _ = sample
    threads: dict[str, set[str]] = {}
    for message in messages:
        threads.setdefault(message.sender, set()).add(message.thread_id)
    most = max(len(ids) for sender, ids in threads.items() if sender != "Romeo")
    assert len(threads["Romeo"]) > most
    assert guess_persona(messages) == "Romeo"


def test_sample_threads_are_in_time_order(sample) -> None:
    messages, _ = sample
    for before, after in pairwise(messages):
        if before.thread_id == after.thread_id:
            assert before.sent_at <= after.sent_at


def test_sample_mojibake_is_repaired(sample) -> None:
    messages, _ = sample
    texts = {message.text for message in messages}
    assert "The feast at Capulet\u2019s \u2014 caf\u00e9 after?" in texts
    assert any(text.endswith("sweet sorrow, That I shall say good night till it be "
                             "morrow. \U0001f339") for text in texts)  # fmt: skip
    assert not any("\u00c3" in text or "\u00f0" in text for text in texts)


def test_sample_has_a_bom_file_and_it_is_read(sample) -> None:
    _, report = sample
    with_bom = [
        path
        for path in SAMPLE_EXPORT.rglob("message_*.json")
        if path.read_bytes().startswith(b"\xef\xbb\xbf")
    ]
    assert with_bom
    assert all(report.per_thread[path.parent.name] > 0 for path in with_bom)


@pytest.mark.skipif(not SOURCE.exists(), reason="tinyshakespeare.txt is not here")
def test_sample_is_what_the_script_writes(tmp_path: Path) -> None:
    script = REPO / "scripts" / "make_sample_export.py"
    subprocess.run([sys.executable, script, SOURCE, tmp_path], check=True)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    committed = sorted(
        p.relative_to(SAMPLE_EXPORT) for p in SAMPLE_EXPORT.rglob("*.json")
    )
    assert written == committed
    for name in written:
        assert (tmp_path / name).read_bytes() == (SAMPLE_EXPORT / name).read_bytes()
