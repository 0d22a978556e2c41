"""Commands of the long-running monitor: `tgmon run` and `tgmon health`."""

from __future__ import annotations

import asyncio
import importlib
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
from monitor.config.settings import Settings
from monitor.core.errors import ConfigError, SessionError, TgmonError
from monitor.daemon.health import judge_worker
from monitor.daemon.worker import Daemon, JobSpec
from monitor.matching.registry import WatchlistRegistry
from monitor.sources.router import kinds_needed, open_sources
from monitor.translation.drain import make_translation_job
from monitor.wiring import after_translation, build_pipeline
from storage.channels import channel_problems, watched_source_kinds
from storage.database import Database, redact_url
from storage.models import utcnow
from storage.workers import load_worker, upgrade_serialised


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
    """Open the sources the channels need, build the daemon around ChannelWatcher, run it.

    Telegram is opened only when some channel is read through the account (web-only setups
    need no credentials).
    """
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
    try:
        kinds = sources_needed(settings, db)
        async with open_sources(settings, kinds, telegram=telegram_source) as source:
            daemon = Daemon(
                settings,
                db,
                source=source,
                watcher_factory=watcher_factory,
                pipeline=pipeline,
                jobs=all_jobs,
            )
            await daemon.run()
    finally:
        dispatcher.close()


def sources_needed(settings: Settings, db: Database) -> set[str]:
    """Source kinds of the configured and stored watched channels (telegram → needs a login)."""
    with db.read_session() as session:
        stored = watched_source_kinds(session)
    return kinds_needed(settings, stored)


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
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    try:
        upgrade_serialised(db)  # several workers may start at once
        if "telegram" in sources_needed(settings, db):  # web-only setups need no login
            check_telegram_credentials(settings)
        asyncio.run(serve(settings, db))
    finally:
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
            problems = [
                f"channel {'@' + c.username if c.username else c.id} ({c.source}): {error}"
                for c, error in channel_problems(session)
            ]
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
    for line in problems:  # a channel that cannot be read is news, not a dead daemon
        typer.echo(line, err=True)
    if not verdict.ok:
        raise TgmonError(verdict.reason)
    typer.echo(verdict.reason)
