"""Alembic migrations: applied at start-up, equal to the models, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from serving.db import Database, upgrade
from serving.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.create_schema()
        db.create_schema()  # idempotent

        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), Base.metadata
            )
            version = connection.execute(
                text("SELECT version_num FROM alembic_version")
            )
            assert differences == []
            assert version.scalar() == _head()
    finally:
        db.dispose()


def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with db.engine.begin() as connection:
            upgrade(connection, "0001")
            connection.execute(text("DROP TABLE alembic_version"))

        db.create_schema()

        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("jobs")}
            assert {"worker", "heartbeat_at", "finished_at"} <= columns
    finally:
        db.dispose()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from serving.db import MIGRATIONS

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())
