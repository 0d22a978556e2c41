"""Worker rows: who is running, when each last beat, and how its jobs went.

The daemon registers itself at start, beats on a timer (with its job states), and marks itself
stopped on a clean exit. `tgmon health` and the lease rounds of other workers read these rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, func, select, text, update
from sqlmodel import Session

from monitor.core.errors import ConfigError
from storage.database import Database
from storage.models import Alert, Channel, Post, TranslationCache, Worker
from storage.stats import stages_missed

# Core columns: typed statements over SQLModel fields confuse the type checker.
_worker: Any = Worker.__table__  # type: ignore[attr-defined]
_post: Any = Post.__table__  # type: ignore[attr-defined]
_alert: Any = Alert.__table__  # type: ignore[attr-defined]
_channel: Any = Channel.__table__  # type: ignore[attr-defined]
_cache: Any = TranslationCache.__table__  # type: ignore[attr-defined]


def register_worker(
    session: Session,
    worker_id: str,
    *,
    host: str,
    pid: int,
    now: datetime,
    heartbeat_s: int,
    stale_after: timedelta,
) -> Worker:
    """Create or take over this worker's row; refuse an id another live host is using."""
    worker = session.get(Worker, worker_id, with_for_update=True)
    if worker is None:
        worker = Worker(id=worker_id, host=host, pid=pid)
        session.add(worker)
    elif worker.stopped_at is None and worker.host != host and now - worker.beat_at < stale_after:
        age = int((now - worker.beat_at).total_seconds())
        raise ConfigError(
            f"daemon.worker_id: {worker_id!r} is in use by host {worker.host} (beat {age}s ago); "
            "give each worker its own worker_id"
        )
    worker.host = host
    worker.pid = pid
    worker.started_at = now
    worker.beat_at = now
    worker.heartbeat_s = heartbeat_s
    worker.stopped_at = None
    worker.jobs = {}
    session.flush()
    return worker


def record_beat(
    session: Session, worker_id: str, now: datetime, jobs: dict[str, dict[str, Any]] | None = None
) -> None:
    """Say this worker is alive (and, when given, how its jobs are doing)."""
    values: dict[str, Any] = {"beat_at": now}
    if jobs is not None:
        values["jobs"] = jobs
    session.execute(update(_worker).where(_worker.c.id == worker_id).values(**values))


def mark_stopped(
    session: Session, worker_id: str, now: datetime, jobs: dict[str, dict[str, Any]]
) -> None:
    """Record a clean exit, so health says 'stopped' rather than 'dead'."""
    session.execute(
        update(_worker)
        .where(_worker.c.id == worker_id)
        .values(beat_at=now, stopped_at=now, jobs=jobs)
    )


def alive_worker_ids(session: Session, now: datetime, stale_after: timedelta) -> list[str]:
    """Workers that beat recently and have not stopped."""
    rows = session.execute(
        select(_worker.c.id).where(
            _worker.c.beat_at >= now - stale_after, _worker.c.stopped_at.is_(None)
        )
    )
    return sorted(r[0] for r in rows)


def load_worker(session: Session, worker_id: str) -> Worker | None:
    return session.get(Worker, worker_id)


def latest_post_times(session: Session, channel_ids: list[int]) -> dict[int, datetime]:
    """The newest post time of each channel, for the per-channel lag metric."""
    if not channel_ids:
        return {}
    rows = session.execute(
        select(_post.c.channel_id, func.max(_post.c.posted_at))
        .where(_post.c.channel_id.in_(channel_ids))
        .group_by(_post.c.channel_id)
    )
    # max() keeps the column type, so values come back as aware UTC datetimes.
    return {channel_id: at for channel_id, at in rows if at is not None}


def backlog_counts(session: Session) -> dict[str, int]:
    """Translation backlog and alerts by status, for /metrics."""
    pending = session.execute(
        select(func.count()).select_from(_post).where(_post.c.translation_status == "pending")
    ).scalar_one()
    counts = {"translation_pending": int(pending)}
    for status, n in session.execute(
        select(_alert.c.status, func.count()).group_by(_alert.c.status)
    ):
        counts[f"alerts_{status}"] = int(n)
    counts["channels_in_error"] = len(channels_in_error(session))
    for stage, n in stages_missed(session).items():
        counts[f"stage_{stage}"] = n
    return counts


def channels_in_error(session: Session) -> list[tuple[str, str, datetime | None]]:
    """(name, error, since) of every watched, enabled channel whose last read failed."""
    rows = session.execute(
        select(
            _channel.c.username,
            _channel.c.title,
            _channel.c.id,
            _channel.c.error,
            _channel.c.error_at,
        )
        .where(
            _channel.c.error.is_not(None),
            _channel.c.removed_at.is_(None),
            _channel.c.enabled.is_(True),
        )
        .order_by(_channel.c.error_at)
    ).all()
    return [
        (f"@{username}" if username else (title or str(cid)), error, at)
        for username, title, cid, error, at in rows
    ]


def rowcount(result: Any) -> int:
    """Rows an UPDATE/DELETE touched."""
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def prune_translation_cache(session: Session, older_than: datetime) -> int:
    """Delete cached translations created before `older_than`; posts are never touched."""
    return rowcount(session.execute(_cache.delete().where(_cache.c.created_at < older_than)))


def watchable() -> list[Any]:
    """The condition a channel must meet to be watched: enabled and not import-only."""
    return [_channel.c.enabled.is_(True), _channel.c.mode != "import"]


def enabled_channel_ids(session: Session) -> list[int]:
    """Channels a worker should watch: enabled and not import-only."""
    rows = session.execute(select(_channel.c.id).where(*watchable()))
    return sorted(r[0] for r in rows)


_UPGRADE_LOCK = 0x74676D6F6E  # "tgmon": one advisory lock id for schema upgrades


def upgrade_serialised(db: Database) -> None:
    """Upgrade the schema; on PostgreSQL, workers starting together take turns."""
    if db.is_sqlite:
        db.upgrade()
        return
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _UPGRADE_LOCK})
        try:
            db.upgrade()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _UPGRADE_LOCK})
            conn.commit()
