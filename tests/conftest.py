"""Shared fixtures: a real database on SQLite and on PostgreSQL, and a clean environment.

PostgreSQL tests run whenever the server answers; without it they skip with a reason, unless
TGMON_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.database import Database

ADMIN_URL = os.environ.get(
    "TGMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("TGMON_REQUIRE_POSTGRES") == "1"
_TABLES_IN_DELETE_ORDER = (
    "delivery",
    "alert",
    "match",
    "postversion",
    "stagebacklog",
    "post",
    "translationcache",
    "channelaccess",
    "channel",
)


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except OperationalError as exc:
        return (
            f"PostgreSQL not reachable at {make_url(ADMIN_URL).render_as_string(True)}: {exc.orig}"
        )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TGMON_* variable from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("TGMON_") and key not in ("TGMON_TEST_POSTGRES_URL",):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once, dropped at the end."""
    reason = _postgres_reason()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"TGMON_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    name = f"tgmon_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "tgmon.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


def _truncate_postgres(db: Database) -> None:
    with db.engine.begin() as conn:
        tables = [t for t in db.table_names() if t != "alembic_version"]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: every storage test runs once on each backend."""
    if request.param == "sqlite":
        target = tmp_path / "tgmon.db"
        target.write_bytes(request.getfixturevalue("_sqlite_template").read_bytes())
        database = Database(f"sqlite:///{target}")
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        _truncate_postgres(database)
    yield database
    database.dispose()


@pytest.fixture
def db_url(db: Database) -> str:
    return db.url
