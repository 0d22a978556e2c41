"""FloodWaits per channel: when Telegram says "wait N seconds", that channel waits, alone.

The wait (plus a little random jitter, so channels do not all come back at once) is kept in
memory for the scheduler and on the channel row so a restart honours it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from monitor.core.clock import Clock

log = logging.getLogger("monitor.daemon.watcher")


class FloodWaits:
    """Until when each channel must not be read; how many waits there were (metrics)."""

    def __init__(self, clock: Clock, jitter_s: float, jitter: Callable[[], float]) -> None:
        self.clock = clock
        self.jitter_s = jitter_s
        self.jitter = jitter
        self.count = 0
        self._until: dict[int, datetime] = {}

    def record(self, channel_id: int, seconds: int) -> datetime:
        """Telegram asked this channel to wait `seconds`: return until when it pauses."""
        until = self.clock() + timedelta(seconds=seconds + self.jitter_s * self.jitter())
        self._until[channel_id] = until
        self.count += 1
        log.warning(
            "channel %s: FloodWait %ss; paused until %s (other channels go on)",
            channel_id,
            seconds,
            f"{until:%H:%M:%S}",
        )
        return until

    def remember(self, channel_id: int, until: datetime | None) -> None:
        """A wait recorded by a previous run (from the channel row), if still running."""
        if channel_id not in self._until and until is not None and until > self.clock():
            self._until[channel_id] = until

    def known(self, channel_id: int) -> bool:
        return channel_id in self._until

    def due_after(self, channel_id: int) -> datetime | None:
        """When this channel may be read again (None: no wait pending)."""
        until = self._until.get(channel_id)
        if until is not None and until <= self.clock():
            del self._until[channel_id]
            return None
        return until
