"""Counts for `tgmon stats`: activity per channel per day, watchlists, backlogs, failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from monitor.core.clock import utcnow
from storage.models import Channel, Delivery, Match, Post, StageBacklog

_POST = Post.__table__.c  # type: ignore[attr-defined]
_CHANNEL = Channel.__table__.c  # type: ignore[attr-defined]
_MATCH = Match.__table__.c  # type: ignore[attr-defined]
_DELIVERY = Delivery.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Stats:
    days: list[str]  # oldest first, YYYY-MM-DD (UTC)
    posts_per_day: dict[str, dict[str, int]]  # channel label → day → posts
    top_watchlists: list[tuple[str, int, int]]  # watchlist, live matches, posts
    translation_status: dict[str, int]
    delivery_status: dict[str, int]
    channel_errors: list[tuple[str, str, datetime | None]]
    stages_missed: dict[str, int] = field(default_factory=dict)  # stage -> posts it missed
    translation_off: bool = False  # provider "none": nothing is pending, nothing will come


def stages_missed(session: Session) -> dict[str, int]:
    """Posts each pipeline stage failed on and has not passed since (being retried)."""
    rows = session.execute(
        select(StageBacklog.stage, func.count()).group_by(StageBacklog.stage)
    ).all()
    return {stage: int(n) for stage, n in rows}


def _label(username: str | None, channel_id: int) -> str:
    return f"@{username}" if username else str(channel_id)


def collect_stats(
    session: Session, *, days: int = 7, top: int = 10, now: datetime | None = None
) -> Stats:
    """Gather the figures; `days` counts back from today (UTC), today included."""
    now = now or utcnow()
    first_day = (now - timedelta(days=days - 1)).date()
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=now.tzinfo)
    if session.get_bind().dialect.name == "sqlite":
        day = func.date(_POST.posted_at)
    else:
        day = func.to_char(func.timezone("UTC", _POST.posted_at), "YYYY-MM-DD")
    rows = session.execute(
        select(_CHANNEL.username, _POST.channel_id, day.label("day"), func.count())
        .join(Channel, _CHANNEL.id == _POST.channel_id)
        .where(_POST.posted_at >= since)
        .group_by(_CHANNEL.username, _POST.channel_id, day)
    ).all()
    per_day: dict[str, dict[str, int]] = {}
    for username, channel_id, bucket, n in rows:
        per_day.setdefault(_label(username, channel_id), {})[str(bucket)] = int(n)
    watchlists = session.execute(
        select(_MATCH.watchlist, func.count(), func.count(func.distinct(_MATCH.post_id)))
        .where(_MATCH.removed_at.is_(None))
        .group_by(_MATCH.watchlist)
        .order_by(func.count().desc(), _MATCH.watchlist)
        .limit(top)
    ).all()
    translation = session.execute(
        select(_POST.translation_status, func.count()).group_by(_POST.translation_status)
    ).all()
    deliveries = session.execute(
        select(_DELIVERY.status, func.count()).group_by(_DELIVERY.status)
    ).all()
    errors = session.execute(
        select(_CHANNEL.username, _CHANNEL.id, _CHANNEL.error, _CHANNEL.error_at)
        .where(_CHANNEL.error.is_not(None))
        .order_by(_CHANNEL.error_at.desc())
    ).all()
    return Stats(
        days=[str(first_day + timedelta(days=i)) for i in range(days)],
        posts_per_day=dict(sorted(per_day.items())),
        top_watchlists=[(w, int(m), int(p)) for w, m, p in watchlists],
        translation_status={s: int(n) for s, n in translation},
        stages_missed=stages_missed(session),
        delivery_status={s: int(n) for s, n in deliveries},
        channel_errors=[(_label(u, i), e, at) for u, i, e, at in errors],
    )
