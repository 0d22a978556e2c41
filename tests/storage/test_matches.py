"""Match rows follow the current text: added, kept, removed as evidence, revived."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from monitor.core.events import ChannelInfo, ChannelPost
from storage.database import Database
from storage.matches import MatchRecord, sync_matches
from storage.models import Match
from storage.posts import ensure_channel, upsert_posts

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def make_post(db: Database) -> int:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(7, "chan"))
        [change] = upsert_posts(s, [ChannelPost(7, 1, T0, "Вагнер в Мали")])
        return change.post_id


def record(post_id: int, rule: str = "0", source: str = "original") -> MatchRecord:
    return MatchRecord(post_id, "wagner_mali", rule, "critical", source, ("Вагнер",), ((0, 6),))


def test_first_match_is_added_then_kept(db: Database) -> None:
    post_id = make_post(db)
    with db.session() as s:
        first = sync_matches(s, [(post_id, "original")], [record(post_id)])
    with db.session() as s:
        again = sync_matches(s, [(post_id, "original")], [record(post_id)])
    assert (len(first.added), len(again.added), len(again.kept)) == (1, 0, 1)
    with db.session() as s:
        row = s.exec(select(Match)).one()
        assert row.terms == ["Вагнер"] and row.spans == [[0, 6]] and row.removed_at is None


def test_edit_that_removes_the_match_keeps_the_row_as_evidence(db: Database) -> None:
    post_id = make_post(db)
    with db.session() as s:
        sync_matches(s, [(post_id, "original")], [record(post_id)])
    with db.session() as s:
        changes = sync_matches(s, [(post_id, "original")], [])
    assert len(changes.removed) == 1
    with db.session() as s:
        assert s.exec(select(Match)).one().removed_at is not None
    with db.session() as s:  # the text matches again: the same row comes back to life
        revived = sync_matches(s, [(post_id, "original")], [record(post_id)])
    assert len(revived.added) == 1
    with db.session() as s:
        rows = s.exec(select(Match)).all()
        assert len(rows) == 1 and rows[0].removed_at is None


def test_sources_are_independent(db: Database) -> None:
    post_id = make_post(db)
    with db.session() as s:
        sync_matches(s, [(post_id, "original")], [record(post_id)])
    with db.session() as s:  # matching the translation does not remove the original's match
        changes = sync_matches(
            s, [(post_id, "translation")], [record(post_id, source="translation")]
        )
    assert len(changes.added) == 1 and not changes.removed
    with db.session() as s:
        assert len(s.exec(select(Match).where(Match.removed_at.is_(None))).all()) == 2
