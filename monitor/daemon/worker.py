"""`tgmon run`: one asyncio process driving the source through an APScheduler timetable.

Wiring only. The watcher decides how to catch up, poll and recheck a channel; the lease round
decides which channels this worker holds; `JobRunner` keeps every job from killing the process.
The daemon starts them in order (register → channels → leases → catch-up → poll jobs and live
listening), beats, serves /healthz and /metrics when asked, and on SIGTERM/SIGINT stops taking
work, lets running batches finish (each is one transaction), records its exit and returns.
A second signal exits at once.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from monitor.config.settings import Settings
from monitor.core.backoff import backoff_delay
from monitor.core.clock import Clock, utcnow
from monitor.core.errors import ConfigError, SessionError, TgmonError
from monitor.core.events import PostEvent
from monitor.daemon.activity import ActivityLog
from monitor.daemon.contracts import HeldChannel, JobSpec, WatcherFactory
from monitor.daemon.handover import follow_handovers
from monitor.daemon.jobs import JobRunner
from monitor.daemon.live import LiveFeed
from monitor.daemon.metrics import Metrics, MetricsServer
from monitor.daemon.stop_guard import StopGuard
from monitor.daemon.timetable import Timetable
from monitor.daemon.worker_record import WorkerRecord
from monitor.pipeline.ingest import Pipeline
from monitor.services.verdict import Verdict, judge_worker
from monitor.sources import Source
from storage.database import Database
from storage.leases import round_interval

log = logging.getLogger("monitor.daemon")
T = TypeVar("T")


class Daemon:
    """The long-running monitor of one worker; `await Daemon(...).run()` until stopped."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        source: Source,
        watcher_factory: WatcherFactory,
        pipeline: Pipeline,
        jobs: Sequence[JobSpec] = (),
        clock: Clock = utcnow,
        metrics: Metrics | None = None,
        handle_signals: bool = True,
    ) -> None:
        self.settings = settings
        self.cfg = settings.daemon
        self.db = db
        self.source = source
        self.clock = clock
        self.worker_id = self.cfg.worker_name()
        self.record = WorkerRecord(db, self.worker_id, self.cfg, clock)
        self.pipeline = pipeline
        self.watcher = watcher_factory(source, self.pipeline, db, settings)
        self.metrics = metrics or Metrics()
        self.activity = ActivityLog(self.metrics)
        self.runner = JobRunner(
            clock,
            max_backoff=self.cfg.max_backoff,
            observer=self.metrics,
            fatal=(SessionError, ConfigError),
            on_fatal=self._on_fatal,
        )
        self.fatal: TgmonError | None = None
        self._event_seq = 0
        self.handle_signals = handle_signals
        self.extra_jobs: list[JobSpec] = list(jobs)
        self.held: dict[int, HeldChannel] = {}
        self.http_port: int | None = None
        self.last_beat_at: datetime | None = None
        self.stopping = False
        self._stop: asyncio.Event | None = None
        self._timetable: Timetable | None = None
        self.live = LiveFeed(
            source, self._on_event, max_backoff=self.cfg.max_backoff, pause=self._sleep
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ready = False

    # -- public --------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Begin a graceful stop (what SIGTERM does)."""
        if self._stop is not None:
            self._stop.set()
        self.stopping = True

    def health(self) -> Verdict:
        """The in-process verdict served on /healthz."""
        return judge_worker(
            self.worker_id,
            now=self.clock(),
            stale_after=self.cfg.stale_after(),
            beat_at=self.last_beat_at,
            jobs=self.runner.snapshot(),
            failing_after=self.cfg.unhealthy_after_failures,
        )

    async def run(self) -> None:
        """Run until request_stop() or SIGTERM/SIGINT, then shut down cleanly.

        Raises the SessionError/ConfigError that stopped it, if one did (after shutting down).
        """
        loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self.stopping:
            self._stop.set()
        guard = StopGuard(self._on_signal) if self.handle_signals else None
        if guard is not None:
            guard.arm()
        server: MetricsServer | None = None
        try:
            await self._until_done("register", self._register)
            if self.stopping:
                return
            self._timetable = Timetable(loop, self.clock, self.cfg.misfire_grace)
            self._schedule_fixed_jobs()
            if self.cfg.http_port is not None:
                server = MetricsServer(
                    self.metrics, self._probe, self.cfg.http_host, self.cfg.http_port
                )
                self.http_port = await server.start()
            self._timetable.start()
            channels = await self._until_done("sync_channels", self.watcher.sync_channels)
            if self.stopping:
                return
            log.info(
                "worker %s started: %d channels configured",
                self.worker_id,
                len(channels or []),
                extra={"worker": self.worker_id, "pid": os.getpid()},
            )
            await self._lease_job(initial=True)
            if not self.db.is_sqlite:  # channels a stopping worker gives back: take them now
                self._spawn(follow_handovers(self))
            self._ready = True
            await self._stop.wait()
        finally:
            await self._shutdown(server)
            if guard is not None:
                guard.disarm()
            if self.fatal is not None:
                raise self.fatal

    # -- start-up ------------------------------------------------------------------------

    def _register(self) -> Awaitable[Any]:
        return asyncio.to_thread(self.record.register)

    async def _until_done(self, name: str, step: Callable[[], Awaitable[T]]) -> T | None:
        """Start-up steps wait out a database or Telegram outage instead of exiting."""
        self.runner.register(name, self.cfg.stuck_after)
        attempt = 0
        while not self.stopping:
            state = self.runner.states[name]
            failures_before = state.failures
            result = await self.runner.run(name, step)
            if state.failures == failures_before and state.backoff.get(None) is None:
                return result
            attempt += 1
            delay = backoff_delay(attempt, base=timedelta(seconds=2), cap=self.cfg.max_backoff)
            await self._sleep(delay.total_seconds())
        return None

    async def _sleep(self, seconds: float) -> None:
        assert self._stop is not None
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _schedule_fixed_jobs(self) -> None:
        cfg = self.cfg
        r = self.runner
        r.register("heartbeat", cfg.stuck_after)
        r.register("leases", cfg.stuck_after)
        r.register("catch_up", cfg.catch_up_stuck_after)
        r.register("poll", cfg.stuck_after)
        r.register("event", cfg.stuck_after)
        self._every("heartbeat", self._heartbeat_job, cfg.heartbeat)
        self._every("leases", self._lease_job, round_interval(cfg.lease_period))
        if cfg.recheck_window > 0:
            r.register("recheck", cfg.stuck_after)
            self._every("recheck", self._recheck_job, cfg.recheck_interval, first_delay=True)
        if cfg.translation_cache_max_age is not None:
            r.register("retention", cfg.stuck_after)
            self._every("retention", self._retention_job, cfg.retention_interval)
        for spec in self.extra_jobs:
            r.register(spec.name, spec.stuck_after or cfg.stuck_after)
            self._every(spec.name, self._extra_body(spec), spec.interval, jitter=spec.jitter)

    def _every(
        self,
        job_id: str,
        func: Callable[[], Awaitable[Any]],
        interval: timedelta,
        *,
        jitter: timedelta | None = None,
        first_delay: bool = False,
    ) -> None:
        assert self._timetable is not None
        self._timetable.every(job_id, func, interval, jitter=jitter, first_delay=first_delay)

    # -- jobs ----------------------------------------------------------------------------

    async def _heartbeat_job(self) -> None:
        def beat() -> None:
            jobs = self.runner.snapshot()
            done = self.record.beat(jobs, list(self.held))
            self.metrics.set_job_states(jobs)
            self.metrics.set_lag(done.at, done.latest, list(self.held))
            self.metrics.set_backlogs(done.backlogs)
            self.last_beat_at = done.at

        await self.runner.run("heartbeat", lambda: asyncio.to_thread(beat))
        self.activity.summarise_live()

    async def _lease_job(self, initial: bool = False) -> None:
        result = await self.runner.run("leases", lambda: asyncio.to_thread(self.record.lease))
        if result is None or self.stopping:
            return
        decided, rows = result
        new = [cid for cid in rows if cid not in self.held]
        gone = [cid for cid in self.held if cid not in rows]
        for cid in gone:
            self._unschedule_poll(cid)
            del self.held[cid]
        for cid in new:
            self.held[cid] = rows[cid]
        self.metrics.channels_held.set(len(self.held))
        if new or gone:
            log.info(
                "leases: holding %d channels (+%d, -%d) of %d alive workers",
                len(self.held),
                len(new),
                len(gone),
                decided.alive_workers,
                extra={"worker": self.worker_id, "taken": new[:50], "dropped": gone[:50]},
            )
        if gone:
            self._restart_listen()
        if new:
            adopt = self._adopt(sorted(new))
            if initial:
                await adopt
            else:
                self._spawn(adopt)

    async def _adopt(self, channel_ids: list[int]) -> None:
        """Catch up each newly held channel, then poll it on its interval; then listen."""
        for cid in channel_ids:
            if self.stopping or cid not in self.held:
                continue
            report = await self.runner.run(
                "catch_up",
                functools.partial(self.watcher.catch_up, cid),
                key=cid,
                context={"channel_id": cid},
            )
            self.activity.ingested(cid, report)
            if self.stopping or cid not in self.held:
                continue
            self._schedule_poll(cid)
        self._restart_listen()

    def _schedule_poll(self, cid: int) -> None:
        row = self.held[cid]
        self._every(
            f"poll:{cid}",
            functools.partial(self._poll_job, cid),
            timedelta(seconds=row.poll_s),
            jitter=self.cfg.poll_jitter,
            first_delay=True,
        )

    def _unschedule_poll(self, cid: int) -> None:
        if self._timetable is not None:
            self._timetable.remove(f"poll:{cid}")

    async def _poll_job(self, cid: int) -> None:
        if self.stopping or cid not in self.held or self._flooded(cid):
            return
        report = await self.runner.run(
            "poll", lambda: self.watcher.poll(cid), key=cid, context={"channel_id": cid}
        )
        self.activity.ingested(cid, report)
        if self._flooded(cid):
            self.metrics.flood_waits.labels(str(cid)).inc()

    async def _recheck_job(self) -> None:
        for cid in sorted(self.held):
            if self.stopping:
                return
            if cid not in self.held or self._flooded(cid):
                continue
            report = await self.runner.run(
                "recheck",
                functools.partial(self.watcher.recheck, cid, self.cfg.recheck_window),
                key=cid,
                context={"channel_id": cid},
            )
            self.activity.ingested(cid, report)

    async def _retention_job(self) -> None:
        max_age = self.cfg.translation_cache_max_age
        assert max_age is not None
        pruned = await self.runner.run(
            "retention",
            lambda: asyncio.to_thread(self.record.prune_translation_cache, max_age),
        )
        if pruned:
            log.info("retention: pruned %d cached translations", pruned)

    def _extra_body(self, spec: JobSpec) -> Callable[[], Awaitable[None]]:
        is_async = inspect.iscoroutinefunction(spec.func)

        async def body() -> None:
            if self.stopping:
                return
            call: Callable[[], Awaitable[Any]] = (
                spec.func if is_async else (lambda: asyncio.to_thread(spec.func))
            )
            await self.runner.run(spec.name, call)

        return body

    # -- live events ---------------------------------------------------------------------

    def _restart_listen(self) -> None:
        if not self.stopping:
            self.live.follow([row.info for row in self.held.values() if row.mode == "live"])

    async def _on_event(self, event: PostEvent) -> None:
        if self.stopping or event.channel_id not in self.held:
            return
        self._event_seq += 1  # every event runs: two quick edits of one post are two events
        self.activity.live_event(event)
        await self.runner.run(
            "event",
            functools.partial(self.watcher.on_event, event),
            key=f"event-{self._event_seq}",
            context={"channel_id": event.channel_id, "message_id": event.message_id},
        )

    # -- helpers -------------------------------------------------------------------------

    def _flooded(self, cid: int) -> bool:
        due = self.watcher.due_after_flood(cid)
        return due is not None and due > self.clock()

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_fatal(self, exc: Exception) -> None:
        if self.fatal is None and isinstance(exc, TgmonError):
            self.fatal = exc
            log.critical("stopping: %s", exc, extra={"worker": self.worker_id})
        self.request_stop()

    def _probe(self) -> tuple[bool, str]:
        verdict = self.health()
        return verdict.ok, verdict.reason

    def _on_signal(self, name: str) -> None:
        log.info(
            "%s: stopping (finishing running jobs, up to %ds)",
            name,
            int(self.cfg.shutdown_grace.total_seconds()),
        )
        self.request_stop()

    # -- shutdown ------------------------------------------------------------------------

    async def _shutdown(self, server: MetricsServer | None) -> None:
        self.stopping = True
        if self._timetable is not None:
            self._timetable.pause()  # no new runs; running ones go on
        self.live.stop()
        running = {t for t in self.runner.tasks | self._tasks if not t.done()}
        running.discard(asyncio.current_task())  # type: ignore[arg-type]
        if running:
            _done, late = await asyncio.wait(
                running, timeout=self.cfg.shutdown_grace.total_seconds()
            )
            for task in late:
                task.cancel()
            if late:
                log.warning("stopped %d jobs that outran the grace period", len(late))
        if self._timetable is not None:
            self._timetable.shutdown()
        if server is not None:
            await server.stop()
        await self._record_exit()
        log.info("worker %s stopped", self.worker_id, extra={"worker": self.worker_id})

    async def _record_exit(self) -> None:
        try:
            await asyncio.wait_for(
                asyncio.to_thread(self.record.record_exit, self.runner.snapshot()), timeout=3
            )
        except Exception as exc:  # the database may be the thing that is down
            log.warning("could not record the stop in the database: %s", exc)
