"""Turning domain errors into one clear line and exit code 2 at the CLI edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

import corpus
import scraper
import training
from serving.config import ConfigError
from serving.personas import PersonaError, UnknownPersonaError
from serving.storage import StorageError

USER_ERRORS: tuple[type[Exception], ...] = (
    scraper.ExportFormatError,
    corpus.MessageFormatError,
    corpus.CorpusFormatError,
    corpus.PersonaNotFoundError,
    corpus.EmptyCorpusError,
    corpus.PrivacySettingsError,
    training.ConfigError,
    training.ArtifactError,
    training.TrainingError,
    ConfigError,
    PersonaError,
    UnknownPersonaError,
    StorageError,
    FileNotFoundError,
    IsADirectoryError,
)


class UserError(click.ClickException):
    """A mistake the user can fix; printed as one line, exit code 2."""

    exit_code = 2


@contextmanager
def user_errors() -> Iterator[None]:
    """Translate the domain's named errors into `UserError`."""
    try:
        yield
    except USER_ERRORS as error:
        message = (
            error.args[0] if isinstance(error, LookupError) and error.args else error
        )
        raise UserError(str(message)) from None
