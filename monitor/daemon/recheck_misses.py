"""Posts a re-read did not return: one miss may be a server's whim, several in a row a deletion.

Telegram may leave a deleted message out of getMessages instead of saying it is empty. The
counts live in memory: a restart starts them again, which only delays a deletion mark.
"""

from __future__ import annotations

import logging

log = logging.getLogger("monitor.daemon.watcher")


class RecheckMisses:
    """Consecutive re-reads each post was missing from, per channel."""

    def __init__(self, before_deleted: int = 3) -> None:
        self.before_deleted = before_deleted
        self._counts: dict[int, dict[int, int]] = {}  # channel -> message -> re-reads missed

    def missed(self, channel_id: int, not_returned: list[int]) -> list[int]:
        """Record one re-read's missing ids; return those now missing often enough: deleted.

        An id absent from `not_returned` was seen (or is no longer re-read): its count ends.
        """
        previous = self._counts.pop(channel_id, {})
        counts = {mid: previous.get(mid, 0) + 1 for mid in not_returned}
        gone = sorted(mid for mid, n in counts.items() if n >= self.before_deleted)
        self._counts[channel_id] = {m: n for m, n in counts.items() if m not in gone}
        if not_returned:
            log.info(
                "channel %s: %d post(s) not returned by the re-read (%d now counted deleted)",
                channel_id,
                len(not_returned),
                len(gone),
                extra={"channel_id": channel_id, "not_returned": not_returned[:20]},
            )
        return gone
