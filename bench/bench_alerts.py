"""Alert throughput: record_alerts in the ingest transaction, and dispatch_due to a local webhook.

The receiver is a threaded HTTP server in this process on 127.0.0.1 (keep-alive, answers 200),
so the figure is tgmon's own cost per delivery: claim, render, sign, POST, mark sent in its
own transaction. SQLite always; PostgreSQL too when the local server answers.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

from sqlalchemy import create_engine, text

from bench.results import write_section
from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.notifiers import build_notifiers
from monitor.alerts.recorder import record_alerts
from monitor.config.settings import AlertSettings, RouteSettings
from monitor.core.events import ChannelInfo, ChannelPost
from storage.database import Database
from storage.models import Match
from storage.outbox import RetryPolicy
from storage.posts import ensure_channel, upsert_posts

ALERTS = 2000
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def _seed(db: Database, settings: AlertSettings) -> float:
    """Store ALERTS matching posts and record their alerts; return alerts recorded per second."""
    now = datetime.now(UTC)
    posts = [
        ChannelPost(channel_id=1, message_id=n + 1, posted_at=now, text=f"Колонна «Вагнера» №{n}")
        for n in range(ALERTS)
    ]
    with db.session() as session:
        ensure_channel(session, ChannelInfo(1, "bench", "Bench"))
        changes = upsert_posts(session, posts, now=now)
    started = time.perf_counter()
    for start in range(0, ALERTS, 200):  # one ingest batch = one transaction
        with db.session() as session:
            matches = [
                Match(
                    post_id=c.post_id,
                    watchlist="wagner",
                    rule="wagner",
                    severity="warning",
                    terms=["Вагнера"],
                    spans=[[9, 16]],
                    matched_at=now,
                )
                for c in changes[start : start + 200]
            ]
            session.add_all(matches)
            session.flush()
            record_alerts(session, matches, settings, now)
    return ALERTS / (time.perf_counter() - started)


def _measure(db: Database, url: str) -> tuple[float, float]:
    settings = AlertSettings(
        routes=[RouteSettings(name="hook", url=f"webhook+{url}", secret="bench-secret")]
    )
    record_rate = _seed(db, settings)
    notifiers = build_notifiers(settings)
    started = time.perf_counter()
    report = dispatch_due(db, notifiers, retry=RetryPolicy(), limit=ALERTS * 2)
    elapsed = time.perf_counter() - started
    assert report.sent == ALERTS, report
    return record_rate, report.sent / elapsed


def _postgres() -> tuple[Database, str] | None:
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"tgmon_bench_alerts_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception:  # no server: SQLite only
        return None
    db = Database(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    db.upgrade()
    return db, name


def _drop_postgres(name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    rows: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            db.upgrade()
            recorded, sent = _measure(db, url)
            db.dispose()
            rows.append(f"| SQLite (WAL) | {recorded:,.0f} | {sent:,.0f} |")
        pg = _postgres()
        if pg is not None:
            db, name = pg
            try:
                recorded, sent = _measure(db, url)
                rows.append(f"| PostgreSQL (local) | {recorded:,.0f} | {sent:,.0f} |")
            finally:
                db.dispose()
                _drop_postgres(name)
    finally:
        server.shutdown()
        server.server_close()
    body = (
        f"{ALERTS:,} alerts, one signed webhook route to a local HTTP server (same process).\n\n"
        "| database | record_alerts (alerts/s, batches of 200 in one transaction) "
        "| dispatch_due (webhooks delivered/s) |\n|---|---:|---:|\n" + "\n".join(rows) + "\n\n"
        "Each delivery: claimed in batches of 50 (one UPDATE…RETURNING), rendered with Jinja2 "
        "(subject, text, HTML, JSON payload), HMAC-signed, POSTed over a kept-alive httpx "
        "connection, and marked sent in its own transaction. Target: ≥ 200/s on SQLite."
    )
    write_section("alerts", "Alert dispatch", body)
    print(body)


if __name__ == "__main__":
    main()
