"""Hand-over notices: a worker that stops cleanly tells the others its channels are free.

`release_all` (storage.leases) sends `NOTIFY tgmon_handover, '<worker id>'` in the transaction
that frees the leases, so PostgreSQL delivers it once they are free. Each worker listens on a
connection of its own (outside the pool) and runs a lease round when it hears one, instead of
waiting up to a third of the lease period for its next round. SQLite has one worker: nothing to
hand over.
"""

from __future__ import annotations

import logging
import select
import time
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from storage.database import Database

log = logging.getLogger(__name__)
HANDOVER_CHANNEL = "tgmon_handover"


def announce_handover(session: Session, worker_id: str) -> None:
    """Tell the listening workers (at commit) that `worker_id` gave its channels back."""
    session.execute(
        text("SELECT pg_notify(:channel, :worker)"),
        {"channel": HANDOVER_CHANNEL, "worker": worker_id},
    )


class HandoverListener:
    """Hears other workers' hand-over notices on one dedicated PostgreSQL connection."""

    def __init__(self, db: Database, worker_id: str) -> None:
        self.db = db
        self.worker_id = worker_id
        self._conn: Any = None
        self._heard = False
        self._unsupported = False

    def _connect(self) -> Any:
        dialect = self.db.engine.dialect
        cargs, cparams = dialect.create_connect_args(self.db.engine.url)
        conn = dialect.connect(*cargs, **cparams)
        if not hasattr(conn, "add_notify_handler"):  # not psycopg 3 (e.g. psycopg2)
            conn.close()
            return None
        conn.autocommit = True
        conn.add_notify_handler(self._on_notify)
        conn.execute(f"LISTEN {HANDOVER_CHANNEL}")
        return conn

    def _on_notify(self, notify: Any) -> None:
        if notify.payload != self.worker_id:  # our own notice is no news
            self._heard = True

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True when another worker handed channels over.

        A lost connection raises (the caller counts and retries it); the next call reconnects.
        """
        if self._conn is None and not self._unsupported:
            self._conn = self._connect()
            if self._conn is None:
                self._unsupported = True
                log.warning(
                    "hand-over notices need the psycopg driver (postgresql+psycopg://); "
                    "channels of a stopped worker move at the next lease round"
                )
        if self._conn is None:
            time.sleep(timeout)
            return False
        try:
            ready, _, _ = select.select([self._conn.fileno()], [], [], timeout)
            if ready:
                self._conn.execute("SELECT 1")  # reads what arrived; the handler runs
        except Exception:
            self.close()
            raise
        heard, self._heard = self._heard, False
        return heard

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
