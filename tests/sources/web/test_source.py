"""WebSource against a real HTTP server on 127.0.0.1 serving pages in the preview's markup."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.config.sources import WebSourceSettings
from monitor.core.errors import ChannelUnavailableError, RateLimitedError, SourceError
from monitor.core.events import ChannelInfo
from monitor.sources.web.client import PreviewClient, retry_after_seconds
from monitor.sources.web.source import (
    NO_PREVIEW,
    NO_SUCH_CHANNEL,
    WebSource,
    open_web_source,
    standin_channel_id,
)
from tests.support.web_preview import FakePreview


@pytest.fixture
def preview() -> Iterator[FakePreview]:
    server = FakePreview().start()
    yield server
    server.stop()


def _settings(preview: FakePreview, **kw: Any) -> WebSourceSettings:
    values: dict[str, Any] = {
        "base_url": preview.url,
        "jitter": 0,
        "requests_per_minute": 6000,
        "request_burst": 100,
        "max_retries": 2,
    }
    values.update(kw)
    return WebSourceSettings(**values)


def _run(preview: FakePreview, body: Any, **kw: Any) -> Any:
    async def main() -> Any:
        async with open_web_source(_settings(preview, **kw)) as source:
            return await body(source)

    return asyncio.run(main())


async def _all(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


def _channel(preview: FakePreview, n: int = 0) -> Any:
    channel = preview.add("GreyZone", 1289637461, "Серая Зона")
    for i in range(n):
        channel.post(f"пост номер {i + 1}")
    return channel


def test_resolve_reads_the_real_id_and_needs_a_username(preview: FakePreview) -> None:
    _channel(preview, 3)

    async def body(source: WebSource) -> ChannelInfo:
        with pytest.raises(ChannelUnavailableError, match="needs a username"):
            await source.resolve("1289637461")
        return await source.resolve("https://t.me/greyzone")

    info = _run(preview, body)
    assert info == ChannelInfo(1289637461, "GreyZone", "Серая Зона", None, source="web")


def test_a_channel_with_no_posts_gets_a_stable_negative_standin_id(preview: FakePreview) -> None:
    channel = preview.add("emptychan", 777, "Empty")
    info = _run(preview, lambda s: s.resolve("@emptychan"))
    assert info.channel_id == standin_channel_id("emptychan") < 0
    assert standin_channel_id("EmptyChan") == info.channel_id
    channel.post("первый пост")  # the real id appears on the page: posts stay with the row
    posts = _run(preview, lambda s: _all(s.recent(info, 5)))
    assert [(p.channel_id, p.message_id) for p in posts] == [(info.channel_id, 1)]


@pytest.mark.parametrize(
    ("setup", "message"),
    [("restricted", NO_PREVIEW), ("missing", NO_SUCH_CHANNEL)],
)
def test_redirects_become_clear_channel_states(
    preview: FakePreview, setup: str, message: str
) -> None:
    if setup == "restricted":
        preview.add("closedchan", 42, "Закрытый канал", preview=False)
    with pytest.raises(ChannelUnavailableError) as caught:
        _run(preview, lambda s: s.resolve("closedchan" if setup == "restricted" else "nosuch_x"))
    assert str(caught.value).endswith(message)


def test_history_pages_back_to_the_cursor_oldest_first(preview: FakePreview) -> None:
    channel = _channel(preview, 65)
    info = ChannelInfo(1289637461, "GreyZone", source="web")

    async def body(source: WebSource) -> tuple[list[int], list[int], list[int]]:
        gap = [p.message_id async for p in source.history(info, 12)]
        limited = [p.message_id async for p in source.history(info, 12, limit=5)]
        none = [p.message_id async for p in source.history(info, 65)]
        return gap, limited, none

    preview.requests.clear()
    gap, limited, none = _run(preview, body)
    assert gap == list(range(13, 66))
    assert limited == [13, 14, 15, 16, 17]
    assert none == []
    assert preview.requests[:3] == ["/s/GreyZone", "/s/GreyZone?before=46", "/s/GreyZone?before=26"]
    assert len(preview.requests) == 3 + 3 + 1  # pages only as far back as the cursor
    assert channel.posts[13].text == "пост номер 13"


def test_recent_reads_newest_first_across_pages(preview: FakePreview) -> None:
    _channel(preview, 45)
    info = ChannelInfo(1289637461, "GreyZone", source="web")
    ids = _run(preview, lambda s: _all(s.recent(info, 30)))
    assert [p.message_id for p in ids] == list(range(45, 15, -1))


def test_fetch_marks_deleted_only_after_n_complete_looks(preview: FakePreview) -> None:
    channel = _channel(preview, 30)
    info = ChannelInfo(1289637461, "GreyZone", source="web")
    channel.delete(20)
    channel.edit(21, "исправленный текст")

    async def body(source: WebSource) -> list[dict[int, Any]]:
        looks = []
        for _ in range(3):
            looks.append(await source.fetch(info, [5, 20, 21, 30]))
        return looks

    first, second, third = _run(preview, body, deleted_after_looks=3)
    assert 20 not in first and 20 not in second  # not seen is not deleted, yet
    assert third[20] is None
    assert first[21].text == "исправленный текст"  # type: ignore[union-attr]
    assert first[21].media == {"edited_mark": True}  # type: ignore[union-attr]
    assert {5, 21, 30} <= set(first)


def test_a_cut_off_page_never_counts_as_a_look(preview: FakePreview) -> None:
    channel = _channel(preview, 10)
    channel.delete(9)
    info = ChannelInfo(1289637461, "GreyZone", source="web")

    async def body(source: WebSource) -> list[dict[int, Any]]:
        preview.truncate_next = 2
        return [await source.fetch(info, [9]) for _ in range(3)]

    looks = _run(preview, body, deleted_after_looks=1)
    assert looks[0] == {} and looks[1] == {}  # two truncated pages: no verdict
    assert looks[2] == {9: None}


def test_429_is_retried_after_retry_after(preview: FakePreview) -> None:
    _channel(preview, 3)
    preview.throttle, preview.retry_after = 2, "0"
    info = _run(preview, lambda s: s.resolve("greyzone"))
    assert info.channel_id == 1289637461
    assert preview.requests.count("/s/greyzone") == 3


def test_a_long_retry_after_pauses_the_channel(preview: FakePreview) -> None:
    _channel(preview, 3)
    preview.throttle, preview.retry_after = 5, "3600"
    with pytest.raises(RateLimitedError) as caught:
        _run(preview, lambda s: s.resolve("greyzone"))
    assert caught.value.seconds >= 3600
    assert len(preview.requests) == 1  # no hammering while told to wait


def test_still_throttled_after_retries_is_a_rate_limit(preview: FakePreview) -> None:
    _channel(preview, 3)
    preview.throttle, preview.retry_after = 10, "0"
    with pytest.raises(RateLimitedError):
        _run(preview, lambda s: s.resolve("greyzone"), max_retries=2)
    assert len(preview.requests) == 3


def test_conditional_requests_reuse_the_kept_page(preview: FakePreview) -> None:
    _channel(preview, 3)
    preview.etags = True

    async def body(source: WebSource) -> tuple[ChannelInfo, ChannelInfo, int]:
        first = await source.resolve("greyzone")
        again = await source.resolve("greyzone")
        return first, again, source.client.not_modified

    first, again, not_modified = _run(preview, body)
    assert first == again
    assert not_modified == 1 and preview.not_modified == 1


def test_an_unreachable_host_is_a_source_error() -> None:
    async def main() -> None:
        settings = WebSourceSettings(base_url="http://127.0.0.1:9", jitter=0, max_retries=0)
        client = PreviewClient(settings)
        try:
            await WebSource(client).resolve("greyzone")
        finally:
            await client.aclose()

    with pytest.raises(SourceError, match="cannot reach 127.0.0.1:9"):
        asyncio.run(main())


def test_join_and_download_say_why_and_listen_returns(preview: FakePreview, tmp_path: Path) -> None:
    info = ChannelInfo(1289637461, "GreyZone", source="web")

    async def body(source: WebSource) -> None:
        with pytest.raises(SourceError, match="polled"):
            await source.join(info)
        with pytest.raises(SourceError, match="need a Telegram account"):
            await source.download(info, 1, tmp_path)
        await asyncio.wait_for(source.listen([info], lambda e: asyncio.sleep(0)), 1)

    _run(preview, body)


def test_a_username_taken_over_by_another_channel_is_refused(preview: FakePreview) -> None:
    _channel(preview, 3)
    info = ChannelInfo(555, "GreyZone", source="web")
    with pytest.raises(ChannelUnavailableError, match="another channel"):
        _run(preview, lambda s: _all(s.recent(info, 5)))


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_a_recheck_reuses_the_newest_page_refresh_just_read(preview: FakePreview) -> None:
    _channel(preview, 50)
    info = ChannelInfo(1289637461, "GreyZone", source="web")

    async def body(source: WebSource) -> dict[int, Any]:
        await source.refresh(info)
        preview.requests.clear()
        return await source.fetch(info, list(range(50, 20, -1)))

    found = _run(preview, body)
    assert sorted(found) == list(range(21, 51))
    assert preview.requests == ["/s/GreyZone?before=31"]  # the newest page was not read again
