"""Everything known about one post for `tgmon show`: versions, matches, alerts, forwards, replies.

`parse_post_ref` is pure: it reads what analysts paste (CHANNEL/ID, @name/ID, t.me links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from monitor.core.errors import InputError
from storage.models import Alert, Channel, Delivery, Match, Post, PostVersion
from storage.search import resolve_channel

_LINK = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?(?P<rest>[^?#]+?)/?(?:[?#].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PostRef:
    """A channel (username or id, as given) and a message id."""

    channel: str
    message_id: int


def parse_post_ref(ref: str) -> PostRef:
    """Read `rybar/123`, `@rybar/123`, `1234567/89`, `https://t.me/rybar/123` or t.me/c/ID/MSG."""
    raw = ref.strip()
    link = _LINK.match(raw)
    parts = (link.group("rest") if link else raw).strip("/").split("/")
    if link and parts and parts[0].lower() == "c":
        parts = parts[1:]
    if len(parts) != 2 or not parts[0] or not parts[1].isdigit():
        raise InputError(
            f"post {ref!r}: expected CHANNEL/MESSAGE_ID or a t.me link "
            "(e.g. rybar/123, https://t.me/rybar/123, https://t.me/c/1234567/89)"
        )
    return PostRef(parts[0].lstrip("@"), int(parts[1]))


@dataclass(frozen=True)
class PostDetail:
    """Plain data for rendering; rows are dicts so no ORM object leaves the session."""

    post: dict[str, Any]
    channel: dict[str, Any]
    versions: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    forwards: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)


def _dump(row: Any) -> dict[str, Any]:
    return dict(row.model_dump())


def post_versions(session: Session, post: Post) -> list[dict[str, Any]]:
    """Every text the post had, oldest first.

    A post never edited keeps its only version in its own row (no PostVersion row: its text is
    not stored twice); its first edit copies that text to version 1 before overwriting it.
    """
    stored = session.execute(
        select(PostVersion).where(PostVersion.post_id == post.id).order_by(PostVersion.version)  # type: ignore[arg-type]
    ).scalars()
    versions = [_dump(v) for v in stored]
    if versions:
        return versions
    return [
        {
            "id": None,
            "post_id": post.id,
            "version": 1,
            "text": post.text,
            "entities": post.entities,
            "edited_at": post.edited_at,
            "captured_at": post.first_seen_at,
        }
    ]


def load_post_detail(session: Session, ref: PostRef) -> PostDetail:
    """Load a post and its history; InputError if the channel or message is not stored."""
    channel_id = resolve_channel(session, ref.channel)
    post = session.execute(
        select(Post).where(
            Post.channel_id == channel_id,  # type: ignore[arg-type]
            Post.message_id == ref.message_id,  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if post is None:
        raise InputError(f"post {ref.channel}/{ref.message_id}: not stored")
    channel = session.get(Channel, channel_id)
    matches = session.execute(
        select(Match).where(Match.post_id == post.id).order_by(Match.matched_at)  # type: ignore[arg-type]
    ).scalars()
    alerts = []
    for alert in session.execute(
        select(Alert).where(Alert.post_id == post.id).order_by(Alert.created_at)  # type: ignore[arg-type]
    ).scalars():
        deliveries = session.execute(
            select(Delivery).where(Delivery.alert_id == alert.id).order_by(Delivery.route)  # type: ignore[arg-type]
        ).scalars()
        alerts.append({**_dump(alert), "deliveries": [_dump(d) for d in deliveries]})
    post_c = Post.__table__.c  # type: ignore[attr-defined]
    channel_c = Channel.__table__.c  # type: ignore[attr-defined]
    related = select(
        post_c.channel_id,
        channel_c.username,
        channel_c.title,
        post_c.message_id,
        post_c.posted_at,
        post_c.url,
    ).join_from(Post.__table__, Channel.__table__, channel_c.id == post_c.channel_id)  # type: ignore[attr-defined]
    forwards = session.execute(
        related.where(
            post_c.fwd_from_channel_id == channel_id, post_c.fwd_from_message_id == ref.message_id
        ).order_by(post_c.posted_at)
    ).all()
    replies = session.execute(
        related.where(
            post_c.channel_id == channel_id, post_c.reply_to_message_id == ref.message_id
        ).order_by(post_c.posted_at)
    ).all()
    shown = _dump(post)
    shown.pop("search_text", None)  # index material, not evidence
    return PostDetail(
        post=shown,
        channel=_dump(channel) if channel is not None else {"id": channel_id},
        versions=post_versions(session, post),
        matches=[_dump(m) for m in matches],
        alerts=alerts,
        forwards=[dict(r._mapping) for r in forwards],
        replies=[dict(r._mapping) for r in replies],
    )
