"""Which access hash this worker's Telegram account reads each channel with.

Telegram issues access hashes per account: a channel added through one worker's account is
refused (PEER_ID_INVALID, CHANNEL_INVALID) to another's. The first time this account reads a
channel it has no hash for, it looks the stored username up once (a budgeted lookup that
honours the account-wide lookup pause after a FloodWait) and keeps the hash it was given
(storage.access); when Telegram refuses a kept hash, the watcher asks `renew` for a new one
once and retries the read. CHANNEL_PRIVATE is not looked up again: the account has no access,
a new hash would not give it any, and repeated username lookups are what earn accounts
FloodWaits of many hours.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from monitor.core.clock import Clock
from monitor.core.errors import ChannelUnavailableError, PeerInvalidError, RateLimitedError
from monitor.core.events import ChannelInfo
from monitor.daemon.flood_waits import FloodWaits
from monitor.sources import Source
from storage import access as store_access
from storage.channels import channel_info
from storage.models import Channel

log = logging.getLogger("monitor.daemon.watcher")
T = TypeVar("T")
DbCall = Callable[..., Awaitable[Any]]
Reader = Callable[[Channel, ChannelInfo], Awaitable[T]]


class AccountAccess:
    """This account's access hashes, from the database, cached; looked up when missing."""

    def __init__(
        self,
        source: Source,
        db: DbCall,
        spend: Callable[..., Awaitable[None]],
        floods: FloodWaits,
        clock: Clock,
    ) -> None:
        self.source = source
        self._db = db
        self._spend = spend
        self.floods = floods
        self.clock = clock
        self._account: int | None = None
        self._hashes: dict[int, int] = {}  # channel id → this account's hash
        self._lookups_blocked_until: datetime | None = None

    async def lookup(self, ref: str, source: str = "telegram") -> ChannelInfo:
        """Resolve a ref; username lookups share one account-wide FloodWait (it can last
        many hours), so after one every lookup waits, whichever channel asks."""
        now = self.clock()
        account = source == "telegram"  # a web page's Retry-After is not the account's wait
        blocked = self._lookups_blocked_until
        if account and blocked is not None and now < blocked:
            wait = int((blocked - now).total_seconds()) + 1
            raise RateLimitedError(f"{ref}: username lookups paused for {wait}s", seconds=wait)
        await self._spend(source=source)
        try:
            return await self.source.resolve(ref)
        except RateLimitedError as exc:
            if account:
                self._lookups_blocked_until = now + timedelta(seconds=exc.seconds)
                self.floods.count += 1
            raise

    async def read(
        self, channel: Channel, reload: Callable[[], Awaitable[Channel]], read: Reader[T]
    ) -> T:
        """Run `read` with this account's hash; a refused hash is looked up again, once."""
        info, fresh = await self.info(channel)
        try:
            return await read(channel, info)
        except PeerInvalidError as exc:
            if fresh or info.source != "telegram":
                raise  # just looked up, or not a hash of ours: a second lookup would not help
            log.warning("channel %s: %s; looking it up again for this account", channel.id, exc)
            info = await self.renew(channel)
            return await read(await reload(), info)

    async def account(self) -> int | None:
        """The logged-in account's user id (None: no Telegram account is open)."""
        if self._account is None:
            await self._spend()  # one getMe per process
            self._account = await self.source.account_id()
        return self._account

    async def reusable(self, channel: Channel, web: bool, from_config: bool) -> bool:
        """A stored channel needs no lookup to be (re)added: a web one (no hash), one this
        account has a hash for; from the config also one with a username (looked up when
        read) or that another account reads, so a worker's start costs no lookups. `channels
        add` of a channel this account has no hash for looks it up now: how a channel
        without username gets one."""
        if web or channel.source == "web" or await self.known(channel):
            return True
        if not from_config:
            return False
        return channel.username is not None or bool(
            await self._db(store_access.has_access, channel.id)
        )

    async def known(self, channel: Channel) -> bool:
        """Whether this account has a hash of the channel, or an unowned one to try."""
        account = await self.account()
        if account is None or channel.id in self._hashes:
            return True
        for owner in (account, store_access.UNKNOWN_ACCOUNT):
            if await self._db(store_access.access_hash, channel.id, owner) is not None:
                return True
        return False

    async def info(self, channel: Channel) -> tuple[ChannelInfo, bool]:
        """The channel as this account names it to Telegram; True when just looked up."""
        base = channel_info(channel)
        if base.source != "telegram":
            return base, False
        account = await self.account()
        if account is None:
            return base, False  # the router says no account is open
        known = self._hashes.get(channel.id)
        if known is None:
            known = await self._db(store_access.access_hash, channel.id, account)
        if known is None:
            known = await self._claim_unowned(base, account)
        if known is None:
            return await self.renew(channel), True
        self._hashes[channel.id] = known
        return replace(base, access_hash=known), False

    async def _claim_unowned(self, base: ChannelInfo, account: int) -> int | None:
        """Try a hash stored before 0010 (account unknown) by a cheap GetChannels."""
        old = await self._db(
            store_access.access_hash, base.channel_id, store_access.UNKNOWN_ACCOUNT
        )
        if old is None:
            return None
        await self._spend()
        try:
            await self.source.refresh(replace(base, access_hash=old))
        except PeerInvalidError:
            return None  # another account's: this one looks the username up
        await self._keep(base.channel_id, account, old)
        return old

    async def renew(self, channel: Channel) -> ChannelInfo:
        """Look the channel's username up for this account and keep the hash it is given."""
        self._hashes.pop(channel.id, None)
        account = await self.account()
        if not channel.username:
            raise ChannelUnavailableError(
                f"{channel.id}: account {account} has no access hash for it and it has no "
                "username to look up (`tgmon channels add <id>` with this account, once it "
                "can see it)"
            )
        found = await self.lookup(channel.username)
        if found.channel_id != channel.id:
            raise ChannelUnavailableError(
                f"@{channel.username}: now names another channel (id {found.channel_id}), "
                f"not {channel.id}"
            )
        if found.access_hash is None or account is None:
            raise ChannelUnavailableError(f"@{channel.username}: Telegram gave no access hash")
        await self._keep(channel.id, account, found.access_hash)
        return replace(channel_info(channel), access_hash=found.access_hash)

    async def remember(self, info: ChannelInfo) -> None:
        """Keep the hash a lookup (e.g. `channels add`) gave this account."""
        if info.source != "telegram" or info.access_hash is None:
            return
        account = await self.account()
        if account is not None:
            await self._keep(info.channel_id, account, info.access_hash)

    async def _keep(self, channel_id: int, account: int, value: int) -> None:
        await self._db(store_access.record_access, channel_id, account, value, now=self.clock())
        self._hashes[channel_id] = value
