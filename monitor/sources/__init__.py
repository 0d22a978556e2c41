"""Where posts come from. Every source yields the same normalised records (monitor.core.events).

`Source` is the one seam the daemon drives: the Telegram account client in production, export
replays for `tgmon import`/`tgmon demo`, and test doubles all implement all of it, so the
watcher never probes a source for what it can do. A source that cannot do something (an export
cannot join a channel) says so by raising `SourceError`, not by lacking the method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from monitor.core.events import ChannelInfo, ChannelPost, PostEvent

EventHandler = Callable[[PostEvent], Awaitable[None]]


@dataclass(frozen=True)
class MediaFile:
    """A downloaded media file: where it is, its SHA-256 and size."""

    path: Path
    sha256: str
    size: int


class Source(Protocol):
    """A provider of channel posts: catch-up by message id, re-reads, media and live events."""

    async def resolve(self, ref: str) -> ChannelInfo:
        """Turn @username / t.me link / numeric id into a ChannelInfo (once; callers store it)."""
        ...

    async def refresh(self, channel: ChannelInfo) -> ChannelInfo:
        """The channel's current username and title, by its stored identity (not a lookup)."""
        ...

    async def join(self, channel: ChannelInfo) -> None:
        """Join the channel so live updates arrive (raises SourceError where impossible)."""
        ...

    def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        """Posts with message_id > after_id, oldest first."""
        ...

    def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        """The newest `limit` posts, newest first, to notice edits, counters and deletions."""
        ...

    async def fetch(
        self, channel: ChannelInfo, message_ids: Sequence[int]
    ) -> dict[int, ChannelPost | None]:
        """Re-read posts by id; None marks a message that no longer exists.

        An id the source did not answer for is left out of the result (not returned is not
        deleted).
        """
        ...

    async def download(self, channel: ChannelInfo, message_id: int, folder: Path) -> MediaFile:
        """Save one post's media under `folder` (raises SourceError when there is none)."""
        ...

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        """Deliver live events for these channels until cancelled (returns at once if none)."""
        ...

    async def account_id(self) -> int | None:
        """The Telegram account this source reads as (its access hashes are that account's
        own); None for a source without an account (web preview, export)."""
        ...
