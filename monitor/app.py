"""Wiring: turn Settings into the objects commands use (database, pipeline stages).

The one place that decides which stages run; commands and the daemon both call it.
"""

from __future__ import annotations

from monitor.config import Settings
from monitor.pipeline import Pipeline, Stage
from monitor.stages import LanguageStage, MatchListener, MatchStage
from monitor.translation_triage import TranslationTriageStage
from monitor.watchlist_registry import WatchlistRegistry
from storage.database import Database


def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    """Open the configured database and bring its schema up to date."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    if upgrade:
        db.upgrade()
    return db


def match_listeners(settings: Settings) -> list[MatchListener]:
    """Who hears about matches that became live or stopped firing."""
    return []


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
    return Pipeline(db, build_stages(settings, registry))
