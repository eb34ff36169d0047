"""The conversation logic, written once for every channel.

A channel hands `handle(channel, user_id, text)` each incoming message and sends back
the replies it returns. Session state lives in the database (`ChatSession`), so any
server process can answer any message.

Answering with a model happens in three steps so that no database transaction is
open while the model writes (SQLite would otherwise hold its write lock for the
whole generation): `prepare` reads and updates the session in one short
transaction, `generate` runs the model with no session at all, `finish_batch` stores
the new turns in a second short transaction. `handle_batch` prepares many messages and
lets each model answer all of its conversations in one batched pass.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corpus import Turn
from serving.chat import texts
from serving.config import Config
from serving.db import Database
from serving.models import ChatSession, ChatState, Persona, PersonaStatus, utcnow
from serving.personas import check_password, find_persona, list_personas
from training import PersonaModel

log = logging.getLogger(__name__)

MAX_PASSWORD_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
HISTORY_TURNS = 8
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Reply:
    """One message to send; quick replies where the platform shows them."""

    text: str
    quick_replies: tuple[str, ...] = field(default_factory=tuple)


ModelLoader = Callable[[str], PersonaModel]


@dataclass
class GenerationOptions:
    """How replies are sampled."""

    temperature: float = 0.8
    max_chars: int = 300

    @classmethod
    def from_config(cls, config: Config) -> GenerationOptions:
        """The options the deployment asks for (`MIMICAL_REPLY_MAX_CHARS`)."""
        return cls(max_chars=config.reply_max_chars)


@dataclass(frozen=True)
class Generation:
    """A reply the persona's model still has to write, with all it needs to."""

    chat_id: int
    persona_id: int
    artifact_key: str
    history: tuple[Turn, ...]  # the conversation so far, ending with `text`
    text: str


@dataclass(frozen=True)
class Prepared:
    """What a message led to: replies known at once, and maybe one to generate."""

    replies: tuple[Reply, ...] = ()
    generation: Generation | None = None


