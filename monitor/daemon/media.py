"""Saving media of new posts (account channels, `telegram.download_media`): size-capped,
hashed, recorded on the post; a download that fails is logged and the post stays stored."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.core.errors import SourceError
from monitor.core.events import ChannelInfo
from storage import channels as store

if TYPE_CHECKING:
    from monitor.daemon.watcher import ChannelWatcher

log = logging.getLogger("monitor.daemon.watcher")


async def save_media(watcher: ChannelWatcher, info: ChannelInfo, message_ids: list[int]) -> None:
    """Download the media of these posts that need it, within the size cap."""
    cap = watcher.settings.telegram.media_max_bytes
    wanted = await watcher._db(store.posts_needing_media, info.channel_id, message_ids, cap)
    for message_id in wanted:
        try:
            await watcher._spend(source=info.source)
            media = await watcher.source.download(info, message_id, Path(watcher.media_dir))
        except SourceError as exc:
            log.warning(
                "channel %s message %s: media not saved: %s", info.channel_id, message_id, exc
            )
            continue
        await watcher._db(
            store.record_media, info.channel_id, message_id, str(media.path), media.sha256
        )
