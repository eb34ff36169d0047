"""The chat engine: every channel's events in, the replies and the status out.

A channel hands `handle(incoming)` (or `handle_batch`) each event and sends the
outcome's replies; the conversation rules (`serving.chat.rules`) and the persona's
model are the engine's business. Session state lives in the database
(`ChatSession`), so any server process can answer any message.

Answering with a model happens in three steps so that no database transaction is
open while the model writes (SQLite would otherwise hold its write lock for the
whole generation): the rules read and update the session in one short
transaction, the model runs with no session at all, and the new turns are stored
in a second short transaction. `handle_batch` lets each model answer all of its
conversations in one batched pass; `on_writing` is told, between the two, which
events the model is about to answer (the moment to show a typing indicator).
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from corpus import Turn
from serving.chat.completions import (
    Access,
    Completion,
    CompletionRequest,
    PersonaCard,
    complete,
    usable_personas,
)
from serving.chat.messages import Incoming, Outcome, Reply, Status
from serving.chat.options import GenerationOptions, ModelLoader
from serving.chat.rules import Conversation, public_names
from serving.chat.turns import (
    OTHER,
    history_messages,
    history_turns,
    join_turn,
    split_turn,
)
from serving.db import Database
from serving.models import ChatSession, ChatState
from training import EMPTY_REPLY

log = logging.getLogger(__name__)

HISTORY_TURNS = 8
MAX_MESSAGE_CHARS = 2000

OnWriting = Callable[[Incoming], None]


@dataclass(frozen=True)
class Generation:
    """A turn the persona's model still has to write, with all it needs to."""

    chat_id: int
    persona_id: int
    artifact_key: str
    history: tuple[Turn, ...]  # the conversation so far, ending with `text`
    text: str


@dataclass(frozen=True)
class Prepared:
    """What the rules made of one event before any model ran."""

    replies: tuple[Reply, ...]
    status: Status
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

    def handle(
        self, incoming: Incoming, on_writing: OnWriting | None = None
    ) -> Outcome:
        """Answer one event."""
        return self.handle_batch([incoming], on_writing)[0]

    def handle_batch(
        self, events: Sequence[Incoming], on_writing: OnWriting | None = None
    ) -> list[Outcome]:
        """Answer events of different users; each model runs once for all of them."""
        return self.finish_batch(events, [self.prepare(e) for e in events], on_writing)

    def prepare(self, incoming: Incoming) -> Prepared:
        """The rules' part of answering one event, committed (no model runs).

        With `finish_batch`, a caller that answers many events can give up on
        one whose rules fail without running the others' rules twice.
        """
        return self._prepare(incoming)

    def finish_batch(
        self,
        events: Sequence[Incoming],
        steps: Sequence[Prepared],
        on_writing: OnWriting | None = None,
    ) -> list[Outcome]:
        """The model's part for prepared events: one batched pass per model."""
        pending = [step.generation for step in steps if step.generation is not None]
        if on_writing is not None:
            for incoming, step in zip(events, steps, strict=True):
                if step.generation is not None:
                    on_writing(incoming)
        written = [split_turn(turn) or [EMPTY_REPLY] for turn in self._write(pending)]
        kept = self._finish(pending, written)
        turns = iter(written)  # in the order of `pending`
        outcomes = []
        for step in steps:
            if step.generation is None:
                outcomes.append(Outcome(step.replies, False, step.status))
                continue
            messages = next(turns)
            status = step.status
            if step.generation.chat_id in kept:
                status = replace(
                    status, messages=history_messages(kept[step.generation.chat_id])
                )
            persona = tuple(Reply(m, from_persona=True) for m in messages)
            outcomes.append(Outcome((*step.replies, *persona), True, status))
        return outcomes

    def public_personas(self) -> list[str]:
        """The names `%show all` lists (a channel's own list of buttons, say)."""
        with self.db.session() as session:
            return public_names(session)

    def complete(
        self, request: CompletionRequest, access: Access
    ) -> tuple[str, list[Completion]]:
        """Stateless: the persona's next turns after a conversation the caller keeps."""
        return complete(self.db, self.load_model, self.options, request, access)

    def personas_for(self, access: Access) -> list[PersonaCard]:
        """The ready personas a caller with this access may complete as."""
        return usable_personas(self.db, access)

    def _write(self, generations: Sequence[Generation]) -> list[str]:
        """The persona turns, one batched model pass per artifact; no DB session."""
        by_model: dict[str, list[int]] = defaultdict(list)
        for index, generation in enumerate(generations):
            by_model[generation.artifact_key].append(index)
        written = [""] * len(generations)
        for key, indexes in by_model.items():
            model = self.load_model(key)
            turns = model.reply_batch(
                [generations[i].history for i in indexes],
                temperature=self.options.temperature,
                max_chars=self.options.max_chars,
            )
            for index, turn in zip(indexes, turns, strict=True):
                written[index] = turn
        return written

    def _prepare(self, incoming: Incoming) -> Prepared:
        """Run the conversation rules in one short transaction (no model runs here)."""
        incoming = replace(incoming, text=incoming.text.strip()[:MAX_MESSAGE_CHARS])
        try:
            return self._apply_rules(incoming)
        except IntegrityError:
            # Another process created this user's session at the same moment.
            return self._apply_rules(incoming)

    def _apply_rules(self, incoming: Incoming) -> Prepared:
        user = incoming.user
        with self.db.session() as session:
            chat = session.scalar(
                select(ChatSession).where(
                    ChatSession.channel == user.channel,
                    ChatSession.user_id == user.user_id,
                )
            )
            new = chat is None
            if chat is None:
                chat = ChatSession(channel=user.channel, user_id=user.user_id)
                chat.history = []
                session.add(chat)
            replies, text = Conversation(self.db, session, chat, user).on(incoming, new)
            generation = None
            if text is not None:
                session.flush()  # a new session row needs its id before we let go
                persona = chat.persona
                assert persona is not None and persona.artifact_key is not None
                history = (*history_turns(chat.history), Turn(OTHER, False, text))
                generation = Generation(
                    chat.id, persona.id, persona.artifact_key, history, text
                )
            return Prepared(tuple(replies), _status(chat), generation)

    def _finish(
        self, generations: Sequence[Generation], written: Sequence[list[str]]
    ) -> dict[int, list[dict[str, object]]]:
        """Keep each exchange as context (unless its user moved on), in one commit.

        The persona's turn is kept whole, its messages joined as in training.
        Returns the history now kept, by session id.
        """
        kept: dict[int, list[dict[str, object]]] = {}
        if not generations:
            return kept
        with self.db.session() as session:
            for generation, messages in zip(generations, written, strict=True):
                chat = session.get(ChatSession, generation.chat_id)
                if chat is None or chat.persona_id != generation.persona_id:
                    continue
                if chat.state != ChatState.CHATTING:
                    continue
                history = [
                    *chat.history,
                    {"persona": False, "text": generation.text},
                    {"persona": True, "text": join_turn(messages)},
                ]
                chat.history = history[-HISTORY_TURNS:]
                kept[chat.id] = list(chat.history)
        return kept


def _status(chat: ChatSession) -> Status:
    """Where the session stands, for the channel."""
    persona = chat.persona
    return Status(
        state=chat.state,
        persona=persona.name if persona else None,
        persona_id=persona.id if persona else None,
        stored=bool(persona and persona.store_conversations),
        messages=history_messages(chat.history or []),
    )
