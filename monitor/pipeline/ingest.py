"""The ingest pipeline: normalise → store → detect language → translate → match → alert.

Sources hand over normalised posts; `Pipeline.ingest` stores them first (so nothing is lost
if a later stage fails), then runs each stage on what changed, inside the same transaction
but each in its own savepoint: a failing stage is logged with its channel and message ids and
rolled back alone, and the stored posts stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlmodel import Session

from monitor.core.clock import Clock, utcnow
from monitor.core.events import ChannelInfo, ChannelPost
from storage.database import Database
from storage.post_rows import TextKeys
from storage.posts import (
    PostChange,
    advance_cursor,
    ensure_channel,
    mark_deleted,
    stored_message_ids,
    upsert_posts,
)
from storage.stage_backlog import (
    changes_for_retry,
    clear_stage,
    due_retries,
    record_stage_failure,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageRetry:
    """How failed stages are retried: back-off from `base` up to `cap`, `max_attempts` tries."""

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8


class Stage(Protocol):
    """One step after `store`: acts on the posts that are new or whose text changed."""

    name: str

    def run(self, session: Session, changes: Sequence[PostChange]) -> None: ...


class PreparedStage(Stage, Protocol):
    """A stage whose result for a new post is known before the store, from the post alone.

    `prepare` adds its column values for each new post to `columns` (message id → values;
    it may read what earlier prepared stages put there), so the row is inserted with them
    instead of being rewritten by `run` right after. `run` still serves edited posts, retries,
    and new posts whenever a `prepare` failed.
    """

    def prepare(
        self, posts: Sequence[ChannelPost], columns: dict[int, dict[str, object]]
    ) -> None: ...


@dataclass
class IngestReport:
    """Counts for the user: what a batch (or a whole import) did."""

    new: int = 0
    edited: int = 0
    unchanged: int = 0
    deleted: int = 0
    stage_failures: dict[str, int] = field(default_factory=dict)

    def add(self, other: IngestReport) -> None:
        self.new += other.new
        self.edited += other.edited
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        for name, count in other.stage_failures.items():
            self.stage_failures[name] = self.stage_failures.get(name, 0) + count


class Pipeline:
    """Stores batches of posts and runs the stages on what changed."""

    def __init__(
        self,
        db: Database,
        stages: Sequence[Stage] = (),
        *,
        on_deleted: Callable[[Session, list[int]], None] | None = None,
        clock: Clock = utcnow,
        retry: StageRetry = StageRetry(),  # noqa: B008  (frozen)
    ) -> None:
        self.db = db
        self.stages = list(stages)
        self.on_deleted = on_deleted
        self.clock = clock
        self.retry = retry

    def ingest(
        self,
        channel: ChannelInfo,
        posts: Sequence[ChannelPost],
        *,
        mode: str | None = None,
        keys: TextKeys | None = None,
    ) -> IngestReport:
        """Store one batch of a channel's posts in one transaction and run the stages.

        `keys`: the posts' text keys, if the caller worked them out ahead (`text_keys`).
        """
        report = IngestReport()
        prepared: set[str] = set()
        with self.db.session() as session:
            ensure_channel(session, channel, mode=mode)
            if not posts:
                return report
            changes = upsert_posts(
                session,
                posts,
                columns_for=lambda fresh: self._prepare(channel, fresh, prepared),
                keys=keys,
            )
            advance_cursor(session, channel.channel_id, (p.message_id for p in posts))
            for change in changes:
                setattr(report, change.kind, getattr(report, change.kind) + 1)
            acted_on = [c for c in changes if c.kind != "unchanged"]
            if acted_on:
                self._run_stages(session, channel, acted_on, report, prepared=prepared)
        return report

    def look_ahead(self, channel: ChannelInfo, posts: Sequence[ChannelPost]) -> None:
        """Let the stages start on posts that will be ingested next (an import reads a batch
        ahead): pure work on another core, which `ingest` then takes instead of redoing.

        Only a speed-up: if it fails, the stages do their work in `ingest` as before.
        """
        # no query for stored posts unless some stage would take the batch (a busy machine,
        # a small batch or no second core: none does)
        looking = [
            stage
            for stage in self.stages
            if getattr(stage, "would_look_ahead", lambda _n: False)(len(posts))
        ]
        if not looking:
            return
        try:
            with self.db.read_session() as session:  # a re-import's stored posts need no stage
                stored = stored_message_ids(
                    session, channel.channel_id, [p.message_id for p in posts]
                )
            fresh = [post for post in posts if post.message_id not in stored]
            for stage in looking if fresh else ():
                stage.look_ahead(channel, fresh)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - logged; ingest does the work itself
            log.exception("the stages could not look ahead for channel %s", channel.channel_id)

    def _prepare(
        self, channel: ChannelInfo, fresh: Sequence[ChannelPost], prepared: set[str]
    ) -> dict[int, dict[str, object]]:
        """Run the leading stages that can `prepare`, in order, until one cannot or fails.

        A failure is logged and left to that stage's `run` after the store, as before; the
        stages after it are not prepared either (they may read its columns).
        """
        columns: dict[int, dict[str, object]] = {post.message_id: {} for post in fresh}
        for stage in self.stages:
            prepare = getattr(stage, "prepare", None)
            if prepare is None:
                break
            draft = {message_id: dict(values) for message_id, values in columns.items()}
            try:
                prepare(fresh, draft)  # a stage failing half-way leaves no values behind
                columns = draft
            except Exception:
                log.exception(
                    "stage %s could not prepare channel %s's new posts; it runs after the store",
                    stage.name,
                    channel.channel_id,
                )
                break
            prepared.add(stage.name)
        if not prepared:
            return {}
        return columns

    def _run_stages(
        self,
        session: Session,
        channel: ChannelInfo,
        changes: Sequence[PostChange],
        report: IngestReport,
        stages: Sequence[Stage] | None = None,
        prepared: Collection[str] = (),
    ) -> None:
        for stage in self.stages if stages is None else stages:
            todo = changes
            if stage.name in prepared:  # its values are in the new rows already
                todo = [c for c in changes if c.kind != "new"]
                if not todo:
                    continue
            try:
                with session.begin_nested():
                    stage.run(session, todo)
            except Exception as exc:
                report.stage_failures[stage.name] = report.stage_failures.get(stage.name, 0) + 1
                ids = [c.post.message_id for c in todo]
                log.exception(
                    "stage %s failed for channel %s messages %s..%s; posts are stored and "
                    "the stage is retried",
                    stage.name,
                    channel.channel_id,
                    min(ids),
                    max(ids),
                )
                record_stage_failure(
                    session,
                    [c.post_id for c in todo],
                    stage.name,
                    f"{type(exc).__name__}: {exc}".splitlines()[0],
                    now=self.clock(),
                    base=self.retry.base,
                    cap=self.retry.cap,
                )
            else:
                if stages is not None:  # a retry that passed
                    clear_stage(session, [c.post_id for c in todo], stage.name)

    def retry_stages(self, limit: int = 500) -> IngestReport:
        """Run each stage again on the posts it failed on (due ones); return what failed again.

        The daemon calls this as a job; a post that passes is cleared, one that fails again
        waits longer, and after `retry.max_attempts` it stays listed for health to report.
        """
        report = IngestReport()
        with self.db.read_session() as session:
            due = due_retries(
                session, now=self.clock(), max_attempts=self.retry.max_attempts, limit=limit
            )
        by_name = {stage.name: stage for stage in self.stages}
        for name, post_ids in due.items():
            stage = by_name.get(name)
            if stage is None:
                continue
            with self.db.session() as session:
                changes = changes_for_retry(session, post_ids)
                if changes:
                    channel = ChannelInfo(changes[0].post.channel_id)
                    self._run_stages(session, channel, changes, report, stages=[stage])
                else:  # the posts are gone (a test database reset): nothing to retry
                    clear_stage(session, post_ids, name)
        return report

    def delete(self, channel_id: int, message_ids: Sequence[int]) -> IngestReport:
        """Mark posts deleted (never remove them); return how many were newly marked."""
        with self.db.session() as session:
            marked = mark_deleted(session, channel_id, message_ids)
            if marked and self.on_deleted is not None:  # e.g. deletion alerts, same transaction
                self.on_deleted(session, marked)
        return IngestReport(deleted=len(marked))
