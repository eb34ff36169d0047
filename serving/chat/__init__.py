"""The chat engine shared by the terminal, web and Messenger channels."""

from serving.chat.engine import ChatEngine, GenerationOptions, Reply

__all__ = ["ChatEngine", "GenerationOptions", "Reply"]