class ChatEngine:
    """Greets, lists, picks, checks passwords and answers with the persona's model."""

    def __init__(
        self,
        db: Database,
        load_model: ModelLoader,
        options: GenerationOptions | None = None,
    ) -> None:
        self.db = db
        self.load_model = load_model
        self.options = options or GenerationOptions()

    def with_options(self, options: GenerationOptions) -> ChatEngine:
        """This engine (same database, models and class) sampling another way."""
        other = copy.copy(self)
        other.options = options
        return other

    def handle(self, channel: str, user_id: str, text: str) -> list[Reply]:
        """Answer one incoming message."""
        return self.handle_batch(channel, [(user_id, text)])[0]

    def handle_batch(
        self, channel: str, messages: Sequence[tuple[str, str]]
    ) -> list[list[Reply]]:
        """Answer messages of different users; each model runs once for all of them."""
        prepared = [self.prepare(channel, user_id, text) for user_id, text in messages]
        pending = [p.generation for p in prepared if p.generation is not None]
        written = self.generate(pending)
        self.finish_batch(pending, written)
        replies = iter(written)  # in the order of `pending`
        return [
            [*step.replies, *([Reply(next(replies))] if step.generation else [])]
            for step in prepared
        ]

    def choose(self, channel: str, user_id: str, name: str) -> list[Reply]:
        """Pick a persona for this user directly (`mimical chat NAME`)."""
        with self.db.session() as session:
            chat = self._session_for(session, channel, user_id)
            if chat is None:
                chat = ChatSession(channel=channel, user_id=user_id, history=[])
                session.add(chat)
            self._restart(chat)
            return self._choose(session, chat, name)

    def prepare(self, channel: str, user_id: str, text: str) -> Prepared:
        """Run the conversation rules in one short transaction (no model runs here)."""
        text = text.strip()[:MAX_MESSAGE_CHARS]
        try:
            return self._prepare(channel, user_id, text)
        except IntegrityError:
            # Another process created this user's session at the same moment.
            return self._prepare(channel, user_id, text)

    def generate(self, generations: Sequence[Generation]) -> list[str]:
        """The persona replies, one batched model pass per artifact; no DB session."""
        by_model: dict[str, list[int]] = defaultdict(list)
        for index, generation in enumerate(generations):
            by_model[generation.artifact_key].append(index)
        written = [""] * len(generations)
        for key, indexes in by_model.items():
            model = self.load_model(key)
            replies = model.reply_batch(
                [generations[i].history for i in indexes],
                temperature=self.options.temperature,
                max_chars=self.options.max_chars,
            )
            for index, reply in zip(indexes, replies, strict=True):
                written[index] = reply
        return written

    def finish_batch(
        self, generations: Sequence[Generation], replies: Sequence[str]
    ) -> None:
        """Keep each exchange as context (unless its user moved on), in one commit."""
        if not generations:
            return
        with self.db.session() as session:
            for generation, reply in zip(generations, replies, strict=True):
                chat = session.get(ChatSession, generation.chat_id)
                if chat is None or chat.persona_id != generation.persona_id:
                    continue
                if chat.state != ChatState.CHATTING:
                    continue
                kept = [
                    *chat.history,
                    {"persona": False, "text": generation.text},
                    {"persona": True, "text": reply},
                ]
                chat.history = kept[-HISTORY_TURNS:]

    def _prepare(self, channel: str, user_id: str, text: str) -> Prepared:
        with self.db.session() as session:
            chat = self._session_for(session, channel, user_id)
            if chat is not None:
                return self._dispatch(session, chat, text)
            chat = ChatSession(channel=channel, user_id=user_id, history=[])
            session.add(chat)
            greeting = Reply(texts.GREETING)
            if text and (text.startswith("%") or find_persona(session, text)):
                step = self._dispatch(session, chat, text)
                return Prepared((greeting, *step.replies), step.generation)
            return Prepared((greeting, Reply(texts.GREETING_HINT)))

    def _session_for(
        self, session: Session, channel: str, user_id: str
    ) -> ChatSession | None:
        return session.scalar(
            select(ChatSession).where(
                ChatSession.channel == channel, ChatSession.user_id == user_id
            )
        )

    def _dispatch(self, session: Session, chat: ChatSession, text: str) -> Prepared:
        if text.startswith("%"):
            return Prepared(tuple(self._command(session, chat, text)))
        if chat.state == ChatState.AWAITING_PASSWORD:
            return Prepared(tuple(self._password(chat, text)))
        if chat.state == ChatState.CHATTING:
            persona = chat.persona
            if persona is None or persona.status != PersonaStatus.READY:
                self._restart(chat)
                return Prepared((Reply(texts.GONE),))
            if not text:
                return Prepared((Reply(texts.EMPTY),))
            return Prepared(generation=self._generation(session, chat, persona, text))
        if not text:
            return Prepared((Reply(texts.CHOOSE),))
        return Prepared(tuple(self._choose(session, chat, text)))

    def _command(self, session: Session, chat: ChatSession, text: str) -> list[Reply]:
        command = " ".join(text.lower().split())
        if command in ("%show all", "%showall", "%list"):
            names = [
                p.name
                for p in list_personas(session)
                if p.status == PersonaStatus.READY
            ]
            if not names:
                return [Reply(texts.NO_PUBLIC)]
            return [
                Reply(texts.PUBLIC_LIST.format(names=", ".join(names)), tuple(names))
            ]
        if command == "%restart":
            self._restart(chat)
            return [Reply(texts.CHOOSE)]
        if command == "%help":
            return [Reply(texts.HELP)]
        return [Reply(texts.UNKNOWN_COMMAND.format(command=command.split()[0]))]

    def _restart(self, chat: ChatSession) -> None:
        chat.state = ChatState.CHOOSING
        chat.persona_id = None
        chat.persona = None
        chat.history = []

    def _choose(self, session: Session, chat: ChatSession, name: str) -> list[Reply]:
        persona = find_persona(session, name)
        if persona is None:
            return [Reply(texts.UNKNOWN.format(name=name))]
        if persona.status == PersonaStatus.FAILED:
            return [Reply(texts.FAILED.format(name=persona.name))]
        if persona.status != PersonaStatus.READY:
            percent = round(100 * _progress(persona))
            return [Reply(texts.NOT_READY.format(name=persona.name, percent=percent))]
        chat.persona = persona
        chat.history = []
        if persona.protected:
            chat.state = ChatState.AWAITING_PASSWORD
            return [Reply(texts.PASSWORD_PROMPT)]
        chat.state = ChatState.CHATTING
        return [Reply(texts.CHATTING.format(name=persona.name))]

    def _password(self, chat: ChatSession, password: str) -> list[Reply]:
        # The password itself is never logged or stored.
        persona = chat.persona
        if persona is None:
            self._restart(chat)
            return [Reply(texts.GONE)]
        now = utcnow()
        if chat.locked_until is not None and chat.locked_until > now:
            minutes = max(1, round((chat.locked_until - now).total_seconds() / 60))
            return [Reply(texts.LOCKED.format(minutes=minutes))]
        if check_password(persona, password):
            chat.failed_attempts = 0
            chat.locked_until = None
            chat.state = ChatState.CHATTING
            return [Reply(texts.CHATTING.format(name=persona.name))]
        chat.failed_attempts += 1
        log.info(
            "wrong password for persona %s (attempt %d)",
            persona.name,
            chat.failed_attempts,
        )
        if chat.failed_attempts >= MAX_PASSWORD_ATTEMPTS:
            chat.failed_attempts = 0
            chat.locked_until = now + LOCKOUT
            minutes = round(LOCKOUT.total_seconds() / 60)
            return [Reply(texts.LOCKED.format(minutes=minutes))]
        return [Reply(texts.WRONG_PASSWORD)]

    def _generation(
        self, session: Session, chat: ChatSession, persona: Persona, text: str
    ) -> Generation:
        assert persona.artifact_key is not None
        session.flush()  # a new session row needs its id before we let go
        history = [
            Turn("persona" if t["persona"] else "user", bool(t["persona"]), t["text"])
            for t in chat.history
        ]
        history.append(Turn("user", False, text))
        return Generation(
            chat.id, persona.id, persona.artifact_key, tuple(history), text
        )


def _progress(persona: Persona) -> float:
    jobs = sorted(persona.jobs, key=lambda job: job.id)
    return jobs[-1].progress if jobs else 0.0
