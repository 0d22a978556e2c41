"""The composition root: the one place that turns Settings into working parts.

Every entry point — each CLI command, the daemon, the demo, the benchmarks and the tests —
calls `build_app(settings)` and uses what it returns. Nothing else constructs a pipeline, a
translator, a dispatcher or a request budget, so which stages run, in what order, and who
hears about a match is decided here and only here. Parts are built on first use: `tgmon
search` never loads the watchlists' dictionaries, `tgmon health` never imports Telethon.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from monitor.alerts.recorder import AlertRecorder
from monitor.config.settings import Settings, prepare_data_dir
from monitor.core.clock import Clock, utcnow
from monitor.matching.registry import WatchlistRegistry
from monitor.pipeline.compile_apart import compile_apart
from monitor.pipeline.ingest import Pipeline, Stage, StageRetry
from monitor.pipeline.parallel import CorePool
from monitor.pipeline.stages import LanguageStage, MatchStage
from monitor.pipeline.translated import TranslatedPosts
from monitor.services.alerts import AlertService
from monitor.services.channels import ChannelService
from monitor.services.desk import DeskService
from monitor.services.search import SearchService
from monitor.services.translation import TranslationService
from monitor.services.watchlists import WatchlistService
from monitor.sources import Source
from monitor.sources.request_budget import RequestBudget
from monitor.translation.triage import TranslationTriageStage
from storage.database import Database
from storage.workers import upgrade_serialised

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from monitor.alerts.dispatch import Dispatcher
    from monitor.daemon.contracts import JobSpec
    from monitor.daemon.watcher import ChannelWatcher

log = logging.getLogger("monitor.daemon")
WATCHLIST_RELOAD = timedelta(seconds=10)  # how often the daemon looks for changed list files


def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    """Open the configured database and bring its schema up to date."""
    prepare_data_dir(settings.data_dir)
    db = Database(settings.database_url)
    if upgrade:
        db.upgrade()
    return db


class App:
    """tgmon assembled from one Settings: storage, pipeline, services, daemon parts."""

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database | None = None,
        upgrade: bool = True,
        clock: Clock = utcnow,
        compile_apart: bool = False,
    ) -> None:
        """`compile_apart`: compile the watchlists in a child process, so this one never
        holds the dictionaries (~110 MB); for long-running commands (import, run)."""
        self.settings = settings
        self.clock = clock
        self._upgrade = upgrade
        self._compile_apart = compile_apart
        if db is not None:
            self.__dict__["db"] = db  # a caller-owned database (tests, benchmarks)

    # -- storage -----------------------------------------------------------------------

    @cached_property
    def db(self) -> Database:
        return open_database(self.settings, upgrade=self._upgrade)

    def close(self) -> None:
        """Return the database's connections now (PostgreSQL), not at interpreter exit."""
        if "db" in self.__dict__:
            self.db.dispose()

    # -- the pipeline: store → language → translation triage → match → alerts ------------

    @cached_property
    def registry(self) -> WatchlistRegistry:
        """The watchlists in force, reloaded when their files change."""
        if self._compile_apart:
            return WatchlistRegistry(self.settings.watchlist_dirs(), compiler=compile_apart)
        return WatchlistRegistry(self.settings.watchlist_dirs())

    @cached_property
    def alert_recorder(self) -> AlertRecorder:
        return AlertRecorder(self.settings.alerts)

    def stages(self) -> list[Stage]:
        """The stages after `store`, in order: language, translation triage, matching."""
        return [
            LanguageStage(self.core_pool),
            TranslationTriageStage(self.settings.translation),  # reads the language just set
            MatchStage(
                self.registry.matcher,
                [self.alert_recorder.on_matches],  # matches that became live raise alerts
                translation_language=self.settings.translation.target,
                pool=self.core_pool,
            ),
        ]

    @cached_property
    def core_pool(self) -> CorePool:
        """The second core for large batches (imports): starts only for 1,000+ posts."""
        return CorePool()

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(
            self.db,
            self.stages(),
            on_deleted=self.alert_recorder.on_deleted,
            clock=self.clock,
            retry=StageRetry(max_attempts=self.settings.daemon.stage_max_attempts),
        )

    @cached_property
    def translated_posts(self) -> TranslatedPosts:
        """Run when translations are stored: index, match, alert — like a new post."""
        return TranslatedPosts(
            self.registry.matcher,
            [self.alert_recorder.on_matches],
            translation_language=self.settings.translation.target,
        )

    # -- services: the use cases the CLI (and the daemon) call ---------------------------

    @cached_property
    def search(self) -> SearchService:
        return SearchService(
            self.db, translation_on=self.settings.translation.provider != "none"
        )

    @cached_property
    def alerts(self) -> AlertService:
        return AlertService(self.db, self.settings, clock=self.clock)

    @cached_property
    def translation(self) -> TranslationService:
        return TranslationService(
            self.db,
            self.settings.translation,
            # built on first arrival, so `translate --status` never loads the watchlists
            on_translated=lambda session, post_ids: self.translated_posts(session, post_ids),
            clock=self.clock,
        )


    @cached_property
    def watchlists(self) -> WatchlistService:
        return WatchlistService(lambda: self.db, self.settings, self.alert_recorder)

    @cached_property
    def channels(self) -> ChannelService:
        return ChannelService(self.db, clock=self.clock)

    # -- the analyst desk (monitor/web): served by `tgmon web`, or by the daemon ----------

    @cached_property
    def desk(self) -> DeskService:
        return DeskService(self.db, self.alerts, self.watchlists)

    def web_app(self) -> Starlette:
        """The desk's ASGI app over this app's services and the [web] settings."""
        from monitor.web.app import DeskParts, create_web_app

        parts = DeskParts(
            search=self.search,
            alerts=self.alerts,
            desk=self.desk,
            translation_target=self.settings.translation.target,
            clock=self.clock,
        )
        return create_web_app(parts, self.settings.web)

    def _start_desk(self) -> asyncio.Task[None] | None:
        """With [web] serve_with_daemon, bind the desk's port now and serve it in a task."""
        if not self.settings.web.serve_with_daemon:
            return None
        from monitor.web.serve import bind, serve

        sock = bind(self.settings.web)  # refused exposure or a taken port: ConfigError now
        return asyncio.create_task(serve(self.web_app(), sock, own_signals=False))

    # -- the daemon: sources, watcher, jobs --------------------------------------------

    @cached_property
    def request_budget(self) -> RequestBudget:
        """The account's one request budget, shared by every channel and command."""
        tg = self.settings.telegram
        return RequestBudget(tg.requests_per_minute, tg.request_burst)

    def open_telegram(
        self, client_factory: Callable[..., Any] | None = None, *, require_login: bool = False
    ) -> AbstractAsyncContextManager[Source]:
        """The connected, logged-in Telegram source (SessionError when not logged in).

        `require_login` fails before connecting when the keys or the session are missing
        (the daemon); interactive commands let Telegram say so.
        """
        from monitor.sources.telegram.client import require_credentials
        from monitor.sources.telegram.source import connect

        if require_login:
            require_credentials(self.settings)
        return connect(self.settings, client_factory=client_factory)

    def source_kinds_needed(self) -> set[str]:
        """Source kinds of the configured and stored watched channels ('telegram' → login)."""
        from monitor.sources.router import kinds_needed
        from storage.channels import watched_source_kinds

        with self.db.read_session() as session:
            stored = watched_source_kinds(session)
        return kinds_needed(self.settings, stored)

    def open_sources(
        self,
        kinds: set[str],
        *,
        ref_kinds: dict[str, str] | None = None,
        client_factory: Callable[..., Any] | None = None,
        require_login: bool = False,
    ) -> AbstractAsyncContextManager[Source]:
        """One Source routing each channel to the web preview or the Telegram account.

        Telegram is opened only when `kinds` includes it: web-only setups need no login.
        """
        from monitor.sources.router import open_sources

        return open_sources(
            self.settings,
            kinds,
            ref_kinds=ref_kinds,
            telegram=lambda _settings: self.open_telegram(
                client_factory, require_login=require_login
            ),
        )

    def watcher(self, source: Source) -> ChannelWatcher:
        """The per-channel reader over `source`, feeding this app's pipeline."""
        from monitor.daemon.watcher import ChannelWatcher

        return ChannelWatcher(
            source,
            self.pipeline,
            self.db,
            self.settings,
            budget=self.request_budget,
            misses_before_deleted=self.settings.daemon.recheck_misses,
        )

    def daemon_jobs(self, dispatcher: Dispatcher) -> list[JobSpec]:
        """Translation drain, alert dispatch and watchlist hot reload, at their rates."""
        from monitor.daemon.contracts import JobSpec
        from monitor.translation.drain import make_translation_job

        cfg = self.settings.daemon
        translate = make_translation_job(
            self.settings, self.db, on_translated=self.translated_posts
        )
        return [
            JobSpec("translation", translate, cfg.translation_interval),
            JobSpec("alerts", dispatcher.run_once, cfg.alerts_interval),
            JobSpec("watchlists", self.registry.refresh, WATCHLIST_RELOAD),
            JobSpec("stages", self.pipeline.retry_stages, cfg.stage_retry_interval),
        ]

    async def serve(
        self,
        *,
        jobs: Sequence[JobSpec] = (),
        client_factory: Callable[..., Any] | None = None,
    ) -> None:
        """Open the source, build the daemon around the watcher and its jobs, run until stopped."""
        from monitor.alerts.dispatch import Dispatcher
        from monitor.daemon.stop_guard import StopGuard
        from monitor.daemon.worker import Daemon

        guard = StopGuard()  # a signal before the daemon runs, or after, still exits 0
        guard.arm()
        dispatcher: Dispatcher | None = None
        desk: asyncio.Task[None] | None = None
        try:
            desk = self._start_desk()  # the analyst desk, when [web] serve_with_daemon
            await asyncio.to_thread(upgrade_serialised, self.db)  # workers may start together
            dispatcher = Dispatcher(
                self.db,
                self.settings,
                worker_id=self.settings.daemon.worker_name(),
                clock=self.clock,
            )
            all_jobs = [*self.daemon_jobs(dispatcher), *jobs]
            kinds = await asyncio.to_thread(self.source_kinds_needed)
            async with self.open_sources(
                kinds, client_factory=client_factory, require_login=True
            ) as source:
                daemon = Daemon(
                    self.settings,
                    self.db,
                    source=source,
                    watcher_factory=lambda src, _pipe, _db, _conf: self.watcher(src),
                    pipeline=self.pipeline,
                    jobs=all_jobs,
                    clock=self.clock,
                )
                guard.disarm()  # the daemon handles signals while it runs
                try:
                    await daemon.run()
                finally:
                    guard.arm()  # disconnecting is guarded again
        except asyncio.CancelledError:
            if not guard.stopped:
                raise
            log.info("stopped on %s before the daemon ran", guard.signal_name)
        finally:
            if desk is not None:
                desk.cancel()
                await asyncio.gather(desk, return_exceptions=True)
            if dispatcher is not None:
                dispatcher.close()
            guard.disarm()


def build_app(
    settings: Settings,
    *,
    db: Database | None = None,
    upgrade: bool = True,
    compile_apart: bool = False,
) -> App:
    """Assemble tgmon from settings; `db` lets a caller supply an already open database."""
    return App(settings, db=db, upgrade=upgrade, compile_apart=compile_apart)
