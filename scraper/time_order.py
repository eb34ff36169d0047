"""One thread's messages put in time order, in memory or, for a long thread, on disk.

Exports write a thread newest first, split over files, so a reader cannot hand
messages on as it reads them. It hands them here in runs: lists whose order
among messages of the same time is given by sequence numbers (`first`,
`first + step`, …). Up to a size they are sorted in memory; past it, what is
held is sorted into a temporary file, and the files are merged at the end (and
along the way, so there are never many). Either way the order is (time,
sequence), so a long thread reads exactly as a short one.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from operator import attrgetter, itemgetter
from typing import IO, Any

from corpus.message import Message

_SENT_AT = attrgetter("sent_at")
_TIME_SEQUENCE = itemgetter(0, 1)
_TEXT = attrgetter("text")
_COST = 200  # what a Message costs besides its text, roughly, in bytes
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
BATCH = 10_000  # messages handed on at once from disk
_LINE = 1_000  # records in one line of a spilled file, at most
_LINE_TEXT = 128 * 1024  # characters of text in one line, at most
_FAN_IN = 8  # spilled files of a size merged into one


class TimeOrder:
    """Runs of messages in, messages in (time, sequence) order out.

    The sequence numbers of two runs never interleave: each run covers a range
    of its own, as the messages of one file or one batch of it do.
    """

    def __init__(self, in_memory: int) -> None:
        self._in_memory = in_memory  # bytes, roughly
        self._runs: list[tuple[int, int, list[Message]]] = []  # (first, step, …)
        self._held = 0
        self._spilled: list[tuple[int, IO[str]]] = []  # (level, file)

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
        try:
            held = self._keyed()  # the last of it merged from memory
            self._runs, self._held = [], 0
            files = (_entries(_records(file)) for _, file in self._spilled)
            batch: list[Message] = []
            for _, _, message in heapq.merge(held, *files):
                batch.append(message)
                if len(batch) == BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch
        finally:
            for _, file in self._spilled:
                file.close()
            self._spilled = []

    def _sorted(self) -> list[Message]:
        """What is held, by time; stable over runs in sequence order."""
        ordered: list[Message] = []
        for _, step, messages in sorted(self._runs, key=_lowest):
            ordered.extend(messages if step > 0 else reversed(messages))
        ordered.sort(key=_SENT_AT)
        return ordered

    def _keyed(self) -> list[tuple[datetime, int, Message]]:
        """What is held as (time, sequence, message), in that order."""
        keyed = [
            (message.sent_at, first + step * index, message)
            for first, step, messages in self._runs
            for index, message in enumerate(messages)
        ]
        keyed.sort(key=_TIME_SEQUENCE)
        return keyed

    def _spill(self) -> None:
        """Write what is held to a sorted file; merge files of a size, _FAN_IN at once.

        Merging like files keeps their number (and what a merge holds of each)
        to a few per power of _FAN_IN, however long the thread.
        """
        records = (
            [(sent_at - _EPOCH) // _MICROSECOND, sequence, m.thread_id, m.sender,
             m.text]
            for sent_at, sequence, m in self._keyed()
        )  # fmt: skip
        self._spilled.append((0, _write(records)))
        self._runs, self._held = [], 0
        while len(self._spilled) >= _FAN_IN:
            group = self._spilled[-_FAN_IN:]
            level = group[0][0]
            if any(other != level for other, _ in group):
                break
            del self._spilled[-_FAN_IN:]
            merged = _write(heapq.merge(*(_records(file) for _, file in group)))
            for _, file in group:
                file.close()
            self._spilled.append((level + 1, merged))


def _lowest(run: tuple[int, int, list[Message]]) -> int:
    first, step, messages = run
    return min(first, first + step * (len(messages) - 1))


def _write(records: Iterator[list[Any]]) -> IO[str]:
    """A temporary file of records (time in µs, sequence, thread, sender, text).

    JSON lines of at most _LINE records or _LINE_TEXT characters of text: what
    reading it holds at once.
    """
    file = tempfile.TemporaryFile("w+", encoding="utf-8")
    line: list[list[Any]] = []
    text = 0
    for record in records:
        line.append(record)
        text += len(record[4])
        if len(line) == _LINE or text > _LINE_TEXT:
            file.write(json.dumps(line) + "\n")
            line, text = [], 0
    if line:
        file.write(json.dumps(line) + "\n")
    file.seek(0)
    return file


def _records(file: IO[str]) -> Iterator[list[Any]]:
    """The records of one spilled file, in its order (so sorted as lists)."""
    for line in file:
        yield from json.loads(line)


def _entries(records: Iterator[list[Any]]) -> Iterator[tuple[datetime, int, Message]]:
    """Records as (time, sequence, message), to be merged with what is in memory."""
    for micro, sequence, thread_id, sender, text in records:
        sent_at = _EPOCH + micro * _MICROSECOND
        yield sent_at, sequence, Message(thread_id, sender, sent_at, text)
