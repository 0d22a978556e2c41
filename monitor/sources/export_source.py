"""The Source protocol over Telegram Desktop export files: demo replays and tests.

Reading the files is monitor.sources.export's job; this adapts what it reads to `Source`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

from monitor.core.errors import ExportFormatError, SourceError
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.sources import EventHandler, MediaFile
from monitor.sources.export import read_export


class ExportSource:
    """The Source interface over a set of export files (demo replays and tests)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)

    def _posts(self, channel_id: int) -> Iterator[ChannelPost]:
        for path in self.paths:
            for item in read_export(path):
                if item.post is not None and item.channel.channel_id == channel_id:
                    yield item.post

    async def resolve(self, ref: str) -> ChannelInfo:
        for path in self.paths:
            for item in read_export(path):
                info = item.channel
                if ref.lstrip("@") in (str(info.channel_id), info.username, info.title):
                    return info
                break
        raise ExportFormatError(f"channel {ref!r} is not in the export files")

    async def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        count = 0
        for post in sorted(self._posts(channel.channel_id), key=lambda p: p.message_id):
            if post.message_id > after_id and (limit is None or count < limit):
                count += 1
                yield post

    async def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        posts = sorted(self._posts(channel.channel_id), key=lambda p: p.message_id)
        for post in posts[-limit:]:
            yield post

    async def refresh(self, channel: ChannelInfo) -> ChannelInfo:
        return channel  # an export's names do not change after it was written

    async def join(self, channel: ChannelInfo) -> None:
        raise SourceError(f"{channel.title or channel.channel_id}: an export cannot be joined")

    async def fetch(
        self, channel: ChannelInfo, message_ids: Sequence[int]
    ) -> dict[int, ChannelPost | None]:
        wanted = set(message_ids)
        found: dict[int, ChannelPost | None] = dict.fromkeys(wanted)
        for post in self._posts(channel.channel_id):
            if post.message_id in wanted:
                found[post.message_id] = post
        return found  # an id the export does not hold was deleted before it was written

    async def download(self, channel: ChannelInfo, message_id: int, folder: Path) -> MediaFile:
        raise SourceError(f"{channel.channel_id}/{message_id}: exports are read without media")

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        return None  # an export is a finished record: nothing arrives live

    async def account_id(self) -> int | None:
        return None  # an export is read from files, through no account
