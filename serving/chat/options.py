"""How the persona's model samples its turns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from serving.config import Config
from training import DEFAULT_TEMPERATURE, PersonaModel

# Artifact key -> the loaded model (the app passes its model cache's `get`).
ModelLoader = Callable[[str], PersonaModel]


@dataclass
class GenerationOptions:
    """How replies are sampled."""

    temperature: float = DEFAULT_TEMPERATURE
    max_chars: int | None = None  # None: the persona's own reply-length habit

    @classmethod
    def from_config(cls, config: Config) -> GenerationOptions:
        """The options the deployment asks for (`MIMICAL_REPLY_MAX_CHARS`)."""
        return cls(max_chars=config.reply_max_chars)
