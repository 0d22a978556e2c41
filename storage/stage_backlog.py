"""Posts a pipeline stage failed on: recorded with the batch, retried until they pass.

A failing stage is rolled back alone (its savepoint) and the posts stay stored; the rows
here are written in the same transaction, so a post can never be stored without either
having passed every stage or being listed as missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session

from monitor.core.backoff import backoff_delay
from monitor.core.events import ChannelPost
from storage.models import Post, StageBacklog
from storage.posts import PostChange


def record_stage_failure(
    session: Session,
    post_ids: Sequence[int],
    stage: str,
    error: str,
    *,
    now: datetime,
    base: timedelta,
    cap: timedelta,
) -> None:
    """Note that `stage` failed on these posts; each waits longer after each failure."""
    ids = sorted(set(post_ids))
    existing = {
        row.post_id: row
        for row in session.execute(
            select(StageBacklog).where(
                StageBacklog.stage == stage,
                StageBacklog.post_id.in_(ids),  # type: ignore[attr-defined]
            )
        ).scalars()
    }
    for post_id in ids:
        row = existing.get(post_id) or StageBacklog(post_id=post_id, stage=stage, attempts=0)
        row.attempts += 1
        row.last_error = error[:500]
        row.failed_at = now
        row.next_attempt_at = now + backoff_delay(row.attempts, base=base, cap=cap)
        session.add(row)
    session.flush()


def clear_stage(session: Session, post_ids: Sequence[int], stage: str) -> None:
    """These posts passed `stage`."""
    session.execute(
        delete(StageBacklog).where(
            StageBacklog.stage == stage,
            StageBacklog.post_id.in_(list(post_ids)),  # type: ignore[attr-defined]
        )
    )


def due_retries(
    session: Session, *, now: datetime, max_attempts: int, limit: int
) -> dict[str, list[int]]:
    """Post ids per stage whose retry is due and that have not used up their attempts."""
    rows = session.execute(
        select(StageBacklog.stage, StageBacklog.post_id)
        .where(StageBacklog.next_attempt_at <= now, StageBacklog.attempts < max_attempts)
        .order_by(StageBacklog.next_attempt_at)
        .limit(limit)
    ).all()
    due: dict[str, list[int]] = {}
    for stage, post_id in rows:
        due.setdefault(stage, []).append(post_id)
    return due


def stage_backlog(session: Session, *, max_attempts: int) -> dict[str, tuple[int, int, str]]:
    """Per stage: (posts waiting for a retry, posts given up on, the newest error)."""
    out: dict[str, tuple[int, int, str]] = {}
    for stage, gave_up, waiting, error in session.execute(
        select(
            StageBacklog.stage,
            func.count().filter(StageBacklog.attempts >= max_attempts),
            func.count().filter(StageBacklog.attempts < max_attempts),
            func.max(StageBacklog.last_error),
        ).group_by(StageBacklog.stage)
    ).all():
        out[stage] = (int(waiting), int(gave_up), error or "")
    return out


def changes_for_retry(session: Session, post_ids: Sequence[int]) -> list[PostChange]:
    """The stored posts as the stages see a change (their current text and version)."""
    rows = session.execute(
        select(
            Post.id,  # type: ignore[arg-type]
            Post.channel_id,
            Post.message_id,
            Post.posted_at,
            Post.text,
            Post.version_count,
        ).where(Post.id.in_(list(post_ids)))  # type: ignore[union-attr]
    ).all()
    return [
        PostChange(
            post_id=post_id,
            kind="new",
            post=ChannelPost(channel_id, message_id, posted_at, text=text or ""),
            version=version,
        )
        for post_id, channel_id, message_id, posted_at, text, version in rows
    ]
