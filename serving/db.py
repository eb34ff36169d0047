"""The database: one engine per app, short sessions, schema kept up to date."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision whose schema equals what `create_all` made before migrations existed.
BASELINE_REVISION = "0001"
# Any fixed number: PostgreSQL servers starting together migrate one at a time.
_MIGRATION_LOCK = 0x6D696D6963616C


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL and a busy timeout let the server, jobs and CLI share one SQLite file.

    In WAL mode `synchronous=NORMAL` syncs at checkpoints, not at every commit: a
    crash of the process loses nothing and the file stays consistent, but a power
    cut may forget the last commits (SQLite's documented trade-off; the webhook
    commits a few times a message).
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (its WAL files follow)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    path.chmod(0o600)


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {}
        self._sqlite_file: Path | None = None
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                self._sqlite_file = Path(parsed.database)
                _private_file(self._sqlite_file)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
        self.url = url
        self.engine: Engine = create_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Bring the schema up to date with the Alembic migrations (idempotent).

        Processes starting together (`gunicorn -w N` on a fresh database) migrate
        one at a time: PostgreSQL through an advisory lock, SQLite through a lock
        on a file beside the database.
        """
        with _file_lock(self._sqlite_file), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            upgrade(connection)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def _file_lock(database: Path | None) -> Iterator[None]:
    """Hold an exclusive lock on `DATABASE.migrate-lock` (nothing without a file)."""
    if database is None:
        yield
        return
    fd = os.open(f"{database}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def alembic_config(connection: Connection) -> AlembicConfig:
    """An Alembic config that runs our migrations on this connection."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Migrate to `revision`; a database made before migrations is adopted first."""
    config = alembic_config(connection)
    tables = set(inspect(connection).get_table_names())
    if "personas" in tables and "alembic_version" not in tables:
        command.stamp(config, BASELINE_REVISION)
    command.upgrade(config, revision)


def insert_once(
    session: Session, model: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Insert a row unless its primary key is taken; whether this insert won.

    Atomic across processes: SQLite and PostgreSQL both have `ON CONFLICT DO
    NOTHING`; any other database falls back to a savepoint that swallows the
    unique-key violation.
    """
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        keys = [column.name for column in model.__table__.primary_key]
        statement = (
            module.insert(model.__table__)  # Core, not the ORM's bulk insert: cheaper
            .values(**values)
            .on_conflict_do_nothing(index_elements=keys)
            .returning(*model.__table__.primary_key)  # a row back only if it won
        )
        return session.execute(statement).first() is not None
    try:
        with session.begin_nested():
            session.add(model(**values))
        return True
    except IntegrityError:
        return False
