"""The pairing rules, as a table: gaps, sender switches, openers, self-replies."""

from datetime import UTC, datetime, timedelta

import pytest

from corpus import Message, guess_persona, make_pairs, merge_turns, split_conversations
from corpus.pairs import PersonaNotFoundError

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def script(*lines: tuple[int, str, str], thread: str = "t1") -> list[Message]:
    """Messages from (minutes after T0, sender, text) rows."""
    return [
        Message(thread, who, T0 + timedelta(minutes=m), text) for m, who, text in lines
    ]


def pairs_of(messages: list[Message], me: str = "me") -> list[tuple[str, str]]:
    return [
        (pair.prompt, pair.response)
        for conversation in split_conversations(messages)
        for pair in make_pairs(merge_turns(conversation, me))
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [(0, "you", "hi"), (1, "me", "hello")], [("hi", "hello")], id="simple reply"
        ),
        pytest.param(
            [(0, "you", "hi"), (1, "you", "there"), (2, "me", "yo")],
            [("hi\nthere", "yo")],
            id="their messages merge into one prompt",
        ),
        pytest.param(
            [(0, "you", "hi"), (1, "me", "a"), (2, "me", "b")],
            [("hi", "a\nb")],
            id="self-replies merge into one response",
        ),
        pytest.param(
            [(0, "me", "anyone up?"), (1, "you", "yes"), (2, "me", "great")],
            [("", "anyone up?"), ("yes", "great")],
            id="persona opens the conversation: empty prompt",
        ),
        pytest.param(
            [(0, "you", "hi"), (45, "me", "sorry, late")],
            [("", "sorry, late")],
            id="a gap over 30 minutes starts a new conversation",
        ),
        pytest.param(
            [(0, "you", "hi"), (30, "me", "just in time")],
            [("hi", "just in time")],
            id="exactly 30 minutes is still the same conversation",
        ),
        pytest.param(
            [(0, "you", "hi"), (1, "them", "hey"), (2, "me", "both of you!")],
            [("hey", "both of you!")],
            id="group chat: the last other turn is the prompt",
        ),
        pytest.param([(0, "you", "hi"), (1, "you", "?")], [], id="persona silent"),
    ],
)
def test_pairing_rules(rows: list[tuple[int, str, str]], expected: list) -> None:
    assert pairs_of(script(*rows)) == expected


def test_context_holds_earlier_turns_in_order() -> None:
    messages = script((0, "you", "a"), (1, "me", "b"), (2, "you", "c"), (3, "me", "d"))
    conversation = next(split_conversations(messages))
    last = make_pairs(merge_turns(conversation, "me"), context_turns=4)[-1]
    assert [turn.text for turn in last.context] == ["a", "b"]
    assert [turn.is_persona for turn in last.context] == [False, True]
    assert last.prompt == "c" and last.response == "d"


def test_threads_never_share_a_conversation() -> None:
    messages = script((0, "you", "hi"), thread="a") + script((1, "me", "x"), thread="b")
    assert pairs_of(messages) == [("", "x")]


def test_persona_is_guessed_as_the_sender_in_every_thread() -> None:
    messages = script((0, "ann", "hi"), (1, "me", "yo"), thread="a") + script(
        (0, "bob", "hey"), (1, "me", "sup"), (2, "me", "?"), thread="b"
    )
    assert guess_persona(messages) == "me"


def test_the_owner_is_found_even_where_they_only_read_along() -> None:
    messages = (
        script((0, "ann", "hi"), (1, "me", "yo"), thread="a")
        + script((0, "bob", "hey"), (1, "me", "sup"), (2, "me", "?"), thread="b")
        + script((0, "ann", "party?"), (1, "bob", "yes"), thread="group")
    )
    assert guess_persona(messages) == "me"


def test_no_common_sender_asks_for_me() -> None:
    messages = script((0, "ann", "hi"), thread="a") + script(
        (0, "bob", "x"), thread="b"
    )
    with pytest.raises(PersonaNotFoundError, match="--me"):
        guess_persona(messages)
