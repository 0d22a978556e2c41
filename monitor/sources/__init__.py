"""Where posts come from. Every source yields the same normalised records (monitor.core.events).

`Source` is the seam the daemon drives: Telethon in production, export replays for the demo,
and test doubles in tests all plug in the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol

from monitor.core.events import ChannelInfo, ChannelPost, PostEvent

EventHandler = Callable[[PostEvent], Awaitable[None]]


class Source(Protocol):
    """A provider of channel posts: catch-up by message id, recent re-reads, live events."""

    async def resolve(self, ref: str) -> ChannelInfo:
        """Turn @username / t.me link / numeric id into a ChannelInfo (once; callers store it)."""
        ...

    def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        """Posts with message_id > after_id, oldest first."""
        ...

    def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        """The newest `limit` posts, to notice edits, counters and deletions."""
        ...

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        """Deliver live events for these channels until cancelled."""
        ...
