"""Watched-channel use cases: add (resolve once, store, read history now), list, pause, remove.

`tgmon channels …` calls these. Adding goes through the same ChannelWatcher the daemon uses,
so a channel added by hand is read exactly as the daemon will read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.core.clock import Clock, utcnow
from monitor.core.errors import InputError
from monitor.core.events import ChannelInfo
from monitor.pipeline.ingest import IngestReport
from storage import channels as store
from storage.database import Database
from storage.models import Channel

HistoryProgress = Callable[[int, int | None], None]


class ChannelReader(Protocol):
    """What adding a channel needs of the daemon's ChannelWatcher."""

    async def add_channel(self, spec: store.ChannelSpec) -> ChannelInfo: ...

    async def catch_up(
        self, channel_id: int, *, progress: HistoryProgress | None = None
    ) -> IngestReport: ...


@dataclass(frozen=True)
class AddedChannel:
    """A channel now watched, and what reading its history stored."""

    info: ChannelInfo
    report: IngestReport


class ChannelService:
    """The watched channels of one database."""

    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def add(
        self,
        watcher: ChannelReader,
        spec: store.ChannelSpec,
        progress: HistoryProgress | None = None,
    ) -> AddedChannel:
        """Resolve and store the channel through `watcher`, then read its history now."""
        info = await watcher.add_channel(spec)
        report = await watcher.catch_up(info.channel_id, progress=progress)
        with self.db.session() as session:
            store.mark_polled(session, info.channel_id, now=self.clock())
        return AddedChannel(info, report)

    def overview(self, *, include_removed: bool = False) -> list[store.ChannelRow]:
        """Every watched channel with its mode, last post, lag and error state."""
        with self.db.read_session() as session:
            return store.channel_overview(session, include_removed=include_removed)

    def set_watching(self, ref: str, **change: Any) -> Channel:
        """Remove, disable or enable a channel by @username or id (its posts are kept)."""
        channel_id = int(ref) if ref.lstrip("-").isdigit() else None
        with self.db.session() as session:
            row = store.find_channel(session, ref, channel_id)
            if row is None:
                raise InputError(f"{ref}: no such channel (see `tgmon channels list`)")
            store.set_watching(session, row, **change)
            return row
