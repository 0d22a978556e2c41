"""WebSource: channels read from the public web preview (t.me/s/<username>), no account needed.

It implements every method of monitor.sources.Source over pages of about 20 posts: `history`
pages back with `?before=` to the stored cursor, `recent` reads the newest pages, `fetch`
reads the pages around the ids asked for. Web channels are polled: `join` and `download` raise
SourceError and `listen` returns at once.

Identity: the preview addresses channels by username, but every post carries the channel's
real Telegram id (data-view / data-peer), so a web channel gets the same id as through an
account and switching a channel between sources never stores it twice. Only a channel whose
page shows no post at all gets a stand-in id derived from its username (negative, so it cannot
collide with a real one; see `standin_channel_id`). Posts are always filed under the id the
channel is stored with, so such a channel keeps its stand-in id once posts appear.

Deletions: a post counts as deleted only after it is missing from `deleted_after_looks`
consecutive complete pages that should show it. The counters live in this object (memory): a
restart starts counting again, which delays a deletion mark and never invents one.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, urlsplit

from monitor.config.sources import WebSourceSettings
from monitor.core.errors import ChannelUnavailableError, SourceError
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.sources import EventHandler, MediaFile
from monitor.sources.telegram.mapping import parse_channel_ref
from monitor.sources.web.client import PreviewClient
from monitor.sources.web.page import PreviewPage, parse_landing, parse_page

log = logging.getLogger(__name__)

NO_PREVIEW = "no web preview: the channel restricts it"
NO_SUCH_CHANNEL = "no such channel"
WEB = "web"
_NEWEST_REUSE_S = 60.0


def standin_channel_id(username: str) -> int:
    """A stable negative id for a channel whose page shows no post to read the real id from."""
    digest = hashlib.sha256(username.lower().encode()).digest()
    return -(int.from_bytes(digest[:6], "big") + 1)


def placeholder_identity(ref: str) -> tuple[int, str]:
    """(stand-in id, username) for a ref whose page could not be read (parsed before)."""
    target = parse_channel_ref(ref)
    username = target if isinstance(target, str) else str(target)
    return standin_channel_id(username), username


def _name(channel: ChannelInfo) -> str:
    return f"@{channel.username}" if channel.username else str(channel.channel_id)


class WebSource:
    """Reads channels through their public web preview; implements monitor.sources.Source."""

    def __init__(
        self,
        client: PreviewClient,
        *,
        deleted_after_looks: int = 3,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.deleted_after_looks = deleted_after_looks
        self._misses: dict[tuple[int, int], int] = {}
        # The newest page `refresh` just read: a recheck's first fetch reuses it (one request
        # fewer per recheck) when it is this fresh and covers the ids asked for.
        self._newest: dict[int, tuple[float, PreviewPage]] = {}
        self._monotonic = monotonic
        self.pages = 0  # pages read and parsed

    # -- pages --------------------------------------------------------------------------

    def page_url(self, username: str, before: int | None = None) -> str:
        url = f"{self.client.settings.base_url}/s/{quote(username)}"
        return f"{url}?before={before}" if before is not None else url

    async def _page(self, username: str, before: int | None, known_id: int | None) -> PreviewPage:
        what = f"@{username}"
        response = await self.client.get(self.page_url(username, before), what=what)
        if response.status == 404:
            raise ChannelUnavailableError(f"{what}: {NO_SUCH_CHANNEL}")
        if response.status != 200:
            raise SourceError(f"{what}: web preview answered HTTP {response.status}")
        path = urlsplit(response.url).path
        if not path.startswith("/s/"):  # t.me/s/<name> redirects when there is no preview
            landing = parse_landing(response.text)
            raise ChannelUnavailableError(
                f"{what}: {NO_PREVIEW if landing.exists else NO_SUCH_CHANNEL}"
            )
        page = parse_page(response.text, file_under=known_id)
        self.pages += 1
        if page.truncated and not page.posts:
            raise SourceError(f"{what}: the web preview page was cut off; will retry")
        if (
            page.channel_id is not None
            and known_id is not None
            and known_id > 0
            and page.channel_id != known_id
        ):
            raise ChannelUnavailableError(
                f"{what}: the username now belongs to another channel (id {page.channel_id})"
            )
        return page

    @staticmethod
    def _username(channel: ChannelInfo) -> str:
        if not channel.username:
            raise ChannelUnavailableError(
                f"{channel.channel_id}: the web preview needs the channel's public username"
            )
        return channel.username

    # -- channels -----------------------------------------------------------------------

    async def resolve(self, ref: str) -> ChannelInfo:
        """Read the newest page once: canonical username, title and the real channel id."""
        target = parse_channel_ref(ref)
        if isinstance(target, int):
            raise ChannelUnavailableError(
                f"{ref}: the web preview needs a username (@name or t.me link), not an id"
            )
        page = await self._page(target, None, None)
        username = page.username or target
        channel_id = (
            page.channel_id if page.channel_id is not None else standin_channel_id(username)
        )
        if page.channel_id is None:
            log.warning(
                "@%s: no post shows the channel id; using stand-in id %s", username, channel_id
            )
        return ChannelInfo(channel_id, username, page.title, None, source=WEB)

    async def refresh(self, channel: ChannelInfo) -> ChannelInfo:
        """The current title (a renamed username cannot be followed from the web: it errors)."""
        page = await self._page(self._username(channel), None, channel.channel_id)
        self._newest[channel.channel_id] = (self._monotonic(), page)
        return replace(
            channel, username=page.username or channel.username, title=page.title or channel.title
        )

    async def join(self, channel: ChannelInfo) -> None:
        raise SourceError(f"{_name(channel)}: web channels are polled; joining needs an account")

    # -- reading ------------------------------------------------------------------------

    async def _history(
        self, channel: ChannelInfo, after_id: int, limit: int | None
    ) -> AsyncIterator[ChannelPost]:
        username = self._username(channel)
        found: dict[int, ChannelPost] = {}
        before: int | None = None
        while True:
            page = await self._page(username, before, channel.channel_id)
            for post in page.posts:
                if post.message_id > after_id:
                    found[post.message_id] = post
            lowest = page.lowest_id
            if lowest is None or lowest <= after_id + 1 or page.before is None:
                break
            next_before = min(page.before, lowest)
            if before is not None and next_before >= before:
                break  # no progress: never loop on a page that repeats itself
            before = next_before
        ordered = [found[k] for k in sorted(found)]
        for post in ordered[:limit] if limit is not None else ordered:
            yield post

    def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        """Posts after `after_id`, oldest first: newest page, then `?before=` back to the cursor."""
        return self._history(channel, after_id, limit)

    async def _recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        username = self._username(channel)
        before: int | None = None
        given = 0
        while given < limit:
            page = await self._page(username, before, channel.channel_id)
            for post in reversed(page.posts):
                if before is not None and post.message_id >= before:
                    continue
                yield post
                given += 1
                if given >= limit:
                    return
            lowest = page.lowest_id
            if page.before is None or lowest is None:
                return
            next_before = min(page.before, lowest)
            if before is not None and next_before >= before:
                return
            before = next_before

    def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        """The newest `limit` posts, newest first (about 20 per page)."""
        return self._recent(channel, limit)

    async def fetch(
        self, channel: ChannelInfo, message_ids: Sequence[int]
    ) -> dict[int, ChannelPost | None]:
        """Re-read posts from the pages that should show them (`?before=<id + 1>`).

        A post missing from a complete page that covers its id counts one look; after
        `deleted_after_looks` consecutive looks it is reported deleted (None). Ids on a cut-off
        page, or not covered by any page read, are left out: not seen is not deleted.
        """
        username = self._username(channel)
        remaining = sorted(set(message_ids), reverse=True)
        out: dict[int, ChannelPost | None] = {}
        newest = self._newest.pop(channel.channel_id, None)
        while remaining:
            top = remaining[0]
            if newest is not None and self._reusable(newest, top):
                page = newest[1]
            else:
                page = await self._page(username, top + 1, channel.channel_id)
            newest = None
            posts = {p.message_id: p for p in page.posts}
            lowest = page.lowest_id
            oldest_page = page.before is None
            covered = [mid for mid in remaining if lowest is None or mid >= lowest or oldest_page]
            for mid in covered:
                key = (channel.channel_id, mid)
                if mid in posts:
                    out[mid] = posts[mid]
                    self._misses.pop(key, None)
                elif mid in page.service_ids:  # exists, as a service message
                    self._misses.pop(key, None)
                elif not page.truncated:
                    looks = self._misses.get(key, 0) + 1
                    if looks >= self.deleted_after_looks:
                        out[mid] = None
                        self._misses.pop(key, None)
                    else:
                        self._misses[key] = looks
            done = set(covered)
            remaining = [mid for mid in remaining if mid not in done]
            if not covered:  # the page skipped past them (ids gone below a newer one)
                break
        return out

    def _reusable(self, newest: tuple[float, PreviewPage], top: int) -> bool:
        read_at, page = newest
        fresh = self._monotonic() - read_at < _NEWEST_REUSE_S
        highest = max(page.seen_ids, default=None)
        return fresh and not page.truncated and highest is not None and top >= highest

    async def download(self, channel: ChannelInfo, message_id: int, folder: Path) -> MediaFile:
        raise SourceError(
            f"{_name(channel)}/{message_id}: media downloads need a Telegram account "
            "(the web preview shows only thumbnails)"
        )

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        """Web channels have no live updates: they are polled, so this returns at once."""
        return None

    async def account_id(self) -> int | None:
        """The preview is read without an account: there is no access hash to keep."""
        return None


@asynccontextmanager
async def open_web_source(
    settings: WebSourceSettings, *, transport: object | None = None
) -> AsyncIterator[WebSource]:
    """A WebSource with its HTTP client, closed on exit (tests pass an httpx transport)."""
    client = PreviewClient(settings, transport=transport)  # type: ignore[arg-type]
    try:
        yield WebSource(client, deleted_after_looks=settings.deleted_after_looks)
    finally:
        await client.aclose()
