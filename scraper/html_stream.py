"""An HTML page read a chunk at a time, each element handed on as it closes.

BeautifulSoup builds a whole page's tree, so a 150 MB `messages.htm` would take
gigabytes. This builds the tree BeautifulSoup's "html.parser" builds (void
elements close at once; an end tag closes up to the nearest open element of its
name, and is ignored when there is none) from the standard library's parser, fed
256 KiB at a time, and calls back with each element as it closes. The tree is
kept only within a window: an element holding more than `limit` bytes lets go of
its children and is marked `clipped` (too big to be one message), so the page's
body, which holds every message, never holds them all; and the whole tree never
holds more than a few `limit`s.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

from scraper.errors import MalformedExportError
from scraper.files import READ_ERRORS, ExportFiles

_CHUNK = 256 * 1024
_MAX_DEPTH = 1024  # Facebook's pages nest about 20 deep
_COST = 64  # what an element costs besides its text, roughly, in bytes
_BUDGET = 4  # what the tree may hold, in `limit`s
_OPENING = 4096  # of the text that opens a clipped element, what is kept
# Elements without an end tag, as BeautifulSoup's html.parser builder knows them.
VOID = frozenset(
    "area base basefont bgsound br col command embed frame hr image img input "
    "isindex keygen link menuitem meta nextid param source spacer track wbr".split()
)


class Element:
    """One element: its tag and children (elements and text), while it is kept."""

    __slots__ = ("tag", "parent", "children", "size", "clipped", "cut")

    def __init__(self, tag: str, parent: Element | None) -> None:
        self.tag = tag
        self.parent = parent
        self.children: list[Element | str] = []
        self.size = _COST
        self.clipped = False  # lost children: its shape is not known
        self.cut = False  # lost a text longer than the limit, somewhere inside

    def elements(self) -> list[Element]:
        """The child elements, without the text between them."""
        return [child for child in self.children if isinstance(child, Element)]

    def strings(self, skip: frozenset[str] = frozenset()) -> Iterator[str]:
        """Every piece of text inside, in order, except under elements in `skip`."""
        stack: list[Iterator[Element | str]] = [iter(self.children)]
        while stack:
            for child in stack[-1]:
                if isinstance(child, str):
                    yield child
                elif child.tag not in skip:
                    stack.append(iter(child.children))
                    break
            else:
                stack.pop()

    def descendants(self, skip: frozenset[str] = frozenset()) -> Iterator[Element]:
        """Every element inside, in order, except under (and at) elements in `skip`."""
        stack: list[Iterator[Element | str]] = [iter(self.children)]
        while stack:
            for child in stack[-1]:
                if isinstance(child, Element) and child.tag not in skip:
                    yield child
                    stack.append(iter(child.children))
                    break
            else:
                stack.pop()


class HtmlPage:
    """One page of an export; iterating gives each element as it closes."""

    def __init__(
        self, files: ExportFiles, name: str, limit: int, chunk: int = _CHUNK
    ) -> None:
        self._files = files
        self._chunk = chunk
        self._name = name
        self._limit = limit
        self.had_text = False  # any text but white space, once read

    def __iter__(self) -> Iterator[Element]:
        """Each element as it closes, the page read 256 KiB at a time."""
        where = self._files.where(self._name)
        closed: list[Element] = []
        builder = _Builder(closed.append, self._limit, where)
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            with self._files.open(self._name) as stream:
                while data := stream.read(self._chunk):
                    builder.feed(decoder.decode(data))
                    if len(builder.rawdata) > self._limit:
                        raise MalformedExportError(
                            f"{where}: an HTML tag or comment longer than the "
                            f"limit of {self._limit} characters; expected a "
                            "Messenger thread page"
                        )
                    yield from closed
                    closed.clear()
                builder.feed(decoder.decode(b"", True))
        except UnicodeDecodeError:
            raise MalformedExportError(f"{where}: not UTF-8 text") from None
        except READ_ERRORS as error:
            raise MalformedExportError(f"{where}: unreadable ({error})") from None
        builder.close()
        yield from closed
        self.had_text = builder.had_text


class _Builder(HTMLParser):
    """html.parser's events made into a windowed tree, as BeautifulSoup would."""

    def __init__(
        self, on_close: Callable[[Element], None], limit: int, where: str
    ) -> None:
        super().__init__(convert_charrefs=True)
        self._on_close = on_close
        self._limit = limit
        self._where = where
        self._open = [Element("[document]", None)]
        self._held = _COST  # the size of everything kept: what the open elements hold
        self._text: list[str] = []
        self._text_size = 0
        self._dropping = False  # of a text longer than the limit, until a tag
        self.had_text = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        """Open an element (a void one closes at once)."""
        if tag in VOID:
            self.handle_startendtag(tag, attrs)
            return
        if len(self._open) > _MAX_DEPTH:
            raise MalformedExportError(
                f"{self._where}: HTML nested more than {_MAX_DEPTH} deep; "
                "expected a Messenger thread page"
            )
        parent = self._start()
        element = Element(tag, parent)
        parent.children.append(element)
        self._open.append(element)
        self._held += _COST

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        """`<br>`, `<div/>`: an element that closes as it opens."""
        parent = self._start()
        element = Element(tag, parent)
        parent.children.append(element)
        self._held += _COST
        self._closed(element)

    def handle_endtag(self, tag: str) -> None:
        """Close up to the nearest open element of this name, if there is one."""
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                self._start()
                while len(self._open) > depth:
                    self._closed(self._open.pop())
                return

    def handle_data(self, data: str) -> None:
        """Text, joined with the text next to it; past the limit, dropped whole."""
        if not self.had_text and not data.isspace():
            self.had_text = True
        if self._dropping:
            return
        self._text.append(data)
        self._text_size += len(data)
        if self._text_size > self._limit:
            self._text, self._text_size = [], 0
            self._dropping = self._open[-1].cut = True

    def handle_comment(self, data: str) -> None:
        """Comments split text, and are not text."""
        self._start()

    handle_decl = handle_pi = unknown_decl = handle_comment

    def close(self) -> None:
        """The end of the page closes whatever is still open."""
        super().close()
        self._start()
        while len(self._open) > 1:
            self._closed(self._open.pop())

    def _start(self) -> Element:
        """Put the text read so far into the open element; that element."""
        parent = self._open[-1]
        self._dropping = False
        if self._text:
            text = "".join(self._text)
            self._text, self._text_size = [], 0
            parent.children.append(text)
            parent.size += len(text)
            self._grown(parent, len(text))
        return parent

    def _closed(self, element: Element) -> None:
        """Hand on a closed element; its parent keeps it within the window."""
        self._on_close(element)
        parent = element.parent
        if parent is not None:
            parent.size += element.size
            parent.clipped = parent.clipped or element.clipped
            parent.cut = parent.cut or element.cut
            self._grown(parent, 0)

    def _grown(self, element: Element, added: int) -> None:
        """Clip an open element past the limit; past the budget, clip the outermost.

        An element larger than one message cannot be one; the outermost (the
        page, its body) are the least likely to be, and hold the most.
        """
        self._held += added
        if element.size > self._limit:
            self._held -= _clip(element, None)
        if self._held > _BUDGET * self._limit:
            for depth, outer in enumerate(self._open):
                inner = self._open[depth + 1] if depth + 1 < len(self._open) else None
                self._held -= _clip(outer, inner)
                if self._held <= self._limit:
                    break


def _clip(element: Element, open_child: Element | None) -> int:
    """Keep only the text that opens the element and its open child; the bytes let go.

    That text names an old page's thread; a clipped element is never a message.
    """
    kept: list[Element | str] = []
    for child in element.children:
        if isinstance(child, Element):
            break
        if child.strip():
            kept.append(child[:_OPENING])
            break
    if open_child is not None:
        kept.append(open_child)
    before = element.size
    element.children = kept
    element.size = _COST + sum(
        len(child) for child in kept if isinstance(child, str)
    )
    element.clipped = True
    return before - element.size
