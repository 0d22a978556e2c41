"""A small, faithful double of the slice of TelegramClient tgmon calls.

It holds channels and messages as REAL Telethon TL objects (types.Channel, types.Message, …),
raises REAL Telethon errors (FloodWaitError, ChannelPrivateError, …), pages iter_messages the
way Telethon does (100 per request, min_id / offset_id / reverse semantics), and delivers real
event objects (events.NewMessage.Event, …) to registered handlers. Tests script failures with
`fail(...)` and watch requests in `calls`.

Access hashes are per account, as Telegram issues them: `other_account(user_id)` is a second
logged-in client over the same channels and messages whose hashes differ. A hash issued to
another account is refused with the real CHANNEL_INVALID (channels.* requests) or
PEER_ID_INVALID (messages.getHistory), and a bare PeerChannel works only for channels the
account has met (Telethon's entity cache): the primary account knows every channel added here.
"""

from __future__ import annotations

import bisect
import copy
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telethon import errors, events, utils
from telethon.tl import functions, types
from telethon.tl.custom.dialog import Dialog

PAGE = 100
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PRIMARY_ACCOUNT = 42


def issued_hash(channel_id: int, account_id: int) -> int:
    """The access hash Telegram would give `account_id` for this channel (differs per account)."""
    return channel_id * 7 + 1 + 1000 * (account_id - PRIMARY_ACCOUNT)


@dataclass
class _Failure:
    method: str
    channel_id: int | None
    error: BaseException
    times: int


@dataclass
class FakeSession:
    """The slice of a Telethon session tgmon reads: the key, and save() for --string."""

    auth_key: bytes | None = None
    string: str = "1FAKE-SESSION-STRING"

    def save(self) -> str:
        return self.string


