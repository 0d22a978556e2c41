"""Reading stored history for a watchlist run: post ids and posts with their channel, by date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from storage.models import Channel, Post


def post_ids_since(session: Session, since: datetime | None) -> list[int]:
    """Ids of every stored post (posted at or after `since`)."""
    query = select(Post.id)  # type: ignore[call-overload]
    if since is not None:
        query = query.where(Post.posted_at >= since)
    return list(session.execute(query).scalars())


def posts_with_channel(
    session: Session, since: datetime | None, *, batch: int = 1000
) -> Iterator[tuple[Post, str | None]]:
    """Stored posts, oldest first, with their channel's username, streamed in batches."""
    query = select(Post, Channel.username).join(Channel, Channel.id == Post.channel_id)  # type: ignore[arg-type]
    if since is not None:
        query = query.where(Post.posted_at >= since)
    query = query.order_by(Post.posted_at).execution_options(yield_per=batch)
    for row in session.execute(query):
        yield row[0], row[1]
