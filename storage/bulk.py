"""Fast multi-row INSERT: COPY or column arrays on PostgreSQL, multi-row VALUES on SQLite.

SQLAlchemy's multi-row VALUES puts one placeholder per cell in the SQL; psycopg re-parses such
statements on every call (its cache stops at 50 parameters), which cost PostgreSQL imports most
of their time. Small batches go as one array per column through unnest(): a small, cached
statement. Large ones (imports) are COPYed into a temporary table and inserted from there,
which skips building Python arrays (psycopg writes COPY rows in C) and still honours
ON CONFLICT and RETURNING.

On SQLite the same call is SQLAlchemy's multi-row INSERT (its "insertmanyvalues"), which beat
the driver's row-by-row executemany.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.schema import Column
from sqlmodel import Session


def _is_json(column_type: Any) -> bool:
    impl = getattr(column_type, "impl", column_type)
    variants = getattr(column_type, "_variant_mapping", {})
    return isinstance(impl, JSON | JSONB) or any(
        isinstance(v, JSON | JSONB) for v in variants.values()
    )


def pg_bulk_insert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT rows (all with the same keys) ON CONFLICT DO NOTHING; return `returning` columns."""
    if not rows:
        return []
    if len(rows) >= COPY_FROM_ROWS:
        return pg_copy_insert(session, table, rows, conflict=conflict, returning=returning)
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    params: dict[str, list[Any]] = {}
    arrays, selects = [], []
    for i, name in enumerate(columns):
        column = table.c[name]
        values = [row[name] for row in rows]
        if _is_json(column.type):
            params[f"c{i}"] = [
                None if v is None else json.dumps(v, ensure_ascii=False) for v in values
            ]
            arrays.append(f"CAST(:c{i} AS text[])")
            selects.append(f"CAST(c{i} AS jsonb)")
        else:
            params[f"c{i}"] = values
            arrays.append(f"CAST(:c{i} AS {column.type.compile(dialect=dialect)}[])")
            selects.append(f"c{i}")
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = (
        f'INSERT INTO "{table.name}" ({quoted}) '
        f"SELECT {', '.join(selects)} FROM unnest({', '.join(arrays)}) AS t({aliases})"
    )
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
        return [tuple(r) for r in session.execute(text(sql), params).all()]
    session.execute(text(sql), params)
    return []


COPY_FROM_ROWS = 200  # below this, a temporary table costs more than it saves


def pg_copy_insert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """COPY rows into a temporary twin of `table`, then INSERT … SELECT … ON CONFLICT from it.

    The twin has exactly the given columns (types taken from `table`) and is dropped right
    after, also at commit, so a later batch in the same transaction starts empty.
    """
    columns = list(rows[0])
    json_columns = {name for name in columns if _is_json(table.c[name].type)}
    quoted = ", ".join(f'"{c}"' for c in columns)
    digest = hashlib.sha1(quoted.encode()).hexdigest()[:10]
    twin = f"tgmon_load_{table.name}_{digest}"
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE "{twin}" ON COMMIT DROP AS '
            f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
        )
        with cursor.copy(f'COPY "{twin}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c], ensure_ascii=False)
                        if c in json_columns and row[c] is not None
                        else row[c]
                        for c in columns
                    ]
                )
        sql = f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{twin}"'
        if conflict:
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
        # the DROP in the same round trip: one wait for the server less per batch
        cursor.execute(f'{sql}; DROP TABLE "{twin}"')
        result = [tuple(r) for r in cursor.fetchall()] if returning else []
    return result


def bulk_insert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT rows (all with the same keys) ON CONFLICT DO NOTHING on either database.

    Returns the `returning` columns of the rows actually inserted (plain columns: ids, names).
    """
    if not rows:
        return []
    missing = _missing_defaults(table, list(rows[0]))
    if missing:  # what SQLAlchemy's own INSERT would fill in from the model's defaults
        rows = [{**row, **{c.name: _default(c) for c in missing}} for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        return pg_bulk_insert(session, table, rows, conflict=conflict, returning=returning)
    return sqlite_bulk_insert(session, table, rows, conflict=conflict, returning=returning)


def sqlite_bulk_insert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """SQLAlchemy's multi-row INSERT … ON CONFLICT DO NOTHING RETURNING on SQLite.

    Not the driver's executemany: one statement per row cost SQLite twice the time of
    SQLAlchemy's multi-row VALUES for posts (measured, 10,000 posts: 1.0 s against 0.45 s).
    """
    if not returning and not conflict:
        session.execute(table.insert(), list(rows))
        return []
    stmt = sqlite.insert(table)
    if conflict:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    if not returning:
        session.execute(stmt, list(rows))
        return []
    result = session.execute(stmt.returning(*(table.c[c] for c in returning)), list(rows))
    return [tuple(r) for r in result.all()]


def _missing_defaults(table: Table, given: Sequence[str]) -> list[Column[Any]]:
    """Columns the rows leave out that SQLAlchemy would fill from a Python-side default."""
    return [
        column
        for column in table.c
        if column.name not in given
        and column.default is not None
        and not column.primary_key
        and (column.default.is_scalar or column.default.is_callable)
    ]


def _default(column: Column[Any]) -> Any:
    default = column.default
    assert default is not None
    return default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
