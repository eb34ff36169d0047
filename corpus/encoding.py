"""The training-text encoding, shared by training and serving.

A conversation becomes one string: a conversation-start marker, then each turn as a
speaker marker, the turn's text and an end-of-turn marker. The markers are control
characters that cleaning removes from real text, so they never collide with it.
Generation is primed with `encode_prompt(history)`, which ends on the persona marker,
and stops when the model writes `END_OF_TURN`.

Personal data scrubbed out of the text (`corpus.scrub`) stands as one placeholder
character per kind. They are private-use code points that cleaning also removes from
real text, so a literal one in an export never passes for a placeholder; the model
learns each as one reserved symbol, and generation renders it as a neutral word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from corpus.turns import Turn

ENCODING_VERSION = 1
CONVERSATION_START = "\x02"
OTHER_TURN = "\x0e"
PERSONA_TURN = "\x0f"
END_OF_TURN = "\x03"
MARKERS = (CONVERSATION_START, OTHER_TURN, PERSONA_TURN, END_OF_TURN)

# Kept apart from MARKERS: every vocabulary holds the markers, so adding to them
# would change the vocabulary (and break) every model trained before.
PLACEHOLDERS = {
    "phone": "\ue001",
    "email": "\ue002",
    "url": "\ue003",
    "card": "\ue004",
    "iban": "\ue005",
    "code": "\ue006",
}
# What a reply shows where the model wrote a placeholder. A neutral word rather than
# dropping the sentence: the reply keeps its shape ("my number is [phone number]"),
# and the reader sees that something was withheld, not a half-sentence.
PLACEHOLDER_WORDS = {
    "phone": "[phone number]",
    "email": "[e-mail]",
    "url": "[link]",
    "card": "[card number]",
    "iban": "[bank account]",
    "code": "[number]",
}
_RENDER = {ord(PLACEHOLDERS[kind]): word for kind, word in PLACEHOLDER_WORDS.items()}
_RESERVED = {ord(char): None for char in (*MARKERS, *PLACEHOLDERS.values())}


def encode_turn(turn: Turn) -> str:
    """One turn: speaker marker, text, end-of-turn marker."""
    marker = PERSONA_TURN if turn.is_persona else OTHER_TURN
    return f"{marker}{turn.text}{END_OF_TURN}"


def encode_conversation(turns: Iterable[Turn]) -> str:
    """A whole conversation, as the model is trained on it."""
    return CONVERSATION_START + "".join(encode_turn(turn) for turn in turns)


def encode_prompt(history: Sequence[Turn], max_turns: int = 6) -> str:
    """The text that primes generation of the persona's next turn.

    Only the last `max_turns` turns are kept; if the conversation was cut, the
    conversation-start marker is left out, as it is mid-conversation in training.
    """
    kept = list(history)[-max_turns:] if max_turns > 0 else []
    start = CONVERSATION_START if len(kept) == len(history) else ""
    return start + "".join(encode_turn(turn) for turn in kept) + PERSONA_TURN


def strip_markers(text: str) -> str:
    """Remove every reserved marker and placeholder from text (for display or
    cleaning), so raw text can never pose as either."""
    return text.translate(_RESERVED)


def render_placeholders(text: str) -> str:
    """Text fit to send: each placeholder shown as its neutral word."""
    return text.translate(_RENDER)
