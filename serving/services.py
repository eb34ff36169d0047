"""The wired-up collaborators every entry point shares: config, database, storage."""

from __future__ import annotations

from dataclasses import dataclass

from serving.config import Config
from serving.db import Database
from serving.storage import Storage, open_storage


@dataclass(frozen=True)
class Services:
    """What jobs, the chat engine and the API need, built once per process."""

    config: Config
    db: Database
    storage: Storage


def open_services(config: Config | None = None) -> Services:
    """Build the services from a config (the environment's by default)."""
    config = (config or Config.from_env()).with_secret_key()
    config.home.mkdir(parents=True, exist_ok=True)
    config.home.chmod(0o700)  # private messages, models and keys live here
    db = Database(config.database_url)
    db.create_schema()
    return Services(config=config, db=db, storage=open_storage(config))
