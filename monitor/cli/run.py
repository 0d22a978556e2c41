"""Commands of the long-running monitor: `tgmon run` and `tgmon health`."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import signal
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor.alerts.dispatch import Dispatcher
from monitor.cli.core import state
from monitor.cli.logs import setup_logging
from monitor.config.settings import Settings, prepare_data_dir
from monitor.core.errors import ConfigError, SessionError, TgmonError
from monitor.daemon.health import judge_worker
from monitor.daemon.worker import Daemon, JobSpec
from monitor.matching.registry import WatchlistRegistry
from monitor.translation.drain import make_translation_job
from monitor.wiring import after_translation, build_pipeline
from storage.database import Database, redact_url
from storage.models import utcnow
from storage.workers import load_worker, upgrade_serialised

log = logging.getLogger(__name__)
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _StopRequested(Exception):  # noqa: N818  (a request, not an error)
    """SIGTERM before the event loop runs (while the database is being prepared)."""


def _stop_requested(_sig: int, _frame: object) -> None:
    raise _StopRequested


def check_telegram_credentials(settings: Settings) -> None:
    """Fail before connecting when the API keys or the login session are missing."""
    tg = settings.telegram
    if tg.api_id is None or tg.api_hash is None:
        raise ConfigError(
            "telegram.api_id and telegram.api_hash are required for `tgmon run` "
            "(from https://my.telegram.org; or TGMON_TELEGRAM__API_ID / TGMON_TELEGRAM__API_HASH)"
        )
    session_file = settings.data_dir / f"{tg.session_name}.session"
    if tg.session_string is None and not session_file.is_file():
        raise SessionError(
            f"no Telegram session: neither telegram.session_string nor {session_file} exists; "
            "log in once with `tgmon login` (containers: `tgmon login --string`, then set "
            "TGMON_TELEGRAM__SESSION_STRING)"
        )


def telegram_source(settings: Settings) -> AbstractAsyncContextManager[Any]:
    """The connected Telethon source, opened lazily so other commands never import Telethon.

    Contract with monitor.sources.telegram.source: `connect(settings)` returns an async context
    manager that yields a connected Source and disconnects on exit.
    """
    check_telegram_credentials(settings)
    try:
        module = importlib.import_module("monitor.sources.telegram.source")
    except ImportError as exc:
        raise SessionError(f"the Telegram source is not available: {exc}") from exc
    connect = getattr(module, "connect", None)
    if connect is None:
        raise SessionError("monitor.sources.telegram.source has no connect(settings)")
    result: AbstractAsyncContextManager[Any] = connect(settings)
    return result


async def serve(settings: Settings, db: Database, jobs: Sequence[JobSpec] = ()) -> None:
    """Open Telegram, build the daemon around ChannelWatcher and its jobs, run until stopped."""
    try:
        from monitor.daemon.watcher import ChannelWatcher
    except ImportError as exc:
        raise TgmonError(f"the channel watcher is not available: {exc}") from exc
    from monitor.sources.telegram.request_budget import RequestBudget

    registry = WatchlistRegistry(settings.watchlist_dirs())
    pipeline = build_pipeline(settings, db, registry)
    tg = settings.telegram
    budget = RequestBudget(tg.requests_per_minute, tg.request_burst)

    def watcher_factory(source: Any, pipe: Any, database: Database, conf: Settings) -> Any:
        return ChannelWatcher(source, pipe, database, conf, budget=budget)

    dispatcher = Dispatcher(db, settings, worker_id=settings.daemon.worker_name())
    all_jobs = [*standard_jobs(settings, db, registry, dispatcher), *jobs]
    # The daemon handles SIGTERM/SIGINT once it runs; before that (connecting to Telegram can
    # take a minute) and after it (disconnecting) a signal must also stop cleanly, exit 0.
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    requested: list[int] = []

    def stop_outside_daemon(sig: int) -> None:
        name = signal.Signals(sig).name
        if requested:
            log.warning("second %s: exiting now", name)
            logging.shutdown()
            os._exit(128 + sig)
        requested.append(sig)
        log.warning("%s while connecting or disconnecting: stopping", name)
        if main is not None:
            main.cancel()

    def guard() -> None:
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, stop_outside_daemon, sig)

    guard()
    try:
        async with telegram_source(settings) as source:
            daemon = Daemon(
                settings,
                db,
                source=source,
                watcher_factory=watcher_factory,
                pipeline=pipeline,
                jobs=all_jobs,
            )
            try:
                await daemon.run()
            finally:
                guard()  # the daemon removed its handlers; disconnecting is still guarded
    except asyncio.CancelledError:
        if not requested:
            raise
        log.info("stopped on %s before the daemon ran", signal.Signals(requested[0]).name)
    finally:
        dispatcher.close()
        for sig in _STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def standard_jobs(
    settings: Settings, db: Database, registry: WatchlistRegistry, dispatcher: Dispatcher
) -> list[JobSpec]:
    """Translation drain, alert dispatch and watchlist hot reload, at their configured rates."""
    cfg = settings.daemon
    translate = make_translation_job(
        settings, db, on_translated=after_translation(settings, registry)
    )
    return [
        JobSpec("translation", translate, cfg.translation_interval),
        JobSpec("alerts", dispatcher.run_once, cfg.alerts_interval),
        JobSpec("watchlists", registry.refresh, timedelta(seconds=10)),
    ]


def run(
    ctx: typer.Context,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="Override the config's daemon.worker_id")
    ] = None,
    http_port: Annotated[
        int | None, typer.Option("--http-port", help="Serve /healthz and /metrics on this port")
    ] = None,
) -> None:
    """Watch the configured channels until stopped: catch up, poll, listen, translate, alert.

    Logs one JSON line per event when stderr is not a terminal. SIGTERM or Ctrl-C finishes the
    running batch and exits 0 within 10 s; a second signal exits at once.

    Example: tgmon -c /etc/tgmon/tgmon.toml run --http-port 9108
    """
    st = state(ctx)
    settings = st.settings()
    if worker_id:
        settings.daemon.worker_id = worker_id
    if http_port is not None:
        settings.daemon.http_port = http_port
    setup_logging(settings, debug=st.debug)
    check_telegram_credentials(settings)
    prepare_data_dir(settings.data_dir)
    previous = signal.signal(signal.SIGTERM, _stop_requested)
    db = Database(settings.database_url)
    try:
        upgrade_serialised(db)  # several workers may start at once
        asyncio.run(serve(settings, db))
    except (_StopRequested, KeyboardInterrupt):  # while preparing the database: nothing started
        log.warning("stopped before the daemon started")
    finally:
        signal.signal(signal.SIGTERM, previous)
        db.dispose()


def _sqlite_missing(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    from pathlib import Path

    return None if Path(parsed.database).is_file() else parsed.database


def health(
    ctx: typer.Context,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="Worker to check (default: this host's)")
    ] = None,
) -> None:
    """Exit 0 when the daemon's heartbeat is fresh and no job is stuck; else 1 and why.

    Reads the worker row `tgmon run` keeps in the database; used by the container HEALTHCHECK.

    Example: tgmon health   ·   tgmon health --worker-id worker-2
    """
    settings = state(ctx).settings()
    wid = worker_id or settings.daemon.worker_name()
    missing = _sqlite_missing(settings.database_url)
    if missing:
        raise TgmonError(f"no heartbeat from worker {wid!r}: no database at {missing} yet")
    db = Database(settings.database_url)
    try:
        with db.read_session() as session:
            worker = load_worker(session, wid)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise TgmonError(
            f"cannot read heartbeat of worker {wid!r} from {redact_url(db.url)}: {reason}"
        ) from None
    finally:
        db.dispose()
    verdict = judge_worker(
        wid,
        now=utcnow(),
        stale_after=settings.daemon.stale_after(),
        beat_at=worker.beat_at if worker else None,
        stopped_at=worker.stopped_at if worker else None,
        jobs=worker.jobs if worker else None,
    )
    if not verdict.ok:
        raise TgmonError(verdict.reason)
    typer.echo(verdict.reason)
