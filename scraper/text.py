"""Text repairs shared by the readers."""

from __future__ import annotations

from corpus.message import FORWARDED


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


def facebook_mojibake(value: object) -> object:
    """The inverse of `fix_mojibake`, deep: how Facebook writes every string.

    Used to build exports that look exactly like Facebook's (the sample, fixtures).
    """
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [facebook_mojibake(item) for item in value]
    if isinstance(value, dict):
        return {key: facebook_mojibake(item) for key, item in value.items()}
    return value


def mark_forwarded(origin: str, text: str) -> str:
    """Keep a forwarded message, first line marking whose words they are.

    A forward is someone else's writing in the forwarder's turn: the corpus sees
    the mark and gives the words back to their author (`corpus.forwarded_origin`).
    """
    return FORWARDED.format(origin=origin) + "\n" + text
