"""Honest doubles for the daemon's seams: an in-memory Source and a minimal ChannelWatcher.

`ScriptedSource` serves deterministic posts per channel — message i of channel c appears at
`start + i * every` (wall clock), so separate worker processes agree on what exists.
`SimpleWatcher` does what monitor.daemon.watcher.ChannelWatcher promises at its simplest (cursor →
history → Pipeline.ingest), through the real Pipeline and database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.config.settings import Settings
from monitor.core.clock import utcnow
from monitor.core.errors import SourceError
from monitor.core.events import ChannelInfo, ChannelPost, PostEvent
from monitor.pipeline.ingest import IngestReport, Pipeline
from monitor.sources import EventHandler, MediaFile, Source
from storage.database import Database
from storage.models import Channel

FAKE_BASE_ID = 1_000_000


def fake_channel_id(ref: str) -> int:
    return FAKE_BASE_ID + int(ref.removeprefix("@").removeprefix("fake"))


SAMPLE_SENTENCES = (
    "Колонна техники замечена на трассе у границы, источники сообщают о перестрелке",
    "Ворог обстріляв околиці міста, рятувальники працюють на місці влучання",
    "Сегодня на рассвете противник пытался атаковать позиции на левом фланге",
    "Drones were reported over the port overnight; no damage so far",
)


class ScriptedSource:
    """Channels `fake<N>`; post i exists once `start + i * every` has passed, up to `total`."""

    def __init__(self, *, start: float, every: float, total: int) -> None:
        self.start = start
        self.every = every
        self.total = total
        self.live: asyncio.Queue[PostEvent] = asyncio.Queue()
        self.history_calls = 0
        self.listening: list[list[int]] = []

    def post(self, channel_id: int, message_id: int) -> ChannelPost:
        posted = datetime.fromtimestamp(self.start + message_id * self.every, UTC)
        # Channel-like text in three languages, so language detection loads its real models.
        sentence = SAMPLE_SENTENCES[(channel_id + message_id) % len(SAMPLE_SENTENCES)]
        text = f"{sentence} (post {message_id} of {channel_id})"
        return ChannelPost(channel_id, message_id, posted, text=text)

    def available(self) -> int:
        if self.every <= 0:
            return self.total
        return max(0, min(self.total, int((time.time() - self.start) / self.every)))

    async def resolve(self, ref: str) -> ChannelInfo:
        cid = fake_channel_id(ref)
        return ChannelInfo(cid, username=ref.removeprefix("@"), title=f"Fake {cid}")

    async def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        self.history_calls += 1
        last = self.available()
        if limit is not None:
            last = min(last, after_id + limit)
        for message_id in range(after_id + 1, last + 1):
            yield self.post(channel.channel_id, message_id)

    async def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        last = self.available()
        for message_id in range(max(1, last - limit + 1), last + 1):
            yield self.post(channel.channel_id, message_id)

    async def refresh(self, channel: ChannelInfo) -> ChannelInfo:
        return channel

    async def join(self, channel: ChannelInfo) -> None:
        return None

    async def fetch(
        self, channel: ChannelInfo, message_ids: Sequence[int]
    ) -> dict[int, ChannelPost | None]:
        last = self.available()
        return {
            mid: self.post(channel.channel_id, mid) if mid <= last else None for mid in message_ids
        }

    async def download(self, channel: ChannelInfo, message_id: int, folder: Path) -> MediaFile:
        raise SourceError(f"{channel.channel_id}/{message_id}: scripted posts have no media")

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        self.listening.append([c.channel_id for c in channels])
        while True:
            event = await self.live.get()
            await on_event(event)

    async def account_id(self) -> int | None:
        return None  # scripted posts need no access hash


class SimpleWatcher:
    """The ChannelWatcher interface, minimal: cursor → history → Pipeline.ingest."""

    def __init__(
        self, source: Source, pipeline: Pipeline, db: Database, settings: Settings
    ) -> None:
        self.source = source
        self.pipeline = pipeline
        self.db = db
        self.settings = settings
        self.infos: dict[int, ChannelInfo] = {}
        self.flood_until: dict[int, datetime] = {}
        self.fail_polls: set[int] = set()
        self.slow_poll_s = 0.0
        self.polls: list[int] = []
        self.catch_ups: list[int] = []
        self.events: list[PostEvent] = []

    async def sync_channels(self) -> list[ChannelInfo]:
        infos = []
        rows = []
        for item in self.settings.channels:
            info = await self.source.resolve(item.ref)
            self.infos[info.channel_id] = info
            infos.append(info)
            rows.append(
                {
                    "id": info.channel_id,
                    "username": info.username,
                    "title": info.title,
                    "enabled": item.enabled,
                    "mode": "live" if item.join else "poll",
                    "poll_interval_s": max(1, int(item.poll.total_seconds())),
                    "last_message_id": 0,
                    "added_at": utcnow(),
                }
            )

        def write() -> None:
            if not rows:
                return
            table = Channel.__table__  # type: ignore[attr-defined]
            insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
            with self.db.session() as session:
                # Several workers sync the same config at once: first insert wins.
                session.execute(insert(table).values(rows).on_conflict_do_nothing())

        await asyncio.to_thread(write)
        return infos

    def _info(self, channel_id: int) -> ChannelInfo:
        return self.infos.get(channel_id) or ChannelInfo(channel_id)

    async def catch_up(self, channel_id: int) -> IngestReport:
        self.catch_ups.append(channel_id)
        return await self._fetch_new(channel_id)

    async def poll(self, channel_id: int) -> IngestReport:
        self.polls.append(channel_id)
        if channel_id in self.fail_polls:
            raise RuntimeError(f"poll of {channel_id} broke")
        if self.slow_poll_s:
            await asyncio.sleep(self.slow_poll_s)
        return await self._fetch_new(channel_id)

    async def _fetch_new(self, channel_id: int) -> IngestReport:
        after = await self._cursor(channel_id)
        info = self._info(channel_id)
        posts = [p async for p in self.source.history(info, after, limit=200)]
        report = await asyncio.to_thread(self.pipeline.ingest, info, posts)

        def polled() -> None:
            with self.db.session() as session:
                session.execute(
                    update(Channel).where(Channel.id == channel_id).values(last_polled_at=utcnow())  # type: ignore[arg-type]
                )

        await asyncio.to_thread(polled)
        return report

    async def _cursor(self, channel_id: int) -> int:
        def read() -> int:
            with self.db.session() as session:
                row = session.get(Channel, channel_id)
                return row.last_message_id if row else 0

        return await asyncio.to_thread(read)

    async def recheck(self, channel_id: int, window: int) -> IngestReport:
        # Only posts at or below the cursor: Pipeline.ingest advances the cursor, and a
        # recheck that stored newer posts would make the next poll skip the ones between.
        cursor = await self._cursor(channel_id)
        info = self._info(channel_id)
        posts = [p async for p in self.source.recent(info, window) if p.message_id <= cursor]
        return await asyncio.to_thread(self.pipeline.ingest, info, posts)

    async def on_event(self, event: PostEvent) -> None:
        self.events.append(event)
        if event.kind == "deleted":
            await asyncio.to_thread(self.pipeline.delete, event.channel_id, [event.message_id])
        elif event.post is not None:
            # A live post beyond a gap would move the cursor past unseen posts: fetch the
            # gap first (the reconciling read the field notes ask for).
            cursor = await self._cursor(event.channel_id)
            if event.message_id > cursor + 1:
                await self._fetch_new(event.channel_id)
            await asyncio.to_thread(
                self.pipeline.ingest, self._info(event.channel_id), [event.post]
            )

    def due_after_flood(self, channel_id: int) -> datetime | None:
        return self.flood_until.get(channel_id)


def held_by(db: Database) -> dict[str | None, list[int]]:
    """Which worker leases which channel, from the database."""
    with db.session() as session:
        rows = session.execute(select(Channel.id, Channel.lease_owner)).all()
    out: dict[str | None, list[int]] = {}
    for cid, owner in rows:
        out.setdefault(owner, []).append(cid)
    return out


def in_future(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)
