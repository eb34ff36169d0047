"""The chat engine shared by the terminal, web and Messenger channels."""

from serving.chat.engine import (
    ChatEngine,
    Generation,
    GenerationOptions,
    Prepared,
    Reply,
)

__all__ = ["ChatEngine", "Generation", "GenerationOptions", "Prepared", "Reply"]
