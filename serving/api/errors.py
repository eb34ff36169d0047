"""Every error leaves the HTTP API as JSON: `{"error": message, "code": name}`.

Domain exceptions are translated here, at the edge, to the status that fits them;
anything unexpected is logged with its traceback and answered with a bare 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from serving.api_keys import ApiKeyError
from serving.jobs.runner import SubmitError
from serving.jobs.sealing import SealError
from serving.jobs.uploads import UploadError
from serving.owner_actions import PersonaBusyError
from serving.personas import (
    InvalidPersonaNameError,
    PersonaError,
    PersonaExistsError,
    UnknownPersonaError,
)
from serving.ratelimit import RateLimited
from serving.storage import StorageError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the API refuses, with the status and message to answer."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    """The request is missing a field or has one of the wrong type."""


class Unauthorized(ApiError):
    """No valid manage token was given."""

    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    """The password is wrong."""

    status, code = 403, "forbidden"


class NotFound(ApiError):
    """No such persona or job."""

    status, code = 404, "not_found"


class TooManyAttempts(ApiError):
    """Too many wrong passwords from this client lately (on any channel)."""

    status, code = 429, "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TooManyJobs(ApiError):
    """This address already has as many unfinished jobs as it may."""

    status, code = 429, "too_many_jobs"


class ServerBusy(ApiError):
    """The server cannot take this work now (queue full, uploads full)."""

    status, code = 503, "busy"


# Domain errors and the (status, code) they are answered with.
DOMAIN_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (PersonaExistsError, 409, "persona_exists"),
    (PersonaBusyError, 409, "persona_busy"),
    (InvalidPersonaNameError, 400, "invalid_name"),
    (PersonaError, 400, "invalid_persona"),
    (UnknownPersonaError, 404, "unknown_persona"),
    (UploadError, 400, "invalid_upload"),
    (SealError, 400, "invalid_cookies"),
    (StorageError, 503, "storage_unavailable"),
    (ApiKeyError, 400, "invalid_key_request"),
    (SubmitError, 503, "jobs_unavailable"),
)


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """The JSON body every error shares."""
    return jsonify(error=message, code=code), status


def register_error_handlers(app: Flask) -> None:
    """Translate API, domain and HTTP errors into JSON answers."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> tuple[Response, int]:
        response, status = error_response(error.status, error.code, error.message)
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after_s)
        if isinstance(error, ServerBusy):
            response.headers["Retry-After"] = "60"
        return response, status

    @app.errorhandler(RateLimited)
    def rate_limited(error: RateLimited) -> tuple[Response, int]:
        response, status = error_response(429, "rate_limited", str(error))
        response.headers["Retry-After"] = str(error.retry_after_s)
        return response, status

    for kind, status, code in DOMAIN_ERRORS:
        app.register_error_handler(kind, _domain_handler(status, code))

    @app.errorhandler(OperationalError)
    def database_down(error: OperationalError) -> tuple[Response, int]:
        # The driver's message may quote SQL and parameters: it goes to the log.
        log.warning("database unavailable (%s)", type(error.orig).__name__)
        response, status = error_response(
            503, "database_unavailable", "the database is unavailable; try again"
        )
        response.headers["Retry-After"] = "5"
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        if request.path.startswith("/v1/"):  # routing errors, before the blueprint
            from serving.channels.openai.errors import OpenAIError
            from serving.channels.openai.errors import error_response as openai_error

            return openai_error(OpenAIError(status, error.description or error.name))
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(status, code, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        # The request boundary: keep the traceback in the log, not in the answer.
        log.exception("unhandled error answering a request")
        return error_response(500, "internal_error", "internal error; see the log")


def _domain_handler(status: int, code: str):  # type: ignore[no-untyped-def]
    def handle(error: Exception) -> tuple[Response, int]:
        message = error.args[0] if error.args else str(error)
        return error_response(status, code, str(message))

    return handle
