"""The worker's own rows: registration, heartbeat with its job states, leases, exit.

Synchronous, one short transaction each; the daemon runs them in a thread. `tgmon health`
and `channels list` read what these write, so a worker's state is visible from any host.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.config.settings import DaemonSettings
from monitor.core.clock import Clock
from monitor.daemon.contracts import HeldChannel, held_channel
from storage.database import Database
from storage.handover import HandoverListener
from storage.leases import LeaseRound, held_channels, lease_round, release_all
from storage.workers import (
    backlog_counts,
    latest_post_times,
    mark_stopped,
    prune_translation_cache,
    record_beat,
    register_worker,
)


@dataclass(frozen=True)
class Beat:
    """What one heartbeat read back: newest post per held channel and the backlogs."""

    at: datetime
    latest: dict[int, datetime]
    backlogs: dict[str, int]


class WorkerRecord:
    """Reads and writes the rows of one worker (`worker_id`) in the shared database."""

    def __init__(self, db: Database, worker_id: str, cfg: DaemonSettings, clock: Clock) -> None:
        self.db = db
        self.worker_id = worker_id
        self.cfg = cfg
        self.clock = clock
        self._listener: HandoverListener | None = None

    def register(self) -> None:
        with self.db.session() as session:
            register_worker(
                session,
                self.worker_id,
                host=socket.gethostname(),
                pid=os.getpid(),
                now=self.clock(),
                heartbeat_s=int(self.cfg.heartbeat.total_seconds()),
                stale_after=self.cfg.lease_period,
            )

    def beat(self, jobs: dict[str, Any], held: list[int]) -> Beat:
        now = self.clock()
        with self.db.session() as session:
            record_beat(session, self.worker_id, now, jobs)
            latest = latest_post_times(session, held)
            counts = backlog_counts(session)
        return Beat(now, latest, counts)

    def lease(self) -> tuple[LeaseRound, dict[int, HeldChannel]]:
        """One lease round; the rows of the channels held after it."""
        with self.db.session() as session:
            decided = lease_round(
                session, self.worker_id, now=self.clock(), period=self.cfg.lease_period
            )
            rows = held_channels(session, list(decided.held))
            return decided, {c.id: held_channel(c) for c in rows}

    def prune_translation_cache(self, max_age: timedelta) -> int:
        with self.db.session() as session:
            return prune_translation_cache(session, self.clock() - max_age)

    def heard_handover(self, timeout: float) -> bool:
        """Wait up to `timeout` s for another worker to hand its channels over (PostgreSQL)."""
        if self._listener is None:
            self._listener = HandoverListener(self.db, self.worker_id)
        return self._listener.wait(timeout)

    def stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def record_exit(self, jobs: dict[str, Any]) -> None:
        """Mark the worker stopped and hand its channels back at once."""
        with self.db.session() as session:
            mark_stopped(session, self.worker_id, self.clock(), jobs)
            release_all(session, self.worker_id)
