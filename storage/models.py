"""The tables tgmon keeps: channels, posts with their versions, matches, alerts and caches.

Columns that analysts filter on are real columns; JSON holds only what is read whole
(entities, reactions, media metadata). Telegram's own ids are `channel_id` / `message_id`;
a row's own key is `id` — except Channel, whose key *is* the Telegram channel id.
All timestamps are timezone-aware UTC and named `*_at`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from monitor.core.clock import utcnow
from storage.types import Json, UTCDateTime


class Channel(SQLModel, table=True):
    """A watched (or imported) channel, keyed by its Telegram id; usernames change."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # Access hashes are per Telegram account: ChannelAccess (revision 0010).
    username: str | None = Field(default=None, index=True)
    title: str | None = None
    enabled: bool = True
    mode: str = "poll"  # poll | live | import
    poll_interval_s: int | None = None
    last_message_id: int = Field(default=0, sa_type=BigInteger)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = None
    error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Scale-out: which worker holds this channel, and until when.
    lease_owner: str | None = None
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    leased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # held since (0010)
    # Telegram ingestion (revision 0005).
    ref: str | None = None  # what the user typed (@name, link, id): maps config entries to rows
    join: bool = False  # join the channel for live updates (polling needs no membership)
    joined_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    backfill: int = 0  # posts of history to fetch before the first poll
    backfill_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    flood_wait_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    flood_waits: int = 0
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Which source reads it (revision 0007): "telegram" (account) or "web" (t.me/s preview).
    source: str = Field(default="telegram", sa_column_kwargs={"server_default": "telegram"})


