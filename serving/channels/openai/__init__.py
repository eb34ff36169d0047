"""The OpenAI-compatible channel: /v1/models and /v1/chat/completions."""

from serving.channels.openai.errors import OpenAIError
from serving.channels.openai.routes import LIMITS_KEY, OpenAILimits, register

name = "openai"

__all__ = ["LIMITS_KEY", "OpenAIError", "OpenAILimits", "name", "register"]
