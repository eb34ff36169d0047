"""What the chat engine refuses, named so each edge can translate it."""


class ChatError(Exception):
    """A request the chat engine cannot answer as asked."""


class PersonaUnavailableError(ChatError):
    """No persona of that name is ready and open to this caller."""


class PersonaNotReadyError(ChatError):
    """The persona exists and is open to the caller, but is still being built."""
