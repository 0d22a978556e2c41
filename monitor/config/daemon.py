"""Daemon settings: worker identity, heartbeat, job intervals, leases and shutdown."""

from __future__ import annotations

import socket
from datetime import timedelta

from pydantic import Field

from monitor.config.base import Duration, Section


class DaemonSettings(Section):
    worker_id: str | None = Field(
        default=None,
        description="This worker's name in the database (heartbeat, channel leases); "
        "empty means the host name. Give each worker of a shared database its own.",
    )
    heartbeat: Duration = Field(
        default=timedelta(seconds=30), description="How often the worker records it is alive"
    )
    heartbeat_stale: Duration | None = Field(
        default=None,
        description="A heartbeat older than this means the worker is dead (default 3× heartbeat)",
    )
    stuck_after: Duration = Field(
        default=timedelta(minutes=15),
        description="A job running longer than this makes `tgmon health` fail",
    )
    catch_up_stuck_after: Duration = Field(
        default=timedelta(hours=2),
        description="The same limit for the start-up catch-up of all channels",
    )
    poll_jitter: Duration = Field(
        default=timedelta(seconds=15),
        description="Random delay added to each poll so channels do not all poll at once",
    )
    misfire_grace: Duration = Field(
        default=timedelta(minutes=1),
        description="A job that could not start on time still runs if this late; else skipped",
    )
    recheck_window: int = Field(
        default=50, ge=0, description="Recent posts per channel re-read to notice edits/deletions"
    )
    recheck_interval: Duration = Field(
        default=timedelta(minutes=30), description="How often the recent posts are re-read"
    )
    recheck_misses: int = Field(
        default=3,
        ge=1,
        description="A post Telegram leaves out of this many re-reads in a row is marked deleted",
    )
    unhealthy_after_failures: int = Field(
        default=3, ge=1, description="A job failing this many times in a row fails `tgmon health`"
    )
    stage_retry_interval: Duration = Field(
        default=timedelta(seconds=60),
        description="How often posts a pipeline stage failed on are tried again",
    )
    stage_max_attempts: int = Field(
        default=8,
        ge=1,
        description="Tries of a failed stage per post (back-off 1 min doubling to 1 h) before "
        "`tgmon health` reports the post as stuck",
    )
    translation_interval: Duration = Field(
        default=timedelta(seconds=30), description="How often pending translations are drained"
    )
    alerts_interval: Duration = Field(
        default=timedelta(seconds=15), description="How often due alerts are dispatched"
    )
    retention_interval: Duration = Field(
        default=timedelta(hours=24), description="How often the retention job runs"
    )
    translation_cache_max_age: Duration | None = Field(
        default=None,
        description="Prune cached translations older than this; empty keeps them "
        "(posts are evidence and are never pruned)",
    )
    lease_period: Duration = Field(
        default=timedelta(seconds=90),
        description="PostgreSQL with several workers: how long a channel lease lasts without "
        "renewal; a dead worker's channels move to the others within this time",
    )
    max_backoff: Duration = Field(
        default=timedelta(minutes=5), description="Longest pause before retrying a failing job"
    )
    shutdown_grace: Duration = Field(
        default=timedelta(seconds=8),
        description="On SIGTERM, how long running jobs may take to finish their batch",
    )
    http_host: str = Field(
        default="127.0.0.1", description="Address of the /healthz and /metrics endpoint"
    )
    http_port: int | None = Field(
        default=None, ge=0, le=65535, description="Port for /healthz and /metrics; empty = off"
    )

    def stale_after(self) -> timedelta:
        return self.heartbeat_stale or 3 * self.heartbeat

    def worker_name(self) -> str:
        return self.worker_id or socket.gethostname()
