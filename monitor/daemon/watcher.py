"""ChannelWatcher: what the daemon calls per channel — sync, catch up, poll, recheck, live events.

Every read starts from the stored cursor (Channel.last_message_id) and the cursor moves only as
batches are stored, so an interrupted backfill or catch-up resumes where it stopped and nothing
between two polls is lost. A live message that skips ids triggers a catch-up of the gap instead
of moving the cursor over it. Failures stay with their channel: a FloodWait pauses that channel
only, an unreadable channel gets an error state, and the others go on. A revoked session
(SessionError) is the one error that propagates: the daemon must stop. Each read uses this
account's own access hash (AccountAccess); a refused one is looked up again once, then retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from monitor.config.settings import ChannelSettings, Settings
from monitor.core.clock import Clock, utcnow
from monitor.core.errors import ChannelUnavailableError, InputError, RateLimitedError, SourceError
from monitor.core.events import ChannelInfo, ChannelPost, PostEvent
from monitor.daemon.account_access import AccountAccess, Reader
from monitor.daemon.flood_waits import FloodWaits
from monitor.daemon.media import save_media
from monitor.daemon.recheck_misses import RecheckMisses
from monitor.pipeline.ingest import IngestReport, Pipeline
from monitor.sources import Source
from monitor.sources.request_budget import RequestBudget
from storage import channels as store
from storage.database import Database
from storage.models import Channel

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[int, int | None], None]  # (posts stored so far, total if known)
_PAGE = 100  # messages per history request (Telethon's page size)
_SINCE_LIMIT = 1_000_000


def spec_from_settings(cfg: ChannelSettings, default_source: str = "telegram") -> store.ChannelSpec:
    return store.ChannelSpec(
        ref=cfg.ref,
        poll_interval_s=int(cfg.poll.total_seconds()),
        enabled=cfg.enabled,
        join=cfg.join,
        backfill=cfg.backfill,
        since=cfg.since,
        source=cfg.source or default_source,
    )


class ChannelWatcher:
    """Drives one Source for many channels, storing through the Pipeline."""

    def __init__(
        self,
        source: Source,
        pipeline: Pipeline,
        db: Database,
        settings: Settings,
        *,
        clock: Clock = utcnow,
        budget: RequestBudget | None = None,
        jitter: Callable[[], float] = random.random,
        misses_before_deleted: int = 3,
    ) -> None:
        self.source = source
        self.pipeline = pipeline
        self.db = db
        self.settings = settings
        self.clock = clock
        self.budget = budget
        self._jitter = jitter
        self.floods = FloodWaits(clock, settings.telegram.flood_wait_jitter.total_seconds(), jitter)
        # SQLite has one writer at a time (storage.database takes BEGIN IMMEDIATE, so others
        # would wait on the busy timeout): queue this process's database calls in the event
        # loop instead of parking hundreds of poll threads on SQLite's busy handler.
        self._sqlite_lock = asyncio.Lock() if db.is_sqlite else None
        self.misses = RecheckMisses(misses_before_deleted)
        self.unresolved: dict[str, str] = {}  # config refs that could not be resolved → why
        self.media_dir = settings.data_dir / "media"
        self.access = AccountAccess(source, self._db, self._spend, self.floods, clock)

    # -- helpers ------------------------------------------------------------------------

    def _serial(self) -> contextlib.AbstractAsyncContextManager[Any]:
        return self._sqlite_lock if self._sqlite_lock is not None else contextlib.nullcontext()

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def run() -> T:
            with self.db.session() as session:
                return fn(session, *args, **kwargs)

        async with self._serial():
            return await asyncio.to_thread(run)

    async def _spend(self, tokens: float = 1.0, *, source: str = "telegram") -> None:
        """Draw from the account's budget; other sources (web) pace their own requests."""
        if self.budget is not None and source == "telegram":
            await self.budget.acquire(tokens)

    async def _paced(
        self, posts: AsyncIterator[ChannelPost], source: str = "telegram"
    ) -> AsyncIterator[ChannelPost]:
        """Charge the budget one request per page of messages read."""
        await self._spend(source=source)
        seen = 0
        async for post in posts:
            seen += 1
            if seen % _PAGE == 0:
                await self._spend(source=source)
            yield post

    async def _channel(self, channel_id: int) -> Channel:
        channel = await self._db(lambda s: s.get(Channel, channel_id))
        if channel is None:
            raise SourceError(f"channel {channel_id}: not in the database (add it first)")
        return channel

    async def _store(
        self, channel: Channel, posts: Sequence[ChannelPost], info: ChannelInfo | None = None
    ) -> IngestReport:
        """Store posts; download media of new ones with `info` (this account's hash)."""
        stored = store.channel_info(channel)
        async with self._serial():
            report = await asyncio.to_thread(self.pipeline.ingest, stored, posts, mode=channel.mode)
        # The web preview has no media files to give: only account channels download.
        if self.settings.telegram.download_media and report.new and stored.source == "telegram":
            info = info or (await self.access.info(channel))[0]
            await save_media(self, info, [p.message_id for p in posts])
        return report

    async def _with_access(self, channel_id: int, read: Reader[T]) -> T:
        """Run a read with this account's hash (a refused one is looked up again, once)."""
        return await self.access.read(
            await self._channel(channel_id), lambda: self._channel(channel_id), read
        )

    # -- channels -----------------------------------------------------------------------

    async def add_channel(
        self, spec: store.ChannelSpec, *, from_config: bool = False
    ) -> ChannelInfo:
        """Resolve a channel once and store it; a known channel is not looked up again
        (AccountAccess.reusable: another account looks it up when it first reads it)."""
        existing = await self._db(store.find_channel, spec.ref)
        if existing is not None and existing.mode == store.UNRESOLVED:
            existing = None  # a placeholder for a ref that could not be read: try again
        web = spec.source == "web"
        if existing is not None and await self.access.reusable(existing, web, from_config):
            info = store.channel_info(existing)
        else:
            info = await self.access.lookup(spec.ref, spec.source or self.settings.sources.default)
            await self._db(store.drop_unresolved, spec.ref)
        channel = await self._db(
            store.upsert_watched, info, spec, now=self.clock(), from_config=from_config
        )
        await self.access.remember(info)  # a fresh lookup: this account's hash
        info = store.channel_info(channel)  # the stored source kind decides which source reads it
        if spec.join and channel.joined_at is None:
            info = (await self.access.info(channel))[0]
            await self._spend(source=info.source)
            try:
                await self.source.join(info)
            except RateLimitedError:
                raise  # not joined yet: the next sync tries again
            except SourceError as exc:  # e.g. the ~500 channel limit: poll instead
                log.error("channel %s: cannot join (%s); polling it instead", spec.ref, exc)
                await self._db(
                    store.set_error,
                    info.channel_id,
                    f"join failed: {exc}; polling",
                    now=self.clock(),
                    mode="poll",
                )
                return info
            await self._db(store.mark_joined, info.channel_id, now=self.clock())
        return info

    async def sync_channels(self) -> list[ChannelInfo]:
        """Config channels → database rows (resolving only unknown ones); return all watched."""
        for cfg in self.settings.channels:
            try:
                spec = spec_from_settings(cfg, self.settings.sources.default)
                await self.add_channel(spec, from_config=True)
                self.unresolved.pop(cfg.ref, None)
            except (ChannelUnavailableError, RateLimitedError, InputError) as exc:
                if self.unresolved.get(cfg.ref) != str(exc):
                    log.error("cannot watch %s; the other channels go on", exc)
                self.unresolved[cfg.ref] = str(exc)
                if isinstance(exc, ChannelUnavailableError) and spec.source == "web":
                    await self._record_unresolved_web(spec, str(exc))
            except SourceError as exc:
                log.error("channel %s: %s; will retry at the next sync", cfg.ref, exc)
                self.unresolved[cfg.ref] = str(exc)
        watched = await self._db(store.watched_channels)
        return [store.channel_info(c) for c in watched]

    async def _record_unresolved_web(self, spec: store.ChannelSpec, message: str) -> None:
        """Show a web channel that cannot be read ("no web preview", "no such channel") in
        `channels list` and `health`: a placeholder row, not watched, replaced once it reads."""
        from monitor.sources.web.source import placeholder_identity

        channel_id, username = placeholder_identity(spec.ref)
        await self._db(
            store.record_unresolved, channel_id, username, spec, message, now=self.clock()
        )

    # -- reading ------------------------------------------------------------------------

    async def catch_up(self, channel_id: int, *, progress: Progress | None = None) -> IngestReport:
        """Store everything after the channel's cursor; the first read is the backfill."""

        async def read(channel: Channel, info: ChannelInfo) -> IngestReport:
            if channel.last_message_id == 0:
                return await self._first_read(channel, info, progress)
            return await self._catch_up(channel, info, progress)

        report: IngestReport = await self._with_access(channel_id, read)
        return report

    async def _catch_up(
        self, channel: Channel, info: ChannelInfo, progress: Progress | None
    ) -> IngestReport:
        report = IngestReport()
        batch: list[ChannelPost] = []
        pending: asyncio.Task[IngestReport] | None = None
        stored = 0

        async def hand_over(posts: list[ChannelPost]) -> None:
            """Store a batch while the next page is fetched; batches stay in order."""
            nonlocal pending, stored
            if pending is not None:
                report.add(await pending)
                pending = None
            if progress and stored:
                progress(stored, None)
            if posts:
                pending = asyncio.create_task(self._store(channel, posts, info))
                stored += len(posts)

        try:
            reading = self.source.history(info, channel.last_message_id)
            async for post in self._paced(reading, info.source):
                batch.append(post)
                if len(batch) >= self.settings.telegram.batch_size:
                    await hand_over(batch)
                    batch = []
            await hand_over(batch)
        finally:
            if pending is not None:  # a failed read still keeps (and counts) stored batches
                report.add(await pending)
        if progress and stored:
            progress(stored, None)
        return report

    async def _first_read(
        self, channel: Channel, info: ChannelInfo, progress: Progress | None
    ) -> IngestReport:
        """Backfill the newest N posts (or back to a date), then store them oldest first.

        Each stored batch moves the cursor, so an interrupted backfill continues as an ordinary
        catch-up from the last stored post. With no backfill asked for, the newest post is
        stored to set the cursor: monitoring starts now.
        """
        since = channel.backfill_since
        limit = _SINCE_LIMIT if since else max(channel.backfill, 1)
        posts: list[ChannelPost] = []
        async for post in self._paced(self.source.recent(info, limit), info.source):
            if since is not None and post.posted_at < since:
                break
            posts.append(post)
            if progress and len(posts) % _PAGE == 0:  # reading is the slow, budgeted part
                progress(len(posts), None if since else limit)
        posts.reverse()
        total = len(posts)
        report = IngestReport()
        size = self.settings.telegram.batch_size
        for start in range(0, total, size):
            report.add(await self._store(channel, posts[start : start + size], info))
            if progress:
                progress(min(start + size, total), total)
        return report

    async def _guarded(self, channel_id: int, what: str, work: Any) -> IngestReport:
        """Run one channel job; record its failure on the channel, where everyone sees it.

        A source or database error is recorded and swallowed (the next run retries). Anything
        else is a bug or an answer nobody foresaw: it is recorded too, then raised, so the job
        counts a failure and health reports it instead of the channel looking fine.
        """
        try:
            report: IngestReport = await work
        except RateLimitedError as exc:
            await self._record_flood(channel_id, exc)
            return IngestReport()
        except SourceError as exc:  # includes ChannelUnavailableError; SessionError propagates
            log.error("channel %s: %s failed: %s", channel_id, what, exc)
            await self._record_error(channel_id, what, str(exc))
            return IngestReport()
        except SQLAlchemyError as exc:  # e.g. two writers racing: the next run redoes it
            log.error(
                "channel %s: %s failed in the database: %s", channel_id, what, type(exc).__name__
            )
            with contextlib.suppress(SQLAlchemyError):
                await self._record_error(channel_id, what, f"database error {type(exc).__name__}")
            return IngestReport()
        except Exception as exc:
            with contextlib.suppress(SQLAlchemyError):
                reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                await self._record_error(channel_id, what, reason)
            raise
        await self._db(store.clear_error, channel_id, what)
        return report

    async def _record_error(self, channel_id: int, what: str, reason: str) -> None:
        await self._db(store.set_error, channel_id, f"{what} failed: {reason}", now=self.clock())

    async def _record_flood(self, channel_id: int, exc: RateLimitedError) -> None:
        until = self.floods.record(channel_id, exc.seconds)
        await self._db(store.set_flood_wait, channel_id, until, now=self.clock())

    def due_after_flood(self, channel_id: int) -> datetime | None:
        """When this channel may be polled again (None: no flood wait pending)."""
        return self.floods.due_after(channel_id)

    async def _load_flood_wait(self, channel_id: int) -> None:
        """A restart must honour a wait recorded by the previous run."""
        if not self.floods.known(channel_id):
            self.floods.remember(channel_id, (await self._channel(channel_id)).flood_wait_until)

    async def poll(self, channel_id: int) -> IngestReport:
        """Catch up one channel, recording the poll time or the error (never raising one)."""
        await self._load_flood_wait(channel_id)
        if self.due_after_flood(channel_id) is not None:
            return IngestReport()

        async def work() -> IngestReport:
            report = await self.catch_up(channel_id)
            await self._db(store.mark_polled, channel_id, now=self.clock())
            return report

        return await self._guarded(channel_id, "poll", work())

    async def recheck(self, channel_id: int, window: int) -> IngestReport:
        """Re-read the newest `window` stored posts: edits, counters, deletions, renames."""
        await self._load_flood_wait(channel_id)
        if self.due_after_flood(channel_id) is not None:
            return IngestReport()
        work = self._with_access(
            channel_id, lambda channel, info: self._recheck(channel, info, window)
        )
        return await self._guarded(channel_id, "recheck", work)

    async def _recheck(self, channel: Channel, info: ChannelInfo, window: int) -> IngestReport:
        channel_id = channel.id
        await self._spend(source=info.source)
        fresh = await self.source.refresh(info)
        if await self._db(store.record_names, fresh, now=self.clock()):
            channel = await self._channel(channel_id)
        ids = await self._db(store.recent_message_ids, channel_id, window)
        found = await self._reread(info, ids)
        report = IngestReport()
        present = [p for p in found.values() if p is not None]
        if present:
            present.sort(key=lambda p: p.message_id)
            report.add(await self._store(channel, present, info))
        gone = [mid for mid, post in found.items() if post is None]
        gone += self.misses.missed(channel_id, [mid for mid in ids if mid not in found])
        if gone:
            async with self._serial():
                report.add(await asyncio.to_thread(self.pipeline.delete, channel_id, gone))
            log.info("channel %s: %d post(s) deleted: %s", channel_id, len(gone), gone[:10])
        return report

    async def _reread(self, info: ChannelInfo, ids: list[int]) -> dict[int, ChannelPost | None]:
        found: dict[int, ChannelPost | None] = {}
        for start in range(0, len(ids), _PAGE):
            await self._spend(source=info.source)
            found.update(await self.source.fetch(info, ids[start : start + _PAGE]))
        return found

    # -- live ---------------------------------------------------------------------------

    async def on_event(self, event: PostEvent) -> None:
        """A live event → the same pipeline; a gap before a new message is caught up first."""
        try:
            channel = await self._channel(event.channel_id)
            if event.kind == "deleted":
                async with self._serial():
                    await asyncio.to_thread(
                        self.pipeline.delete, event.channel_id, [event.message_id]
                    )
                return
            if event.post is None:
                return
            if event.message_id > channel.last_message_id + 1 and channel.last_message_id:
                await self.poll(event.channel_id)  # ids skipped: read the gap, never jump it
            else:
                await self._store(channel, [event.post])
        except (SourceError, SQLAlchemyError) as exc:  # the next poll or recheck repairs it
            log.error("channel %s: live %s event failed: %s", event.channel_id, event.kind, exc)
