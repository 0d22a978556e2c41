"""Wiring: turn Settings into the objects commands use (database, pipeline stages).

The one place that decides which stages run; commands and the daemon both call it.
"""

from __future__ import annotations

from monitor.config import Settings
from monitor.pipeline import Pipeline, Stage
from storage.database import Database


def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    """Open the configured database and bring its schema up to date."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    if upgrade:
        db.upgrade()
    return db


def build_stages(settings: Settings) -> list[Stage]:
    """The stages after `store`, in order."""
    from monitor.translation_triage import TranslationTriageStage

    # Language detection (when wired) must come before the triage, which reads Post.language.
    return [TranslationTriageStage(settings.translation)]


def build_pipeline(settings: Settings, db: Database) -> Pipeline:
    return Pipeline(db, build_stages(settings))
