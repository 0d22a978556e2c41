"""Reads for the analyst desk: alert stories with filters and paging, facets, daily counts.

Kept apart from alert_queries (the CLI's listing) so the desk can grow without touching it.
Rows leave as plain dataclasses; no ORM object escapes a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from monitor.core.clock import utcnow
from storage.models import Alert, Channel, Match, Post
from storage.search import resolve_channel

_ALERT = Alert.__table__.c  # type: ignore[attr-defined]
_POST = Post.__table__.c  # type: ignore[attr-defined]
_CHANNEL = Channel.__table__.c  # type: ignore[attr-defined]
_MATCH = Match.__table__.c  # type: ignore[attr-defined]
ALERT_STATUSES = ("pending", "sent", "failed", "suppressed", "unacked", "acked")


@dataclass(frozen=True)
class AlertFilters:
    """What the alerts page narrows by; empty means everything."""

    watchlist: str | None = None
    severity: str | None = None
    channel: str | None = None  # username (with or without @) or numeric id
    status: str | None = None  # one of ALERT_STATUSES


@dataclass(frozen=True)
class StoryCopy:
    """Another channel's post of the same story."""

    channel: str
    message_id: int
    url: str | None


@dataclass(frozen=True)
class AlertStory:
    """One line of the alerts page: the alert, its post, and the copies of the story."""

    alert_id: int
    watchlist: str
    severity: str
    reason: str
    status: str
    created_at: datetime
    acked_at: datetime | None
    channel: str
    channel_ref: str  # what the post page's URL uses: username, else the numeric id
    message_id: int
    url: str | None
    text: str
    translation: str | None
    language: str | None
    deleted_at: datetime | None
    copies: list[StoryCopy]


def _label(username: str | None, channel_id: int) -> str:
    return f"@{username}" if username else str(channel_id)


