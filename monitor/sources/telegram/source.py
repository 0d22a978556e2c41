"""TelegramSource: a Telethon client → normalised posts and events (the Telethon edge).

It takes a client object (real TelegramClient in production, a double in tests) and turns
every Telethon error into the tgmon error tree: revoked sessions → SessionError, FloodWait →
RateLimitedError(seconds), unreadable channels → ChannelUnavailableError, a refused peer
(CHANNEL_INVALID, PEER_ID_INVALID: another account's access hash) → PeerInvalidError. Channels
are addressed by id + this account's access hash (InputPeerChannel); usernames are resolved
only in `resolve`. Dropped connections are re-established with backoff and the read resumes after
the last message handed out, so nothing is fetched twice or skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from telethon import errors, events, utils
from telethon.tl import functions, types

from monitor.config.settings import Settings
from monitor.core.backoff import backoff_delay
from monitor.core.errors import (
    ChannelUnavailableError,
    PeerInvalidError,
    RateLimitedError,
    SessionError,
    SourceError,
    TgmonError,
)
from monitor.core.events import ChannelInfo, ChannelPost, EventKind, PostEvent
from monitor.sources import EventHandler, MediaFile
from monitor.sources.telegram.client import (
    NETWORK_ERRORS,
    REVOKED_MESSAGE,
    SESSION_GONE,
    connected_client,
)
from monitor.sources.telegram.mapping import map_message, parse_channel_ref

log = logging.getLogger(__name__)

_UNAVAILABLE = (
    errors.ChannelPrivateError,
    errors.UsernameNotOccupiedError,
    errors.UsernameInvalidError,
    errors.ChannelBannedError,
    errors.ChannelPublicGroupNaError,
)
# Access hashes are issued per account: Telegram refuses another account's with these.
_PEER_INVALID = (errors.ChannelInvalidError, errors.PeerIdInvalidError)
_DISCONNECTS = NETWORK_ERRORS
_RECONNECT_CAP = timedelta(seconds=120)
_RAW_CACHE = 2000  # recent raw messages kept for media downloads


def _channel_name(channel: ChannelInfo) -> str:
    return f"@{channel.username}" if channel.username else str(channel.channel_id)


def _unknown(what: str) -> PeerInvalidError:
    return PeerInvalidError(f"{what}: unknown to this account")


def translate_error(exc: BaseException, what: str) -> TgmonError:
    """One Telethon error → the tgmon error the watcher acts on (never with secrets)."""
    if isinstance(exc, SESSION_GONE):
        return SessionError(REVOKED_MESSAGE)
    if isinstance(exc, errors.FloodWaitError | errors.FloodPremiumWaitError):
        return RateLimitedError(
            f"{what}: Telegram asks to wait {exc.seconds}s", seconds=exc.seconds
        )
    if isinstance(exc, errors.SlowModeWaitError):
        return RateLimitedError(f"{what}: slow mode, wait {exc.seconds}s", seconds=exc.seconds)
    if isinstance(exc, _PEER_INVALID):
        return PeerInvalidError(f"{what}: {type(exc).__name__.removesuffix('Error')}")
    if isinstance(exc, _UNAVAILABLE):
        reason = type(exc).__name__.removesuffix("Error")
        return ChannelUnavailableError(f"{what}: {reason}")
    if isinstance(exc, errors.RPCError):
        return SourceError(f"{what}: Telegram error {type(exc).__name__}")
    return SourceError(f"{what}: {type(exc).__name__}")


class TelegramSource:
    """Reads channels through a Telethon-shaped client; implements monitor.sources.Source."""

    def __init__(
        self,
        client: Any,
        *,
        reconnect_attempts: int = 5,
        reconnect_delay_s: float = 2.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.reconnect_attempts = reconnect_attempts
        self.reconnect_delay_s = reconnect_delay_s
        self._sleep = sleep
        self._raw: OrderedDict[tuple[int, int], Any] = OrderedDict()
        self.reconnects = 0
        self._account_id: int | None = None

    # -- connection ---------------------------------------------------------------------

    async def _reconnect(self, attempt: int, what: str, exc: BaseException) -> None:
        if attempt >= self.reconnect_attempts:
            raise SourceError(f"{what}: connection lost ({type(exc).__name__}), gave up") from None
        delay = backoff_delay(
            attempt + 1, base=timedelta(seconds=self.reconnect_delay_s), cap=_RECONNECT_CAP
        ).total_seconds()
        log.warning(
            "%s: connection lost (%s); reconnecting in %.0fs", what, type(exc).__name__, delay
        )
        await self._sleep(delay)
        self.reconnects += 1
        with contextlib.suppress(*_DISCONNECTS):
            if not self.client.is_connected():
                await self.client.connect()

    async def _call(self, what: str, make: Callable[[], Awaitable[Any]]) -> Any:
        attempt = 0
        while True:
            try:
                return await make()
            except _DISCONNECTS as exc:
                await self._reconnect(attempt, what, exc)
                attempt += 1
            except (errors.RPCError, ValueError) as exc:
                if isinstance(exc, ValueError) and not isinstance(exc, errors.RPCError):
                    raise _unknown(what) from None
                raise translate_error(exc, what) from None

    @staticmethod
    def input_peer(channel: ChannelInfo) -> Any:
        """The stored id + access hash as an input peer: no username lookup per request."""
        if channel.access_hash is None:
            return types.PeerChannel(channel.channel_id)
        return types.InputPeerChannel(channel.channel_id, channel.access_hash)

    # -- channels -----------------------------------------------------------------------

    @staticmethod
    def _info(entity: Any, ref: str) -> ChannelInfo:
        if not isinstance(entity, types.Channel):
            kind = {"User": "a user", "Chat": "a group chat", "ChannelForbidden": "banned"}.get(
                type(entity).__name__, type(entity).__name__
            )
            raise ChannelUnavailableError(f"{ref}: is {kind}, not a channel")
        return ChannelInfo(entity.id, entity.username, entity.title, entity.access_hash)

    async def resolve(self, ref: str) -> ChannelInfo:
        """Look a channel up once (ResolveUsername is the expensive, flood-prone call)."""
        target = parse_channel_ref(ref)
        peer = types.PeerChannel(target) if isinstance(target, int) else target
        try:
            entity = await self._call(ref, lambda: self.client.get_entity(peer))
        except PeerInvalidError:
            if not isinstance(target, int):
                raise
            entity = await self._from_dialogs(ref, target)
        return self._info(entity, ref)

    async def _from_dialogs(self, ref: str, channel_id: int) -> Any:
        """A channel id this session has not met: find it among the account's chats (one pass;
        how an account that joined a channel without username gets its own access hash)."""

        async def scan() -> Any:
            async for dialog in self.client.iter_dialogs():
                if isinstance(dialog.entity, types.Channel) and dialog.entity.id == channel_id:
                    return dialog.entity
            return None

        entity = await self._call(ref, scan)
        if entity is None:
            raise ChannelUnavailableError(f"{ref}: not among this account's chats (join it first)")
        return entity

    async def refresh(self, channel: ChannelInfo) -> ChannelInfo:
        """Current username/title by stored input peer (GetChannels, not a username lookup)."""
        what = _channel_name(channel)
        entity = await self._call(what, lambda: self.client.get_entity(self.input_peer(channel)))
        return self._info(entity, what)

    async def join(self, channel: ChannelInfo) -> None:
        """Join for live updates (accounts can join about 500 channels)."""
        request = functions.channels.JoinChannelRequest(self.input_peer(channel))
        await self._call(_channel_name(channel), lambda: self.client(request))

    @staticmethod
    def describe_user(me: Any) -> str:
        """'First Last (@name, id N)': enough to recognise the account, no phone number."""
        name = " ".join(p for p in (me.first_name, me.last_name) if p) or "?"
        handle = f"@{me.username}, " if me.username else ""
        return f"{name} ({handle}id {me.id})"

    async def account_id(self) -> int:
        """The logged-in user's id: whose access hashes this source is issued (asked once)."""
        if self._account_id is None:
            me = await self._call("whoami", lambda: self.client.get_me())
            self._account_id = int(me.id)
        return self._account_id

    async def whoami(self) -> str:
        me = await self._call("whoami", lambda: self.client.get_me())
        return self.describe_user(me)

    # -- reading ------------------------------------------------------------------------

    def _remember(self, channel_id: int, message: Any) -> None:
        self._raw[(channel_id, message.id)] = message
        self._raw.move_to_end((channel_id, message.id))
        while len(self._raw) > _RAW_CACHE:
            self._raw.popitem(last=False)

    async def _iterate(
        self, channel: ChannelInfo, kwargs: dict[str, Any], resume_key: str
    ) -> AsyncIterator[ChannelPost]:
        """iter_messages with reconnects; after a drop, resume past the last message handed out."""
        what = _channel_name(channel)
        peer = self.input_peer(channel)
        attempt = 0
        while True:
            answered = False
            try:
                async for message in self.client.iter_messages(peer, **kwargs):
                    answered = True
                    kwargs[resume_key] = message.id
                    if kwargs.get("limit") is not None:
                        kwargs["limit"] -= 1
                    post = map_message(channel.channel_id, message)
                    if post is not None:
                        self._remember(channel.channel_id, message)
                        yield post
                return
            except _DISCONNECTS as exc:
                await self._reconnect(attempt, what, exc)
                attempt += 1
            except errors.RPCError as exc:
                raise translate_error(exc, what) from None
            except ValueError:
                if answered:  # not the peer: a bug further on, which must stay visible
                    raise
                raise _unknown(what) from None  # Telethon's cache has no hash for the peer

    def history(
        self, channel: ChannelInfo, after_id: int, limit: int | None = None
    ) -> AsyncIterator[ChannelPost]:
        """Everything after `after_id`, oldest first (min_id + reverse: no gap between polls)."""
        kwargs: dict[str, Any] = {"min_id": after_id, "reverse": True, "limit": limit}
        return self._iterate(channel, kwargs, "min_id")

    def recent(self, channel: ChannelInfo, limit: int) -> AsyncIterator[ChannelPost]:
        """The newest `limit` posts, newest first."""
        return self._iterate(channel, {"limit": limit}, "offset_id")

    async def fetch(
        self, channel: ChannelInfo, message_ids: Sequence[int]
    ) -> dict[int, ChannelPost | None]:
        """Re-read posts by id; None marks a message that no longer exists."""
        if not message_ids:
            return {}
        peer = self.input_peer(channel)
        ids = list(message_ids)
        found = await self._call(
            _channel_name(channel), lambda: self.client.get_messages(peer, ids=ids)
        )
        return self._by_id(channel, ids, list(found or ()))

    def _by_id(
        self, channel: ChannelInfo, ids: list[int], found: list[Any]
    ) -> dict[int, ChannelPost | None]:
        """Match a getMessages reply to the ids asked for, by message id, never by position.

        Telethon answers one entry per message the server sent, None for a MessageEmpty
        (deleted). Servers may leave ids out entirely; then positions say nothing, so a None
        cannot be tied to an id and every id without a message is left out: not returned is
        not deleted (the watcher decides after repeated misses).
        """
        out: dict[int, ChannelPost | None] = {}
        complete = len(found) == len(ids)
        for position, message in enumerate(found):
            if message is None:
                if complete:
                    out[ids[position]] = None  # Telegram says: no such message (deleted)
                continue
            if message.id not in ids:
                continue
            post = map_message(channel.channel_id, message)
            if post is None:  # a service message: it exists, there is nothing to store
                continue
            self._remember(channel.channel_id, message)
            out[message.id] = post
        return out

    # -- media --------------------------------------------------------------------------

    async def download(self, channel: ChannelInfo, message_id: int, folder: Path) -> MediaFile:
        """Download one post's media; an expired file reference is refreshed once."""
        what = f"{_channel_name(channel)}/{message_id}"
        message = self._raw.get((channel.channel_id, message_id))
        if message is None:
            await self.fetch(channel, [message_id])
            message = self._raw.get((channel.channel_id, message_id))
        if message is None:
            raise SourceError(f"{what}: message no longer exists")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{channel.channel_id}-{message_id}"
        try:
            path = await self.client.download_media(message, str(target))
        except errors.FileReferenceExpiredError:  # long runs: re-fetch the message, retry once
            await self.fetch(channel, [message_id])
            message = self._raw[(channel.channel_id, message_id)]
            path = await self._call(what, lambda: self.client.download_media(message, str(target)))
        except (errors.RPCError, *_DISCONNECTS) as exc:
            raise translate_error(exc, what) from None
        if path is None:
            raise SourceError(f"{what}: no media to download")
        data = Path(path).read_bytes()
        return MediaFile(Path(path), hashlib.sha256(data).hexdigest(), len(data))

    # -- live ---------------------------------------------------------------------------

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        """Deliver NewMessage / MessageEdited / MessageDeleted of these channels until cancelled.

        Live updates are known to drop messages; the watcher's polls close any gap.
        """
        watched = {c.channel_id for c in channels}

        def channel_of(event: Any) -> int | None:
            peer = getattr(getattr(event, "message", None), "peer_id", None)
            if peer is None and event.chat_id is not None:
                bare_id, peer_type = utils.resolve_id(event.chat_id)
                return bare_id if peer_type is types.PeerChannel else None
            return getattr(peer, "channel_id", None)

        async def on_message(event: Any) -> None:
            channel_id = channel_of(event)
            if channel_id not in watched:
                return
            post = map_message(channel_id, event.message)
            if post is None:
                return
            self._remember(channel_id, event.message)
            kind: EventKind = "edited" if isinstance(event, events.MessageEdited.Event) else "new"
            await on_event(PostEvent(kind, channel_id, post.message_id, post))

        async def on_deleted(event: Any) -> None:
            channel_id = channel_of(event)
            if channel_id not in watched:
                return
            for message_id in event.deleted_ids or ():
                await on_event(PostEvent("deleted", channel_id, message_id))

        handlers = [
            (on_message, events.NewMessage()),
            (on_message, events.MessageEdited()),
            (on_deleted, events.MessageDeleted()),
        ]
        for callback, builder in handlers:
            self.client.add_event_handler(callback, builder)
        try:
            await asyncio.Event().wait()
        finally:
            for callback, builder in handlers:
                self.client.remove_event_handler(callback, builder)


@asynccontextmanager
async def connect(
    settings: Settings, *, client_factory: Callable[..., Any] | None = None
) -> AsyncIterator[TelegramSource]:
    """A connected, logged-in source owned by this process (what `tgmon run` opens).

    Raises SessionError when the session is missing, revoked or in use by another process.
    """
    from monitor.sources.telegram.client import build_client

    async with connected_client(settings, factory=client_factory or build_client) as client:
        yield TelegramSource(client)
