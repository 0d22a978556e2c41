"""Language and matching stages on stored posts: new posts, edits, translations, hot reload."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.config.settings import TranslationSettings
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.matching.registry import WatchlistRegistry
from monitor.pipeline.ingest import Pipeline
from monitor.pipeline.stages import LanguageStage, MatchStage, match_posts
from monitor.translation.triage import TranslationTriageStage
from storage.database import Database
from storage.models import Match, Post

T0 = datetime(2026, 11, 20, tzinfo=UTC)
CHANNEL = ChannelInfo(1000000002, "sahel_watch", "Sahel Watch")
WAGNER = """
name = "wagner_mali"
severity = "critical"
not = ["опера", "opera"]

[[rules]]
id = "wagner_mali"
all = ["Вагнер", "Мали"]

[[rules]]
id = "mali_ru"
any = ["Мали"]
languages = ["ru"]
"""


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    folder = tmp_path / "watchlists"
    folder.mkdir()
    (folder / "wagner_mali.toml").write_text(WAGNER, encoding="utf-8")
    return folder


def pipeline(db: Database, registry: WatchlistRegistry) -> Pipeline:
    return Pipeline(db, [LanguageStage(), MatchStage(registry.matcher)])


def post(message_id: int, text: str, edited: int | None = None) -> ChannelPost:
    edited_at = T0 + timedelta(hours=edited) if edited else None
    return ChannelPost(CHANNEL.channel_id, message_id, T0, text, edited_at=edited_at)


def live_matches(db: Database) -> list[tuple[int, str, str, list[str]]]:
    with db.session() as s:
        rows = s.exec(
            select(Post.message_id, Match.rule, Match.text_source, Match.terms)
            .join(Post, Post.id == Match.post_id)
            .where(Match.removed_at.is_(None))
            .order_by(Post.message_id, Match.rule)
        ).all()
        return [tuple(r) for r in rows]


def test_language_is_stored_for_new_and_edited_posts(db: Database, lists: Path) -> None:
    pipe = pipeline(db, WatchlistRegistry([lists]))
    pipe.ingest(CHANNEL, [post(1, "Объявлена воздушная тревога в регионе"), post(2, "🔥🔥")])
    pipe.ingest(CHANNEL, [post(1, "Ворог атакував Херсон, поранено двох людей", edited=1)])
    with db.session() as s:
        rows = dict(s.exec(select(Post.message_id, Post.language)).all())
    assert rows == {1: "uk", 2: "und"}


def test_inflected_match_is_recorded_with_spans_in_the_original(db: Database, lists: Path) -> None:
    text = "Колонна вагнеровцев замечена под Кидалем в Мали"
    pipeline(db, WatchlistRegistry([lists])).ingest(CHANNEL, [post(1, text)])
    with db.session() as s:
        match = s.exec(select(Match).where(Match.rule == "wagner_mali")).one()
    assert [text[a:b] for a, b in match.spans] == ["вагнеровцев", "Мали"]
    assert [m[1] for m in live_matches(db)] == ["mali_ru", "wagner_mali"]


def test_traps_do_not_fire(db: Database, lists: Path) -> None:
    pipeline(db, WatchlistRegistry([lists])).ingest(
        CHANNEL,
        [
            post(1, "Вчора ми мали довгу розмову з волонтерами про нові дрони"),
            post(2, "На даче собрали малину, урожай маленький"),
            post(3, "В Большом театре дают оперу Вагнера, в Мали гастроли отменены"),
        ],
    )
    assert live_matches(db) == []


def test_an_edit_that_removes_the_match_keeps_it_as_evidence(db: Database, lists: Path) -> None:
    pipe = pipeline(db, WatchlistRegistry([lists]))
    pipe.ingest(CHANNEL, [post(1, "Вагнер уходит из Мали")])
    pipe.ingest(CHANNEL, [post(1, "Африканский корпус уходит из Нигера", edited=1)])
    assert live_matches(db) == []
    with db.session() as s:
        assert all(m.removed_at is not None for m in s.exec(select(Match)).all())


def test_translation_is_matched_when_it_arrives(db: Database, lists: Path) -> None:
    registry = WatchlistRegistry([lists])
    pipeline(db, registry).ingest(CHANNEL, [post(1, "Колонна замечена у границы")])
    with db.session() as s:
        row = s.exec(select(Post)).one()
        row.translation = "A Wagner column was seen near the border of Mali"
        s.add(row)
    with db.session() as s:
        changes = match_posts(s, registry.matcher(), [row.id])
    assert [m.rule for m in changes.added] == ["wagner_mali"]
    assert live_matches(db) == [(1, "wagner_mali", "translation", ["Вагнер", "Мали"])]


def test_hot_reload_swaps_valid_lists_and_keeps_the_old_on_error(
    lists: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = WatchlistRegistry([lists])
    assert registry.matcher().match("Беспилотник над городом", language="ru") == []
    drones = lists / "drones.toml"
    drones.write_text('name = "drones"\n[[rules]]\nany = ["беспилотник"]\n', encoding="utf-8")
    assert registry.refresh() is True
    assert [h.watchlist for h in registry.matcher().match("Беспилотники над городом")] == ["drones"]
    drones.write_text('name = "drones"\n[[rules]]\nregex = "(unclosed"\n', encoding="utf-8")
    os.utime(drones, ns=(1, 10**18))  # make sure the change is seen even within one tick
    assert registry.refresh() is False
    assert "previous version stays in force" in caplog.text and "drones.toml" in caplog.text
    assert [h.watchlist for h in registry.matcher().match("Беспилотник")] == ["drones"]
    assert registry.refresh() is False  # the same bad file is reported once, not every tick


def test_a_large_batch_is_matched_as_its_posts_would_be_one_by_one(
    db: Database, lists: Path
) -> None:
    registry = WatchlistRegistry([lists])
    texts = ["Вагнер в Мали", "Погода", "Вагнер и опера в Мали", "Ми мали зброю", "Мали"] * 120
    pipeline(db, registry).ingest(CHANNEL, [post(n + 1, t) for n, t in enumerate(texts)])
    single = ChannelInfo(1000000003, "single", "Single")
    for n, text in enumerate(texts[:10]):
        one = ChannelPost(single.channel_id, n + 1, T0, text)
        pipeline(db, registry).ingest(single, [one])
    with db.session() as s:
        rows = s.exec(
            select(Post.channel_id, Post.message_id, Match.rule, Match.terms, Match.spans)
            .join(Post, Post.id == Match.post_id)
            .where(Match.removed_at.is_(None))
            .order_by(Post.channel_id, Post.message_id, Match.rule)
        ).all()
    batch = [tuple(r[1:]) for r in rows if r[0] == CHANNEL.channel_id]
    one_by_one = [tuple(r[1:]) for r in rows if r[0] == single.channel_id]
    assert len(batch) == 120 * len(one_by_one) // 2 and one_by_one
    assert batch[: len(one_by_one)] == one_by_one


def test_new_posts_are_stored_with_their_language_and_triage_in_one_write(
    db: Database, lists: Path
) -> None:
    # prepared before the store: the stages' run (an UPDATE per post) is left for edits
    triage = TranslationTriageStage(TranslationSettings())
    language = LanguageStage()
    runs: list[tuple[str, list[str]]] = []
    for stage in (language, triage):
        real = stage.run
        stage.run = (  # type: ignore[method-assign]
            lambda session, changes, real=real, name=stage.name: (
                runs.append((name, [c.kind for c in changes])),
                real(session, changes),
            )[1]
        )
    pipe = Pipeline(db, [language, triage, MatchStage(WatchlistRegistry([lists]).matcher)])
    pipe.ingest(CHANNEL, [post(1, "Объявлена воздушная тревога"), post(2, "Air raid alert")])
    assert runs == []
    pipe.ingest(CHANNEL, [post(2, "Повітряна тривога в регіоні", edited=1), post(3, "🔥🔥")])
    assert runs == [("language", ["edited"]), ("translation_triage", ["edited"])]
    with db.session() as s:
        rows = s.exec(
            select(Post.message_id, Post.language, Post.translation_status, Post.translation_error)
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        (1, "ru", "pending", None),
        (2, "uk", "pending", None),
        (3, "und", "skipped", "no text"),
    ]


def test_a_failing_prepare_leaves_the_stage_to_run_after_the_store(
    db: Database, lists: Path, caplog: pytest.LogCaptureFixture
) -> None:
    language = LanguageStage()

    def broken(posts: object, columns: object) -> None:
        raise RuntimeError("model file missing")

    language.prepare = broken  # type: ignore[method-assign]
    triage = TranslationTriageStage(TranslationSettings(target="en"))
    report = Pipeline(db, [language, triage]).ingest(
        CHANNEL, [post(1, "Air raid alert in the whole region, go to the shelters now")]
    )
    assert report.stage_failures == {}
    assert "could not prepare" in caplog.text
    with db.session() as s:
        row = s.exec(select(Post.language, Post.translation_status, Post.translation_error)).one()
    assert tuple(row) == ("en", "skipped", "already in en")


def test_a_prepare_that_fails_half_way_leaves_none_of_its_values_in_the_rows(
    db: Database, lists: Path
) -> None:
    class HalfWayTriage(TranslationTriageStage):
        def prepare(self, posts, columns):  # type: ignore[no-untyped-def]
            columns[posts[0].message_id].update(translation_status="skipped", translation_error="?")
            raise RuntimeError("entity table corrupt")

    triage = HalfWayTriage(TranslationSettings(target="en"))
    Pipeline(db, [LanguageStage(), triage]).ingest(
        CHANNEL, [post(1, "Объявлена воздушная тревога в регионе")]
    )
    with db.session() as s:
        row = s.exec(select(Post.language, Post.translation_status, Post.translation_error)).one()
    assert tuple(row) == ("ru", "pending", None)  # the language prepared; triage ran after