def _alert_clauses(session: Session, filters: AlertFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.watchlist:
        clauses.append(_ALERT.watchlist == filters.watchlist)
    if filters.severity:
        clauses.append(_ALERT.severity == filters.severity)
    if filters.channel:
        clauses.append(_POST.channel_id == resolve_channel(session, filters.channel))
    if filters.status in ("pending", "sent", "failed", "suppressed"):
        clauses.append(_ALERT.status == filters.status)
    elif filters.status == "acked":
        clauses.append(_ALERT.acked_at.is_not(None))
    elif filters.status == "unacked":
        clauses.append(_ALERT.acked_at.is_(None))
    return clauses


def alert_stories(
    session: Session, filters: AlertFilters, *, limit: int, offset: int = 0
) -> list[AlertStory]:
    """Alerts newest first, each with its post and the copies in other channels."""
    stmt = (
        select(
            _ALERT.id, _ALERT.watchlist, _ALERT.severity, _ALERT.reason, _ALERT.status,
            _ALERT.created_at, _ALERT.acked_at, _ALERT.copies, _POST.channel_id,
            _CHANNEL.username, _POST.message_id, _POST.url, _POST.text, _POST.translation,
            _POST.language, _POST.deleted_at, _POST.id.label("post_id"),
        )
        .join_from(Alert.__table__, Post.__table__, _POST.id == _ALERT.post_id)  # type: ignore[attr-defined]
        .join(Channel.__table__, _CHANNEL.id == _POST.channel_id)  # type: ignore[attr-defined]
        .order_by(_ALERT.id.desc())
        .limit(limit)
        .offset(offset)
    )
    for clause in _alert_clauses(session, filters):
        stmt = stmt.where(clause)
    rows = session.execute(stmt).all()
    copy_ids = {c for r in rows for c in (r.copies or []) if c != r.post_id}
    copies: dict[int, StoryCopy] = {}
    if copy_ids:
        found = session.execute(
            select(_POST.id, _POST.channel_id, _CHANNEL.username, _POST.message_id, _POST.url)
            .join_from(Post.__table__, Channel.__table__, _CHANNEL.id == _POST.channel_id)  # type: ignore[attr-defined]
            .where(_POST.id.in_(sorted(copy_ids)))
        ).all()
        copies = {
            r.id: StoryCopy(_label(r.username, r.channel_id), r.message_id, r.url) for r in found
        }
    return [
        AlertStory(
            alert_id=r.id,
            watchlist=r.watchlist,
            severity=r.severity,
            reason=r.reason,
            status=r.status,
            created_at=r.created_at,
            acked_at=r.acked_at,
            channel=_label(r.username, r.channel_id),
            channel_ref=r.username or str(r.channel_id),
            message_id=r.message_id,
            url=r.url,
            text=r.text,
            translation=r.translation,
            language=r.language,
            deleted_at=r.deleted_at,
            copies=[copies[c] for c in (r.copies or []) if c in copies and c != r.post_id],
        )
        for r in rows
    ]


def alert_ids(session: Session, filters: AlertFilters, *, limit: int) -> list[int]:
    """Ids of the newest alerts passing the filters (feeds and the API render each)."""
    stmt = (
        select(_ALERT.id)
        .join_from(Alert.__table__, Post.__table__, _POST.id == _ALERT.post_id)  # type: ignore[attr-defined]
        .order_by(_ALERT.id.desc())
        .limit(limit)
    )
    for clause in _alert_clauses(session, filters):
        stmt = stmt.where(clause)
    return [int(i) for i in session.execute(stmt).scalars()]


def alert_facets(session: Session) -> dict[str, list[str]]:
    """The watchlists and severities alerts exist for, and the channels that raised them."""
    watchlists = session.execute(select(_ALERT.watchlist).distinct().order_by(_ALERT.watchlist))
    severities = session.execute(select(_ALERT.severity).distinct().order_by(_ALERT.severity))
    return {
        "watchlists": [str(w) for w in watchlists.scalars()],
        "severities": [str(s) for s in severities.scalars()],
    }


def _day(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")


def days_back(days: int, now: datetime | None = None) -> tuple[datetime, list[str]]:
    """The first instant counted and the YYYY-MM-DD labels, oldest first, today included."""
    now = now or utcnow()
    first = (now - timedelta(days=days - 1)).date()
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    return since, [str(first + timedelta(days=i)) for i in range(days)]


def watchlist_hits_per_day(
    session: Session, *, days: int, now: datetime | None = None
) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Posts with a live match per watchlist per day they were posted."""
    since, labels = days_back(days, now)
    day = _day(session, _POST.posted_at)
    rows = session.execute(
        select(_MATCH.watchlist, day.label("day"), func.count(func.distinct(_MATCH.post_id)))
        .join_from(Match.__table__, Post.__table__, _POST.id == _MATCH.post_id)  # type: ignore[attr-defined]
        .where(_MATCH.removed_at.is_(None), _POST.posted_at >= since)
        .group_by(_MATCH.watchlist, day)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for watchlist, bucket, n in rows:
        out.setdefault(str(watchlist), {})[str(bucket)] = int(n)
    return labels, out


def channel_posts_per_day(
    session: Session, *, days: int, now: datetime | None = None
) -> tuple[list[str], dict[int, dict[str, int]]]:
    """Posts per channel id per day (by posting time)."""
    since, labels = days_back(days, now)
    day = _day(session, _POST.posted_at)
    rows = session.execute(
        select(_POST.channel_id, day.label("day"), func.count())
        .where(_POST.posted_at >= since)
        .group_by(_POST.channel_id, day)
    ).all()
    out: dict[int, dict[str, int]] = {}
    for channel_id, bucket, n in rows:
        out.setdefault(int(channel_id), {})[str(bucket)] = int(n)
    return labels, out


def copies_of(session: Session, post_ids: list[int], *, exclude: int) -> list[StoryCopy]:
    """The posts with these ids (an alert's copies of a story), except the post itself."""
    wanted = sorted({i for i in post_ids if i != exclude})
    if not wanted:
        return []
    found = session.execute(
        select(_POST.channel_id, _CHANNEL.username, _POST.message_id, _POST.url)
        .join_from(Post.__table__, Channel.__table__, _CHANNEL.id == _POST.channel_id)  # type: ignore[attr-defined]
        .where(_POST.id.in_(wanted))
        .order_by(_POST.posted_at)
    ).all()
    return [StoryCopy(_label(r.username, r.channel_id), r.message_id, r.url) for r in found]


@dataclass(frozen=True)
class ChannelState:
    """A watched channel for the desk: state, cursor, last post, errors (no total count: at a
    million posts counting them per page view would cost more than the page)."""

    channel_id: int
    username: str | None
    title: str | None
    mode: str
    enabled: bool
    removed: bool
    last_post_at: datetime | None
    last_polled_at: datetime | None
    error: str | None
    error_at: datetime | None
    flood_wait_until: datetime | None


def channel_states(session: Session) -> list[ChannelState]:
    """Every channel not removed; the last post comes from the (channel, posted_at) index."""
    last_post = (
        select(func.max(_POST.posted_at)).where(_POST.channel_id == _CHANNEL.id).scalar_subquery()
    )
    rows = session.execute(
        select(Channel, last_post.label("last_post_at"))
        .where(_CHANNEL.removed_at.is_(None))
        .order_by(_CHANNEL.id)
    ).all()
    out = []
    for channel, last in rows:
        if isinstance(last, str):  # SQLite aggregates bypass the column type
            last = datetime.fromisoformat(last)
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        out.append(
            ChannelState(
                channel.id, channel.username, channel.title, channel.mode, channel.enabled,
                channel.removed_at is not None, last, channel.last_polled_at, channel.error,
                channel.error_at, channel.flood_wait_until,
            )
        )
    return out
