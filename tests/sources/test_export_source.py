"""The export reader is a whole Source: the watcher catches a channel up from an export and a
recheck against a later, complete export marks what it no longer holds as deleted."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from monitor.config.settings import Settings
from monitor.core.errors import SourceError
from monitor.daemon.watcher import ChannelWatcher
from monitor.pipeline.ingest import Pipeline
from monitor.sources.export_source import ExportSource
from storage.database import Database
from storage.models import Post
from tests.support.exports import chat, message, write_export


def test_the_watcher_reads_a_channel_from_an_export(db: Database, tmp_path: Path) -> None:
    first = write_export(
        tmp_path / "a", chat([message(i, f"post {i}", minutes=i) for i in (1, 2, 3)], name="Exp")
    )
    settings = Settings(data_dir=tmp_path, channels=[{"ref": "Exp", "backfill": 10}])
    watcher = ChannelWatcher(ExportSource([first]), Pipeline(db), db, settings)
    asyncio.run(watcher.sync_channels())
    assert asyncio.run(watcher.catch_up(42)).new == 3

    later = write_export(
        tmp_path / "b", chat([message(i, f"post {i}", minutes=i) for i in (1, 3)], name="Exp")
    )
    watcher.source = ExportSource([later])
    assert asyncio.run(watcher.recheck(42, window=10)).deleted == 1
    with db.read_session() as s:
        deleted = s.exec(select(Post.message_id).where(Post.deleted_at.is_not(None))).all()  # type: ignore[union-attr]
    assert list(deleted) == [2]
    info = asyncio.run(watcher.source.refresh(asyncio.run(watcher.source.resolve("Exp"))))
    try:
        asyncio.run(watcher.source.join(info))
    except SourceError as exc:
        assert "cannot be joined" in str(exc)
    else:
        raise AssertionError("an export cannot be joined")
