"""SourceRouter: one Source over the Telegram account and the web preview, chosen per channel.

The daemon and `channels add` drive one Source; each channel's ChannelInfo.source ("telegram"
or "web") says which one reads it, and a username lookup uses the kind configured for that ref
(its `[[channels]] source`, else `[sources] default`). The Telegram client is opened only when
some channel needs it, so a daemon watching only web channels never asks for a login.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from monitor.config.settings import Settings
from monitor.config.sources import SOURCE_KINDS, channel_kind
from monitor.core.errors import InputError, SourceError
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.sources import EventHandler, MediaFile, Source


def ref_key(ref: str) -> str:
    """How refs are compared: '@Rybar', 'rybar', 't.me/rybar' → 'rybar'."""
    text = ref.strip().rstrip("/")
    for prefix in ("https://", "http://", "www."):
        text = text.removeprefix(prefix)
    for prefix in ("t.me/s/", "t.me/", "telegram.me/"):
        text = text.removeprefix(prefix)
    return text.lstrip("@").lower()


class SourceRouter:
    """Routes every Source call to the source of the channel's kind."""

    def __init__(
        self,
        sources: Mapping[str, Source],
        *,
        default: str = "telegram",
        ref_kinds: Mapping[str, str] | None = None,
    ) -> None:
        self.sources = dict(sources)
        self.default = default
        self.ref_kinds = {ref_key(k): v for k, v in (ref_kinds or {}).items()}

    def assign(self, ref: str, kind: str) -> None:
        """Read this ref through `kind` (what `channels add --source` says)."""
        self.ref_kinds[ref_key(ref)] = kind

    def _source(self, kind: str, what: str) -> Source:
        source = self.sources.get(kind)
        if source is None:
            if kind == "telegram":
                raise SourceError(
                    f"{what}: is read through a Telegram account, and none is open "
                    '(set telegram.api_id/api_hash and log in, or use source = "web")'
                )
            raise SourceError(f"{what}: unknown source kind {kind!r}")
        return source

    def _for(self, channel: ChannelInfo) -> Source:
        what = f"@{channel.username}" if channel.username else str(channel.channel_id)
        return self._source(channel.source, what)

    async def resolve(self, ref: str) -> ChannelInfo:
        return await self._source(self.ref_kinds.get(ref_key(ref), self.default), ref).resolve(ref)

    async def refresh(self, channel: ChannelInfo) -> ChannelInfo:
        return await self._for(channel).refresh(channel)

    async def join(self, channel: ChannelInfo) -> None:
        await self._for(channel).join(channel)

    def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        return self._for(channel).history(channel, after_id, limit)

    def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        return self._for(channel).recent(channel, limit)

    async def fetch(
        self, channel: ChannelInfo, message_ids: Sequence[int]
    ) -> dict[int, ChannelPost | None]:
        return await self._for(channel).fetch(channel, message_ids)

    async def download(self, channel: ChannelInfo, message_id: int, folder: Path) -> MediaFile:
        return await self._for(channel).download(channel, message_id, folder)

    async def account_id(self) -> int | None:
        """The Telegram account's id when one is open (only Telegram has access hashes)."""
        telegram = self.sources.get("telegram")
        return None if telegram is None else await telegram.account_id()

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        """Listen through each source for its own channels, until cancelled."""
        groups: dict[str, list[ChannelInfo]] = {}
        for channel in channels:
            groups.setdefault(channel.source, []).append(channel)
        listeners = [
            self._source(kind, "live updates").listen(group, on_event)
            for kind, group in groups.items()
        ]
        if listeners:
            await asyncio.gather(*listeners)


def kinds_needed(settings: Settings, stored: Collection[str] = ()) -> set[str]:
    """Source kinds the configured channels and the stored, watched ones need.

    With no channel at all, the default kind: channels added later (`channels add`) use it.
    """
    default = settings.sources.default
    kinds = {channel_kind(c.source, default) for c in settings.channels if c.enabled}
    return (kinds | set(stored)) or {default}


TelegramOpener = Callable[[Settings], AbstractAsyncContextManager[Any]]


def _connect_telegram(settings: Settings) -> AbstractAsyncContextManager[Any]:
    """The Telethon source, imported lazily: web-only setups never import Telethon."""
    from monitor.sources.telegram.source import connect

    return connect(settings)


@asynccontextmanager
async def open_sources(
    settings: Settings,
    channels_needing: Collection[str],
    *,
    ref_kinds: Mapping[str, str] | None = None,
    telegram: TelegramOpener | None = None,
    web_transport: Any = None,
) -> AsyncIterator[SourceRouter]:
    """Open the sources the given kinds need (Telegram only if asked for) behind one router.

    `telegram` opens the account source (default: monitor.sources.telegram.source.connect; the
    CLI passes its opener that checks credentials first); it is called only when
    "telegram" is among `channels_needing`.
    """
    unknown = set(channels_needing) - set(SOURCE_KINDS)
    if unknown:
        raise InputError(f"unknown source kind(s): {', '.join(sorted(unknown))}")
    from monitor.sources.web.source import open_web_source

    kinds = dict(ref_kinds or {})
    default = settings.sources.default
    for cfg in settings.channels:
        kinds.setdefault(cfg.ref, channel_kind(cfg.source, default))
    async with contextlib.AsyncExitStack() as stack:
        sources: dict[str, Source] = {
            "web": await stack.enter_async_context(
                open_web_source(settings.sources.web, transport=web_transport)
            )
        }
        if "telegram" in channels_needing:
            opener = telegram or _connect_telegram
            sources["telegram"] = await stack.enter_async_context(opener(settings))
        yield SourceRouter(sources, default=default, ref_kinds=kinds)
