"""Worker rows: who is running, when each last beat, and how its jobs went.

The daemon registers itself at start, beats on a timer (with its job states), and marks itself
stopped on a clean exit. `tgmon health` and the lease rounds of other workers read these rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from monitor.errors import ConfigError
from storage.models import Alert, Channel, Post, TranslationCache, Worker


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
    session.execute(update(Worker).where(Worker.id == worker_id).values(**values))  # type: ignore[arg-type]


def mark_stopped(
    session: Session, worker_id: str, now: datetime, jobs: dict[str, dict[str, Any]]
) -> None:
    """Record a clean exit, so health says 'stopped' rather than 'dead'."""
    session.execute(
        update(Worker)
        .where(Worker.id == worker_id)  # type: ignore[arg-type]
        .values(beat_at=now, stopped_at=now, jobs=jobs)
    )


def alive_worker_ids(session: Session, now: datetime, stale_after: timedelta) -> list[str]:
    """Workers that beat recently and have not stopped."""
    rows = session.execute(
        select(Worker.id).where(
            Worker.beat_at >= now - stale_after,  # type: ignore[arg-type]
            Worker.stopped_at.is_(None),  # type: ignore[union-attr]
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
        select(Post.channel_id, func.max(Post.posted_at))
        .where(Post.channel_id.in_(channel_ids))  # type: ignore[attr-defined]
        .group_by(Post.channel_id)  # type: ignore[arg-type]
    )
    # max() keeps the column type, so values come back as aware UTC datetimes.
    return {channel_id: at for channel_id, at in rows if at is not None}


def backlog_counts(session: Session) -> dict[str, int]:
    """Translation backlog and alerts by status, for /metrics."""
    pending = session.execute(
        select(func.count()).select_from(Post).where(Post.translation_status == "pending")
    ).scalar_one()
    counts = {"translation_pending": int(pending)}
    for status, n in session.execute(
        select(Alert.status, func.count()).group_by(Alert.status)  # type: ignore[arg-type]
    ):
        counts[f"alerts_{status}"] = int(n)
    return counts


def prune_translation_cache(session: Session, older_than: datetime) -> int:
    """Delete cached translations created before `older_than`; posts are never touched."""
    table = TranslationCache.__table__  # type: ignore[attr-defined]
    result = session.execute(table.delete().where(table.c.created_at < older_than))
    return int(result.rowcount or 0)


def enabled_channel_ids(session: Session) -> list[int]:
    """Channels a worker should watch: enabled and not import-only."""
    rows = session.execute(
        select(Channel.id).where(Channel.enabled.is_(True), Channel.mode != "import")  # type: ignore[attr-defined]
    )
    return sorted(r[0] for r in rows)
