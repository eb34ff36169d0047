"""The conversation logic, written once for every channel.

A channel hands `handle(channel, user_id, text)` each incoming message and sends back
the replies it returns. Session state lives in the database (`ChatSession`), so any
server process can answer any message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from corpus import Turn
from serving.chat import texts
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

    def handle(self, channel: str, user_id: str, text: str) -> list[Reply]:
        """Answer one incoming message."""
        text = text.strip()[:MAX_MESSAGE_CHARS]
        with self.db.session() as session:
            chat = self._session_for(session, channel, user_id)
            if chat is None:
                chat = ChatSession(channel=channel, user_id=user_id, history=[])
                session.add(chat)
                replies = [Reply(texts.GREETING), Reply(texts.GREETING_HINT)]
                if text and (text.startswith("%") or find_persona(session, text)):
                    replies = [
                        Reply(texts.GREETING),
                        *self._dispatch(session, chat, text),
                    ]
                return replies
            return self._dispatch(session, chat, text)

    def choose(self, channel: str, user_id: str, name: str) -> list[Reply]:
        """Pick a persona for this user directly (`mimical chat NAME`)."""
        with self.db.session() as session:
            chat = self._session_for(session, channel, user_id)
            if chat is None:
                chat = ChatSession(channel=channel, user_id=user_id, history=[])
                session.add(chat)
            self._restart(chat)
            return self._choose(session, chat, name)

    def _session_for(
        self, session: Session, channel: str, user_id: str
    ) -> ChatSession | None:
        return session.scalar(
            select(ChatSession).where(
                ChatSession.channel == channel, ChatSession.user_id == user_id
            )
        )

    def _dispatch(self, session: Session, chat: ChatSession, text: str) -> list[Reply]:
        if text.startswith("%"):
            return self._command(session, chat, text)
        if chat.state == ChatState.AWAITING_PASSWORD:
            return self._password(session, chat, text)
        if chat.state == ChatState.CHATTING:
            persona = chat.persona
            if persona is None or persona.status != PersonaStatus.READY:
                self._restart(chat)
                return [Reply(texts.GONE)]
            return [self._answer(chat, persona, text)]
        if not text:
            return [Reply(texts.CHOOSE)]
        return self._choose(session, chat, text)

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

    def _password(
        self, session: Session, chat: ChatSession, password: str
    ) -> list[Reply]:
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

    def _answer(self, chat: ChatSession, persona: Persona, text: str) -> Reply:
        assert persona.artifact_key is not None
        model = self.load_model(persona.artifact_key)
        history = [
            Turn("persona" if t["persona"] else "user", t["persona"], t["text"])
            for t in chat.history
        ]
        history.append(Turn("user", False, text))
        reply = model.reply(
            history,
            temperature=self.options.temperature,
            max_chars=self.options.max_chars,
        )
        kept = [
            *chat.history,
            {"persona": False, "text": text},
            {"persona": True, "text": reply},
        ]
        chat.history = kept[-HISTORY_TURNS:]
        return Reply(reply)


def _progress(persona: Persona) -> float:
    jobs = sorted(persona.jobs, key=lambda job: job.id)
    return jobs[-1].progress if jobs else 0.0
