"""Text repairs shared by the readers."""

from __future__ import annotations


def fix_mojibake(text: str) -> str:
    """Undo Facebook's export encoding, which writes each UTF-8 byte as `\\u00XX`.

    A string that does not round-trip (a file already written correctly) is kept.
    """
    if text.isascii():  # the common case, and nothing to repair
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text
