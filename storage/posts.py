"""Write posts idempotently: the same message stored once, every changed text kept as a version.

Batched Core statements, not per-row ORM objects: an import of 100,000 posts must run at
thousands of posts per second on SQLite. The ON CONFLICT guard keeps two writers that see
the same message (a live event and a poll) from storing it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Select,
    any_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from monitor.core.clock import utcnow
from monitor.core.events import ChannelInfo, ChannelPost
from storage.bulk import bulk_insert
from storage.models import Channel, Post, PostVersion
from storage.post_rows import (
    TextKeys,
    add_columns,
    counter_params,
    edit_params,
    new_row,
    version_row,
)

ChangeKind = Literal["new", "edited", "unchanged"]
_IN_CHUNK = 500


@dataclass(frozen=True)
class PostChange:
    """What storing one post did; stages after `store` act on these."""

    post_id: int
    kind: ChangeKind
    post: ChannelPost
    version: int
    previous_text: str | None = None


def public_url(username: str | None, channel_id: int, message_id: int) -> str:
    """Link to a post: t.me/<username>/<id>, or the members-only t.me/c/<id>/<id> form."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    return f"https://t.me/c/{channel_id}/{message_id}"


def ensure_channel(session: Session, info: ChannelInfo, *, mode: str | None = None) -> Channel:
    """Create or refresh a channel row; a changed username is updated, never duplicated."""
    channel = session.get(Channel, info.channel_id)
    if channel is None:
        channel = Channel(
            id=info.channel_id,
            username=info.username,
            title=info.title,
            mode=mode or "poll",
        )
        session.add(channel)
    else:
        if info.username and info.username != channel.username:
            channel.username = info.username
        if info.title and info.title != channel.title:
            channel.title = info.title
        if mode and channel.mode == "import" and mode != "import":
            channel.mode = mode
    session.flush()
    return channel


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Insert rows not yet stored; return {message_id: post id} of the rows actually inserted."""
    if not rows:
        return {}
    result = bulk_insert(
        session,
        Post.__table__,  # type: ignore[attr-defined]
        rows,
        conflict=("channel_id", "message_id"),
        returning=("id", "message_id"),
    )
    return {message_id: post_id for post_id, message_id in result}


def _existing(session: Session, channel_id: int, message_ids: Sequence[int]) -> dict[int, Any]:
    columns = select(
        _POST.c.id,
        _POST.c.message_id,
        _POST.c.text,
        _POST.c.edited_at,
        _POST.c.version_count,
        _POST.c.views,
        _POST.c.forwards,
        _POST.c.replies,
        _POST.c.reactions,
    )
    return {row.message_id: row for row in _rows_of(session, columns, channel_id, message_ids)}


def stored_message_ids(session: Session, channel_id: int, message_ids: Sequence[int]) -> set[int]:
    """Which of these message ids of a channel are stored (deleted ones included)."""
    rows = _rows_of(session, select(_POST.c.message_id), channel_id, message_ids)
    return {row.message_id for row in rows}


def _rows_of(
    session: Session, columns: Select[Any], channel_id: int, message_ids: Sequence[int]
) -> list[Any]:
    """COLUMNS of the channel's posts with these message ids."""
    columns = columns.where(_POST.c.channel_id == channel_id)
    if session.get_bind().dialect.name == "postgresql":  # one array, not 2,000 parameters
        return list(
            session.execute(
                columns.where(_POST.c.message_id == any_(bindparam("ids", type_=_BIGINTS))),
                {"ids": list(message_ids)},
            ).all()
        )
    found: list[Any] = []
    for start in range(0, len(message_ids), _IN_CHUNK):
        chunk = message_ids[start : start + _IN_CHUNK]
        found.extend(session.execute(columns.where(_POST.c.message_id.in_(chunk))).all())
    return found


# Extra column values for posts about to be inserted, by message id: what the pipeline worked
# out before the store (language, translation triage), so a new row is written once.
ColumnsFor = Callable[[Sequence[ChannelPost]], Mapping[int, Mapping[str, Any]]]


