"""A sliding-window limiter for translation providers: requests and characters per minute.

Per process: several workers each keep their own window, so set per-worker shares of a
provider's quota. The clock is injectable, so tests and the drain can reason about waits
without sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0


class RateLimiter:
    """Says how long to wait before the next request so both per-minute limits hold."""

    def __init__(
        self,
        requests_per_minute: int | None = None,
        chars_per_minute: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        window_s: float = WINDOW_S,
    ) -> None:
        self.requests_per_minute = requests_per_minute or None
        self.chars_per_minute = chars_per_minute or None
        self.clock = clock
        self.window_s = window_s
        self._sent: deque[tuple[float, int]] = deque()

    def _prune(self, now: float) -> None:
        while self._sent and self._sent[0][0] <= now - self.window_s:
            self._sent.popleft()

    def delay_for(self, chars: int) -> float:
        """Seconds to wait before sending `chars` characters in one request (0 = now)."""
        now = self.clock()
        self._prune(now)
        wait_until = now
        rpm = self.requests_per_minute
        if rpm is not None and len(self._sent) >= rpm:
            wait_until = max(wait_until, self._sent[len(self._sent) - rpm][0] + self.window_s)
        cpm = self.chars_per_minute
        if cpm is not None:
            used = sum(n for _, n in self._sent)
            # A single request larger than the whole quota waits for an empty window.
            allowed = max(cpm - chars, 0)
            for sent_at, n in self._sent:
                if used <= allowed:
                    break
                used -= n
                wait_until = max(wait_until, sent_at + self.window_s)
        return max(0.0, wait_until - now)

    def record(self, chars: int) -> None:
        """Note a request just sent."""
        self._sent.append((self.clock(), chars))

    def acquire(self, chars: int, sleep: Callable[[float], None] = time.sleep) -> float:
        """Wait until a request of `chars` characters may go, record it; return the wait."""
        waited = 0.0
        delay = self.delay_for(chars)
        while delay > 0:
            sleep(delay)
            waited += delay
            delay = self.delay_for(chars)
        self.record(chars)
        return waited
