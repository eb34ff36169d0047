"""The chat engine: every conversation rule, shared by every channel.

Channels build `Incoming` events, call `ChatEngine.handle` (or `handle_batch`) and
send the `Outcome`'s replies; see `serving.chat.messages` for the whole interface.
"""

from serving.chat import texts
from serving.chat.completions import (
    MAX_CHOICES,
    MAX_COMPLETION_CHARS,
    Access,
    Completion,
    CompletionRequest,
    PersonaCard,
)
from serving.chat.engine import HISTORY_TURNS, ChatEngine, OnWriting, Prepared
from serving.chat.errors import ChatError, PersonaNotReadyError, PersonaUnavailableError
from serving.chat.lockout import LOCKOUT, MAX_PASSWORD_ATTEMPTS, Verdict, try_password
from serving.chat.messages import ChatUser, EventKind, Incoming, Outcome, Reply, Status
from serving.chat.options import GenerationOptions, ModelLoader
from serving.chat.rules import RESTART, SHOW_ALL
from serving.chat.turns import join_turn, split_turn

__all__ = [
    "Prepared",
    "HISTORY_TURNS",
    "LOCKOUT",
    "MAX_CHOICES",
    "MAX_COMPLETION_CHARS",
    "MAX_PASSWORD_ATTEMPTS",
    "Access",
    "ChatEngine",
    "ChatError",
    "ChatUser",
    "Completion",
    "CompletionRequest",
    "EventKind",
    "GenerationOptions",
    "Incoming",
    "ModelLoader",
    "OnWriting",
    "Outcome",
    "PersonaCard",
    "PersonaNotReadyError",
    "PersonaUnavailableError",
    "RESTART",
    "Reply",
    "SHOW_ALL",
    "Status",
    "Verdict",
    "join_turn",
    "split_turn",
    "texts",
    "try_password",
]
