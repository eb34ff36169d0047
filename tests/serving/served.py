"""Serving another instance of the app on 127.0.0.1, on a world's database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from serving.app import create_app, shutdown_app
from serving.config import Config
from tests.local_http import serving_in_thread


@contextmanager
def served_app(config: Config, **settings: Any) -> Iterator[tuple[Flask, str]]:
    """The app with these `app.config` settings (limits), served; it and its URL."""
    app = create_app(config)
    app.config.update(settings)
    try:
        with serving_in_thread(app) as server:
            yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        shutdown_app(app)
