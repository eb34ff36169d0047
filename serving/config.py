"""Configuration from the environment: one frozen dataclass, documented defaults.

Every variable read here is listed in `.env.example`; a test keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v25.0"
DEFAULT_MESSENGER_URL = "https://mbasic.facebook.com"
DEFAULT_DISCORD_API_URL = "https://discord.com/api/v10"
JOB_RUNNERS = ("thread", "celery")


class ConfigError(ValueError):
    """A configuration value is missing or wrong."""


@dataclass(frozen=True)
class Config:
    """Where state lives and how the parts are wired; see ARCHITECTURE.md."""

    home: Path = Path("var")
    database_url: str = ""
    storage_url: str = ""
    s3_endpoint_url: str | None = None
    jobs: str = "thread"
    broker_url: str | None = None
    secret_key: str = field(default="", repr=False)
    fb_page_access_token: str | None = field(default=None, repr=False)
    fb_app_secret: str | None = field(default=None, repr=False)
    fb_verify_token: str | None = field(default=None, repr=False)
    fb_graph_url: str = DEFAULT_GRAPH_URL
    messenger_url: str = DEFAULT_MESSENGER_URL
    # The Discord app: its id and public key (Ed25519, hex) check interactions,
    # the bot token sends messages and opens the gateway.
    discord_application_id: str | None = None
    discord_public_key: str | None = None
    discord_bot_token: str | None = field(default=None, repr=False)
    discord_api_url: str = DEFAULT_DISCORD_API_URL
    train_minutes: float = 2.0
    max_upload_mb: int = 512
    log_format: str = "auto"
    # Longest persona reply in characters; None: each persona's own habit (a little
    # over the 99th percentile of its person's replies).
    reply_max_chars: int | None = None
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    proxy_hops: int = 0

    def __post_init__(self) -> None:
        home = Path(self.home)
        object.__setattr__(self, "home", home)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{home / 'mimical.db'}")
        if not self.storage_url:
            object.__setattr__(
                self, "storage_url", f"file://{(home / 'artifacts').resolve()}"
            )
        if self.jobs not in JOB_RUNNERS:
            raise ConfigError(
                f"MIMICAL_JOBS must be one of {JOB_RUNNERS}, not {self.jobs!r}"
            )
        if self.jobs == "celery" and not self.broker_url:
            raise ConfigError(
                "MIMICAL_JOBS=celery needs MIMICAL_BROKER_URL (a Redis URL)"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read `MIMICAL_*`, `FB_*` and `DISCORD_*` variables; unset ones: defaults."""
        env = os.environ if environ is None else environ
        home = Path(env.get("MIMICAL_HOME", "var"))
        try:
            train_minutes = float(env.get("MIMICAL_TRAIN_MINUTES", "2"))
            max_upload_mb = int(env.get("MIMICAL_MAX_UPLOAD_MB", "512"))
            reply_max_chars = int(env.get("MIMICAL_REPLY_MAX_CHARS") or 0) or None
            proxy_hops = int(env.get("MIMICAL_PROXY_HOPS", "0"))
        except ValueError as error:
            raise ConfigError(f"bad number in the environment: {error}") from None
        return cls(
            home=home,
            database_url=env.get("MIMICAL_DATABASE_URL", ""),
            storage_url=env.get("MIMICAL_STORAGE_URL", ""),
            s3_endpoint_url=env.get("MIMICAL_S3_ENDPOINT_URL") or None,
            jobs=env.get("MIMICAL_JOBS", "thread"),
            broker_url=env.get("MIMICAL_BROKER_URL") or None,
            secret_key=env.get("MIMICAL_SECRET_KEY", ""),
            fb_page_access_token=env.get("FB_PAGE_ACCESS_TOKEN") or None,
            fb_app_secret=env.get("FB_APP_SECRET") or None,
            fb_verify_token=env.get("FB_VERIFY_TOKEN") or None,
            fb_graph_url=env.get("FB_GRAPH_URL", DEFAULT_GRAPH_URL),
            messenger_url=env.get("MIMICAL_MESSENGER_URL", DEFAULT_MESSENGER_URL),
            discord_application_id=env.get("DISCORD_APPLICATION_ID") or None,
            discord_public_key=env.get("DISCORD_PUBLIC_KEY") or None,
            discord_bot_token=env.get("DISCORD_BOT_TOKEN") or None,
            discord_api_url=env.get("DISCORD_API_URL", DEFAULT_DISCORD_API_URL),
            train_minutes=train_minutes,
            max_upload_mb=max_upload_mb,
            log_format=env.get("MIMICAL_LOG_FORMAT", "auto"),
            reply_max_chars=reply_max_chars,
            proxy_hops=proxy_hops,
        )

    def with_secret_key(self) -> Config:
        """This config with a secret key: the given one, or one kept under `home`.

        Generated once with `secrets` and stored with owner-only permissions, so
        signed sessions survive a restart without anyone choosing a key.
        """
        if self.secret_key:
            return self
        key_file = self.home / "secret_key"
        if not key_file.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=key_file.read_text().strip())
