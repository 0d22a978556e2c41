"""The link from matching to the outbox: matches that became live, and deletions, raise alerts.

`AlertRecorder` is what the match stage, the translation arrival step and the pipeline's
deletion hook call, inside the transaction that changed the matches, so an alert exists if
and only if its match does (the transactional outbox).
"""

from __future__ import annotations

from sqlmodel import Session

from monitor.config.settings import AlertSettings
from storage.alert_records import record_alerts, record_deletion_alerts
from storage.matches import MatchChanges


class AlertRecorder:
    """Writes Alert and Delivery rows for new matches and for deleted watched posts."""

    def __init__(self, settings: AlertSettings) -> None:
        self.settings = settings

    def on_matches(self, session: Session, changes: MatchChanges) -> None:
        """Matches that became live raise (or join) alerts; removed matches raise none."""
        if changes.added:
            record_alerts(session, changes.added, self.settings)

    def on_deleted(self, session: Session, post_ids: list[int]) -> None:
        """Deleted posts that had live matches raise deletion alerts where lists ask for it."""
        record_deletion_alerts(session, post_ids, self.settings)
