"""A JSON object with a long list in it, read through a window that slides over it.

Facebook's and Instagram's thread files and Messenger's end-to-end-encrypted
chats are `{…, "messages": [{…}, …], …}`, and one file can be hundreds of MB.
The standard library's C scanner decodes all the whole items of a 256 KiB window
at once, and the item the window's end cuts again once the next chunk is read.
So memory holds a window (an item is at most `max_message_size`), never the
file, at `json.loads` speed and with its exact reading of numbers, escapes and
errors. (ijson, which walks Telegram's and Discord's nested files, is a third
slower on these.)
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles

_CHUNK = 256 * 1024  # bytes read at once
_SCAN = json.JSONDecoder().scan_once  # (text, index) -> (value, end)
_SPACE = re.compile(r"[ \t\n\r]*")
_AFTER_ITEM = re.compile(r"[ \t\n\r]*(?:(\])|,[ \t\n\r]*)")
_NUMBER = frozenset("0123456789+-.eE")  # what may go on after a number's start
_DECODE_ERRORS = (json.JSONDecodeError, StopIteration, RecursionError)


class Items:
    """The items of the streamed list, decoded a window at a time as they are read."""

    def __init__(self, document: JsonDocument) -> None:
        self._items = chain.from_iterable(document._runs())

    def __iter__(self) -> Iterator[Any]:
        """Itself: the items are read once, as the file goes by."""
        return self._items

    def __next__(self) -> Any:
        """The next item."""
        return next(self._items)


class JsonDocument:
    """One JSON object; its members come one at a time, the list under `key` lazily.

    Iterating gives (key, value) for each member of the top-level object; the
    list under `key` comes as `Items`, to be read before the next member (what
    is left unread is skipped). Damage is a `MalformedExportError` naming the
    file, the line and `expected`; a document without that list (another shape,
    or not an object) is one saying `shape`.
    """

    def __init__(
        self,
        files: ExportFiles,
        name: str,
        *,
        key: str,
        limit: int,
        expected: str,
        shape: str,
        chunk: int = _CHUNK,
    ) -> None:
        self._files = files
        self._chunk = chunk
        self._name = name
        self._read: Callable[[int], bytes] = _nothing
        self._where = files.where(name)
        self._limit = limit
        self._expected = expected
        self._key = key
        self._shape = shape
        self._seen = False  # the list under `key`
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._text = ""
        self._pos = 0
        self._eof = False
        self._fresh = True  # a window not yet tried at once
        self._lines = 0  # line ends in the bytes read so far

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """(key, value) of each member, read from the file as they are asked for."""
        try:
            with self._files.open(self._name) as stream:
                self._read = stream.read
                yield from self._members()
                if not self._seen:
                    raise MalformedExportError(f"{self._where}: {self._shape}")
        except UnicodeDecodeError:
            raise MalformedExportError(f"{self._where}: not UTF-8 text") from None
        except READ_ERRORS as error:
            raise MalformedExportError(
                f"{self._where}: unreadable ({error})"
            ) from None

    def _members(self) -> Iterator[tuple[str, Any]]:
        if self._peek() != "{":
            self._value()  # only to tell damage from a document of another shape
            self._end()
            return
        self._pos += 1
        if self._peek() == "}":
            self._pos += 1
            self._end()
            return
        while True:
            if self._peek() != '"':
                self._fail("Expecting property name enclosed in double quotes")
            name = self._value()
            if self._peek() != ":":
                self._fail("Expecting ':' delimiter")
            self._pos += 1
            start = self._peek()
            if name == self._key:
                if start != "[":
                    raise MalformedExportError(f"{self._where}: {self._shape}")
                self._pos += 1
                self._seen = True
                items = Items(self)
                yield name, items
                for _ in items:  # whatever the reader left
                    pass
            else:
                yield name, self._value()
            separator = self._peek()
            self._pos += 1
            if separator == "}":
                break
            if separator != ",":
                self._pos -= 1
                self._fail("Expecting ',' delimiter")
            self._peek()
        self._end()

    def _runs(self) -> Iterator[list[Any]]:
        """The items of the list whose '[' was just read, a window's worth at a time.

        The hot loop of a read: the whole items in the window are decoded by one
        call of the C scanner, as fast as `json.loads`; one cut by the window's
        end is read on and decoded again.
        """
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            found = self._at_once() if self._fresh else None
            if found is None:  # the rest of this window, one item at a time
                self._fresh = False
            items, closed = found if found is not None else self._one()
            if items:
                yield items
            if closed:
                return

    def _at_once(self) -> tuple[list[Any], bool] | None:
        """Every whole item in the window and whether the list closed; or None.

        The window is cut after the last '}' followed by ',' or ']': decoded as a
        list, a cut inside a string or a nested object leaves something open and
        fails, so only a cut between items gives exactly that list.
        """
        text, pos = self._text, self._pos
        cut = text.rfind("}", pos)
        for _ in range(2):  # the last '}' may close a nested object: one more
            if cut < 0 or cut + 1 - pos > self._limit:
                return None
            after = _AFTER_ITEM.match(text, cut + 1)
            if after is not None:
                window = "[" + text[pos : cut + 1] + "]"
                try:
                    items, end = _SCAN(window, 0)
                except _DECODE_ERRORS:
                    end = 0
                if end == len(window):
                    self._pos = after.end()
                    return items, after.lastindex == 1
            cut = text.rfind("}", pos, cut)
        return None

    def _one(self) -> tuple[list[Any], bool]:
        """The next item alone and whether the list closed, read on until whole."""
        self._peek()
        while True:
            text, pos = self._text, self._pos
            try:
                item, end = _SCAN(text, pos)
                after = _AFTER_ITEM.match(text, end)
            except _DECODE_ERRORS:
                after = None
            # Unless what follows the item is in the window, the item may be cut
            # short (a number, or the window's end): read on and decode it again.
            if after and after.end() < len(text) and end - pos <= self._limit:
                self._pos = after.end()
                return [item], after.lastindex == 1
            if self._eof:
                self._last_item()
                return [], True
            self._more()

    def _last_item(self) -> None:
        """At the end of the file: the item, then the list's end, or the error."""
        self._value()
        separator = self._peek()
        if separator == ",":
            self._pos += 1
            self._peek()
            self._value()  # nothing follows the comma: the error
        if separator != "]":
            self._fail("Expecting ',' delimiter")
        self._pos += 1

    def _value(self) -> Any:
        """The value at the window's position, reading on until it is whole."""
        while True:
            text, pos = self._text, self._pos
            try:
                value, end = _SCAN(text, pos)
                # A number cut by the window's end ("1." of "1.5") reads as a
                # shorter one: whole only once a character that ends it is read.
                if end - pos > self._limit:
                    self._too_long()
                if self._eof or (end < len(text) and text[end] not in _NUMBER):
                    self._pos = end
                    return value
            except _DECODE_ERRORS as error:
                if self._eof:
                    self._fail_with(error)
            self._more()

    def _peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self._pos = _SPACE.match(self._text, self._pos).end()
            if self._pos < len(self._text) or self._eof:
                return self._text[self._pos : self._pos + 1]
            self._more()

    def _more(self) -> None:
        """Let go of what was read, and read the next chunk into the window."""
        if len(self._text) - self._pos > self._limit:
            self._too_long()
        data = self._read(self._chunk)
        self._lines += data.count(b"\n")  # bytes count faster than text
        self._eof = not data
        self._fresh = True
        self._text = self._text[self._pos :] + self._decoder.decode(data, self._eof)
        self._pos = 0

    def _too_long(self) -> None:
        raise MalformedExportError(
            f"{self._where}: line {self._line(self._pos)}: a value longer than "
            f"the limit of {self._limit} characters, or not valid JSON; expected "
            f"{self._expected}"
        )

    def _end(self) -> None:
        """Nothing but white space may follow the document."""
        if self._peek():
            self._fail("Extra data")

    def _line(self, pos: int) -> int:
        return self._lines - self._text.count("\n", pos) + 1

    def _fail(self, message: str) -> None:
        raise MalformedExportError(
            f"{self._where}: not valid JSON ({message} at line "
            f"{self._line(self._pos)}); expected {self._expected}"
        )

    def _fail_with(self, error: Exception) -> None:
        if isinstance(error, RecursionError):
            raise MalformedExportError(f"{self._where}: JSON nested too deeply")
        if isinstance(error, json.JSONDecodeError):
            self._pos = error.pos
            self._fail(error.msg)
        self._fail("Expecting value")


def _nothing(_size: int) -> bytes:
    return b""
