"""A daemon worker process for tests and the benchmark: the real Daemon over ScriptedSource.

    python -m tests.support.daemon_worker --db URL --worker w1 --channels 30 --start 1700000000.0

Logs JSON lines on stderr; exits 0 after a clean stop (SIGTERM/SIGINT).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

from monitor.cli.logs import setup_logging
from monitor.config.settings import ChannelSettings, DaemonSettings, DatabaseSettings, Settings
from monitor.daemon.contracts import JobSpec
from monitor.daemon.worker import Daemon
from monitor.wiring import build_app
from storage.database import Database
from storage.workers import upgrade_serialised
from tests.support.daemon_fakes import ScriptedSource, SimpleWatcher


def build_settings(args: argparse.Namespace) -> Settings:
    channels = [
        ChannelSettings(ref=f"fake{i}", poll=args.poll, join=i < args.live)
        for i in range(args.channels)
    ]
    return Settings(
        data_dir=Path(args.data_dir),
        database=DatabaseSettings(url=args.db),
        channels=channels,
        daemon=DaemonSettings(
            worker_id=args.worker,
            heartbeat=args.heartbeat,
            lease_period=args.lease_period,
            poll_jitter=0,
            recheck_interval="1h",
            http_port=args.http_port,
            shutdown_grace=args.grace,
        ),
    )


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--worker", required=True)
    p.add_argument("--channels", type=int, default=10)
    p.add_argument("--live", type=int, default=0, help="the first N channels listen live")
    p.add_argument("--start", type=float, default=time.time())
    p.add_argument("--every", type=float, default=0.5, help="seconds between a channel's posts")
    p.add_argument("--total", type=int, default=40, help="posts per channel")
    p.add_argument("--poll", default="1s")
    p.add_argument("--heartbeat", default="1s")
    p.add_argument("--lease-period", default="3s")
    p.add_argument("--grace", default="8s")
    p.add_argument("--http-port", type=int, default=None)
    p.add_argument("--data-dir", default="/tmp/tgmon-worker")
    p.add_argument("--slow-poll", type=float, default=0.0)
    p.add_argument(
        "--extra-jobs", action="store_true", help="add no-op translation and alerts jobs"
    )
    p.add_argument(
        "--import-telethon", action="store_true", help="load Telethon as the real daemon does"
    )
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    settings = build_settings(args)
    setup_logging(settings, json_lines=True)
    db = Database(settings.database_url)
    upgrade_serialised(db)
    source = ScriptedSource(start=args.start, every=args.every, total=args.total)

    def factory(*parts: object) -> SimpleWatcher:
        watcher = SimpleWatcher(*parts)  # type: ignore[arg-type]
        watcher.slow_poll_s = args.slow_poll
        return watcher

    if args.import_telethon:
        import telethon  # noqa: F401  (its footprint is part of the real daemon's)
    daemon = Daemon(
        settings,
        db,
        source=source,
        watcher_factory=factory,
        pipeline=build_app(settings, db=db).pipeline,
        jobs=[
            JobSpec("translation", lambda: None, timedelta(seconds=30)),
            JobSpec("alerts", lambda: None, timedelta(seconds=15)),
        ]
        if args.extra_jobs
        else [],
    )
    asyncio.run(daemon.run())
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
