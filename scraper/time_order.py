"""One thread's messages put in time order, in memory or, for a long thread, on disk.

Exports write a thread newest first, split over files, so a reader cannot hand
messages on as it reads them. It hands them here in runs: lists whose order
among messages of the same time is given by sequence numbers (`first`,
`first + step`, …). Up to a size they are sorted in memory; past it, what is
held is sorted into a temporary file and the files are merged at the end. Either
way the order is (time, sequence), so a long thread reads exactly as a short one.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import IO

from corpus.message import Message

_SENT_AT = attrgetter("sent_at")
_TEXT = attrgetter("text")
_COST = 200  # what a Message costs besides its text, roughly, in bytes
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
BATCH = 10_000  # messages handed on at once from disk


class TimeOrder:
    """Runs of messages in, messages in (time, sequence) order out.

    The sequence numbers of two runs never interleave: each run covers a range
    of its own, as the messages of one file or one batch of it do.
    """

    def __init__(self, in_memory: int) -> None:
        self._in_memory = in_memory  # bytes, roughly
        self._runs: list[tuple[int, int, list[Message]]] = []  # (first, step, …)
        self._held = 0
        self._spilled: list[IO[str]] = []

    def add(self, messages: list[Message], first: int, step: int = 1) -> None:
        """Take a run; past the limit, everything held goes to a sorted file."""
        if messages:
            self._runs.append((first, step, messages))
            self._held += _COST * len(messages) + sum(map(len, map(_TEXT, messages)))
            if self._held > self._in_memory:
                self._spill()

    def batches(self) -> Iterator[list[Message]]:
        """Every message taken, in order, a list at a time; then it is empty."""
        if not self._spilled:
            if self._runs:
                yield self._sorted()
            self._runs, self._held = [], 0
            return
        self._spill()
        try:
            merged = heapq.merge(*map(_records, self._spilled))
            batch: list[Message] = []
            for _, _, message in merged:
                batch.append(message)
                if len(batch) == BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch
        finally:
            for file in self._spilled:
                file.close()
            self._spilled = []

    def _sorted(self) -> list[Message]:
        """What is held, by time; stable over runs in sequence order."""
        ordered: list[Message] = []
        for _, step, messages in sorted(self._runs, key=_lowest):
            ordered.extend(messages if step > 0 else reversed(messages))
        ordered.sort(key=_SENT_AT)
        return ordered

    def _spill(self) -> None:
        """Write what is held, sorted, to a temporary file of JSON lines."""
        if not self._runs:
            return
        keyed = [
            (message.sent_at, first + step * index, message)
            for first, step, messages in self._runs
            for index, message in enumerate(messages)
        ]
        keyed.sort(key=_key)
        file = tempfile.TemporaryFile("w+", encoding="utf-8")
        for sent_at, sequence, m in keyed:
            micro = (sent_at - _EPOCH) // _MICROSECOND
            file.write(json.dumps([micro, sequence, m.thread_id, m.sender, m.text]))
            file.write("\n")
        file.seek(0)
        self._spilled.append(file)
        self._runs, self._held = [], 0


def _key(entry: tuple[datetime, int, Message]) -> tuple[datetime, int]:
    return entry[0], entry[1]


def _lowest(run: tuple[int, int, list[Message]]) -> int:
    first, step, messages = run
    return min(first, first + step * (len(messages) - 1))


def _records(file: IO[str]) -> Iterator[tuple[datetime, int, Message]]:
    """The (time, sequence, message) entries of one spilled file, in its order."""
    for line in file:
        micro, sequence, thread_id, sender, text = json.loads(line)
        sent_at = _EPOCH + micro * _MICROSECOND
        yield sent_at, sequence, Message(thread_id, sender, sent_at, text)
