"""What a failed job tells its client: a fixed sentence per kind of failure.

An error's own message may hold server paths, the names of members of an
export (in a Facebook export, friends' names) or the senders found in it; it
goes to the log, tagged with the job id, and the job's `error` says only what
kind of thing went wrong and what the owner can do about it.
"""

from __future__ import annotations

import corpus
import scraper
import training
from scraper.errors import MalformedExportError, UnknownFormatError, UnsafeArchiveError
from scraper.messenger import MessengerScrapeError
from scraper.messenger.errors import (
    CheckpointError,
    LayoutError,
    LoggedOutError,
    MessengerUnavailableError,
    ThreadNotFoundError,
)
from serving.jobs.sealing import SealError
from serving.jobs.uploads import UploadError


class JobSourceError(ValueError):
    """The job's source cannot be read by this server."""


# Most specific first: the first class an error is an instance of decides.
PUBLIC_MESSAGES: tuple[tuple[type[Exception], str], ...] = (
    (UnsafeArchiveError, "the archive is unsafe to open or expands too far"),
    (UnknownFormatError, "the export is not a format we can read"),
    (MalformedExportError, "the export is damaged or not the shape its format has"),
    (scraper.ExportFormatError, "the export could not be read"),
    (
        corpus.PersonaNotFoundError,
        "the person to imitate was not found in the export; check `me`",
    ),
    (corpus.EmptyCorpusError, "the export holds too few messages to learn from"),
    (training.BaseModelError, "the server's base model is missing or damaged"),
    (training.ConfigError, "the training settings are not valid"),
    (training.TrainingError, "training failed with these settings"),
    (
        SealError,
        "the Messenger session expired before the job ran; create the persona again",
    ),
    (LoggedOutError, "the Messenger session is logged out; send fresh cookies"),
    (
        CheckpointError,
        "Facebook asks for a security check; clear it in your browser, then try again",
    ),
    (ThreadNotFoundError, "a chosen conversation does not open for this account"),
    (LayoutError, "the Messenger pages are not in a layout we can read"),
    (MessengerUnavailableError, "Messenger kept failing; try again later"),
    (MessengerScrapeError, "Messenger could not be read with this session"),
    (UploadError, "the upload is no longer here; create the persona again"),
    (JobSourceError, "the job's source cannot be read; create the persona again"),
)

# Errors the owner can act on: the job fails with its sentence, no traceback.
USER_ERRORS: tuple[type[Exception], ...] = tuple(kind for kind, _ in PUBLIC_MESSAGES)


def public_message(error: BaseException, job_id: int) -> str:
    """The sentence a client sees for this failure; details stay in the log."""
    for kind, message in PUBLIC_MESSAGES:
        if isinstance(error, kind):
            return message
    return f"internal error; the server log has the details (job {job_id})"
