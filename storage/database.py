"""The database behind tgmon: one URL, SQLite by default, PostgreSQL when asked.

`Database` owns the engine (with SQLite's WAL, foreign keys and busy timeout), hands out
transactional sessions, and brings the schema up to date with Alembic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlmodel import Session, create_engine

from monitor.core.errors import ConfigError, TgmonError

MIGRATIONS = Path(__file__).with_name("migrations")
# Full-text index objects made by raw SQL in revision 0002, not by the models.
_SEARCH_INDEX_OBJECTS = ("post_fts", "search_vector", "ix_post_search_vector")


def include_object(
    obj: object, name: str | None, kind: str, reflected: bool, other: object
) -> bool:
    """Keep schema comparison off the search index objects the models do not describe."""
    return not (name or "").startswith(_SEARCH_INDEX_OBJECTS)


# Python's sqlite3 keeps the last 128 prepared statements per connection. A batch's multi-row
# INSERTs (matches, alerts, deliveries) have a row count of their own each time, so each is a
# new statement, prepared for thousands of parameters: the cache filled with them and grew a
# 100,000-post import by ~35 MB (SQLite's own memory 18 → 41 MB; with 16, a flat 6 MB, and no
# measurable loss of speed: the statements run again and again are few).
SQLITE_CACHED_STATEMENTS = 16


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's recipe: let the
    # driver autocommit and emit BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite runs a statement without returning to Python, so Ctrl-C waited for the whole
    # query (14 s for a huge search). A Python callback every few thousand VM steps lets the
    # signal in: the statement stops with "interrupted", turned back into KeyboardInterrupt.
    dbapi_connection.set_progress_handler(_let_signals_in, _PROGRESS_STEPS)


_PROGRESS_STEPS = 20_000


def _let_signals_in() -> int:
    return 0  # carry on; a pending SIGINT raises in here, and SQLite aborts the statement


def _interrupted_by_signal(context: Any) -> None:
    """handle_error: SQLite's "interrupted" (from _let_signals_in) is the user's Ctrl-C."""
    original = context.original_exception
    if isinstance(original, sqlite3.OperationalError) and str(original) == "interrupted":
        raise KeyboardInterrupt from original


def _sqlite_begin(conn: Any) -> None:
    # A deferred BEGIN that reads, then writes, fails at once with "database is locked" when
    # another connection wrote in between (WAL snapshot); IMMEDIATE waits its turn instead.
    readonly = conn.get_execution_options().get("tgmon_readonly", False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def redact_url(url: str) -> str:
    """Show a database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database url>"


def check_database_folder(url: str) -> None:
    """A SQLite file must go into an existing folder: a typo in a path is an error, not a tree."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database.url: not a database URL: {redact_url(url)}") from exc
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).absolute().parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise ConfigError(f"database.url: {folder} {reason} (create it, or fix the path)")


def _first_line(exc: DatabaseError) -> str:
    """The driver's reason in one line (psycopg adds hint lines; SQLAlchemy adds the SQL)."""
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


# psycopg prepares a statement after its fifth run, and PostgreSQL may then settle on one
# generic plan costed while the table was small: the id lookups of an import (`message_id IN
# (…)`) stayed sequential scans and grew with the table, to 40 % of a PostgreSQL import.
# Custom plans see the real values and the real table; planning them costs microseconds.
_PG_OPTIONS = "-c plan_cache_mode=force_custom_plan"


def _pg_options(given: Any) -> str:
    """The connection's `options`: ours, then any the URL gives (which win where they overlap)."""
    given = " ".join(given) if isinstance(given, tuple) else given
    return f"{_PG_OPTIONS} {given}" if given else _PG_OPTIONS


class Database:
    """An engine plus the operations every caller needs: sessions and schema upgrades."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ConfigError(f"database.url: not a database URL: {redact_url(url)}") from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigError(
                f"database.url: unsupported database {self.dialect!r} (use sqlite or postgresql)"
            )
        # Errors and logs never carry bound parameters: they hold post texts of a whole batch
        # (and a traceback is no place for them).
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.dialect == "sqlite":
            check_database_folder(url)
            kwargs["connect_args"] = {
                "check_same_thread": False,
                "timeout": 30,
                "cached_statements": SQLITE_CACHED_STATEMENTS,
            }
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["connect_args"] = {"options": _pg_options(parsed.query.get("options"))}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
            event.listen(self.engine, "handle_error", _interrupted_by_signal)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def __repr__(self) -> str:
        return f"Database({redact_url(self.url)})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session whose work is committed on success and rolled back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """Yield a session for long reads (search, export) that never holds SQLite's write lock."""
        engine = self.engine.execution_options(tgmon_readonly=True)
        with Session(engine, expire_on_commit=False) as session:  # closing ends the transaction
            yield session

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self, revision: str = "heads") -> None:
        """Bring the schema to the newest revision (idempotent)."""
        try:
            command.upgrade(self.alembic_config(), revision)
        except DatabaseError as exc:
            raise TgmonError(
                f"database {redact_url(self.url)}: cannot upgrade schema: {_first_line(exc)}"
            ) from exc

    def current_revisions(self) -> set[str]:
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                return set(MigrationContext.configure(conn).get_current_heads())
        except DatabaseError as exc:  # unreachable server, refused login, unreadable file
            raise TgmonError(
                f"database {redact_url(self.url)}: cannot connect: {_first_line(exc)}"
            ) from None

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        self.engine.dispose()
