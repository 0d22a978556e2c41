"""A clock tests move by hand, and a sleep that returns at once (the daemon's injected waits)."""

from __future__ import annotations

from datetime import UTC, datetime


class ManualClock:
    """Reads `now`, which a test sets or advances; a `Clock` for watchers, jobs and drains."""

    def __init__(self, now: datetime = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def no_sleep(_seconds: float) -> None:
    """A sleep that does not wait: back-offs and paces run without slowing the test."""
    return None
