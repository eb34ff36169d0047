"""Reading untrusted JSON and text: nesting bounded, text always valid Unicode.

JSON may escape a lone surrogate (`"\\ud800"`), which is no character at all: the
database, the log and the UTF-8 encoder all raise on it. And JSON nested tens of
thousands deep exhausts Python's stack in the parser. Every body from outside
goes through `load_json`, so neither ever reaches the code behind it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

# Far deeper than any body we accept; shallow enough for any thread's stack.
MAX_DEPTH = 64
_SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class InputError(ValueError):
    """A body or text that is not valid JSON, too deeply nested, or not Unicode."""


def has_surrogates(text: str) -> bool:
    """Whether the text holds a lone surrogate (it cannot be encoded as UTF-8)."""
    return _SURROGATES.search(text) is not None


def repair_text(text: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD."""
    return _SURROGATES.sub(REPLACEMENT, text)


def load_json(data: str | bytes, *, repair: bool = False) -> Any:
    """Parse JSON from outside; `InputError` if malformed, too deep or not Unicode.

    With `repair`, lone surrogates are replaced instead of refused: for platform
    webhooks, where one odd message must not cost the others in the same body.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise InputError(f"not JSON: {error}") from None
    return _checked(value, repair)


def _checked(value: Any, repair: bool) -> Any:
    """The value with its strings checked (or repaired) and its depth bounded."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, int]] = [(root, 0, 0)]
    while stack:
        parent, key, depth = stack.pop()
        item = parent[key]
        if isinstance(item, str):
            parent[key] = _text(item, repair)
        elif isinstance(item, list | dict):
            if depth >= MAX_DEPTH:
                raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                if any(has_surrogates(k) for k in item):
                    if not repair:
                        raise InputError("JSON keys must be valid Unicode text")
                    item = parent[key] = {repair_text(k): v for k, v in item.items()}
                stack.extend((item, k, depth + 1) for k in item)
            else:
                stack.extend((item, i, depth + 1) for i in range(len(item)))
    return root[0]


def _text(text: str, repair: bool) -> str:
    if not has_surrogates(text):
        return text
    if repair:
        return repair_text(text)
    raise InputError("text must be valid Unicode (a lone surrogate was sent)")


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with `load_json`.

    `request.get_json(silent=True)` then answers None for a body we refuse, so
    every route already treats it as "not a JSON object" (a 400).
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a request body; `InputError` (a ValueError) if we refuse it."""
        return load_json(s)
