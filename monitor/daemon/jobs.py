"""Running the daemon's jobs so that none can kill it: time, log, count, back off, report.

`JobRunner.run` wraps one execution of a job (a poll of one channel, a translation drain...):
it records `running_since` (for stuck detection), the duration, the last success or error; an
exception is logged once with its context and counted, never raised into the scheduler. After
consecutive failures the job (per key, e.g. per channel) waits 5 s, 10 s, 20 s ... up to
`max_backoff` before it is tried again, so a database restart or a translator outage costs a
few log lines, not a storm. Errors no retry can fix (a revoked session, a bad setting) are
handed to `on_fatal` instead, which stops the daemon with that one line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from monitor.core.backoff import backoff_delay
from monitor.core.clock import Clock

log = logging.getLogger("monitor.daemon")
T = TypeVar("T")
Key = int | str | None


class JobObserver(Protocol):
    """Metrics hook: told the outcome of every run."""

    def job_finished(self, name: str, seconds: float, ok: bool) -> None: ...


@dataclass
class JobState:
    """What health and metrics need to know about one job (all its keys together)."""

    name: str
    stuck_after: timedelta
    running: dict[Key, datetime] = field(default_factory=dict)
    runs: int = 0
    failures: int = 0
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_duration_s: float | None = None
    # key -> (consecutive failures, not before)
    backoff: dict[Key, tuple[int, datetime]] = field(default_factory=dict)

    @property
    def consecutive_failures(self) -> int:
        """The longest current run of failures of any key (channel) of this job."""
        return max((count for count, _ in self.backoff.values()), default=0)

    @property
    def running_since(self) -> datetime | None:
        return min(self.running.values()) if self.running else None

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state for the worker row."""

        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "running_since": iso(self.running_since),
            "stuck_after_s": int(self.stuck_after.total_seconds()),
            "runs": self.runs,
            "failures": self.failures,
            "consecutive_failures": self.consecutive_failures,
            "last_success_at": iso(self.last_success_at),
            "last_error_at": iso(self.last_error_at),
            "last_error": self.last_error,
            "last_duration_s": (
                round(self.last_duration_s, 3) if self.last_duration_s is not None else None
            ),
        }


class JobRunner:
    """Executes job bodies with bookkeeping; shared by every job of one daemon."""

    def __init__(
        self,
        clock: Clock,
        *,
        max_backoff: timedelta,
        base_backoff: timedelta = timedelta(seconds=5),
        observer: JobObserver | None = None,
        fatal: tuple[type[Exception], ...] = (),
        on_fatal: Callable[[Exception], None] | None = None,
    ) -> None:
        self.clock = clock
        self.fatal = fatal
        self.on_fatal = on_fatal
        self.max_backoff = max_backoff
        self.base_backoff = base_backoff
        self.observer = observer
        self.states: dict[str, JobState] = {}
        self.tasks: set[asyncio.Task[Any]] = set()

    def register(self, name: str, stuck_after: timedelta) -> JobState:
        state = self.states.get(name)
        if state is None:
            state = self.states[name] = JobState(name, stuck_after)
        return state

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: state.snapshot() for name, state in self.states.items()}

    def stuck(self, now: datetime) -> list[tuple[str, timedelta]]:
        """Jobs running longer than their limit, with how long they have run."""
        out = []
        for state in self.states.values():
            since = state.running_since
            if since is not None and now - since > state.stuck_after:
                out.append((state.name, now - since))
        return out

    @property
    def busy(self) -> int:
        return sum(len(s.running) for s in self.states.values())

    async def run(
        self,
        name: str,
        body: Callable[[], Awaitable[T]],
        *,
        key: Key = None,
        context: dict[str, Any] | None = None,
    ) -> T | None:
        """Run `body` once unless it is backing off; never raise (except cancellation)."""
        state = self.states.get(name) or self.register(name, timedelta(minutes=15))
        now = self.clock()
        failing = state.backoff.get(key)
        if failing is not None and now < failing[1]:
            return None
        if key in state.running:  # the same job for the same key is still going
            return None
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        state.running[key] = now
        started = time.perf_counter()
        ctx = {"job": name, **(context or {})}
        try:
            result = await body()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(state, key, exc, ctx)
            if isinstance(exc, self.fatal) and self.on_fatal is not None:
                self.on_fatal(exc)  # retrying cannot help (revoked session, bad config)
            return None
        else:
            self._succeeded(state, key, ctx)
            return result
        finally:
            seconds = time.perf_counter() - started
            state.running.pop(key, None)
            state.runs += 1
            state.last_duration_s = seconds
            if task is not None:
                self.tasks.discard(task)
            if self.observer is not None:
                self.observer.job_finished(name, seconds, state.backoff.get(key) is None)

    def _succeeded(self, state: JobState, key: Key, ctx: dict[str, Any]) -> None:
        state.last_success_at = self.clock()
        previous = state.backoff.pop(key, None)
        if previous is not None:
            log.info("job %s recovered after %d failures", state.name, previous[0], extra=ctx)

    def _failed(self, state: JobState, key: Key, exc: Exception, ctx: dict[str, Any]) -> None:
        now = self.clock()
        count = state.backoff.get(key, (0, now))[0] + 1
        delay = backoff_delay(count, base=self.base_backoff, cap=self.max_backoff)
        state.backoff[key] = (count, now + delay)
        state.failures += 1
        state.last_error_at = now
        state.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        log.error(
            "job %s failed (%d in a row, next try in %ds): %s",
            state.name,
            count,
            int(delay.total_seconds()),
            state.last_error,
            exc_info=count == 1,  # the traceback once, not on every retry
            extra={**ctx, "failures": count},
        )
