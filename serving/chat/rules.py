"""The conversation rules, applied to one user's session row for one event.

Commands, the greeting, choosing a persona, a channel pinned to one persona,
passwords and lock-out: every channel gets them from here, and only from here.
The rules run inside the engine's short transaction and never run a model; when
the persona should answer they say so by returning the text for its model.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from serving.chat import texts
from serving.chat.lockout import Verdict, try_password
from serving.chat.messages import ChatUser, EventKind, Incoming, Reply
from serving.db import Database
from serving.models import ChatSession, ChatState, Persona, PersonaStatus
from serving.personas import find_persona, list_personas, name_key

SHOW_ALL, RESTART = "%show all", "%restart"
LIST_COMMANDS = (SHOW_ALL, "%showall", "%list")


class Conversation:
    """One user's session, one event: the replies, and maybe text for the model."""

    def __init__(
        self, db: Database, session: Session, chat: ChatSession, user: ChatUser
    ) -> None:
        self.db, self.session, self.chat, self.user = db, session, chat, user

    def on(self, incoming: Incoming, new: bool) -> tuple[list[Reply], str | None]:
        """Apply the rules; the replies, and the text the model answers (or None).

        A new session is a new conversation: whatever its first event, it opens
        with the bot disclosure, once (the session row remembers it was said).
        """
        replies, answer = self._event(incoming, new)
        if new:
            replies = [Reply(texts.DISCLOSURE), *replies]
        return replies, answer

    def _event(self, incoming: Incoming, new: bool) -> tuple[list[Reply], str | None]:
        if incoming.kind == EventKind.NON_TEXT:
            return [Reply(texts.ATTACHMENT)], None
        if incoming.kind == EventKind.PASSWORD:
            # Never chatted or answered with its text, whatever the state.
            if self.chat.state != ChatState.AWAITING_PASSWORD:
                return [Reply(texts.NO_PASSWORD_ASKED)], None
            return self._password(incoming.text), None
        if self.user.pinned is not None:
            return self._pinned(incoming, self.user.pinned)
        if incoming.kind == EventKind.OPEN:
            return self._open(new), None
        if incoming.kind == EventKind.CHOOSE:
            self._restart()
            return self._choose(incoming.text), None
        text = incoming.text
        if new and not (text.startswith("%") or find_persona(self.session, text)):
            return self._open(new=True), None
        replies, answer = self._text(text)
        return ([Reply(texts.GREETING), *replies] if new else replies), answer

    def _open(self, new: bool) -> list[Reply]:
        """Greet a new user; remind a returning one who has not chosen yet."""
        if new:
            return [Reply(texts.GREETING), self._listing()]
        if self.chat.state == ChatState.CHOOSING:
            return [self._listing()]
        return []

    def _pinned(
        self, incoming: Incoming, pinned: str
    ) -> tuple[list[Reply], str | None]:
        """A channel pinned to one persona: it is chosen for the user, no other."""
        replies: list[Reply] = []
        if not self._on(pinned):
            self._restart()
            replies = self._choose(pinned)
            if incoming.kind != EventKind.TEXT or self.chat.state != ChatState.CHATTING:
                return replies, None
        if incoming.kind == EventKind.OPEN:
            return replies, None
        if incoming.kind == EventKind.CHOOSE:
            if name_key(incoming.text) != name_key(pinned):
                return [Reply(texts.ONLY_FOR.format(name=pinned))], None
            self._restart()
            return self._choose(pinned), None
        command = _command(incoming.text)
        if command in LIST_COMMANDS:
            return [*replies, Reply(texts.ONLY_FOR.format(name=pinned))], None
        if command == RESTART:
            self._restart()
            return self._choose(pinned), None
        more, answer = self._text(incoming.text)
        return [*replies, *more], answer

    def _on(self, name: str) -> bool:
        """Whether the user talks to (or is unlocking) this persona already."""
        persona = self.chat.persona
        return (
            persona is not None
            and self.chat.state != ChatState.CHOOSING
            and persona.name_key == name_key(name)
        )

    def _text(self, text: str) -> tuple[list[Reply], str | None]:
        if text.startswith("%"):
            return self._command(text), None
        if self.chat.state == ChatState.AWAITING_PASSWORD:
            return self._password(text), None
        if self.chat.state == ChatState.CHATTING:
            persona = self.chat.persona
            if persona is None or persona.status != PersonaStatus.READY:
                self._restart()
                return [Reply(texts.GONE)], None
            if not text:
                return [Reply(texts.EMPTY)], None
            return [], text
        if not text:
            return [Reply(texts.CHOOSE)], None
        return self._choose(text), None

    def _command(self, text: str) -> list[Reply]:
        command = _command(text)
        if command in LIST_COMMANDS:
            return [self._listing()]
        if command == RESTART:
            self._restart()
            return [Reply(texts.CHOOSE)]
        if command == "%help":
            return [Reply(texts.HELP)]
        return [Reply(texts.UNKNOWN_COMMAND.format(command=command.split()[0]))]

    def _listing(self) -> Reply:
        """The public personas ready to chat, offered as quick replies."""
        names = public_names(self.session)
        if not names:
            return Reply(texts.NO_PUBLIC)
        return Reply(texts.PUBLIC_LIST.format(names=", ".join(names)), tuple(names))

    def _restart(self) -> None:
        self.chat.state = ChatState.CHOOSING
        self.chat.persona_id = None
        self.chat.persona = None
        self.chat.history = []

    def _choose(self, name: str) -> list[Reply]:
        persona = find_persona(self.session, name)
        if persona is None:
            return [Reply(texts.UNKNOWN.format(name=name))]
        if persona.status == PersonaStatus.FAILED:
            return [Reply(texts.FAILED.format(name=persona.name))]
        if persona.status != PersonaStatus.READY:
            percent = round(100 * _progress(persona))
            return [Reply(texts.NOT_READY.format(name=persona.name, percent=percent))]
        self.chat.persona = persona
        self.chat.history = []
        if persona.protected:
            self.chat.state = ChatState.AWAITING_PASSWORD
            return [Reply(texts.PASSWORD_PROMPT, asks_password=True)]
        self.chat.state = ChatState.CHATTING
        return [Reply(texts.CHATTING.format(name=persona.name))]

    def _password(self, password: str) -> list[Reply]:
        # The password is never logged, stored or kept as context.
        persona = self.chat.persona
        if persona is None:
            self._restart()
            return [Reply(texts.GONE)]
        # End this transaction (nothing is written yet) so that the shared count's
        # own short transaction never waits on it, and no lock is held while
        # argon2 checks the password.
        self.session.commit()
        tried = try_password(self.db, persona, self.user.requester, password)
        if tried.verdict == Verdict.RIGHT:
            self.chat.state = ChatState.CHATTING
            return [Reply(texts.CHATTING.format(name=persona.name))]
        if tried.verdict == Verdict.WRONG:
            return [Reply(texts.WRONG_PASSWORD, asks_password=True)]
        text = (
            texts.LOCKED_NOW if tried.verdict == Verdict.WRONG_LOCKED else texts.LOCKED
        )
        return [Reply(text.format(minutes=tried.minutes))]


def public_names(session: Session) -> list[str]:
    """The public personas one may pick now (ready), by name."""
    return [p.name for p in list_personas(session) if p.status == PersonaStatus.READY]


def _command(text: str) -> str:
    return " ".join(text.lower().split())


def _progress(persona: Persona) -> float:
    jobs = sorted(persona.jobs, key=lambda job: job.id)
    return jobs[-1].progress if jobs else 0.0
