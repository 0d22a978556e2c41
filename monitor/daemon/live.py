"""Live updates for the channels this worker listens to, kept open through disconnects.

`LiveFeed.follow(channels)` (re)subscribes when the set of live channels changes (a lease
gained or lost); a subscription that ends or fails is logged and reopened with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from monitor.core.backoff import backoff_delay
from monitor.core.events import ChannelInfo
from monitor.sources import EventHandler, Source

log = logging.getLogger("monitor.daemon")


class LiveFeed:
    """One `Source.listen` subscription at a time, for the current set of live channels."""

    def __init__(
        self,
        source: Source,
        handler: EventHandler,
        *,
        max_backoff: timedelta,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.source = source
        self.handler = handler
        self.max_backoff = max_backoff
        self.pause = pause  # the daemon passes a sleep that a stop request cuts short
        self._task: asyncio.Task[None] | None = None
        self._channels: frozenset[int] = frozenset()
        self._stopped = False

    def follow(self, channels: Sequence[ChannelInfo]) -> None:
        """Listen to exactly these channels (nothing, when empty)."""
        wanted = frozenset(c.channel_id for c in channels)
        if self._stopped or wanted == self._channels:
            return
        self._cancel()
        self._channels = wanted
        if channels:
            ordered = sorted(channels, key=lambda c: c.channel_id)
            self._task = asyncio.create_task(self._keep_open(ordered), name="live-feed")

    def stop(self) -> None:
        self._stopped = True
        self._cancel()

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _keep_open(self, channels: list[ChannelInfo]) -> None:
        failures = 0
        while not self._stopped:
            try:
                await self.source.listen(channels, self.handler)
                failures = 0
                log.warning("live updates ended; reconnecting", extra={"channels": len(channels)})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                log.error(
                    "live updates failed (%d in a row): %s",
                    failures,
                    exc,
                    exc_info=failures == 1,
                    extra={"channels": len(channels)},
                )
            delay = backoff_delay(max(failures, 1), base=timedelta(seconds=2), cap=self.max_backoff)
            await self.pause(delay.total_seconds())
