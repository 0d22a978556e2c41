"""The per-minute limiter, on a fake clock (no sleeping)."""

from __future__ import annotations

from monitor.translation.provider_limiter import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests_per_minute=2, clock=clock)
    assert limiter.acquire(10, clock.sleep) == 0
    clock.now += 5
    assert limiter.acquire(10, clock.sleep) == 0
    assert limiter.delay_for(10) == 55
    assert limiter.acquire(10, clock.sleep) == 55


def test_chars_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(chars_per_minute=100, clock=clock)
    limiter.acquire(60, clock.sleep)
    clock.now += 10
    limiter.acquire(30, clock.sleep)
    assert limiter.delay_for(10) == 0
    assert limiter.delay_for(20) == 50  # the first 60 must leave the window
    # A request bigger than the whole quota waits for an empty window, then goes.
    assert limiter.delay_for(500) == 60


def test_no_limits_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0, 0, clock=clock)
    for _ in range(1000):
        assert limiter.acquire(5000, clock.sleep) == 0
