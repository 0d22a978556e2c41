"""Importing exports through the pipeline: idempotent, versions edits, keeps good posts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from monitor.config.settings import bundled_path, load_settings
from monitor.core.errors import ExportFormatError
from monitor.pipeline.ingest import Pipeline
from monitor.pipeline.parallel import CorePool
from monitor.services.importing import import_exports
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Alert, Channel, Match, Post, PostVersion
from storage.post_detail import post_versions
from storage.posts import PostChange
from tests.support.exports import chat, message, service, write_export


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_importing_twice_adds_nothing(db: Database, tmp_path: Path) -> None:
    path = write_export(tmp_path, chat([service(1), message(2, "a"), message(3, "b")]))
    first = import_exports(Pipeline(db), path)
    second = import_exports(Pipeline(db), path)
    assert (first.new, first.skipped) == (2, 1)
    assert (second.new, second.edited, second.unchanged) == (0, 0, 2)
    assert count(db, Post) == 2 and count(db, PostVersion) == 0  # no edit: one copy of each text


def test_edited_reexport_adds_versions(db: Database, tmp_path: Path) -> None:
    import_exports(Pipeline(db), write_export(tmp_path / "v1", chat([message(1, "до правки")])))
    later = chat([message(1, "после правки", edited_minutes=10), message(2, "новый")])
    report = import_exports(Pipeline(db), write_export(tmp_path / "v2", later))
    assert (report.new, report.edited) == (1, 1)
    with db.session() as s:
        posts = s.exec(select(Post).order_by(Post.message_id)).all()
        texts = [[v["text"] for v in post_versions(s, p)] for p in posts]
        assert texts == [["до правки", "после правки"], ["новый"]]
        assert s.exec(select(Channel.last_message_id)).one() == 2


def test_bad_message_stops_but_keeps_the_posts_before_it(db: Database, tmp_path: Path) -> None:
    bad = message(3, "x")
    bad["date_unixtime"] = "yesterday"
    path = write_export(tmp_path, chat([message(1, "a"), message(2, "b"), bad, message(4, "d")]))
    with pytest.raises(ExportFormatError, match=r"result\.json: message #2: date_unixtime"):
        import_exports(Pipeline(db), path)
    assert count(db, Post) == 2


def test_skip_bad_imports_the_good_messages(db: Database, tmp_path: Path) -> None:
    bad = message(3, "x")
    del bad["id"]
    path = write_export(tmp_path, chat([message(1, "a"), bad, message(4, "d")]))
    report = import_exports(Pipeline(db), path, skip_bad=True)
    assert (report.new, report.bad) == (2, 1)
    assert "message #1: id: missing" in report.bad_examples[0]


def test_a_truncated_file_keeps_what_was_read(db: Database, tmp_path: Path) -> None:
    full = write_export(tmp_path, chat([message(i, f"post {i}") for i in range(1, 6)]))
    text = full.read_text(encoding="utf-8")
    full.write_text(text[: text.index('"id": 5')], encoding="utf-8")
    with pytest.raises(ExportFormatError, match="not valid JSON"):
        import_exports(Pipeline(db), full)
    assert count(db, Post) == 4


class ExplodingStage:
    name = "explode"

    def run(self, session: Session, changes: Sequence[PostChange]) -> None:
        session.add(Channel(id=999, title="half-written"))
        session.flush()
        raise RuntimeError("boom")


def test_a_failing_stage_loses_no_post_and_leaves_nothing_half_written(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_export(tmp_path, chat([message(1, "a"), message(2, "b")]))
    report = import_exports(Pipeline(db, [ExplodingStage()]), path)
    assert report.new == 2 and report.stage_failures == {"explode": 1}
    assert count(db, Post) == 2
    with db.session() as s:
        assert s.get(Channel, 999) is None  # the stage's own writes were rolled back
    assert "stage explode failed for channel 42 messages 1..2" in caplog.text


def test_complete_reexport_marks_missing_posts_deleted(db: Database, tmp_path: Path) -> None:
    first = chat([message(i, f"post {i}") for i in range(1, 6)])
    import_exports(Pipeline(db), write_export(tmp_path / "v1", first))
    later = chat([message(i, f"post {i}") for i in (2, 3, 5, 6)])
    report = import_exports(
        Pipeline(db), write_export(tmp_path / "v2", later), mark_missing_deleted=True
    )
    assert (report.new, report.deleted) == (1, 1)  # 4 is gone; 1 is outside the file's id range
    with db.session() as s:
        deleted = s.exec(select(Post.message_id).where(Post.deleted_at.is_not(None))).all()
        assert deleted == [4]
        assert s.exec(select(func.count()).select_from(Post)).one() == 6  # nothing removed


class FailingBatch(Pipeline):
    """Stores like the pipeline, except the batch holding message `bad` fails."""

    def __init__(self, db: Database, bad: int) -> None:
        super().__init__(db)
        self.bad = bad

    def ingest(self, channel, posts, **kwargs):  # type: ignore[no-untyped-def, override]
        if any(p.message_id == self.bad for p in posts):
            raise RuntimeError("disk full")
        return super().ingest(channel, posts, **kwargs)


def test_a_batch_that_fails_to_store_stops_the_import_after_the_batches_before_it(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a thread stores each batch while the next is read: its error must still
    # stop the import there, with the batches before it committed and none after it stored.
    monkeypatch.setattr("monitor.services.importing.BATCH_SIZE", 2)
    path = write_export(tmp_path, chat([message(i, f"сообщение {i}") for i in range(1, 8)]))
    with pytest.raises(RuntimeError, match="disk full"):
        import_exports(FailingBatch(db, bad=3), path)
    with Session(db.engine) as s:
        stored = sorted(s.exec(select(Post.message_id)).all())
    assert stored == [1, 2]


def test_an_import_leaves_thread_switching_as_it_found_it(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the PostgreSQL import shortens the GIL switch interval while its storing thread runs; a
    # process that imports (the demo, a test run, a caller's own program) keeps its own setting
    monkeypatch.setattr("monitor.services.importing.BATCH_SIZE", 2)
    path = write_export(tmp_path, chat([message(i, f"сообщение {i}") for i in range(1, 8)]))
    before = sys.getswitchinterval()
    import_exports(Pipeline(db), path)
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError, match="disk full"):
        import_exports(FailingBatch(db, bad=1), path)
    assert sys.getswitchinterval() == before


def test_a_many_batch_import_counts_and_stores_every_post_once(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("monitor.services.importing.BATCH_SIZE", 2)
    first = [message(i, f"сообщение номер {i}") for i in range(1, 8)]
    report = import_exports(Pipeline(db), write_export(tmp_path / "a", chat(first)))
    assert (report.new, report.edited, report.unchanged) == (7, 0, 0)
    later = [message(i, f"сообщение номер {i}") for i in range(1, 9)]
    later[4] = message(5, "сообщение номер 5 (правка)", edited_minutes=30)
    report = import_exports(Pipeline(db), write_export(tmp_path / "b", chat(later)))
    assert (report.new, report.edited, report.unchanged) == (1, 1, 6)
    assert count(db, Post) == 8 and count(db, PostVersion) == 2  # message 5: versions 1 and 2


def _outcome(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """What an import decided for each post: its language, its matches and its alerts."""
    with db.session() as s:
        return {
            "languages": sorted(s.exec(select(Post.message_id, Post.language)).all()),
            "matches": sorted(
                s.exec(
                    select(Post.message_id, Match.watchlist, Match.rule, Match.text_source).join(
                        Post, Post.id == Match.post_id
                    )
                ).all()
            ),
            "alerts": sorted(
                s.exec(
                    select(Post.message_id, Alert.watchlist).join(Post, Post.id == Alert.post_id)
                ).all()
            ),
        }


def test_an_import_worked_ahead_on_a_second_core_decides_what_one_process_decides(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each batch is detected and matched by the worker while the one before it is stored
    monkeypatch.setattr("monitor.services.importing.BATCH_SIZE", 16)
    export = bundled_path("samples", "frontline_dispatch", "result.json")
    settings = load_settings(bundled_path("tgmon.example.toml"))
    reference = Database(f"sqlite:///{tmp_path / 'one-process.db'}")
    reference.upgrade()
    one = build_app(settings, db=reference)
    one.core_pool = CorePool(enabled=False)
    import_exports(one.pipeline, export)
    two = build_app(settings, db=db)
    two.core_pool = CorePool(min_batch=4, enabled=True)
    assert two.core_pool.warm(two.registry.matcher(), wait=True)
    try:
        report = import_exports(two.pipeline, export)
    finally:
        two.core_pool.close()
    assert report.new > 64 and not report.stage_failures
    expected = _outcome(reference)
    assert len(expected["matches"]) > 10 and expected["alerts"]
    assert _outcome(db) == expected


def test_a_reimport_gives_the_second_core_nothing_to_work_ahead(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stored posts run no stage, so working them out ahead would only cost the import time
    monkeypatch.setattr("monitor.services.importing.BATCH_SIZE", 16)
    export = bundled_path("samples", "frontline_dispatch", "result.json")
    app = build_app(load_settings(bundled_path("tgmon.example.toml")), db=db)
    offered: list[int] = []
    app.core_pool = CorePool(min_batch=4, enabled=True)
    monkeypatch.setattr(
        app.core_pool, "look_ahead", lambda _m, texts, _c: offered.append(len(texts))
    )
    first = import_exports(app.pipeline, export)
    assert sum(offered) == first.new
    offered.clear()
    again = import_exports(app.pipeline, export)
    assert (again.new, again.unchanged, offered) == (0, first.new, [])