class ChannelAccess(SQLModel, table=True):
    """One Telegram account's access hash of a channel: Telegram issues them per account.

    `account_id` is the logged-in user's id; 0 marks a hash stored before revision 0010, whose
    account is unknown: the first account it works for claims it.
    """

    channel_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("channel.id"), primary_key=True)
    )
    account_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    access_hash: int = Field(sa_type=BigInteger)
    resolved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Post(SQLModel, table=True):
    """The current state of one channel message; its history lives in PostVersion."""

    __table_args__ = (
        UniqueConstraint("channel_id", "message_id", name="uq_post_channel_message"),
        Index("ix_post_channel_posted", "channel_id", "posted_at"),
        # Mostly NULL columns, searched only for a value (`--forwarded-from`, `--media`,
        # `--deleted`): indexing only their non-NULL rows serves those searches and spares
        # every new post three index entries (migration 0011).
        *(
            Index(
                f"ix_post_{name}",
                name,
                postgresql_where=sql_text(f"{name} IS NOT NULL"),
                sqlite_where=sql_text(f"{name} IS NOT NULL"),
            )
            for name in ("fwd_from_channel_id", "media_kind", "deleted_at")
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(sa_type=BigInteger, foreign_key="channel.id")
    message_id: int = Field(sa_type=BigInteger)
    posted_at: datetime = Field(sa_type=UTCDateTime, index=True)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    text: str = Field(default="", sa_type=Text)
    entities: list[dict[str, Any]] | None = Field(default=None, sa_type=Json)
    content_hash: str = Field(default="", index=True)
    language: str | None = Field(default=None, index=True)
    language_confidence: float | None = None
    translation: str | None = Field(default=None, sa_type=Text)
    translation_provider: str | None = None
    # none (not needed) | pending | done | failed | skipped
    translation_status: str = Field(default="pending", index=True)
    translation_error: str | None = None
    translation_attempts: int = 0
    translation_next_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    translated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    views: int | None = Field(default=None, sa_type=BigInteger)
    forwards: int | None = Field(default=None, sa_type=BigInteger)
    replies: int | None = Field(default=None, sa_type=BigInteger)
    reactions: dict[str, int] | None = Field(default=None, sa_type=Json)
    fwd_from_channel_id: int | None = Field(default=None, sa_type=BigInteger)
    fwd_from_message_id: int | None = Field(default=None, sa_type=BigInteger)
    fwd_from_name: str | None = None
    reply_to_message_id: int | None = Field(default=None, sa_type=BigInteger)
    grouped_id: int | None = Field(default=None, sa_type=BigInteger)
    media_kind: str | None = Field(default=None)
    media: dict[str, Any] | None = Field(default=None, sa_type=Json)
    media_path: str | None = None
    media_sha256: str | None = None
    url: str | None = None
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version_count: int = 1
    # Stems of text + translation (storage.stemming.search_text), indexed for full-text search
    # by FTS5 (SQLite) or a generated tsvector (PostgreSQL); migration 0002 keeps the index
    # in sync by triggers. Writers of text or translation must refresh it.
    search_text: str = Field(default="", sa_type=Text)


class PostVersion(SQLModel, table=True):
    """One text of an edited post: version 1 is the original (copied at the first edit), then
    each edit. A post never edited has no row: its own row is its only version."""

    __table_args__ = (UniqueConstraint("post_id", "version", name="uq_postversion_post_version"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    version: int
    text: str = Field(default="", sa_type=Text)
    entities: list[dict[str, Any]] | None = Field(default=None, sa_type=Json)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    captured_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Match(SQLModel, table=True):
    """A watchlist rule that fired on a post's original text or its translation.

    An edit that removes the match sets `removed_at`; the row stays as evidence.
    """

    __table_args__ = (
        UniqueConstraint(
            "post_id", "watchlist", "rule", "text_source", name="uq_match_post_rule_source"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    watchlist: str = Field(index=True)
    rule: str
    severity: str = "info"
    text_source: str = "original"  # original | translation
    terms: list[str] = Field(default_factory=list, sa_type=Json)
    spans: list[list[int]] = Field(default_factory=list, sa_type=Json)
    post_version: int = 1
    matched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Alert(SQLModel, table=True):
    """An alert waiting in (or delivered from) the outbox; one per story per watchlist."""

    __table_args__ = (UniqueConstraint("watchlist", "dedupe_key", name="uq_alert_dedupe"),)

    id: int | None = Field(default=None, primary_key=True)
    watchlist: str = Field(index=True)
    severity: str = "info"
    post_id: int = Field(foreign_key="post.id", index=True)
    reason: str = "new"  # new | edited | deleted
    dedupe_key: str
    copies: list[int] = Field(default_factory=list, sa_type=Json)  # post ids of the same story
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="pending", index=True)  # pending | sent | failed | suppressed
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """One alert's delivery to one route: the retry state and the proof of sending."""

    __table_args__ = (UniqueConstraint("alert_id", "route", name="uq_delivery_alert_route"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    route: str
    status: str = Field(default="pending", index=True)  # pending | sending | sent | dead
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = None
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    idempotency_key: str
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TranslationCache(SQLModel, table=True):
    """A translation already paid for, keyed by (normalised text, source, target, provider)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # sha256 of the four parts
    provider: str
    source_lang: str
    target_lang: str
    translation: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    hits: int = 0


class ChannelName(SQLModel, table=True):
    """A username/title a channel was seen with: renames are recorded, never duplicated."""

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(sa_type=BigInteger, foreign_key="channel.id", index=True)
    username: str | None = None
    title: str | None = None
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TranslationProvider(SQLModel, table=True):
    """One translation provider's shared state: outage back-off and today's usage.

    Every worker reads and updates this row while claiming, which also serialises claims, so
    two workers never hold the same text at once.
    """

    provider: str = Field(primary_key=True)
    backoff_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0  # consecutive outages; 0 when the provider answers
    last_error: str | None = None
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outage_since: datetime | None = Field(default=None, sa_type=UTCDateTime)  # first failure
    usage_day: str | None = None  # YYYY-MM-DD (UTC) the counters below belong to
    chars_today: int = Field(default=0, sa_type=BigInteger)
    requests_today: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Worker(SQLModel, table=True):
    """One `tgmon run` process: its heartbeat, and how each of its jobs last went.

    `tgmon health` and the other workers read it: a stale `beat_at` means the worker is dead
    (its channel leases go to the others); `jobs` maps a job name to its last success, last
    error and, while it runs, `running_since` (read whole, hence JSON).
    """

    id: str = Field(primary_key=True)  # the worker id ([daemon] worker_id, default host name)
    host: str
    pid: int
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    beat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    heartbeat_s: int = 30  # the interval it promised, so readers know when a beat is late
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    jobs: dict[str, dict[str, Any]] = Field(default_factory=dict, sa_type=Json)


class StageBacklog(SQLModel, table=True):
    """A post that a pipeline stage failed on, until a retry passes it.

    The post itself is stored before any stage runs; this row is how tgmon remembers that,
    say, matching never saw it, so a job retries it (with back-off) and health can say so.
    """

    post_id: int = Field(foreign_key="post.id", primary_key=True)
    stage: str = Field(primary_key=True)  # language | translation_triage | match
    attempts: int = 1
    last_error: str = ""
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
