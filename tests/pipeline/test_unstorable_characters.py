"""NUL and other characters a database cannot store (issue 13 item 4).

PostgreSQL refuses NUL in text and jsonb; neither database can encode a lone surrogate. One
such post used to fail its whole batch on PostgreSQL, and the error dumped the batch's
parameters. Posts are made storable where they are built; every test runs on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from monitor.config.settings import Settings
from monitor.core.events import ChannelInfo, ChannelPost, Entity
from monitor.core.text import REPLACEMENT, storable, storable_text
from monitor.pipeline.ingest import Pipeline
from monitor.services.importing import import_exports
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Channel, Post
from tests.support.exports import chat, message, write_export

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LONE = "\ud800"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("a\x00b", f"a{REPLACEMENT}b"),
        (f"x{LONE}y\udcff", f"x{REPLACEMENT}y{REPLACEMENT}"),
        ("Вагнер\x00\x00", f"Вагнер{REPLACEMENT}{REPLACEMENT}"),
    ],
)
def test_storable_text_replaces_one_for_one(raw: str, clean: str) -> None:
    assert storable_text(raw) == clean and len(clean) == len(raw)


def test_storable_walks_nested_values_without_recursion() -> None:
    deep: object = "x\x00"
    for _ in range(10_000):
        deep = {"k\x00": [deep]}
    cleaned = storable(deep)
    for _ in range(10_000):
        assert isinstance(cleaned, dict)
        cleaned = cleaned[f"k{REPLACEMENT}"][0]
    assert cleaned == f"x{REPLACEMENT}"


def test_a_nul_post_is_stored_beside_its_batch(db: Database) -> None:
    channel = ChannelInfo(7, "chan\x00", "Title\x00")
    posts = [
        ChannelPost(7, 1, T0, "good one"),
        ChannelPost(
            7,
            2,
            T0,
            "bad\x00post with a lone " + LONE,
            entities=(Entity("text_link", 0, 3, "https://x.example/\x00"),),
            reactions={"\x00": 3},
            fwd_from_name="from\x00",
            media_kind="document",
            media={"file_name": "a\x00.pdf", "nested": [{"caption": LONE}]},
        ),
        ChannelPost(7, 3, T0, "good two"),
    ]
    settings = Settings(data_dir=Path("unused"))
    report = build_app(settings, db=db).pipeline.ingest(channel, posts)
    assert (report.new, report.stage_failures) == (3, {})
    with db.read_session() as session:
        stored = dict(session.execute(select(Post.message_id, Post.text)).all())
        title = session.execute(select(Channel.title)).scalar_one()
        media = session.execute(select(Post.media).where(Post.message_id == 2)).scalar_one()
    assert stored == {
        1: "good one",
        2: f"bad{REPLACEMENT}post with a lone {REPLACEMENT}",
        3: "good two",
    }
    assert title == f"Title{REPLACEMENT}"
    assert media == {"file_name": f"a{REPLACEMENT}.pdf", "nested": [{"caption": REPLACEMENT}]}


def test_import_of_an_export_with_nul_escapes_keeps_every_post(
    db: Database, tmp_path: Path
) -> None:
    messages = [message(1, "before"), message(2, "has \u0000 inside"), message(3, "after")]
    path = write_export(tmp_path, chat(messages, name="Chan\u0000"))
    report = import_exports(Pipeline(db), path)
    assert (report.new, report.bad) == (3, 0)
    with db.read_session() as session:
        assert session.execute(select(Post.text).where(Post.message_id == 2)).scalar_one() == (
            f"has {REPLACEMENT} inside"
        )


def test_database_errors_do_not_dump_parameters(db: Database) -> None:
    with pytest.raises(SQLAlchemyError) as caught, db.session() as session:
        session.execute(text("INSERT INTO no_such_table VALUES (:v)"), {"v": "post-text-marker"})
    assert "post-text-marker" not in str(caught.value)
