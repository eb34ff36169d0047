"""What the chat engine alone decides: context, batching, lock-out time, turns.

The conversation flows themselves (greeting, lists, passwords, lock-out, restart,
pinning) run on the engine and through every channel in `tests/serving/flows`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from corpus import Turn
from serving.chat import (
    HISTORY_TURNS,
    LOCKOUT,
    MAX_PASSWORD_ATTEMPTS,
    ChatEngine,
    EventKind,
    GenerationOptions,
    Incoming,
    Reply,
    split_turn,
    texts,
)
from serving.model_cache import ModelCache
from serving.models import ChatSession, ChatState, Persona, PersonaStatus, utcnow
from serving.services import Services
from tests.serving.channels.tiny_persona import (
    BURST,
    add_pending_persona,
    add_ready_persona,
    bursty_artifact,
    tiny_artifact,
)
from tests.serving.chatting import said, say, user
from training import PersonaModel

PASSWORD = "open sesame 42"


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny trained model (shared with the channel tests when run together)."""
    return tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))


@pytest.fixture(scope="session")
def bursty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model whose every turn is two messages."""
    return bursty_artifact(tmp_path_factory.mktemp("bursty-persona"))


@pytest.fixture
def cache(services: Services) -> ModelCache:
    return ModelCache(services.storage, services.config.home / "cache")


@pytest.fixture
def engine(
    services: Services, cache: ModelCache, artifact: Path, bursty: Path
) -> ChatEngine:
    """Romeo (public), Juliet (private), Tybalt (building), Mercutio (bursts)."""
    add_ready_persona(services, artifact, "Romeo")
    add_ready_persona(services, artifact, "Juliet", public=False, password=PASSWORD)
    add_pending_persona(services, "Tybalt")
    add_ready_persona(services, bursty, "Mercutio")
    return ChatEngine(services.db, cache.get, GenerationOptions(max_chars=60))


def chat_row(services: Services, user_id: str) -> ChatSession:
    with services.db.session() as session:
        return session.scalars(
            select(ChatSession).where(ChatSession.user_id == user_id)
        ).one()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("%help", texts.HELP),
        ("%dance", texts.UNKNOWN_COMMAND.format(command="%dance")),
        ("Benvolio", texts.UNKNOWN.format(name="Benvolio")),
        ("Tybalt", texts.NOT_READY.format(name="Tybalt", percent=0)),
    ],
)
def test_commands_and_choices(engine: ChatEngine, message: str, expected: str) -> None:
    say(engine, "u1", "hi")
    assert said(engine, "u1", message) == [expected]


def test_a_name_as_the_first_message_picks_the_persona(engine: ChatEngine) -> None:
    assert said(engine, "u1", "romeo") == [
        texts.DISCLOSURE,
        texts.GREETING,
        texts.CHATTING.format(name="Romeo"),
    ]


def test_the_list_offers_ready_public_personas_as_quick_replies(
    engine: ChatEngine,
) -> None:
    (_disclosure, greeting, listing) = say(engine, "u1", "hi").replies
    assert greeting == Reply(texts.GREETING)
    assert listing == Reply(
        texts.PUBLIC_LIST.format(names="Mercutio, Romeo"), ("Mercutio", "Romeo")
    )


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (EventKind.OPEN, ""),
        (EventKind.TEXT, "hi"),
        (EventKind.TEXT, "Romeo"),
        (EventKind.CHOOSE, "Juliet"),
        (EventKind.NON_TEXT, ""),
        (EventKind.PASSWORD, PASSWORD),
    ],
)
def test_every_conversation_opens_with_the_bot_disclosure_once(
    engine: ChatEngine, kind: EventKind, text: str
) -> None:
    first = engine.handle(Incoming(user("u1"), kind, text)).replies
    assert first[0] == Reply(texts.DISCLOSURE)
    assert texts.DISCLOSURE not in [r.text for r in first[1:]]
    for again in ("%show all", "%restart", "Romeo", "hello there"):
        assert texts.DISCLOSURE not in said(engine, "u1", again)


def test_a_password_from_a_private_form_is_only_ever_a_password(
    engine: ChatEngine, services: Services
) -> None:
    say(engine, "u1", "Romeo")
    form = engine.handle(Incoming(user("u1"), EventKind.PASSWORD, PASSWORD))
    assert [r.text for r in form.replies] == [texts.NO_PASSWORD_ASKED]
    assert not form.model_answered
    assert PASSWORD not in str(chat_row(services, "u1").history)

    say(engine, "u1", "%restart")
    prompt = say(engine, "u1", "Juliet").replies
    assert prompt == (Reply(texts.PASSWORD_PROMPT, asks_password=True),)
    wrong = engine.handle(Incoming(user("u1"), EventKind.PASSWORD, "nope")).replies
    assert wrong == (Reply(texts.WRONG_PASSWORD, asks_password=True),)
    right = engine.handle(Incoming(user("u1"), EventKind.PASSWORD, PASSWORD))
    assert [r.text for r in right.replies] == [texts.CHATTING.format(name="Juliet")]


def test_chatting_keeps_recent_turns_as_context(
    engine: ChatEngine, services: Services
) -> None:
    say(engine, "u1", "Romeo")
    for n in range(HISTORY_TURNS):
        outcome = say(engine, "u1", f"message {n}")
        assert outcome.model_answered and outcome.persona_texts
    history = chat_row(services, "u1").history
    assert len(history) == HISTORY_TURNS
    assert history[-2] == {"persona": False, "text": f"message {HISTORY_TURNS - 1}"}
    assert history[-1]["persona"] is True


def test_a_turn_of_several_messages_is_several_replies_and_one_turn_of_context(
    engine: ChatEngine, services: Services
) -> None:
    say(engine, "u1", "Mercutio")
    outcome = say(engine, "u1", "hey how are you")
    assert outcome.replies == tuple(Reply(m, from_persona=True) for m in BURST)
    assert outcome.model_answered
    assert chat_row(services, "u1").history == [
        {"persona": False, "text": "hey how are you"},
        {"persona": True, "text": "\n".join(BURST)},
    ]
    assert outcome.status.messages == ((False, "hey how are you"),) + tuple(
        (True, message) for message in BURST
    )


@pytest.mark.parametrize(
    ("turn", "messages"),
    [
        ("ok", ["ok"]),
        ("ok\nsure thing", ["ok", "sure thing"]),
        ("  ok \n\n\n sure  \r\nbye\n", ["ok", "sure", "bye"]),
        ("\n \n", []),
    ],
)
def test_split_turn_gives_the_non_empty_lines(turn: str, messages: list[str]) -> None:
    assert split_turn(turn) == messages


def test_a_persona_gone_while_chatting_sends_the_user_back(
    engine: ChatEngine, services: Services
) -> None:
    say(engine, "u1", "Romeo")
    with services.db.session() as session:
        persona = session.scalars(select(Persona).where(Persona.name == "Romeo")).one()
        persona.status = PersonaStatus.FAILED
    assert said(engine, "u1", "hello?") == [texts.GONE]
    assert chat_row(services, "u1").state == ChatState.CHOOSING


def test_stickers_and_photos_get_a_friendly_answer(engine: ChatEngine) -> None:
    say(engine, "u1", "hi")
    outcome = engine.handle(Incoming(user("u1"), EventKind.NON_TEXT))
    assert outcome.replies == (Reply(texts.ATTACHMENT),)


def test_a_lock_out_ends_after_fifteen_minutes(
    engine: ChatEngine,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    say(engine, "u1", "Juliet")
    for attempt in range(MAX_PASSWORD_ATTEMPTS):
        say(engine, "u1", f"guess number {attempt}")
    assert said(engine, "u1", PASSWORD) == [texts.LOCKED.format(minutes=15)]
    later = utcnow() + LOCKOUT + timedelta(minutes=1)
    monkeypatch.setattr("serving.chat.lockout.utcnow", lambda: later)
    assert said(engine, "u1", PASSWORD) == [texts.CHATTING.format(name="Juliet")]
    assert PASSWORD not in caplog.text and "guess number" not in caplog.text
    assert chat_row(services, "u1").history == []  # passwords are not context


def test_wrong_passwords_older_than_the_window_are_forgotten(
    engine: ChatEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    say(engine, "u1", "Juliet")
    for attempt in range(MAX_PASSWORD_ATTEMPTS - 1):
        say(engine, "u1", f"guess {attempt}")
    later = utcnow() + LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr("serving.chat.lockout.utcnow", lambda: later)
    assert said(engine, "u1", "one more") == [texts.WRONG_PASSWORD]


def test_a_batch_of_users_is_answered_with_one_model_load(
    engine: ChatEngine, cache: ModelCache
) -> None:
    users = [user(f"u{n}") for n in range(6)]
    for who in users:
        say(engine, who, "Romeo")
    writing: list[str] = []
    outcomes = engine.handle_batch(
        [Incoming(who, text="how are you") for who in users],
        on_writing=lambda incoming: writing.append(incoming.user.user_id),
    )
    assert all(o.model_answered and o.persona_texts for o in outcomes)
    assert writing == [who.user_id for who in users]
    assert cache.misses == 1


class _WriterWhileGenerating:
    """A model wrapper that, mid-generation, writes to the database from outside."""

    def __init__(self, model: PersonaModel, db_path: str) -> None:
        self.model = model
        self.db_path = db_path
        self.wrote = False

    def reply_batch(
        self, histories: Sequence[Sequence[Turn]], **options: object
    ) -> list[str]:
        # timeout=0: fails at once with "database is locked" if the engine still
        # held a write transaction while the model runs.
        with sqlite3.connect(self.db_path, timeout=0) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE chat_sessions SET history = history")
        self.wrote = True
        return self.model.reply_batch(histories, **options)  # type: ignore[arg-type]


def test_no_database_lock_is_held_while_the_model_writes(
    services: Services, cache: ModelCache, artifact: Path
) -> None:
    add_ready_persona(services, artifact, "Romeo")
    db_path = services.config.database_url.removeprefix("sqlite:///")
    wrappers: list[_WriterWhileGenerating] = []

    def load(key: str) -> PersonaModel:
        wrappers.append(_WriterWhileGenerating(cache.get(key), db_path))
        return wrappers[-1]  # type: ignore[return-value]

    engine = ChatEngine(services.db, load)
    say(engine, "u1", "Romeo")  # a brand-new session row, not yet chatting
    say(engine, "u2", "Romeo")
    engine.handle_batch(
        [Incoming(user("u1"), text="hi"), Incoming(user("u2"), text="yo")]
    )
    assert wrappers and all(w.wrote for w in wrappers)
