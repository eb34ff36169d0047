"""The service: config, storage, database, jobs, chat engine, HTTP API and CLI."""

from serving.app import create_app
from serving.config import Config, ConfigError
from serving.services import Services, open_services

__all__ = ["Config", "ConfigError", "Services", "create_app", "open_services"]
