"""Translation use cases: the backlog and provider state, and a backfill run now.

`tgmon translate` calls these; the daemon runs the same drain as a job (translation/drain.py).
A backfill ignores an outage back-off the daemon recorded (the user asked) but records a new
one if the provider fails again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from monitor.config.settings import TranslationSettings
from monitor.core.clock import Clock, utcnow
from monitor.translation.drain import DrainReport, OnTranslated, drain_translations
from monitor.translation.providers import translator_for
from storage import translations as store
from storage.database import Database
from storage.models import TranslationProvider


@dataclass(frozen=True)
class BacklogView:
    """Posts by translation status, and each provider's usage and outage state."""

    backlog: dict[str, int]
    providers: list[TranslationProvider]


class TranslationService:
    """The translation backlog of one database, worked off with the configured provider."""

    def __init__(
        self,
        db: Database,
        settings: TranslationSettings,
        *,
        on_translated: OnTranslated | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.on_translated = on_translated
        self.clock = clock

    def status(self) -> BacklogView:
        with self.db.read_session() as session:
            return BacklogView(
                store.translation_backlog(session), store.provider_states(session)
            )

    def requeue_failed(self, since: datetime | None) -> int:
        """Queue failed posts again; return how many."""
        with self.db.session() as session:
            return store.requeue_failed(session, since=since)

    def due(self, since: datetime | None) -> int:
        """How many posts a backfill would work on now."""
        with self.db.read_session() as session:
            return store.count_due(session, now=self.clock(), mode=self.settings.mode, since=since)

    def backfill(
        self,
        *,
        provider: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[DrainReport, int]:
        """Translate due posts now; return the report and how many stay pending."""
        translator = translator_for(self.settings, provider)
        report = drain_translations(
            self.db,
            translator,
            self.settings,
            clock=self.clock,
            limit=limit,
            since=since,
            honour_backoff=False,
            progress=progress,
            on_translated=self.on_translated,
        )
        with self.db.read_session() as session:
            pending = store.translation_backlog(session)["pending"]
        return report, pending
