"""Building a corpus folder: the split has no leakage, the encoding round-trips."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from corpus import (
    END_OF_TURN,
    MARKERS,
    PERSONA_TURN,
    Message,
    Turn,
    build_corpus,
    clean_text,
    encode_prompt,
    load_corpus,
    read_messages,
    write_messages,
)
from corpus.build import CorpusFormatError
from corpus.message import MessageFormatError

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def many_conversations(n: int) -> list[Message]:
    """n conversations a day apart, each 'you' asks and 'me' answers."""
    messages = []
    for day in range(n):
        start = T0 + timedelta(days=day)
        messages.append(Message(f"t{day % 3}", "you", start, f"question {day}?"))
        messages.append(
            Message(f"t{day % 3}", "me", start + timedelta(minutes=1), f"answer {day}.")
        )
    return messages


def test_split_keeps_each_conversation_on_one_side(tmp_path: Path) -> None:
    built = build_corpus(many_conversations(40), tmp_path, me="me", val_fraction=0.25)
    train = {pair.response for pair in built.train_pairs}
    val = {pair.response for pair in built.val_pairs}
    assert train and val and not train & val
    assert len(val) == 10
    for response in val:
        assert response not in built.train_text


def test_corpus_folder_round_trips(tmp_path: Path) -> None:
    built = build_corpus(many_conversations(12), tmp_path, me="me")
    loaded = load_corpus(tmp_path)
    assert loaded.train_pairs == built.train_pairs
    assert loaded.val_text == built.val_text
    manifest = json.loads((tmp_path / "corpus.json").read_text())
    assert manifest["persona"] == "me"
    assert manifest["stats"]["pairs_train"] + manifest["stats"]["pairs_val"] == 12
    # "answer 0." .. "answer 11.": replies are chosen near lengths the person writes
    assert manifest["stats"]["reply_chars_deciles"] == [9] * 8 + [10] * 2


def test_training_text_marks_speakers_and_turn_ends(tmp_path: Path) -> None:
    built = build_corpus(many_conversations(3), tmp_path, me="me", val_fraction=0)
    assert built.train_text.count(PERSONA_TURN) == 3
    assert built.train_text.count(END_OF_TURN) == 6


def test_prompt_ends_on_the_persona_marker() -> None:
    prompt = encode_prompt([Turn("you", False, "hi")])
    assert prompt.endswith(PERSONA_TURN) and "hi" in prompt


def test_cleaning_removes_markers_and_control_characters() -> None:
    dirty = "  hi\x03 there\x0f\r\n\n\n\nbye\x00  "
    cleaned = clean_text(dirty)
    assert cleaned == "hi there\n\nbye"
    assert not any(marker in cleaned for marker in MARKERS)


def test_a_persona_who_never_replies_is_a_clear_error(tmp_path: Path) -> None:
    messages = [Message("t", "you", T0, "hello?")]
    with pytest.raises(ValueError, match="wrote none"):
        build_corpus(messages, tmp_path, me="me")
    with pytest.raises(ValueError, match="wrote none"):
        build_corpus([*messages, Message("u", "me", T0, "\x03 ")], tmp_path, me="me")


def test_message_lines_round_trip_and_reject_garbage(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    messages = many_conversations(2)
    with open(path, "w", encoding="utf-8") as out:
        assert write_messages(messages, out) == 4
    assert list(read_messages(path)) == sorted(messages, key=messages.index)
    path.write_text('{"thread_id": "t"}\n')
    with pytest.raises(MessageFormatError, match="lacks"):
        list(read_messages(path))


def test_loading_a_folder_that_is_no_corpus_says_so(tmp_path: Path) -> None:
    with pytest.raises(CorpusFormatError, match="mimical corpus"):
        load_corpus(tmp_path)


def test_conversations_the_persona_only_read_still_train_the_model(
    tmp_path: Path,
) -> None:
    messages = many_conversations(6) + [
        Message("group", "ann", T0 + timedelta(days=30, minutes=m), f"ann says {m}")
        for m in range(3)
    ]
    built = build_corpus(messages, tmp_path / "all", me="me", val_fraction=0)
    assert "ann says 2" in built.train_text
    assert all("ann" not in pair.response for pair in built.train_pairs)
    narrow = build_corpus(
        messages, tmp_path / "narrow", me="me", val_fraction=0, persona_only=True
    )
    assert "ann says" not in narrow.train_text
    assert narrow.train_pairs == built.train_pairs


def test_forwarded_words_are_context_never_the_persona_s_own(tmp_path: Path) -> None:
    messages = [
        Message("t", "you", T0, "what did the landlord say?"),
        Message(
            "t", "me", T0 + timedelta(minutes=1), "[forwarded from Landlord]\nrent due"
        ),
        Message("t", "me", T0 + timedelta(minutes=2), "ugh, that"),
    ]
    built = build_corpus(messages, tmp_path, me="me", val_fraction=0.0)
    [pair] = built.train_pairs
    assert pair.prompt == "rent due" and pair.response == "ugh, that"
    assert "forwarded" not in built.train_text