def upsert_posts(
    session: Session,
    posts: Sequence[ChannelPost],
    *,
    now: datetime | None = None,
    columns_for: ColumnsFor | None = None,
    keys: TextKeys | None = None,
) -> list[PostChange]:
    """Store a batch of posts of one or more channels; return what changed, in input order.

    A post seen before with the same text only refreshes its counters; a changed text becomes a
    new PostVersion and the post's current text. Nothing is overwritten without its history.
    `columns_for` is asked once per channel for the posts not stored yet, and its values go
    into their rows (an UPDATE right after the insert rewrote every row and, on PostgreSQL,
    all of its index entries). `keys` are text keys already worked out (`text_keys`).
    """
    now = now or utcnow()
    by_channel: dict[int, list[ChannelPost]] = {}
    for post in posts:
        by_channel.setdefault(post.channel_id, []).append(post)
    changes: list[PostChange] = []
    for channel_id, channel_posts in by_channel.items():
        changes.extend(
            _upsert_channel(session, channel_id, channel_posts, now, columns_for, keys or {})
        )
    return changes


def _upsert_channel(
    session: Session,
    channel_id: int,
    posts: list[ChannelPost],
    now: datetime,
    columns_for: ColumnsFor | None,
    keys: TextKeys,
) -> list[PostChange]:
    channel = session.get(Channel, channel_id)  # no query after ensure_channel in this session
    username = channel.username if channel is not None else None
    latest: dict[int, ChannelPost] = {}
    for post in posts:  # the same message twice in one batch: the last copy wins
        latest[post.message_id] = post
    existing = _existing(session, channel_id, list(latest))

    fresh = [p for mid, p in latest.items() if mid not in existing]
    rows = [new_row(p, public_url(username, channel_id, p.message_id), now, keys) for p in fresh]
    if columns_for is not None and fresh:
        add_columns(rows, fresh, columns_for(fresh))
    inserted = _insert_ignoring_duplicates(session, rows)
    versions: list[dict[str, Any]] = []
    edits: list[dict[str, Any]] = []
    counters: list[dict[str, Any]] = []
    changes: list[PostChange] = []
    for post in fresh:
        post_id = inserted.get(post.message_id)
        if post_id is None:  # another writer stored it between our read and insert
            continue
        changes.append(PostChange(post_id, "new", post, 1))
    for message_id, post in latest.items():
        old = existing.get(message_id)
        if old is None:
            continue
        if post.text != old.text and not _is_stale(post, old.edited_at):
            version = old.version_count + 1
            versions.append(version_row(old.id, version, post, now))
            edits.append(edit_params(old.id, version, post, now))
            changes.append(PostChange(old.id, "edited", post, version, previous_text=old.text))
        else:
            if _counters_changed(old, post):
                counters.append(counter_params(old.id, post, now))
            changes.append(PostChange(old.id, "unchanged", post, old.version_count))
    first_edits = [e["b_id"] for e in edits if e["b_version"] == 2]
    _keep_first_versions(session, first_edits)  # before the edit overwrites the post's text
    if versions:
        bulk_insert(session, PostVersion.__table__, versions)  # type: ignore[attr-defined]
    if edits:
        session.execute(_EDIT_STATEMENT, edits)
    if counters:
        session.execute(_COUNTER_STATEMENT, counters)
    return changes


def _keep_first_versions(session: Session, post_ids: Sequence[int]) -> None:
    """Copy version 1 of posts about to get their first edit from their rows, once.

    A post's row is its current version, so a post never edited has no PostVersion row: its
    text is not stored twice (half the text an import writes). At the first edit the row's
    text becomes version 1 here, before it is overwritten. Databases written before this kept
    a version 1 row for every post; it is left as it is, and not copied twice.
    """
    for start in range(0, len(post_ids), _VERSION_CHUNK):
        session.execute(_KEEP_FIRST_VERSIONS, {"ids": post_ids[start : start + _VERSION_CHUNK]})


def _is_stale(post: ChannelPost, stored_edit: datetime | None) -> bool:
    """True for a copy older than what is stored (an earlier export replayed after a later one)."""
    if stored_edit is None:
        return False
    return post.edited_at is None or post.edited_at < stored_edit


