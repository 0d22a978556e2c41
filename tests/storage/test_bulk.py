"""bulk_insert: what the import path writes matches, alerts and versions with, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from monitor.core.events import ChannelInfo, ChannelPost
from storage.bulk import bulk_insert
from storage.database import Database
from storage.models import Match
from storage.posts import ensure_channel, upsert_posts

T0 = datetime(2026, 11, 20, 8, 30, 15, 123456, tzinfo=UTC)
_KEYS = ("post_id", "watchlist", "rule", "text_source")


def _posts(db: Database, count: int) -> list[int]:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(7, "chan"))
        posts = [ChannelPost(7, n, T0, f"Вагнер в Мали {n}") for n in range(1, count + 1)]
        return [change.post_id for change in upsert_posts(s, posts)]


def _row(post_id: int, rule: str) -> dict[str, object]:
    return {
        "post_id": post_id,
        "watchlist": "wagner",
        "rule": rule,
        "text_source": "original",
        "terms": ["Вагнер"],
        "spans": [[0, 6]],
        "matched_at": T0,
    }


def test_returns_only_the_rows_it_inserted_and_stores_values_as_the_orm_would(
    db: Database,
) -> None:
    post_ids = _posts(db, 3)
    with db.session() as s:
        [first] = bulk_insert(s, Match.__table__, [_row(post_ids[0], "a")], returning=("id",))
    rows = [_row(post_ids[0], "a"), _row(post_ids[1], "a"), _row(post_ids[2], "b")]
    with db.session() as s:
        # the first row is already stored (another writer's): skipped, not returned
        inserted = bulk_insert(
            s, Match.__table__, rows, conflict=_KEYS, returning=("id", "post_id", "rule")
        )
    assert [(post_id, rule) for _, post_id, rule in inserted] == [
        (post_ids[1], "a"),
        (post_ids[2], "b"),
    ]
    with db.session() as s:
        stored = {m.id: m for m in s.exec(select(Match))}
    assert sorted(stored) == sorted([first[0], *(match_id for match_id, _, _ in inserted)])
    for match_id, post_id, rule in inserted:
        match = stored[match_id]
        assert (match.post_id, match.rule, match.terms, match.spans) == (
            post_id,
            rule,
            ["Вагнер"],
            [[0, 6]],
        )
        assert match.matched_at == T0  # microseconds and UTC survive the round trip
        assert (match.severity, match.post_version) == ("info", 1)  # the model's defaults


def test_large_batches_insert_every_row_once(db: Database) -> None:
    post_ids = _posts(db, 300)  # above the PostgreSQL COPY threshold
    rows = [_row(post_id, "a") for post_id in post_ids]
    with db.session() as s:
        inserted = bulk_insert(s, Match.__table__, rows, conflict=_KEYS, returning=("post_id",))
    with db.session() as s:
        again = bulk_insert(s, Match.__table__, rows, conflict=_KEYS, returning=("post_id",))
        count = len(s.exec(select(Match.id)).all())
    assert sorted(post_id for (post_id,) in inserted) == sorted(post_ids)
    assert (again, count) == ([], 300)


def test_rows_beyond_one_statement_are_each_stored_once_with_their_instant(
    db: Database,
) -> None:
    """More rows than one SQLite statement holds (storage.bulk.SQLITE_ROWS_PER_STATEMENT), with
    an already stored row in the middle, and times given in another zone than UTC."""
    post_ids = _posts(db, 1201)
    moscow = timezone(timedelta(hours=3))
    rows = [
        {**_row(post_id, "a"), "matched_at": (T0 + timedelta(seconds=n)).astimezone(moscow)}
        for n, post_id in enumerate(post_ids)
    ]
    with db.session() as s:
        bulk_insert(s, Match.__table__, [rows[700]], conflict=_KEYS)
    with db.session() as s:
        inserted = bulk_insert(s, Match.__table__, rows, conflict=_KEYS, returning=("post_id",))
    assert sorted(post_id for (post_id,) in inserted) == sorted(
        post_id for n, post_id in enumerate(post_ids) if n != 700
    )
    with db.session() as s:
        stored = {m.post_id: m.matched_at for m in s.exec(select(Match))}
    assert len(stored) == 1201
    assert stored[post_ids[1200]] == T0 + timedelta(seconds=1200)
    assert stored[post_ids[1200]].tzinfo == UTC


def test_a_failing_insert_raises_sqlalchemys_error_without_the_values(db: Database) -> None:
    """The daemon's handlers catch SQLAlchemyError (a locked or unreachable database); a row the
    database refuses must arrive as one, and the bound values must not be in its message."""
    post_ids = _posts(db, 1)
    row = {**_row(post_ids[0], "a"), "rule": None, "watchlist": "секретный-список"}
    with pytest.raises(SQLAlchemyError) as raised, db.session() as s:
        bulk_insert(s, Match.__table__, [row], conflict=_KEYS, returning=("id",))
    if db.dialect == "sqlite":  # PostgreSQL's own DETAIL ("Failing row contains …") quotes it
        assert "секретный-список" not in str(raised.value)
