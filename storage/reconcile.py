"""Reconciling a complete snapshot with what is stored: which stored posts it no longer holds."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from storage.models import Post


def stored_ids_missing_from(session: Session, channel_id: int, seen: set[int]) -> list[int]:
    """Message ids stored (not yet deleted) within seen's id range that `seen` lacks."""
    if not seen:
        return []
    stored = session.execute(
        select(Post.message_id).where(
            Post.channel_id == channel_id,
            Post.message_id.between(min(seen), max(seen)),  # type: ignore[attr-defined]
            Post.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).scalars()
    return sorted(set(stored) - seen)
