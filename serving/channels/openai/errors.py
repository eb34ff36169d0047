"""Errors on the /v1 routes, in the shape OpenAI clients read.

`{"error": {"message", "type", "param", "code"}}` with the status OpenAI would
use, so the official SDKs raise their usual exceptions (`NotFoundError` for an
unknown persona, `AuthenticationError` for a wrong key, `RateLimitError`, ...).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from serving.chat import PersonaNotReadyError, PersonaUnavailableError

log = logging.getLogger(__name__)


class OpenAIError(Exception):
    """A /v1 request refused, with everything its OpenAI-shaped answer needs."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind
        self.code, self.param, self.retry_after_s = code, param, retry_after_s


def bad_request(message: str, param: str | None = None) -> OpenAIError:
    """A request body the API cannot read (400)."""
    return OpenAIError(400, message, param=param)


def error_response(error: OpenAIError) -> tuple[Response, int]:
    """The JSON answer for an error."""
    response = jsonify(
        error={
            "message": error.message,
            "type": error.kind,
            "param": error.param,
            "code": error.code,
        }
    )
    if error.retry_after_s is not None:
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response, error.status


def register_error_handlers(bp: Blueprint) -> None:
    """Translate every error raised in the blueprint's views into OpenAI's shape."""

    @bp.errorhandler(OpenAIError)
    def openai_error(error: OpenAIError) -> tuple[Response, int]:
        return error_response(error)

    @bp.errorhandler(PersonaUnavailableError)
    def unavailable(error: PersonaUnavailableError) -> tuple[Response, int]:
        return error_response(
            OpenAIError(404, str(error), code="model_not_found", param="model")
        )

    @bp.errorhandler(PersonaNotReadyError)
    def not_ready(error: PersonaNotReadyError) -> tuple[Response, int]:
        return error_response(
            OpenAIError(503, str(error), "server_error", "model_not_ready", "model")
        )

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        return error_response(OpenAIError(status, error.description or error.name))

    @bp.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        # The request boundary: keep the traceback in the log, not in the answer.
        log.exception("unhandled error answering a /v1 request")
        return error_response(OpenAIError(500, "internal error", "server_error"))
