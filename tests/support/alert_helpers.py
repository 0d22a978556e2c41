"""Shared builders for the alert tests: posts through upsert_posts, Match rows written directly,
and local receivers (HTTP webhook server) on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlmodel import Session

from monitor.alerts.policy import AlertRules
from monitor.alerts.recorder import record_alerts
from monitor.config.settings import AlertSettings
from monitor.core.events import ChannelInfo, ChannelPost
from storage.models import Match
from storage.posts import ensure_channel, upsert_posts

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEXT = "Колонна «Вагнера» замечена под Бахмутом"


def store_post(
    session: Session,
    channel_id: int,
    message_id: int,
    text: str = TEXT,
    *,
    username: str | None = None,
    fwd: tuple[int, int] | None = None,
    now: datetime = T0,
) -> int:
    """Store one post as the pipeline would; return its id."""
    ensure_channel(
        session, ChannelInfo(channel_id, username or f"chan{channel_id}", f"Chan {channel_id}")
    )
    post = ChannelPost(
        channel_id=channel_id,
        message_id=message_id,
        posted_at=now,
        text=text,
        fwd_from_channel_id=fwd[0] if fwd else None,
        fwd_from_message_id=fwd[1] if fwd else None,
        fwd_from_name="Origin" if fwd else None,
    )
    change = upsert_posts(session, [post], now=now)[0]
    return change.post_id


def add_match(
    session: Session,
    post_id: int,
    *,
    watchlist: str = "wagner",
    severity: str = "warning",
    rule: str = "wagner",
    spans: list[list[int]] | None = None,
    terms: list[str] | None = None,
    version: int = 1,
    now: datetime = T0,
) -> Match:
    match = Match(
        post_id=post_id,
        watchlist=watchlist,
        rule=rule,
        severity=severity,
        terms=terms or ["Вагнера"],
        spans=spans if spans is not None else [[9, 16]],
        post_version=version,
        matched_at=now,
    )
    session.add(match)
    session.flush()
    return match


def match_and_alert(
    session: Session,
    post_id: int,
    settings: AlertSettings | AlertRules,
    now: datetime = T0,
    **kw: Any,
) -> list[Any]:
    """What the lead's match stage does: write Match rows, then record_alerts with them."""
    match = add_match(session, post_id, now=now, **kw)
    return record_alerts(session, [match], settings, now)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server that records requests and answers with a programmable status."""

    respond: Callable[[Received], int] = lambda _r: 200
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                item = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                status = receiver.respond(item)
                receiver.received.append(item)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
