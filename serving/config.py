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
    max_upload_mb: int = 256
    log_format: str = "auto"
    # Longest persona reply in characters; None: each persona's own habit (a little
    # over the 99th percentile of its person's replies).
    reply_max_chars: int | None = None
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    proxy_hops: int = 0
    # What an anonymous API caller may spend (`serving.api.create`): the longest
    # training budget, unfinished jobs per address, all unfinished jobs, and the
    # disk all uploads in flight may fill.
    api_max_minutes: float = 10.0
    max_queued_per_ip: int = 2
    max_queued_jobs: int = 20
    uploads_max_mb: int = 2048
    # Shared rate limits ("N/minute", `limits` syntax), per client address.
    rate_create: str = "10/hour"
    rate_owner: str = "60/minute"
    rate_get_model: str = "20/minute"
    # Prometheus' folder for the counters of every gunicorn worker (multiprocess).
    metrics_dir: str | None = None

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
        for rate in (self.rate_create, self.rate_owner, self.rate_get_model):
            _check_rate(rate)
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
            max_upload_mb = int(env.get("MIMICAL_MAX_UPLOAD_MB", "256"))
            reply_max_chars = int(env.get("MIMICAL_REPLY_MAX_CHARS") or 0) or None
            proxy_hops = int(env.get("MIMICAL_PROXY_HOPS", "0"))
            api_max_minutes = float(env.get("MIMICAL_API_MAX_MINUTES", "10"))
            max_queued_per_ip = int(env.get("MIMICAL_MAX_QUEUED_PER_IP", "2"))
            max_queued_jobs = int(env.get("MIMICAL_MAX_QUEUED_JOBS", "20"))
            uploads_max_mb = int(env.get("MIMICAL_UPLOADS_MAX_MB", "2048"))
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
            api_max_minutes=api_max_minutes,
            max_queued_per_ip=max_queued_per_ip,
            max_queued_jobs=max_queued_jobs,
            uploads_max_mb=uploads_max_mb,
            rate_create=env.get("MIMICAL_RATE_CREATE", "10/hour"),
            rate_owner=env.get("MIMICAL_RATE_OWNER", "60/minute"),
            rate_get_model=env.get("MIMICAL_RATE_GET_MODEL", "20/minute"),
            metrics_dir=env.get("PROMETHEUS_MULTIPROC_DIR") or None,
        )

    def with_secret_key(self) -> Config:
        """This config with a secret key: the given one, or one kept under `home`.

        Generated once with `secrets` and stored with owner-only permissions, so
        signed sessions survive a restart without anyone choosing a key. The file
        appears whole or not at all (written aside, then hard-linked into place),
        so processes starting together all read the same complete key.
        """
        if self.secret_key:
            return replace(self, secret_key=_checked_key(self.secret_key, "given"))
        key_file = self.home / "secret_key"
        if not key_file.exists():
            _create_key_file(key_file)
        key = _checked_key(key_file.read_text().strip(), f"in {key_file}")
        return replace(self, secret_key=key)


# A shorter secret would make signed sessions and sealed cookies guessable.
MIN_SECRET_KEY_CHARS = 32


def _checked_key(key: str, where: str) -> str:
    if len(key) < MIN_SECRET_KEY_CHARS:
        raise ConfigError(
            f"the secret key {where} has {len(key)} characters; it needs at least "
            f"{MIN_SECRET_KEY_CHARS} (unset MIMICAL_SECRET_KEY to have one generated)"
        )
    return key


def _create_key_file(key_file: Path) -> None:
    """Write a fresh key beside `key_file`, then link it in unless one won first."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    staging = key_file.with_name(
        f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}"
    )
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(staging, key_file)
        except FileExistsError:
            pass  # another process made it first: everyone reads that one
    finally:
        staging.unlink(missing_ok=True)


def _check_rate(rate: str) -> None:
    """Refuse a rate limit the `limits` library cannot read, at start-up."""
    from limits import parse_many

    try:
        parse_many(rate)
    except ValueError:
        raise ConfigError(
            f"bad rate limit {rate!r}: write it like '10/hour' or '5/minute'"
        ) from None
