"""One polite HTTP client for the web preview: keep-alive, budget, jitter, backoff, validators.

Every page request of every web channel goes through one `PreviewClient`, so one connection
pool is reused and one request budget per host bounds the rate however many channels there are.
429 and 5xx answers are retried after Retry-After (or an exponential backoff with jitter); a
wait longer than `max_backoff` becomes a RateLimitedError, which pauses only that channel. Pages
are asked for with If-None-Match / If-Modified-Since when the server sent validators before.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from monitor.config.sources import WebSourceSettings
from monitor.core.errors import RateLimitedError, SourceError
from monitor.sources.request_budget import RequestBudget

log = logging.getLogger(__name__)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 524})
_CACHE_SIZE = 512
_FIRST_BACKOFF_S = 2.0


@dataclass(frozen=True)
class PageResponse:
    """A fetched page: where it ended up after redirects, and its text."""

    url: str
    status: int
    text: str
    not_modified: bool = False  # answered 304: the text is the copy kept from last time


@dataclass
class _Cached:
    etag: str | None
    last_modified: str | None
    response: PageResponse


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: '120' or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class PreviewClient:
    """GET pages of the preview host politely; raise the tgmon error tree, never httpx's."""

    def __init__(
        self,
        settings: WebSourceSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._jitter = jitter
        self._monotonic = monotonic
        self._http = httpx.AsyncClient(
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml",
                "Accept-Language": "en",
            },
            timeout=settings.timeout.total_seconds(),
            follow_redirects=True,
            transport=transport,
            limits=httpx.Limits(max_keepalive_connections=4, max_connections=8),
        )
        self._budgets: dict[str, RequestBudget] = {}
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self.requests = 0  # page requests sent (retries included)
        self.not_modified = 0
        self.retries = 0

    async def aclose(self) -> None:
        await self._http.aclose()

    def _budget(self, url: str) -> RequestBudget:
        host = urlsplit(url).netloc
        if host not in self._budgets:
            cfg = self.settings
            self._budgets[host] = RequestBudget(
                cfg.requests_per_minute,
                cfg.request_burst,
                monotonic=self._monotonic,
                sleep=self._sleep,
            )
        return self._budgets[host]

    def _conditional_headers(self, url: str) -> dict[str, str]:
        cached = self._cache.get(url)
        headers: dict[str, str] = {}
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        return headers

    def _remember(self, url: str, response: httpx.Response, page: PageResponse) -> None:
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if not etag and not modified:
            self._cache.pop(url, None)
            return
        self._cache[url] = _Cached(etag, modified, page)
        self._cache.move_to_end(url)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        base = min(_FIRST_BACKOFF_S * 2**attempt, self.settings.max_backoff.total_seconds())
        return base * (0.5 + self._jitter() / 2)

    async def get(self, url: str, *, what: str) -> PageResponse:
        """One page, retried on 429/5xx/network errors; `what` names it in errors and logs."""
        cap = self.settings.max_backoff.total_seconds()
        attempt = 0
        while True:
            await self._budget(url).acquire()
            pause = self.settings.jitter.total_seconds() * self._jitter()
            if pause > 0:
                await self._sleep(pause)
            self.requests += 1
            try:
                response = await self._http.get(url, headers=self._conditional_headers(url))
            except httpx.TransportError as exc:
                if attempt >= self.settings.max_retries:
                    raise SourceError(
                        f"{what}: cannot reach {urlsplit(url).netloc}: {type(exc).__name__}"
                    ) from None
                delay = self._backoff(attempt, None)
                log.warning("%s: %s; retrying in %.0fs", what, type(exc).__name__, delay)
            else:
                status = response.status_code
                if status == 304 and url in self._cache:
                    self.not_modified += 1
                    kept = self._cache[url].response
                    return PageResponse(kept.url, kept.status, kept.text, not_modified=True)
                if status not in _RETRY_STATUS:
                    page = PageResponse(str(response.url), status, response.text)
                    if status == 200:
                        self._remember(url, response, page)
                    return page
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if wait is not None and wait > cap:
                    raise RateLimitedError(
                        f"{what}: the server asks to wait {wait:.0f}s (HTTP {status})",
                        seconds=int(wait) + 1,
                    )
                if attempt >= self.settings.max_retries:
                    if status == 429:
                        seconds = int(wait if wait is not None else cap) + 1
                        raise RateLimitedError(
                            f"{what}: still rate limited (HTTP 429) after {attempt + 1} tries",
                            seconds=seconds,
                        )
                    raise SourceError(f"{what}: HTTP {status} after {attempt + 1} tries")
                delay = self._backoff(attempt, wait)
                log.warning("%s: HTTP %s; retrying in %.0fs", what, status, delay)
            self.retries += 1
            attempt += 1
            await self._sleep(delay)
