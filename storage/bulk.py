"""Fast multi-row INSERT for PostgreSQL: one statement of column arrays through unnest().

SQLAlchemy's multi-row VALUES puts one placeholder per cell in the SQL; psycopg re-parses such
statements on every call (its cache stops at 50 parameters), which cost PostgreSQL imports most
of their time. One array per column keeps the statement small, cached and fast.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, text
from sqlalchemy.dialects.postgresql import JSONB
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
