"""TelegramSource at the Telethon edge: which error a refused peer becomes, whose account it is."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telethon import errors

from monitor.core.errors import ChannelUnavailableError, PeerInvalidError
from monitor.core.events import ChannelInfo
from monitor.sources.telegram.source import TelegramSource, translate_error
from tests.support.clock import no_sleep
from tests.support.telegram_double import FakeTelegramClient

ALPHA = 101


def two_accounts() -> tuple[TelegramSource, TelegramSource, FakeTelegramClient]:
    a = FakeTelegramClient()
    a.add_channel(ALPHA, "alpha", "Alpha")
    a.post(ALPHA, "hello")
    b = a.other_account(777)
    return TelegramSource(a, sleep=no_sleep), TelegramSource(b, sleep=no_sleep), b


async def drain(posts: Any) -> list[Any]:
    return [p async for p in posts]


@pytest.mark.parametrize(
    "error",
    [errors.ChannelInvalidError(request=None), errors.PeerIdInvalidError(request=None)],
)
def test_a_refused_peer_asks_for_a_new_lookup(error: Exception) -> None:
    assert isinstance(translate_error(error, "@alpha"), PeerInvalidError)


def test_a_private_channel_is_unavailable_but_not_a_refused_peer() -> None:
    translated = translate_error(errors.ChannelPrivateError(request=None), "@alpha")
    assert isinstance(translated, ChannelUnavailableError)
    assert not isinstance(translated, PeerInvalidError)


def test_another_accounts_hash_is_refused_and_its_own_works() -> None:
    a, b, _ = two_accounts()

    async def scenario() -> None:
        from_a = await a.resolve("@alpha")
        with pytest.raises(PeerInvalidError, match="@alpha: PeerIdInvalid"):
            await drain(b.history(from_a, 0))
        with pytest.raises(PeerInvalidError, match="@alpha: ChannelInvalid"):
            await b.refresh(from_a)
        with pytest.raises(PeerInvalidError, match="@alpha: ChannelInvalid"):
            await b.fetch(from_a, [1])
        from_b = await b.resolve("@alpha")
        assert from_b.access_hash != from_a.access_hash
        assert [p.message_id for p in await drain(b.history(from_b, 0))] == [1]

    asyncio.run(scenario())


def test_a_bare_id_this_account_never_met_is_a_refused_peer() -> None:
    _, b, _ = two_accounts()
    with pytest.raises(PeerInvalidError, match="101: unknown to this account"):
        asyncio.run(drain(b.history(ChannelInfo(ALPHA), 0)))


def test_the_account_id_is_asked_once() -> None:
    _, b, client = two_accounts()

    async def twice() -> tuple[int, int]:
        return await b.account_id(), await b.account_id()

    assert asyncio.run(twice()) == (777, 777)
    assert client.calls.count("get_me") == 1


def test_a_bare_id_is_found_among_the_accounts_chats() -> None:
    _, b, client = two_accounts()
    with pytest.raises(ChannelUnavailableError, match="not among this account's chats"):
        asyncio.run(b.resolve(str(ALPHA)))
    client.joined.add(ALPHA)
    info = asyncio.run(b.resolve(str(ALPHA)))
    assert (info.channel_id, info.access_hash) == (ALPHA, client.hash_for(ALPHA))
    assert client.calls.count("dialogs") == 2
