"""What each file of an export is, from what it holds rather than what it is called.

Every file's opening (its first 64 KiB) is read once: JSON, HTML or text, and for
JSON the keys of the document and of its first message, which is what tells the
JSON formats apart. Readers decide from that `Opening`. Two things are taken from
places rather than content, because the tools that write them put them there:
well-known binary media are passed over by suffix (a download with thousands of
photos is not opened photo by photo), and inside a Facebook or Instagram download
only the pages where it keeps its threads are messages (its posts, comments and
index pages are laid out exactly like message pages), while a file where it
keeps a thread is that thread's, so a damaged one is named as such.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

import ijson

from scraper.files import ExportFiles

Kind = Literal["json", "html", "text"]
HEAD_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"
_MEDIA_SUFFIXES = frozenset(
    "jpg jpeg png gif webp heic bmp tif tiff ico svg mp4 mov m4v webm mkv avi 3gp "
    "mp3 m4a aac ogg oga opus wav amr flac pdf doc docx xls xlsx ppt pptx vcf "
    "css js woff woff2 ttf otf zip gz tgs".split()
)
# Where a Facebook or Instagram download keeps its threads (since 2018, and the
# single page or numbered pages before); what lies above is the download's root.
_META_THREADS = re.compile(
    r"(?:^|/)(?:messages/(?:inbox|archived_threads|filtered_threads|message_requests"
    r"|e2ee_cutover)/[^/]+/message_\d+\.(?:json|html)|html/messages\.htm"
    r"|messages/\d+\.html)$"
)
_ACTIVITY = re.compile(r"your_(?:facebook|instagram)_activity/$")
_INSTAGRAM = "your_instagram_activity"


@dataclass(frozen=True, slots=True)
class JsonShape:
    """The keys of a JSON document and of the first message it holds."""

    top: frozenset[str]  # of the top-level object
    message: frozenset[str]  # of the first object in any `messages` list
    top_type: str | None = None  # the top-level object's "type", if a string
    message_type: str | None = None  # the first message's "type", if a string


@dataclass(frozen=True, slots=True)
class Opening:
    """What detection knows of one file: its name, kind and first bytes."""

    name: str
    kind: Kind
    head: bytes  # without a byte-order mark
    shape: JsonShape | None  # for JSON only
    instagram: bool  # written by Instagram's download (its paths or label say so)
    meta_thread: bool  # where a Facebook/Instagram download keeps a thread's file
    other_page: bool  # any other file of a Facebook/Instagram download

    def text(self, size: int = HEAD_BYTES) -> str:
        """The opening as text, bad bytes replaced (only to recognise it)."""
        return self.head[:size].decode("utf-8", "replace")


def openings(files: ExportFiles, names: list[str]) -> Iterator[Opening]:
    """The opening of every file that could hold messages, in name order.

    One at a time: a download of thousands of threads is not held in memory.
    """
    roots = _download_roots(names)
    instagram_label = files.label.lower().startswith("instagram")
    for name in names:
        if PurePosixPath(name).suffix.lower().lstrip(".") in _MEDIA_SUFFIXES:
            continue
        head = files.head(name, HEAD_BYTES)
        head = head[len(_BOM) :] if head.startswith(_BOM) else head
        kind = _kind(head)
        if kind is None:
            continue
        meta_thread = _META_THREADS.search(name) is not None
        instagram = instagram_label or _instagram(name, head)
        yield Opening(
            name=name,
            kind=kind,
            head=head,
            shape=json_shape(head) if kind == "json" else None,
            instagram=instagram,
            meta_thread=meta_thread,
            other_page=not meta_thread and any(map(name.startswith, roots)),
        )


def _download_roots(names: list[str]) -> set[str]:
    """The roots of the Facebook/Instagram downloads among the names."""
    roots = set()
    for name in names:
        match = _META_THREADS.search(name)
        if match:
            root = name[: match.start() + (name[match.start()] == "/")]
            roots.add(_ACTIVITY.sub("", root))
    return roots


def _instagram(name: str, head: bytes) -> bool:
    """Instagram's download: its folder names, or its paths inside the file.

    Instagram writes threads exactly as Facebook does; only where they sit
    (`your_instagram_activity/`, a download folder `instagram-USER-DATE-…`)
    tells them apart.
    """
    if _INSTAGRAM in name or _INSTAGRAM.encode() in head:
        return True
    folders = name.split("/")[:-1]
    if "messages" in folders:
        folders = folders[: folders.index("messages")]
    return any(folder.lower().startswith("instagram") for folder in folders)


def _kind(head: bytes) -> Kind | None:
    """JSON, HTML or text from the first bytes; None for binary content."""
    if b"\0" in head[:4096]:
        return None
    start = head.lstrip()[:2]
    if start[:1] == b"{":
        return "json"
    # An iOS WhatsApp chat opens with "[14/07/2023, …": a JSON array opens with a
    # value that is not a number.
    if start[:1] == b"[":
        rest = head.lstrip()[1:].lstrip()[:1]
        return "json" if rest in (b"{", b"[", b'"', b"]") else "text"
    if start[:1] == b"<":
        return "html"
    return "text"


def json_shape(head: bytes) -> JsonShape:
    """The top-level keys and the first message's keys seen in a JSON opening.

    The opening is usually cut mid-document; whatever parsed before the cut (or
    before an error) is the shape.
    """
    top: set[str] = set()
    message: set[str] = set()
    types: dict[str, str] = {}
    where: str | None = None  # the prefix of the first message's keys
    try:
        # Small chunks: the parser stops soon after the first message.
        for prefix, event, value in ijson.parse(io.BytesIO(head), buf_size=4096):
            if event == "string" and prefix.endswith("type"):
                types.setdefault(prefix, value)
            if event == "map_key":
                if prefix == "":
                    top.add(value)
                elif where is None and (
                    prefix == "messages.item" or prefix.endswith(".messages.item")
                ):
                    where = prefix
                if prefix == where:
                    message.add(value)
            elif event == "end_map" and where is not None and prefix == where:
                break
    except (ijson.JSONError, ValueError):
        pass
    return JsonShape(
        frozenset(top),
        frozenset(message),
        types.get("type"),
        types.get(f"{where}.type") if where else None,
    )
