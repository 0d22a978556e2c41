"""The Database: writers wait their turn on SQLite, readers never block writers."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import select

from monitor.core.events import ChannelInfo
from storage.database import Database
from storage.models import Channel
from storage.posts import ensure_channel


def test_concurrent_read_then_write_transactions_both_succeed(db: Database) -> None:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(1, "a"))
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def bump(delta: int) -> None:
        try:
            start.wait()
            for _ in range(20):
                with db.session() as s:
                    channel = s.get(Channel, 1, with_for_update=True)
                    time.sleep(0.001)  # widen the window between the read and the write
                    channel.last_message_id += delta
                    s.add(channel)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=bump, args=(1,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as s:
        assert s.get(Channel, 1).last_message_id == 40  # no lost update, no "database is locked"


def test_a_long_read_does_not_block_a_writer(db: Database) -> None:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(1, "a"))
    with db.read_session() as reader:
        assert reader.exec(select(Channel)).all()
        with db.session() as writer:  # would wait for the reader if reads took the write lock
            ensure_channel(writer, ChannelInfo(2, "b"))
    with db.read_session() as reader:
        assert len(reader.exec(select(Channel)).all()) == 2


def test_postgres_sessions_plan_with_actual_values_and_keep_url_options(
    postgres_url: str,
) -> None:
    # a generic plan costed on an empty table kept an import's id lookups sequential
    url = make_url(postgres_url).update_query_dict({"options": "-c statement_timeout=4000"})
    db = Database(url.render_as_string(hide_password=False))
    try:
        with db.read_session() as session:
            assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
            assert session.execute(text("SHOW statement_timeout")).scalar() == "4s"
    finally:
        db.dispose()
