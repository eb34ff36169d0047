"""Secrets stay secret: no password, manage token or cookie in logs, rows or files.

A full create through the Messenger path (cookies, against the local stand-in of
basic-HTML Messenger) with a password, captured at DEBUG level from every logger.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, text

from serving.app import create_app, shutdown_app
from serving.config import Config
from serving.logs import JsonFormatter, configure_logging
from tests.serving.api_helpers import FAST_TRAIN, wait_for_job
from tests.serving.chatting import say
from tests.standins.messenger_history import OWNER
from tests.standins.messenger_site import MessengerSite

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture
def site() -> MessengerSite:
    return MessengerSite()


@pytest.fixture
def messenger_app(config: Config, site: MessengerSite) -> Iterator[Flask]:
    with site.serve() as base_url:
        app = create_app(replace(config, messenger_url=base_url))
        yield app
        shutdown_app(app, wait=True)


def test_no_secret_is_logged_stored_or_written(
    messenger_app: Flask,
    site: MessengerSite,
    home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cookies = site.issue_session()
    json_lines = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging("json", logging.DEBUG, stream=json_lines)
    client = messenger_app.test_client()
    try:
        with caplog.at_level(logging.DEBUG):
            created = client.post(
                "/api/personas",
                json={
                    "name": "Robin",
                    "password": PASSWORD,
                    "public": True,
                    "me": OWNER,
                    "train": FAST_TRAIN,
                    "source": {
                        "type": "messenger",
                        "cookies": cookies,
                        "thread_ids": list(site.threads)[:2],
                    },
                },
                headers={"X-Request-ID": "req-secret-test"},
            )
            assert created.status_code == 202, created.json
            job = wait_for_job(client, created.json["job"]["id"])
            engine = messenger_app.extensions["mimical"].engine
            say(engine, "u1", "Robin")
            say(engine, "u1", PASSWORD)
            say(engine, "u1", "hello there")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)

    assert job["state"] == "succeeded", job["error"]
    assert site.thread_reads()  # the scraper really read the stand-in
    token = created.json["manage_token"]
    secrets = {"password": PASSWORD, "manage token": token} | {
        f"cookie {name}": value for name, value in cookies.items()
    }

    logged = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [str(r.args) for r in caplog.records]
        + [json_lines.getvalue()]
    )
    rows = _every_row(messenger_app)
    files = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    assert any(p.name == "model.safetensors" for p in files)
    for what, secret in secrets.items():
        assert secret not in logged, f"the {what} is in the logs"
        assert secret not in rows, f"the {what} is in the database"
        for path, content in files.items():
            assert secret.encode() not in content, f"the {what} is in {path}"

    # The request id of the create follows the job into its log lines.
    job_lines = [
        json.loads(line)
        for line in json_lines.getvalue().splitlines()
        if '"job_id"' in line
    ]
    assert job_lines
    assert {line["request_id"] for line in job_lines} == {"req-secret-test"}


def _every_row(app: Flask) -> str:
    """Every value of every table, as text."""
    engine = app.extensions["mimical"].services.db.engine
    dump = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump.append(repr(tuple(row)))
    return "\n".join(dump)


def test_json_log_lines_carry_level_logger_and_message() -> None:
    record = logging.LogRecord(
        "serving.x", logging.INFO, __file__, 1, "hi %s", ("you",), None
    )
    record.request_id, record.job_id = "r1", 7

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "hi you"
    assert (line["level"], line["logger"]) == ("INFO", "serving.x")
    assert (line["request_id"], line["job_id"]) == ("r1", 7)
