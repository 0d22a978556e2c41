"""What is stored, summed up: per-channel counts, live matches per list, example matches.

The demo's closing report (and any overview) reads these; one read session, a few queries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlmodel import Session

from storage.models import Alert, Channel, Match, Post, PostVersion


@dataclass(frozen=True)
class ChannelSummary:
    username: str | None
    title: str | None
    posts: int
    edited: int
    languages: dict[str, int]


@dataclass(frozen=True)
class MatchExample:
    channel: str
    message_id: int
    watchlist: str
    text: str
    spans: list[list[int]]


@dataclass(frozen=True)
class StoredOverview:
    """The summary of a set of channels and of all matches and alerts."""

    channels: list[ChannelSummary]
    matches: list[tuple[str, int]]  # (watchlist, posts with a live match)
    examples: list[MatchExample]
    alerts: int


def stored_overview(session: Session, channel_ids: set[int]) -> StoredOverview:
    """Counts per channel, live matches per watchlist, a few examples, the number of alerts."""
    channels = []
    for channel in session.execute(
        select(Channel).where(Channel.id.in_(channel_ids)).order_by(Channel.id)  # type: ignore[attr-defined]
    ).scalars():
        posts = session.execute(
            select(func.count()).select_from(Post).where(Post.channel_id == channel.id)
        ).scalar_one()
        edited = session.execute(
            select(func.count(func.distinct(PostVersion.post_id)))
            .join(Post, Post.id == PostVersion.post_id)  # type: ignore[arg-type]
            .where(Post.channel_id == channel.id, PostVersion.version > 1)
        ).scalar_one()
        languages = dict(
            session.execute(
                select(Post.language, func.count())
                .where(Post.channel_id == channel.id, Post.language.is_not(None))  # type: ignore[union-attr]
                .group_by(Post.language)
                .order_by(func.count().desc())
            ).all()
        )
        channels.append(ChannelSummary(channel.username, channel.title, posts, edited, languages))
    matches = [
        (name, count)
        for name, count in session.execute(
            select(Match.watchlist, func.count(func.distinct(Match.post_id)))
            .where(Match.removed_at.is_(None))  # type: ignore[union-attr]
            .group_by(Match.watchlist)
            .order_by(Match.watchlist)
        ).all()
    ]
    alerts = session.execute(select(func.count()).select_from(Alert)).scalar_one()
    return StoredOverview(channels, matches, _examples(session), alerts)


def _examples(session: Session, per_watchlist: int = 2) -> list[MatchExample]:
    """A few recent original-text matches per watchlist, to show what fired and why."""
    rows = session.execute(
        select(Match.watchlist, Match.spans, Post.message_id, Post.text, Channel.username)
        .join(Post, Post.id == Match.post_id)  # type: ignore[arg-type]
        .join(Channel, Channel.id == Post.channel_id)  # type: ignore[arg-type]
        .where(Match.removed_at.is_(None), Match.text_source == "original")  # type: ignore[union-attr]
        .order_by(Match.watchlist, Post.posted_at.desc())  # type: ignore[attr-defined]
    ).all()
    shown: dict[str, int] = {}
    examples: dict[tuple[str, str, int], MatchExample] = {}
    for watchlist, spans, message_id, text, username in rows:
        key = (watchlist, username or "?", message_id)
        if key in examples:  # several rules of one list fired on this post: one example
            examples[key] = replace(examples[key], spans=[*examples[key].spans, *spans])
        elif shown.get(watchlist, 0) < per_watchlist:
            shown[watchlist] = shown.get(watchlist, 0) + 1
            examples[key] = MatchExample(username or "?", message_id, watchlist, text, spans)
    return list(examples.values())
