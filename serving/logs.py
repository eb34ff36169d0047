"""Logging: plain text on a terminal, one JSON object per line in production.

Every record carries the request id of the HTTP request that caused it, also inside
the job that request queued, so one id follows a persona from upload to ready.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

LOG_FORMATS = ("auto", "text", "json")
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HANDLER_NAME = "mimical"

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "mimical_request_id", default=None
)
job_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "mimical_job_id", default=None
)


def new_request_id(incoming: str | None = None) -> str:
    """The caller's X-Request-ID when it is a sane token, else a fresh one."""
    if incoming and _REQUEST_ID_PATTERN.match(incoming):
        return incoming
    return uuid.uuid4().hex


@contextmanager
def log_context(
    request_id: str | None = None, job_id: int | None = None
) -> Iterator[None]:
    """Tag every record logged inside the block with these ids."""
    tokens = []
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if job_id is not None:
        tokens.append((job_id_var, job_id_var.set(job_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)  # type: ignore[attr-defined]


class ContextFilter(logging.Filter):
    """Copies the current request and job ids onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.job_id = job_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A readable line for people, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = []
        if getattr(record, "request_id", None):
            ids.append(f"req={record.request_id}")
        if getattr(record, "job_id", None) is not None:
            ids.append(f"job={record.job_id}")
        record.ids = f" [{' '.join(ids)}]" if ids else ""
        return super().format(record)


def configure_logging(
    log_format: str = "auto", level: int = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Install one handler on the root logger (replacing ours if already there)."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"MIMICAL_LOG_FORMAT must be one of {LOG_FORMATS}")
    stream = stream or sys.stderr
    if log_format == "auto":
        log_format = "text" if stream.isatty() else "json"
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        # Ours from an earlier call, or a plain one from `logging.basicConfig`.
        if old.get_name() == _HANDLER_NAME or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Migrations say "Context impl SQLiteImpl." at every start: not news to anyone.
    logging.getLogger("alembic.runtime.migration").setLevel(max(level, logging.WARNING))
    return handler
