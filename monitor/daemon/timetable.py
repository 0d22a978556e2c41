"""The daemon's timetable: APScheduler's AsyncIOScheduler behind the few calls the daemon makes.

Every periodic thing — heartbeat, lease round, each channel's poll, recheck, the translation
drain, alert dispatch — is a job here, with coalescing and one instance at a time, so a slow
run is never stacked on itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.core.clock import Clock

_MIN_INTERVAL_S = 0.2


class Timetable:
    """Interval jobs on the running event loop."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, clock: Clock, misfire_grace: timedelta
    ) -> None:
        self.clock = clock
        self._scheduler = AsyncIOScheduler(
            event_loop=loop,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": max(int(misfire_grace.total_seconds()), 1),
            },
        )

    def every(
        self,
        job_id: str,
        func: Callable[[], Awaitable[Any]],
        interval: timedelta,
        *,
        jitter: timedelta | None = None,
        first_delay: bool = False,
    ) -> None:
        """Run `func` every `interval` (first now, or after one interval); replaces a same id."""
        trigger = IntervalTrigger(
            seconds=max(interval.total_seconds(), _MIN_INTERVAL_S),
            jitter=int(jitter.total_seconds()) if jitter else None,
        )
        first = self.clock() + interval if first_delay else self.clock()
        self._scheduler.add_job(
            func, trigger, id=job_id, name=job_id, next_run_time=first, replace_existing=True
        )

    def remove(self, job_id: str) -> None:
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def start(self) -> None:
        self._scheduler.start()

    def pause(self) -> None:
        """No new runs; running ones go on."""
        if self._scheduler.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
