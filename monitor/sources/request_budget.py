"""A request budget: a token bucket that every request to one rate-limited service draws from.

Telegram answers bursts from an account with FloodWaits that can last hours, and a web host
rate keeps a long channel list under its limits. The clock and sleep are injectable so
tests run without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RequestBudget:
    """Allow `rate_per_minute` requests on average, at most `burst` at once."""

    def __init__(
        self,
        rate_per_minute: float,
        burst: int = 10,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate_per_minute <= 0 or burst < 1:
            raise ValueError("a request budget needs a positive rate and a burst of at least 1")
        self.rate = rate_per_minute / 60.0  # tokens per second
        self.burst = float(burst)
        self._tokens = float(burst)
        self._monotonic = monotonic
        self._sleep = sleep
        self._updated = monotonic()
        self._lock = asyncio.Lock()
        self.spent = 0
        self.waited_s = 0.0

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def delay_for(self, tokens: float = 1.0) -> float:
        """Seconds until `tokens` requests may be made (0 when they may be made now)."""
        self._refill()
        missing = tokens - self._tokens
        return 0.0 if missing <= 0 else missing / self.rate

    async def acquire(self, tokens: float = 1.0) -> None:
        """Wait until the budget allows `tokens` more requests, then spend them."""
        async with self._lock:  # first come, first served across channel jobs
            delay = self.delay_for(tokens)
            while delay > 0:
                self.waited_s += delay
                await self._sleep(delay)
                delay = self.delay_for(tokens)
            self._tokens -= tokens
            self.spent += int(tokens)
