"""The one way tgmon reads the time: a `Clock` is a function returning an aware UTC datetime.

Everything that decides with time (cooldowns, digests, retries, leases, lag, back-off) takes a
Clock, so tests pass a fixed or stepping one instead of sleeping. `utcnow` is the real clock;
`monotonic` is for measuring durations, never for stamping rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, UTC-aware (what every `*_at` column stores)."""
    return datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a clock that never goes back: for elapsed time and rate limits only."""
    return time.monotonic()


def short_age(delta: timedelta) -> str:
    """A short age for tables and pages: 45s, 12m, 3h, 2d (never negative)."""
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