@dataclass
class FakeTelegramClient:
    """Channels, users and messages in memory; requests recorded in `calls`."""

    authorised: bool = True
    connected: bool = False
    entities: dict[int, Any] = field(default_factory=dict)
    usernames: dict[str, int] = field(default_factory=dict)
    private: set[int] = field(default_factory=set)
    messages: dict[int, dict[int, types.Message]] = field(default_factory=dict)
    handlers: list[tuple[Callable[..., Any], Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    joined: set[int] = field(default_factory=set)
    on_page: Callable[[int, int], None] | None = None  # (channel_id, page number) between pages
    expired_references: set[tuple[int, int]] = field(default_factory=set)
    omit_missing: bool = False  # getMessages leaves deleted ids out (some servers do)
    account_id: int = PRIMARY_ACCOUNT  # the logged-in user (get_me().id)
    met: set[int] | None = None  # channels in the entity cache; None: every channel (primary)
    _failures: list[_Failure] = field(default_factory=list)

    def other_account(self, account_id: int) -> FakeTelegramClient:
        """Another account's client over the same channels and messages (its own hashes)."""
        return FakeTelegramClient(
            entities=self.entities,
            usernames=self.usernames,
            private=self.private,
            messages=self.messages,
            account_id=account_id,
            met=set(),
        )

    def hash_for(self, channel_id: int) -> int:
        """This account's access hash of a channel."""
        return issued_hash(channel_id, self.account_id)

    # -- scripting (test side) ------------------------------------------------------------

    def add_channel(
        self, channel_id: int, username: str | None, title: str = "", *, private: bool = False
    ) -> types.Channel:
        channel = types.Channel(
            id=channel_id,
            title=title or (username or str(channel_id)),
            photo=types.ChatPhotoEmpty(),
            date=T0,
            broadcast=True,
            access_hash=issued_hash(channel_id, PRIMARY_ACCOUNT),
            username=username,
        )
        self.entities[channel_id] = channel
        if username:
            self.usernames[username.lower()] = channel_id
        if private:
            self.private.add(channel_id)
        self.messages.setdefault(channel_id, {})
        return channel

    def add_user(self, user_id: int, username: str) -> types.User:
        user = types.User(id=user_id, access_hash=user_id * 3, first_name="Ann", username=username)
        self.entities[user_id] = user
        self.usernames[username.lower()] = user_id
        return user

    def rename(self, channel_id: int, username: str) -> None:
        old = self.entities[channel_id]
        self.usernames.pop((old.username or "").lower(), None)
        old.username = username
        self.usernames[username.lower()] = channel_id

    def post(self, channel_id: int, text: str = "", **fields: Any) -> types.Message:
        """Publish a message (no live event: call emit_new for that)."""
        existing = self.messages[channel_id]
        message_id = fields.pop("id", None) or (max(existing, default=0) + 1)
        fields.setdefault("date", T0 + timedelta(minutes=message_id))
        message = types.Message(
            id=message_id,
            peer_id=types.PeerChannel(channel_id),
            message=text,
            post=True,
            **fields,
        )
        existing[message_id] = message
        return message

    def edit(self, channel_id: int, message_id: int, text: str) -> types.Message:
        message = self.messages[channel_id][message_id]
        message.message = text
        message.edit_date = message.date + timedelta(hours=1)
        return message

    def delete(self, channel_id: int, message_ids: list[int]) -> None:
        for message_id in message_ids:
            self.messages[channel_id].pop(message_id, None)

    def fail(
        self, method: str, error: BaseException, *, channel_id: int | None = None, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` (for this channel) raise `error`."""
        self._failures.append(_Failure(method, channel_id, error, times))

    def _check(self, method: str, channel_id: int | None) -> None:
        if self.revoked is not None and method not in ("connect", "send_code", "sign_in"):
            raise self.revoked
        for failure in self._failures:
            if failure.method == method and failure.channel_id in (None, channel_id):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise failure.error

    # -- live events ----------------------------------------------------------------------

    async def _dispatch(self, event: Any, builder_type: type) -> None:
        for callback, builder in list(self.handlers):
            if type(builder) is builder_type:
                await callback(event)

    async def emit_new(self, message: types.Message) -> None:
        await self._dispatch(events.NewMessage.Event(message), events.NewMessage)

    async def emit_edit(self, message: types.Message) -> None:
        await self._dispatch(events.MessageEdited.Event(message), events.MessageEdited)

    async def emit_deleted(self, channel_id: int, message_ids: list[int]) -> None:
        event = events.MessageDeleted.Event(message_ids, types.PeerChannel(channel_id))
        await self._dispatch(event, events.MessageDeleted)

    # -- login ------------------------------------------------------------------------------

    password: str | None = None  # set: the account has two-step verification
    code_sent_to: str | None = None
    session: Any = field(default_factory=lambda: FakeSession(auth_key=b"k" * 256))
    revoked: BaseException | None = None

    def revoke(self, error: BaseException) -> None:
        """Telegram dropped the key: is_user_authorized() is False, every request raises."""
        self.revoked = error

    async def send_code_request(self, phone: str) -> None:
        self.calls.append("send_code")
        self._check("send_code", None)
        self.code_sent_to = phone

    async def sign_in(
        self, phone: str | None = None, code: str | None = None, password: str | None = None
    ) -> types.User:
        self._check("sign_in", None)
        if password is not None:
            if password != self.password:
                raise errors.PasswordHashInvalidError(request=None)
        elif code != "12345" or phone != self.code_sent_to:
            raise errors.PhoneCodeInvalidError(request=None)
        elif self.password is not None:
            raise errors.SessionPasswordNeededError(request=None)
        self.authorised = True
        self.session.auth_key = b"k" * 256
        return await self.get_me()

    # -- the TelegramClient slice ---------------------------------------------------------

    async def connect(self) -> None:
        self.calls.append("connect")
        self._check("connect", None)
        self.connected = True

    def is_connected(self) -> bool:
        return self.connected

    async def disconnect(self) -> None:
        self.connected = False

    async def is_user_authorized(self) -> bool:
        # Like Telethon: a GetState request whose RPC error means "not authorised".
        return self.authorised and self.revoked is None

    async def get_me(self) -> types.User:
        self.calls.append("get_me")
        self._check("get_me", None)
        return types.User(
            id=self.account_id, is_self=True, first_name="Analyst", username="desk_analyst"
        )

    def _channel_id(self, peer: Any, *, invalid: type[errors.RPCError] | None = None) -> int:
        """The channel a peer names, checked as Telegram checks it for this account."""
        if isinstance(peer, types.InputPeerChannel):
            known = self.entities.get(peer.channel_id)
            if known is None or self.hash_for(peer.channel_id) != peer.access_hash:
                raise (invalid or errors.ChannelInvalidError)(request=None)
            return peer.channel_id
        if isinstance(peer, types.PeerChannel):
            if self.met is not None and peer.channel_id not in self.met:
                # Telethon finds no access hash in this session's entity cache
                raise ValueError(f"Could not find the input entity for {peer!r}")
            return peer.channel_id
        raise TypeError(f"the double expects a channel peer, got {type(peer).__name__}")

    def _as_seen(self, entity: Any) -> Any:
        """The entity as this account receives it: with the access hash issued to it."""
        if not isinstance(entity, types.Channel):
            return entity
        if self.met is not None:
            self.met.add(entity.id)
        if entity.access_hash == self.hash_for(entity.id):
            return entity
        mine = copy.copy(entity)
        mine.access_hash = self.hash_for(entity.id)
        return mine

    async def get_entity(self, peer: Any) -> Any:
        if isinstance(peer, str):
            self.calls.append(f"resolve:{peer}")
            self._check("resolve", None)
            entity_id = self.usernames.get(peer.lower())
            if entity_id is None:
                raise errors.UsernameNotOccupiedError(request=None)
        else:
            entity_id = self._channel_id(peer)
            self.calls.append(f"get_channel:{entity_id}")
            self._check("get_entity", entity_id)
            if entity_id not in self.entities:
                raise ValueError(f"Could not find the input entity for {peer!r}")
        if entity_id in self.private:
            raise errors.ChannelPrivateError(request=None)
        return self._as_seen(self.entities[entity_id])

    async def iter_messages(
        self,
        entity: Any,
        limit: int | None = None,
        *,
        offset_id: int = 0,
        min_id: int = 0,
        max_id: int = 0,
        reverse: bool = False,
    ) -> AsyncIterator[types.Message]:
        # messages.getHistory: Telegram answers PEER_ID_INVALID for a peer it cannot accept
        channel_id = self._channel_id(entity, invalid=errors.PeerIdInvalidError)
        if reverse:
            offset_id = max(offset_id, min_id)
        remaining = float("inf") if limit is None else limit
        for page in itertools.count():
            if remaining <= 0:
                return
            if self.on_page is not None:
                self.on_page(channel_id, page)
            self.calls.append(f"history:{channel_id}")
            self._check("iter_messages", channel_id)
            if channel_id in self.private:
                raise errors.ChannelPrivateError(request=None)
            ids = sorted(self.messages[channel_id])
            take = int(min(PAGE, remaining))
            if reverse:  # oldest first, after offset_id (= max(offset_id, min_id))
                chunk = ids[bisect.bisect_right(ids, offset_id) :][:take]
                chunk = [i for i in chunk if not max_id or i < max_id]
            else:  # newest first, before offset_id, above min_id
                end = bisect.bisect_left(ids, offset_id) if offset_id else len(ids)
                chunk = [i for i in reversed(ids[max(0, end - take) : end]) if i > min_id]
                chunk = [i for i in chunk if not max_id or i < max_id]
            if not chunk:
                return
            for message_id in chunk:
                message = self.messages[channel_id].get(message_id)
                if message is None:
                    continue
                self._check("iter_messages_item", channel_id)
                yield message
                remaining -= 1
            offset_id = chunk[-1]
            if len(chunk) < PAGE:
                return

    async def get_messages(self, entity: Any, ids: list[int]) -> list[types.Message | None]:
        channel_id = self._channel_id(entity)
        self.calls.append(f"get_messages:{channel_id}")
        self._check("get_messages", channel_id)
        found = [self.messages[channel_id].get(i) for i in ids]
        if self.omit_missing:
            return [m for m in found if m is not None]
        return found

    async def iter_dialogs(self) -> AsyncIterator[Dialog]:
        """The account's chats: the channels it joined (getDialogs; fills the entity cache)."""
        self.calls.append("dialogs")
        self._check("dialogs", None)
        for channel_id in sorted(self.joined):
            entity = self._as_seen(self.entities[channel_id])
            raw = types.Dialog(
                peer=types.PeerChannel(channel_id),
                top_message=max(self.messages[channel_id], default=0),
                read_inbox_max_id=0,
                read_outbox_max_id=0,
                unread_count=0,
                unread_mentions_count=0,
                unread_reactions_count=0,
                unread_poll_votes_count=0,
                notify_settings=types.PeerNotifySettings(),
            )
            yield Dialog(self, raw, {utils.get_peer_id(entity): entity}, None)

    def add_event_handler(self, callback: Callable[..., Any], builder: Any) -> None:
        self.handlers.append((callback, builder))

    def remove_event_handler(self, callback: Callable[..., Any], builder: Any) -> None:
        self.handlers.remove((callback, builder))

    async def __call__(self, request: Any) -> Any:
        if isinstance(request, functions.channels.JoinChannelRequest):
            channel_id = self._channel_id(request.channel)
            self.calls.append(f"join:{channel_id}")
            self._check("join", channel_id)
            self.joined.add(channel_id)
            return types.Updates(updates=[], users=[], chats=[], date=T0, seq=0)
        raise TypeError(f"the double does not answer {type(request).__name__}")

    async def download_media(self, message: types.Message, file: str) -> str | None:
        channel_id = message.peer_id.channel_id
        self.calls.append(f"download:{channel_id}/{message.id}")
        key = (channel_id, message.id)
        if key in self.expired_references:  # the first try fails; a re-fetched message works
            self.expired_references.discard(key)
            raise errors.FileReferenceExpiredError(request=None)
        if message.media is None:
            return None
        path = Path(file).with_suffix(".bin")
        path.write_bytes(f"media of {channel_id}/{message.id}".encode())
        return str(path)
