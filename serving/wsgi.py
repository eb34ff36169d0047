"""The production entry point: `gunicorn serving.wsgi:app`.

Configuration comes from the environment (see `.env.example`); logs are JSON lines
unless MIMICAL_LOG_FORMAT says otherwise.
"""

from __future__ import annotations

from serving.app import create_app
from serving.config import Config
from serving.logs import configure_logging

_config = Config.from_env()
configure_logging(_config.log_format)
app = create_app(_config)
