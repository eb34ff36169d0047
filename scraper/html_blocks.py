"""Finding the message blocks of a Facebook or Instagram HTML page as it streams by.

Facebook's class names change with every release, so a message is found by
shape: an element whose first child is a short name and whose last child is a
date (in any language `scraper.meta_dates` reads), its text in the children
between. Before 2018 the header sits alone in `div.message` and the text follows
in `<p>` siblings inside `div.thread`, so such a block waits for the elements
after it. Blocks come out in the order their headers close, one window of the
page at a time (`scraper.html_stream`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from scraper.html_stream import Element
from scraper.text import fix_mojibake

_MEDIA_TAGS = frozenset({"img", "video", "audio"})
_REACTIONS = frozenset({"ul"})  # Facebook lists reactions inside a message's text


@dataclass(slots=True)
class Block:
    """One message block: its thread, time, sender, text parts and media count."""

    thread: str
    sent_at: datetime
    sender: str
    parts: list[str] = field(default_factory=list)
    media: int = 0
    too_long: bool = False
    size: int = 0
    # Before 2018: the `div.message` whose following `<p>`s in `thread_element`
    # are the text; None once the text is whole.
    waiting: Element | None = None
    thread_element: Element | None = None

    @property
    def text(self) -> str:
        """The message's text, paragraphs on their own lines."""
        return "\n".join(part for part in self.parts if part).strip()

    def take(self, content: Element, limit: int) -> None:
        """Add one content element's text (without reactions) and media."""
        text = fix_mojibake("\n".join(_stripped(content.strings(_REACTIONS))))
        self.parts.append(text)
        self.media += sum(
            tag.tag in _MEDIA_TAGS for tag in content.descendants(_REACTIONS)
        )
        self.size += len(text)
        self.too_long = (
            self.too_long or content.cut or content.clipped or self.size > limit
        )


class BlockFinder:
    """Closed elements in, complete message blocks out, in the page's order."""

    def __init__(
        self, name: str, stamp: Callable[[str], datetime | None], limit: int
    ) -> None:
        self._name = name
        self._stamp = stamp
        self._limit = limit
        self._queue: deque[Block] = deque()

    def blocks(self, elements: Iterable[Element]) -> Iterator[Block]:
        """Every block among a page's closed elements, in the page's order."""
        for element in elements:
            yield from self._closed(element)
        yield from self._end()

    def _closed(self, element: Element) -> Iterator[Block]:
        """The blocks complete once `element` has closed."""
        for block in self._queue:
            if block.waiting is not None:
                self._follow(block, element)
        found = self._block(element)
        if found is not None:
            self._queue.append(found)
        while self._queue and self._queue[0].waiting is None:
            yield self._queue.popleft()

    def _end(self) -> Iterator[Block]:
        """The blocks still waiting when the page ends."""
        for block in self._queue:
            block.waiting = None
        yield from self._queue
        self._queue.clear()

    def _follow(self, block: Block, element: Element) -> None:
        """A `<p>` after the block's `div.message` is its text; another tag ends it."""
        if element is block.thread_element:
            block.waiting = None
        elif element.parent is block.thread_element and element is not block.waiting:
            if element.tag == "p":
                block.take(element, self._limit)
            else:
                block.waiting = None

    def _block(self, element: Element) -> Block | None:
        """The block `element` is, if it is shaped as one."""
        if element.clipped:
            return None
        children = element.elements()
        if len(children) < 2:
            return None
        # The date is one piece of text; a whole message block ending in a
        # date (the last child of a thread's container) is not.
        texts = _stripped(children[-1].strings())
        last = next(texts, "")
        if next(texts, None) is not None:
            return None
        if len(last) > 80 or not any(ch.isdigit() for ch in last):
            return None
        sent_at = self._stamp(last)
        sender = fix_mojibake(" ".join(_stripped(children[0].strings())))
        if sent_at is None or not sender or len(sender) > 100:
            return None
        content = children[1:-1]
        container = element.parent
        thread = container.parent if container is not None else None
        if content or thread is None:
            block = Block(
                _thread_name(container if content else None, self._name),
                sent_at,
                sender,
            )
            for tag in content:
                block.take(tag, self._limit)
            return block
        # Before 2018: the text follows in <p> siblings of div.message, and
        # div.thread holds the messages.
        return Block(
            _thread_name(thread, self._name),
            sent_at,
            sender,
            waiting=container,
            thread_element=thread,
        )


def _stripped(strings: Iterator[str]) -> Iterator[str]:
    """Each piece of text stripped, the blank ones left out."""
    for text in strings:
        text = text.strip()
        if text:
            yield text


def _thread_name(container: Element | None, name: str) -> str:
    """Old exports: the participants line that opens div.thread; else the file."""
    if container is not None:
        for child in container.children:
            if isinstance(child, str) and child.strip():
                words = re.sub(r"\W+", "-", child.strip().lower()).strip("-")
                return "html-" + words[:80]
            if isinstance(child, Element):
                break
    return "html-" + PurePosixPath(name).stem