def _counters_changed(old: Any, post: ChannelPost) -> bool:
    def changed(new: object, current: object) -> bool:
        return new is not None and new != current

    return (
        changed(post.views, old.views)
        or changed(post.forwards, old.forwards)
        or changed(post.replies, old.replies)
        or changed(dict(post.reactions) if post.reactions is not None else None, old.reactions)
    )


_POST = Post.__table__  # type: ignore[attr-defined]
_EDIT_STATEMENT = (
    update(_POST)
    .where(_POST.c.id == bindparam("b_id"))
    .values(
        text=bindparam("b_text"),
        entities=bindparam("b_entities"),
        content_hash=bindparam("b_hash"),
        search_text=bindparam("b_search_text"),  # the translation is reset below
        edited_at=bindparam("b_edited_at"),
        version_count=bindparam("b_version"),
        translation_status="pending",
        translation=None,
        translation_attempts=0,
        translation_next_at=None,
        translation_error=None,
        translation_provider=None,
        translated_at=None,
        views=func.coalesce(bindparam("b_views"), _POST.c.views),
        forwards=func.coalesce(bindparam("b_forwards"), _POST.c.forwards),
        replies=func.coalesce(bindparam("b_replies"), _POST.c.replies),
        checked_at=bindparam("b_now"),
    )
)
_COUNTER_STATEMENT = (
    update(_POST)
    .where(_POST.c.id == bindparam("b_id"))
    .values(
        views=func.coalesce(bindparam("b_views"), _POST.c.views),
        forwards=func.coalesce(bindparam("b_forwards"), _POST.c.forwards),
        replies=func.coalesce(bindparam("b_replies"), _POST.c.replies),
        reactions=func.coalesce(
            bindparam("b_reactions", type_=_POST.c.reactions.type), _POST.c.reactions
        ),
        checked_at=bindparam("b_now"),
    )
)


def advance_cursor(session: Session, channel_id: int, message_ids: Iterable[int]) -> int:
    """Move the channel's last-seen message id forward (never back); return the new value."""
    highest = max(message_ids, default=0)
    channel = session.get(Channel, channel_id)
    if channel is None:
        return 0
    if highest > channel.last_message_id:
        channel.last_message_id = highest
        session.add(channel)
    return channel.last_message_id


def mark_deleted(
    session: Session, channel_id: int, message_ids: Sequence[int], *, now: datetime | None = None
) -> list[int]:
    """Mark posts deleted (once, with the time it was noticed); return the ids newly marked."""
    now = now or utcnow()
    marked: list[int] = []
    for start in range(0, len(message_ids), _IN_CHUNK):
        chunk = list(message_ids[start : start + _IN_CHUNK])
        ids = (
            session.execute(
                select(Post.id).where(  # type: ignore[arg-type]
                    Post.channel_id == channel_id,
                    Post.message_id.in_(chunk),  # type: ignore[attr-defined]
                    Post.deleted_at.is_(None),  # type: ignore[union-attr]
                )
            )
            .scalars()
            .all()
        )
        if ids:
            session.execute(update(_POST).where(_POST.c.id.in_(ids)).values(deleted_at=now))
            marked.extend(ids)
    return marked


_VERSION_CHUNK = 5000  # one bound parameter per id (SQLite's limit is 32,766)
_VERSION = PostVersion.__table__  # type: ignore[attr-defined]
_BIGINTS = postgresql.ARRAY(BigInteger)
_NO_FIRST_VERSION = ~exists().where(_VERSION.c.post_id == _POST.c.id, _VERSION.c.version == 1)
_KEEP_FIRST_VERSIONS = insert(_VERSION).from_select(
    ["post_id", "version", "text", "entities", "edited_at", "captured_at"],
    select(
        _POST.c.id,
        literal(1),
        _POST.c.text,
        _POST.c.entities,
        _POST.c.edited_at,
        _POST.c.first_seen_at,
    ).where(_POST.c.id.in_(bindparam("ids", expanding=True)), _NO_FIRST_VERSION),
)
