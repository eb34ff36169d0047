"""Persona names people can tell apart, and passwords people can type.

A name is normalised with NFKC, so `Ｒｏｍｅｏ` (full-width) is `Romeo`. Its key,
what uniqueness and look-ups use, is its *skeleton*: case folded, and every
character that Unicode lists as confusable with an ASCII one replaced by it, so
`Rоmeo` (with a Cyrillic о) has the key of `Romeo` and cannot be registered
beside it. The confusables come from Unicode's data as shipped in
`confusable_homoglyphs`; a name that mixes scripts confusably is refused outright
(`confusable_homoglyphs.confusables.is_dangerous`), so nobody can take a
lookalike of a name before its owner does.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources

from confusable_homoglyphs import confusables

# What begins a chat command: a password starting with it would be read as one.
COMMAND_PREFIX = "%"


def normalise(name: str) -> str:
    """NFKC, with runs of spaces made one and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def skeleton(name: str) -> str:
    """The key two names share when they look alike (case and lookalikes aside)."""
    table = _ascii_lookalikes()
    text = normalise(name)
    for _ in range(2):  # before and after folding: `М` and `м` have their own entries
        text = "".join(table.get(char, char) for char in text).casefold()
    return text


def lookalike_of_mixed_scripts(name: str) -> bool:
    """Whether the name mixes scripts with characters that pass for each other."""
    return bool(confusables.is_dangerous(normalise(name)))


@functools.cache
def _ascii_lookalikes() -> dict[str, str]:
    """Non-ASCII character → the ASCII character Unicode says it is confused with."""
    data = json.loads(
        resources.files("confusable_homoglyphs")
        .joinpath("confusables.json")
        .read_text(encoding="utf-8")
    )
    table: dict[str, str] = {}
    for char, homoglyphs in data.items():
        if len(char) != 1 or char.isascii():
            continue
        for glyph in homoglyphs:
            lookalike = glyph.get("c", "")
            if len(lookalike) == 1 and lookalike.isascii() and lookalike.isalnum():
                table[char] = lookalike.casefold()
                break
    return table


def untypeable_password(password: str) -> str | None:
    """Why a password could never be typed into a chat, or None if it can be.

    Chat channels trim what is typed, read `%…` as a command and carry no
    control characters, so such a password would lock its own owner out.
    """
    if password != password.strip():
        return "a password cannot start or end with spaces"
    if password.startswith(COMMAND_PREFIX):
        return f"a password cannot start with {COMMAND_PREFIX} (chat commands do)"
    if any(unicodedata.category(char) in ("Cc", "Cs", "Cn") for char in password):
        return "a password cannot hold control characters or non-characters"
    return None
