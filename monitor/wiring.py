"""Wiring: turn Settings into the objects commands use (database, pipeline stages).

The one place that decides which stages run; commands and the daemon both call it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from monitor.alerts.policy import AlertRules
from monitor.alerts.recorder import record_alerts, record_deletion_alerts
from monitor.config.settings import Settings
from monitor.matching.registry import WatchlistRegistry
from monitor.pipeline.ingest import Pipeline, Stage
from monitor.pipeline.stages import LanguageStage, MatchListener, MatchStage, match_posts
from monitor.translation.triage import TranslationTriageStage
from storage.database import Database
from storage.matches import MatchChanges
from storage.search import refresh_search_text


def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    """Open the configured database and bring its schema up to date."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    if upgrade:
        db.upgrade()
    return db


def match_listeners(settings: Settings) -> list[MatchListener]:
    """Who hears about matches that became live: the alert outbox, in the same transaction."""
    rules = AlertRules.from_settings(settings.alerts)

    def raise_alerts(session: Session, changes: MatchChanges) -> None:
        if changes.added:
            record_alerts(session, changes.added, rules)

    return [raise_alerts]


def after_translation(
    settings: Settings, registry: WatchlistRegistry
) -> Callable[[Session, list[int]], None]:
    """What runs when translations are stored: index them, match them, alert on new matches."""
    listeners = match_listeners(settings)

    def on_translated(session: Session, post_ids: list[int]) -> None:
        refresh_search_text(session, post_ids)
        changes = match_posts(
            session,
            registry.matcher(),
            post_ids,
            sources=("translation",),
            translation_language=settings.translation.target,
        )
        for listener in listeners:
            listener(session, changes)

    return on_translated


def build_stages(settings: Settings, registry: WatchlistRegistry | None = None) -> list[Stage]:
    """The stages after `store`, in order: language, translation triage, matching (→ alerts)."""
    registry = registry or WatchlistRegistry(settings.watchlist_dirs())
    return [
        LanguageStage(),
        TranslationTriageStage(settings.translation),  # reads the language just detected
        MatchStage(
            registry.matcher,
            match_listeners(settings),
            translation_language=settings.translation.target,
        ),
    ]


def build_pipeline(
    settings: Settings, db: Database, registry: WatchlistRegistry | None = None
) -> Pipeline:
    registry = registry or WatchlistRegistry(settings.watchlist_dirs())
    rules = AlertRules.from_settings(settings.alerts)

    def deletion_alerts(session: Session, post_ids: list[int]) -> None:
        record_deletion_alerts(session, post_ids, rules)

    return Pipeline(db, build_stages(settings, registry), on_deleted=deletion_alerts)
