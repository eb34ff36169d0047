"""The streaming parsers read what the whole-file parsers read, cut anywhere."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values

from scraper import MalformedExportError
from scraper.files import FolderFiles
from scraper.html_stream import Element, HtmlPage
from scraper.json_document import Items, JsonDocument

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
documents = st.dictionaries(
    st.sampled_from(["participants", "title", "thread_path", "x"]), json_values
).flatmap(
    lambda members: st.lists(json_values, max_size=6).map(
        lambda items: {**members, "messages": items}
    )
)


def _members(content: bytes, chunk: int, limit: int = 4096) -> dict[str, Any]:
    """What a JsonDocument reads from `content`, lists under 'messages' made lists."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.json"
        path.write_bytes(content)
        files = FolderFiles(path.parent, only=path.name)
        found = {}
        document = JsonDocument(
            files, path.name, key="messages", limit=limit, expected="x",
            shape="no list", chunk=chunk,
        )  # fmt: skip
        for key, value in document:
            found[key] = list(value) if isinstance(value, Items) else value
        return found


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@SETTINGS
@given(documents, st.integers(1, 40), st.booleans(), st.booleans())
def test_json_document_reads_what_json_loads_reads(
    document: dict[str, Any], chunk: int, pretty: bool, bom: bool
) -> None:
    text = json.dumps(document, indent=2 if pretty else None, ensure_ascii=pretty)
    content = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    assert _same(_members(content, chunk), json.loads(text))


@SETTINGS
@given(
    st.binary(max_size=120)
    | documents.map(lambda d: json.dumps(d).encode()).flatmap(
        lambda b: st.integers(0, len(b)).map(lambda cut: b[:cut] + b"]" + b[cut:])
    ),
    st.integers(1, 40),
)
def test_json_document_refuses_what_json_loads_refuses(
    content: bytes, chunk: int
) -> None:
    try:
        expected = json.loads(content.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        expected = MalformedExportError
    try:
        found: object = _members(content, chunk)
    except MalformedExportError:
        found = MalformedExportError
    if isinstance(expected, dict) and isinstance(expected.get("messages"), list):
        assert _same(found, expected)
    else:  # damaged, or another shape
        assert found is MalformedExportError


def test_json_value_longer_than_the_limit_is_refused_naming_the_line(
    tmp_path: Path,
) -> None:
    content = b'{"messages": [\n{"a": 1},\n{"a": "' + b"x" * 5000 + b'"}]}'
    try:
        _members(content, chunk=64, limit=1000)
    except MalformedExportError as error:
        assert "line 3: a value longer than the limit of 1000 characters" in str(error)
    else:
        raise AssertionError("a 5000-character value passed a 1000 limit")


# HTML: the elements html.parser's BeautifulSoup builder makes, as (tag, text).
tags = st.sampled_from(["div", "p", "span", "ul", "li", "br", "img", "b"])
fragments = st.recursive(
    st.sampled_from(["", "a", " b ", "&amp;", "&#65;", "caf\u00e9", "\n"]),
    lambda inner: st.tuples(tags, st.lists(inner, max_size=3), st.booleans()).map(
        lambda t: f"<{t[0]}>{''.join(t[1])}" + (f"</{t[0]}>" if t[2] else "")
    ),
    max_leaves=15,
)


def _shape(element: Element | Tag) -> list[object]:
    """Children then tag; blank text as " " (BeautifulSoup shortens it to a "\n")."""
    return [
        _shape(child) if isinstance(child, Element | Tag) else str(child).strip() or " "
        for child in element.children
    ] + [element.name if isinstance(element, Tag) else element.tag]


@SETTINGS
@given(st.lists(fragments, max_size=5).map("".join), st.integers(1, 30))
def test_html_page_builds_the_tree_beautifulsoup_builds(
    markup: str, chunk: int
) -> None:
    soup = BeautifulSoup(markup, "html.parser")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(markup, encoding="utf-8")
        files = FolderFiles(path.parent, only=path.name)
        closed = list(HtmlPage(files, path.name, 1 << 20, chunk))
    tops = [element for element in closed if element.parent.parent is None]
    expected = [_shape(tag) for tag in soup.children if isinstance(tag, Tag)]
    assert [_shape(element) for element in tops] == expected
