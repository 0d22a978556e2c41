"""What the daemon drives, as interfaces: the per-channel watcher and the extra periodic jobs.

The daemon decides when; a `Watcher` decides how to read a channel; a `JobSpec` names any
other periodic work (translation drain, alert dispatch, watchlist reload) the composition root
hands it. Also the row the daemon keeps for each channel it holds under its lease.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from monitor.config.settings import Settings
from monitor.core.events import ChannelInfo, PostEvent
from monitor.pipeline.ingest import Pipeline
from monitor.sources import Source
from storage.channels import channel_info
from storage.database import Database
from storage.models import Channel

DEFAULT_POLL_S = 300


class Watcher(Protocol):
    """What the daemon asks of ChannelWatcher (per-channel decisions live there)."""

    async def sync_channels(self) -> list[ChannelInfo]: ...
    async def catch_up(self, channel_id: int) -> Any: ...
    async def poll(self, channel_id: int) -> Any: ...
    async def recheck(self, channel_id: int, window: int) -> Any: ...
    async def on_event(self, event: PostEvent) -> None: ...
    def due_after_flood(self, channel_id: int) -> datetime | None: ...


WatcherFactory = Callable[[Source, Pipeline, Database, Settings], Watcher]


@dataclass(frozen=True)
class JobSpec:
    """A periodic job beside the built-in ones (translation drain, alert dispatch, ...).

    `func` takes no arguments; a plain function runs in a thread, a coroutine function in the
    loop. Its failures are logged, counted and backed off like every other job's.
    """

    name: str
    func: Callable[[], Any]
    interval: timedelta
    stuck_after: timedelta | None = None
    jitter: timedelta | None = None


@dataclass(frozen=True)
class HeldChannel:
    """A channel this worker holds: how to name it to the source, its mode and poll interval."""

    info: ChannelInfo
    mode: str
    poll_s: int


def held_channel(channel: Channel) -> HeldChannel:
    """The daemon's view of a stored channel row."""
    info = channel_info(channel)
    return HeldChannel(info, channel.mode, channel.poll_interval_s or DEFAULT_POLL_S)
