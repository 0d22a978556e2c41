"""Watched-channel state: what to poll, renames, error and flood-wait marks, recheck windows.

Failures live on the channel row (error, error_at, flood_wait_until) so `tgmon channels list`
is the error report; a removed channel keeps its posts and is only marked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session, col

from monitor.core.clock import utcnow
from monitor.core.events import ChannelInfo
from storage.models import Channel, ChannelName, Post, Worker

log = logging.getLogger(__name__)


# Mode of a placeholder row for a configured web channel that could not be read at all
# (no preview, no such channel): disabled, never polled, shown with its error, replaced by the
# real row once the channel can be read.
UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class ChannelSpec:
    """How the user wants a channel watched (from tgmon.toml or `channels add`)."""

    ref: str
    poll_interval_s: int | None = None
    enabled: bool = True
    join: bool = False
    backfill: int = 0
    since: datetime | None = None
    source: str | None = None  # "telegram" | "web"; None: the kind that resolved it


def find_channel(session: Session, ref: str, channel_id: int | None = None) -> Channel | None:
    """A stored channel by its id, the ref it was added with, or its current username."""
    if channel_id is not None:
        found = session.get(Channel, channel_id)
        if found is not None:
            return found
    name = ref.strip().lstrip("@").lower()
    return (
        session.execute(
            select(Channel).where(
                or_(Channel.ref == ref, func.lower(Channel.username) == name)  # type: ignore[arg-type]
            )
        )
        .scalars()
        .first()
    )


def record_names(session: Session, info: ChannelInfo, *, now: datetime | None = None) -> bool:
    """Store a fresh username/title; a rename adds a ChannelName row. True if it changed."""
    now = now or utcnow()
    channel = session.get(Channel, info.channel_id)
    if channel is None:
        return False
    renamed = (info.username or None) != (channel.username or None) or (
        info.title is not None and info.title != channel.title
    )
    if renamed:
        if channel.username != info.username:
            log.info("channel %s renamed @%s → @%s", channel.id, channel.username, info.username)
        session.add(
            ChannelName(
                channel_id=channel.id, username=info.username, title=info.title, seen_at=now
            )
        )
        channel.username = info.username
        channel.title = info.title or channel.title
    session.add(channel)
    session.flush()
    return renamed


def upsert_watched(
    session: Session,
    info: ChannelInfo,
    spec: ChannelSpec,
    *,
    now: datetime | None = None,
    from_config: bool = False,
) -> Channel:
    """Create or update the row of a watched channel (keyed by Telegram id, never by name).

    A config sync keeps what `channels disable/remove` decided for a known channel (the file
    can only disable it); `channels add` re-enables.
    """
    now = now or utcnow()
    channel = session.get(Channel, info.channel_id)
    existed = channel is not None
    if channel is None:
        channel = Channel(
            id=info.channel_id,
            username=info.username,
            title=info.title,
            added_at=now,
        )
        session.add(channel)
        session.flush()
        session.add(
            ChannelName(
                channel_id=channel.id, username=info.username, title=info.title, seen_at=now
            )
        )
    else:
        record_names(session, info, now=now)
    channel.ref = spec.ref
    channel.source = spec.source or info.source
    channel.mode = "live" if spec.join else "poll"
    channel.join = spec.join
    if from_config and existed:
        channel.enabled = channel.enabled and spec.enabled
    else:
        channel.enabled = spec.enabled
        channel.removed_at = None
    channel.poll_interval_s = spec.poll_interval_s
    channel.backfill = spec.backfill
    channel.backfill_since = spec.since
    session.add(channel)
    session.flush()
    return channel


def watched_source_kinds(session: Session) -> set[str]:
    """The source kinds of enabled, not removed channels (which sources a daemon must open)."""
    return set(
        session.execute(
            select(col(Channel.source))
            .where(col(Channel.enabled).is_(True), col(Channel.removed_at).is_(None))
            .where(col(Channel.mode) != "import")
            .distinct()
        ).scalars()
    )


def record_unresolved(
    session: Session,
    channel_id: int,
    username: str,
    spec: ChannelSpec,
    message: str,
    *,
    now: datetime,
) -> None:
    """Create or update the placeholder row of a configured channel that cannot be read."""
    channel = session.get(Channel, channel_id)
    if channel is not None and channel.mode != UNRESOLVED:
        set_error(session, channel_id, message, now=now)  # a real row: just its state
        return
    if channel is None:
        channel = Channel(id=channel_id, username=username, added_at=now)
    channel.ref = spec.ref
    channel.source = spec.source or channel.source
    channel.mode = UNRESOLVED
    channel.enabled = False
    channel.error = message
    channel.error_at = now
    session.add(channel)
    session.flush()


def drop_unresolved(session: Session, ref: str) -> None:
    """Remove the placeholder of this ref (it has no posts): the channel can be read now."""
    for channel in session.execute(
        select(Channel).where(col(Channel.ref) == ref, col(Channel.mode) == UNRESOLVED)
    ).scalars():
        session.delete(channel)
    session.flush()


def channel_problems(session: Session) -> list[tuple[Channel, str]]:
    """Watched channels (and unresolved placeholders) in an error state, for `tgmon health`."""
    rows = session.execute(
        select(Channel)
        .where(or_(col(Channel.enabled).is_(True), col(Channel.mode) == UNRESOLVED))
        .where(col(Channel.removed_at).is_(None))
        .where(col(Channel.error).is_not(None))
        .order_by(col(Channel.id))
    ).scalars()
    return [(channel, channel.error or "") for channel in rows]


def watched_channels(session: Session) -> list[Channel]:
    """Enabled, not removed channels, in a stable order."""
    return list(
        session.execute(
            select(Channel)
            .where(Channel.enabled.is_(True), Channel.removed_at.is_(None))  # type: ignore[attr-defined,union-attr]
            .where(col(Channel.mode) != "import")
            .order_by(Channel.id)  # type: ignore[arg-type]
        ).scalars()
    )


def set_error(
    session: Session, channel_id: int, message: str, *, now: datetime, mode: str | None = None
) -> None:
    """Record why a channel cannot be read (shown by `channels list`); optionally its new mode."""
    values: dict[str, object] = {"error": message, "error_at": now}
    if mode is not None:
        values["mode"] = mode
    session.execute(update(Channel).where(col(Channel.id) == channel_id).values(**values))


def mark_polled(session: Session, channel_id: int, *, now: datetime) -> None:
    """A successful poll: record its time, clear the flood wait and any error but a recheck's.

    A failing recheck (deletions, edits, counters) must stay visible although polls succeed.
    """
    session.execute(
        update(Channel)
        .where(Channel.id == channel_id)  # type: ignore[arg-type]
        .values(last_polled_at=now, flood_wait_until=None)
    )
    session.execute(
        update(Channel)
        .where(Channel.id == channel_id, ~_error_of("recheck"))  # type: ignore[arg-type]
        .values(error=None, error_at=None)
    )


def _error_of(job: str) -> Any:
    return func.coalesce(col(Channel.error), "").like(f"{job} failed:%")


def clear_error(session: Session, channel_id: int, job: str) -> None:
    """A job succeeded on the channel: clear the error it had recorded (not another job's)."""
    session.execute(
        update(Channel)
        .where(Channel.id == channel_id, _error_of(job))  # type: ignore[arg-type]
        .values(error=None, error_at=None)
    )


def set_flood_wait(session: Session, channel_id: int, until: datetime, *, now: datetime) -> None:
    session.execute(
        update(Channel)
        .where(Channel.id == channel_id)  # type: ignore[arg-type]
        .values(
            flood_wait_until=until,
            flood_waits=Channel.flood_waits + 1,
            error=f"flood wait until {until:%Y-%m-%d %H:%M:%S} UTC",
            error_at=now,
        )
    )


def mark_joined(session: Session, channel_id: int, *, now: datetime) -> None:
    session.execute(update(Channel).where(Channel.id == channel_id).values(joined_at=now))  # type: ignore[arg-type]


def set_watching(
    session: Session,
    channel: Channel,
    *,
    enabled: bool | None = None,
    removed: bool = False,
    now: datetime | None = None,
) -> None:
    """Enable/disable a channel, or remove it from watching (its posts stay stored)."""
    if enabled is not None:
        channel.enabled = enabled
        if enabled:
            channel.removed_at = None
    if removed:
        channel.enabled = False
        channel.removed_at = now or utcnow()
    session.add(channel)


def recent_message_ids(session: Session, channel_id: int, window: int) -> list[int]:
    """The newest `window` stored, not deleted message ids of a channel, newest first."""
    return list(
        session.execute(
            select(col(Post.message_id))
            .where(col(Post.channel_id) == channel_id, col(Post.deleted_at).is_(None))
            .order_by(col(Post.message_id).desc())
            .limit(window)
        ).scalars()
    )


def posts_needing_media(
    session: Session, channel_id: int, message_ids: list[int], max_bytes: int
) -> list[int]:
    """Which of these posts have downloadable media not yet stored (size within the cap)."""
    rows = session.execute(
        select(col(Post.message_id), col(Post.media_kind), col(Post.media)).where(
            col(Post.channel_id) == channel_id,
            col(Post.message_id).in_(message_ids),
            col(Post.media_sha256).is_(None),
        )
    ).all()
    wanted = []
    for message_id, kind, media in rows:
        if kind in (None, "webpage", "poll", "geo", "contact"):
            continue
        size = (media or {}).get("size")
        if size is None or size <= max_bytes:
            wanted.append(message_id)
    return sorted(wanted)


def record_media(
    session: Session, channel_id: int, message_id: int, path: str, sha256: str
) -> None:
    session.execute(
        update(Post)
        .where(Post.channel_id == channel_id, Post.message_id == message_id)  # type: ignore[arg-type]
        .values(media_path=path, media_sha256=sha256)
    )


@dataclass(frozen=True)
class ChannelRow:
    """One line of `tgmon channels list`."""

    channel_id: int
    username: str | None
    title: str | None
    mode: str
    enabled: bool
    removed: bool
    last_message_id: int
    last_post_at: datetime | None
    last_polled_at: datetime | None
    posts: int
    error: str | None
    error_at: datetime | None
    flood_wait_until: datetime | None
    source: str = "telegram"
    holder: LeaseHolder | None = None  # the worker watching it (PostgreSQL leases)


@dataclass(frozen=True)
class LeaseHolder:
    """Which worker holds a channel's lease, since when, and until when it counts."""

    worker_id: str
    since: datetime | None
    expires_at: datetime | None
    host: str | None = None
    pid: int | None = None


def channel_overview(session: Session, *, include_removed: bool = False) -> list[ChannelRow]:
    stats = dict(
        (row[0], (row[1], row[2]))
        for row in session.execute(
            select(col(Post.channel_id), func.max(col(Post.posted_at)), func.count()).group_by(
                col(Post.channel_id)
            )
        ).all()
    )
    query = select(Channel).order_by(Channel.id)  # type: ignore[arg-type]
    if not include_removed:
        query = query.where(Channel.removed_at.is_(None))  # type: ignore[union-attr]
    workers = {w.id: w for w in session.execute(select(Worker)).scalars()}
    rows = []
    for ch in session.execute(query).scalars():
        last_post_at, posts = stats.get(ch.id, (None, 0))
        if isinstance(last_post_at, str):  # SQLite aggregates bypass the column type
            last_post_at = datetime.fromisoformat(last_post_at)
        if last_post_at is not None and last_post_at.tzinfo is None:
            last_post_at = last_post_at.replace(tzinfo=UTC)
        rows.append(
            ChannelRow(
                ch.id,
                ch.username,
                ch.title,
                ch.mode,
                ch.enabled,
                ch.removed_at is not None,
                ch.last_message_id,
                last_post_at,
                ch.last_polled_at,
                posts,
                ch.error,
                ch.error_at,
                ch.flood_wait_until,
                ch.source,
                _holder(ch, workers.get(ch.lease_owner or "")),
            )
        )
    return rows


def _holder(channel: Channel, worker: Worker | None) -> LeaseHolder | None:
    if channel.lease_owner is None:
        return None
    host, pid = (worker.host, worker.pid) if worker is not None else (None, None)
    return LeaseHolder(channel.lease_owner, channel.leased_at, channel.lease_expires_at, host, pid)


def channel_info(channel: Channel) -> ChannelInfo:
    """How a stored channel is named to its source (id, names, source kind).

    No access hash: it belongs to an account (storage.access); the reader adds its own.
    """
    return ChannelInfo(channel.id, channel.username, channel.title, source=channel.source)
