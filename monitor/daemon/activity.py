"""What the daemon tells people it did: posts per channel from polls, a summary of live events.

Poll and catch-up runs are logged as they finish; live events arrive one by one, so they are
counted and summed up per channel at each heartbeat — either way a user can see the daemon work.
Metrics count the same posts.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from monitor.core.events import PostEvent
from monitor.daemon.metrics import Metrics

log = logging.getLogger("monitor.daemon")


class ActivityLog:
    """Counts and logs ingestion for one daemon."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._live: Counter[tuple[int, str]] = Counter()  # since the last summary

    def ingested(self, channel_id: int, report: Any) -> None:
        """A poll, recheck or catch-up of one channel finished with this report."""
        if report is None:
            return
        new, edited = getattr(report, "new", 0), getattr(report, "edited", 0)
        self.metrics.ingested(channel_id, new, edited)
        if new or edited:
            log.info(
                "channel %s: %d new, %d edited posts",
                channel_id,
                new,
                edited,
                extra={"channel_id": channel_id, "new": new, "edited": edited},
            )

    def live_event(self, event: PostEvent) -> None:
        self._live[(event.channel_id, event.kind)] += 1

    def summarise_live(self) -> None:
        """Log, per channel, the live events since the last call (the heartbeat)."""
        counts, self._live = self._live, Counter()
        for cid in sorted({cid for cid, _ in counts}):
            new, edited, deleted = (counts[(cid, kind)] for kind in ("new", "edited", "deleted"))
            log.info(
                "channel %s (live): %d new, %d edited, %d deleted since the last heartbeat",
                cid,
                new,
                edited,
                deleted,
                extra={"channel_id": cid, "new": new, "edited": edited, "deleted": deleted},
            )
