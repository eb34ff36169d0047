"""The named errors of the training package, translated to messages at the edge."""

from __future__ import annotations


class ConfigError(ValueError):
    """A training or model setting is unknown, missing or of the wrong type."""


class ArtifactError(ValueError):
    """A model folder is missing, corrupt, or of a format we cannot read."""


class TrainingError(RuntimeError):
    """Training cannot go on, e.g. the corpus is too small for one batch."""
