"""Prometheus metrics of one worker, and the tiny HTTP endpoint serving them with /healthz.

Counters move as jobs finish; gauges read from the database (lag, backlogs) are refreshed by
the heartbeat job, so a scrape never queries the database. The endpoint is an asyncio server
in the daemon's own loop (no extra thread), off unless `[daemon] http_port` is set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger("monitor.daemon")


class Metrics:
    """The metrics of one daemon, in their own registry (tests can make several)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.posts_ingested = Counter(
            "tgmon_posts_ingested",
            "Posts stored, by channel and kind",
            ["channel", "kind"],
            registry=r,
        )
        self.flood_waits = Counter(
            "tgmon_flood_waits",
            "Polls skipped or cut short by a Telegram FloodWait",
            ["channel"],
            registry=r,
        )
        self.channel_lag = Gauge(
            "tgmon_channel_lag_seconds",
            "Now minus the newest stored post's time",
            ["channel"],
            registry=r,
        )
        self.channels_held = Gauge(
            "tgmon_channels_held", "Channels this worker watches (its leases)", registry=r
        )
        self.translation_backlog = Gauge(
            "tgmon_translation_backlog", "Posts waiting for translation", registry=r
        )
        self.alerts = Gauge("tgmon_alerts", "Alerts by status", ["status"], registry=r)
        self.job_seconds = Histogram(
            "tgmon_job_duration_seconds",
            "Job run time",
            ["job"],
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800),
        )
        self.job_failures = Counter(
            "tgmon_job_failures", "Job runs that raised", ["job"], registry=r
        )
        self.job_failing = Gauge(
            "tgmon_job_consecutive_failures",
            "Failures in a row of each job (its worst channel); 0 when its last run worked",
            ["job"],
            registry=r,
        )
        self.posts_missing_stage = Gauge(
            "tgmon_posts_missing_stage",
            "Stored posts a pipeline stage failed on and has not passed since",
            ["stage"],
            registry=r,
        )
        self.channels_in_error = Gauge(
            "tgmon_channels_in_error",
            "Watched channels whose last poll, recheck or join failed",
            registry=r,
        )

    def job_finished(self, name: str, seconds: float, ok: bool) -> None:
        self.job_seconds.labels(name).observe(seconds)
        if not ok:
            self.job_failures.labels(name).inc()

    def ingested(self, channel_id: int, new: int, edited: int) -> None:
        if new:
            self.posts_ingested.labels(str(channel_id), "new").inc(new)
        if edited:
            self.posts_ingested.labels(str(channel_id), "edited").inc(edited)

    def set_lag(self, now: datetime, latest: dict[int, datetime], held: Iterable[int]) -> None:
        self.channel_lag.clear()
        for channel_id in held:
            at = latest.get(channel_id)
            if at is not None:
                self.channel_lag.labels(str(channel_id)).set((now - at).total_seconds())

    def set_job_states(self, jobs: dict[str, dict[str, Any]]) -> None:
        for name, job in jobs.items():
            self.job_failing.labels(name).set(int(job.get("consecutive_failures") or 0))

    def set_backlogs(self, counts: dict[str, int]) -> None:
        self.translation_backlog.set(counts.get("translation_pending", 0))
        self.channels_in_error.set(counts.get("channels_in_error", 0))
        for stage in ("language", "translation_triage", "match"):
            self.posts_missing_stage.labels(stage).set(counts.get(f"stage_{stage}", 0))
        for status in ("pending", "sent", "failed", "suppressed"):
            self.alerts.labels(status).set(counts.get(f"alerts_{status}", 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)


HealthProbe = Callable[[], tuple[bool, str]]


class MetricsServer:
    """GET /healthz (200 ok / 503 reason) and GET /metrics on one small asyncio server."""

    def __init__(self, metrics: Metrics, probe: HealthProbe, host: str, port: int) -> None:
        self.metrics = metrics
        self.probe = probe
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        """Listen; return the bound port (useful when configured as 0)."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("serving /healthz and /metrics on %s:%d", self.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)) not in (b"\r\n", b""):
                pass
            parts = request.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) > 1 else ""
            if parts[:1] != ["GET"]:
                status, ctype, body = "405 Method Not Allowed", "text/plain", b"GET only\n"
            elif path == "/metrics":
                status, ctype, body = "200 OK", CONTENT_TYPE_LATEST, self.metrics.render()
            elif path == "/healthz":
                ok, reason = self.probe()
                status = "200 OK" if ok else "503 Service Unavailable"
                ctype, body = "text/plain; charset=utf-8", (reason + "\n").encode()
            else:
                status, ctype, body = "404 Not Found", "text/plain", b"try /healthz or /metrics\n"
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
