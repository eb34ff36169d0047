"""Texts cut to a platform's length limit, at sentence ends where possible.

Messenger and Discord both refuse a message over 2,000 characters; a persona's
reply or a long list of personas is sent as several messages instead.
"""

from __future__ import annotations

import re

MAX_TEXT_CHARS = 2000
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Pieces of at most `limit` characters, cut after sentences where possible."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    current = ""
    for sentence in _units(text, limit):
        joined = f"{current} {sentence}" if current else sentence
        if len(joined) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = sentence
    if current:
        pieces.append(current)
    return pieces


def _units(text: str, limit: int) -> list[str]:
    """Sentences; a sentence longer than `limit` is cut at spaces, then anywhere."""
    units = []
    for sentence in SENTENCE_END.split(text):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            units.append(sentence[:cut].rstrip())
            sentence = sentence[cut:].lstrip()
        if sentence:
            units.append(sentence)
    return units
