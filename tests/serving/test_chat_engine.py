"""The chat engine's flows, with a tiny real persona model behind them."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from corpus import Turn
from serving.chat import ChatEngine, GenerationOptions, Reply, texts
from serving.chat.engine import HISTORY_TURNS, LOCKOUT, MAX_PASSWORD_ATTEMPTS
from serving.model_cache import ModelCache
from serving.models import ChatSession, ChatState, Persona, PersonaStatus, utcnow
from serving.services import Services
from tests.serving.channels.tiny_persona import (
    add_pending_persona,
    add_ready_persona,
    tiny_artifact,
)
from training import PersonaModel

PASSWORD = "open sesame 42"


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny trained model (shared with the channel tests when run together)."""
    return tiny_artifact(tmp_path_factory.mktemp("tiny-persona"))


@pytest.fixture
def cache(services: Services) -> ModelCache:
    return ModelCache(services.storage, services.config.home / "cache")


@pytest.fixture
def engine(services: Services, cache: ModelCache, artifact: Path) -> ChatEngine:
    """An engine with Romeo (public), Juliet (private) and Tybalt (still building)."""
    add_ready_persona(services, artifact, "Romeo")
    add_ready_persona(services, artifact, "Juliet", public=False, password=PASSWORD)
    add_pending_persona(services, "Tybalt")
    return ChatEngine(services.db, cache.get, GenerationOptions(max_chars=60))


def said(replies: list[Reply]) -> list[str]:
    return [reply.text for reply in replies]


def chat_row(services: Services, user_id: str) -> ChatSession:
    with services.db.session() as session:
        return session.scalars(
            select(ChatSession).where(ChatSession.user_id == user_id)
        ).one()


def test_a_new_user_is_greeted(engine: ChatEngine) -> None:
    assert said(engine.handle("test", "u1", "hello")) == [
        texts.GREETING,
        texts.GREETING_HINT,
    ]


def test_a_name_as_the_first_message_picks_the_persona(engine: ChatEngine) -> None:
    assert said(engine.handle("test", "u1", "romeo")) == [
        texts.GREETING,
        texts.CHATTING.format(name="Romeo"),
    ]


def test_show_all_lists_ready_public_personas_as_quick_replies(
    engine: ChatEngine,
) -> None:
    engine.handle("test", "u1", "hi")
    (listing,) = engine.handle("test", "u1", "%show all")
    assert listing == Reply(texts.PUBLIC_LIST.format(names="Romeo"), ("Romeo",))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("%help", texts.HELP),
        ("%restart", texts.CHOOSE),
        ("%dance", texts.UNKNOWN_COMMAND.format(command="%dance")),
        ("Mercutio", texts.UNKNOWN.format(name="Mercutio")),
        ("Tybalt", texts.NOT_READY.format(name="Tybalt", percent=0)),
        ("Juliet", texts.PASSWORD_PROMPT),
    ],
)
def test_commands_and_choices(engine: ChatEngine, message: str, expected: str) -> None:
    engine.handle("test", "u1", "hi")
    assert said(engine.handle("test", "u1", message)) == [expected]


def test_chatting_answers_with_the_model_and_keeps_recent_turns(
    engine: ChatEngine, services: Services
) -> None:
    engine.handle("test", "u1", "Romeo")
    for n in range(HISTORY_TURNS):
        (reply,) = engine.handle("test", "u1", f"message {n}")
        assert reply.text.strip()
    history = chat_row(services, "u1").history
    assert len(history) == HISTORY_TURNS
    assert history[-2] == {"persona": False, "text": f"message {HISTORY_TURNS - 1}"}
    assert history[-1]["persona"] is True


def test_restart_forgets_the_persona_and_the_context(
    engine: ChatEngine, services: Services
) -> None:
    engine.handle("test", "u1", "Romeo")
    engine.handle("test", "u1", "hi there")
    assert said(engine.handle("test", "u1", "%restart")) == [texts.CHOOSE]
    chat = chat_row(services, "u1")
    assert chat.state == ChatState.CHOOSING and chat.history == []


def test_a_persona_gone_while_chatting_sends_the_user_back(
    engine: ChatEngine, services: Services
) -> None:
    engine.handle("test", "u1", "Romeo")
    with services.db.session() as session:
        persona = session.scalars(select(Persona).where(Persona.name == "Romeo")).one()
        persona.status = PersonaStatus.FAILED
    assert said(engine.handle("test", "u1", "hello?")) == [texts.GONE]
    assert chat_row(services, "u1").state == ChatState.CHOOSING


def test_password_opens_a_private_persona(engine: ChatEngine) -> None:
    engine.handle("test", "u1", "Juliet")
    assert said(engine.handle("test", "u1", "wrong")) == [texts.WRONG_PASSWORD]
    assert said(engine.handle("test", "u1", PASSWORD)) == [
        texts.CHATTING.format(name="Juliet")
    ]
    (reply,) = engine.handle("test", "u1", "hello")
    assert reply.text.strip()


def test_five_wrong_passwords_lock_for_fifteen_minutes(
    engine: ChatEngine,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    engine.handle("test", "u1", "Juliet")
    for attempt in range(1, MAX_PASSWORD_ATTEMPTS):
        wrong = f"guess number {attempt}"
        assert said(engine.handle("test", "u1", wrong)) == [texts.WRONG_PASSWORD]
    locked = texts.LOCKED.format(minutes=15)
    assert said(engine.handle("test", "u1", "guess number 5")) == [locked]
    # Even the right password is refused while locked, and restarting does not help.
    assert said(engine.handle("test", "u1", PASSWORD)) == [locked]
    engine.handle("test", "u1", "%restart")
    engine.handle("test", "u1", "Juliet")
    assert said(engine.handle("test", "u1", PASSWORD))[0].startswith("Too many")
    later = utcnow() + LOCKOUT + timedelta(minutes=1)
    monkeypatch.setattr("serving.chat.engine.utcnow", lambda: later)
    assert said(engine.handle("test", "u1", PASSWORD)) == [
        texts.CHATTING.format(name="Juliet")
    ]
    assert PASSWORD not in caplog.text and "guess number" not in caplog.text
    assert chat_row(services, "u1").history == []  # passwords are not context


def test_a_batch_of_users_is_answered_with_one_model_load(
    engine: ChatEngine, cache: ModelCache
) -> None:
    users = [f"u{n}" for n in range(6)]
    for user in users:
        engine.handle("test", user, "Romeo")
    answers = engine.handle_batch("test", [(user, "how are you") for user in users])
    assert len(answers) == len(users)
    assert all(len(replies) == 1 and replies[0].text.strip() for replies in answers)
    assert cache.misses == 1


def test_choose_picks_a_persona_for_the_terminal(engine: ChatEngine) -> None:
    assert said(engine.choose("terminal", "t1", "Romeo")) == [
        texts.CHATTING.format(name="Romeo")
    ]
    (reply,) = engine.handle("terminal", "t1", "hi")
    assert reply.text.strip()


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
            connection.execute("UPDATE chat_sessions SET failed_attempts = 0")
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
    engine.handle("test", "u1", "Romeo")  # a brand-new session row, not yet chatting
    engine.handle("test", "u2", "Romeo")
    engine.handle_batch("test", [("u1", "hi"), ("u2", "hello")])
    assert wrappers and all(w.wrote for w in wrappers)
