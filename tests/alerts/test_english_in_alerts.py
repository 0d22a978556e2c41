"""Alerts arrive with their English: a delivery waits for the translation (bounded), then the
email's plain and HTML parts and the webhook body carry it; when the wait runs out the alert
says why, and a later translation never sends it again. Real servers on 127.0.0.1 throughout:
aiosmtpd, a webhook receiver and a LibreTranslate-compatible translator."""

from __future__ import annotations

import email
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from monitor.config.settings import Settings
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.wiring import App
from storage.database import Database
from tests.support.alert_helpers import Receiver
from tests.support.libre_server import FakeLibreTranslate

CHANNEL = ChannelInfo(1000000002, "sahel_watch", "Sahel Watch")
LIST = 'name = "war"\nseverity = "critical"\n[[rules]]\nany = ["война", "war"]\n'
RUSSIAN = "Привет мир: война, новости, фронт"
ENGLISH = "EN:hello world: war, news, front"


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def servers() -> Iterator[tuple[FakeLibreTranslate, Receiver, _Sink, int]]:
    libre, hook, sink = FakeLibreTranslate().start(), Receiver().start(), _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield libre, hook, sink, port
    controller.stop()
    libre.stop()
    hook.stop()


class Clock:
    """The real time, moved forward by `ahead` (rows written by the pipeline use real time)."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def _app(
    db: Database, tmp_path: Path, libre_url: str, hook_url: str, smtp_port: int, clock: Clock
) -> App:
    (tmp_path / "lists").mkdir(exist_ok=True)
    (tmp_path / "lists" / "war.toml").write_text(LIST, encoding="utf-8")
    settings = Settings(
        data_dir=tmp_path,
        database={"url": db.url},
        watchlists={"paths": [tmp_path / "lists"]},
        translation={"provider": "libre", "url": libre_url, "timeout": "3s"},
        alerts={
            "translation_wait": "5m",
            "routes": [
                {"name": "desk", "url": f"webhook+{hook_url}", "secret": "s3cret"},
                {
                    "name": "mail",
                    "url": f"smtp://127.0.0.1:{smtp_port}",
                    "mail_from": "tgmon@example.org",
                    "mail_to": ["desk@example.org"],
                },
            ],
        },
    )
    return App(settings, db=db, clock=clock)


def _parts(message: Message) -> tuple[str, str]:
    plain = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            plain = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    return plain, html


def test_alerts_wait_for_the_english_then_carry_it(
    db: Database, tmp_path: Path, servers: Any
) -> None:
    libre, hook, sink, port = servers
    clock = Clock()
    app = _app(db, tmp_path, libre.url, hook.url, port, clock)
    now = clock()
    app.pipeline.ingest(
        CHANNEL,
        [
            ChannelPost(CHANNEL.channel_id, 1, now, text=RUSSIAN),
            ChannelPost(
                CHANNEL.channel_id, 2, now, text="The war goes on in the north, sources say"
            ),
        ],
    )
    first = app.alerts.dispatch()
    # The English post needs no translation: it goes at once, with no English line.
    assert first.sent == 2 and len(hook.received) == 1 and len(sink.messages) == 1
    english_post = json.loads(hook.received[0].body)
    assert english_post["english"] is None
    assert "English:" not in _parts(sink.messages[0])[0]

    report, _pending = app.translation.backfill()  # the daemon's translation job, run now
    assert report.translated == 1
    second = app.alerts.dispatch()
    assert second.sent == 2 and len(hook.received) == 2 and len(sink.messages) == 2
    payload = json.loads(hook.received[1].body)
    assert payload["english"] == {
        "text": ENGLISH,
        "provider": "libre",
        "status": "done",
        "note": None,
    }
    assert payload["post"]["translation"] == ENGLISH
    assert payload["post"]["translation_provider"] == "libre"
    plain, html = _parts(sink.messages[1])
    assert f"English: {ENGLISH} [libre]" in plain
    assert ENGLISH in html and "translation pending" not in plain + html

    app.translation.requeue_failed(None)
    app.pipeline.retry_stages()
    assert app.alerts.dispatch().claimed == 0  # nothing is sent twice
    assert len(hook.received) == 2 and len(sink.messages) == 2


def test_when_the_provider_is_down_the_alert_says_why_and_is_not_resent(
    db: Database, tmp_path: Path, servers: Any
) -> None:
    libre, hook, sink, port = servers
    libre.behaviour.fail_status = 503  # the translator is down
    clock = Clock()
    app = _app(db, tmp_path, libre.url, hook.url, port, clock)
    posted = clock()
    app.pipeline.ingest(CHANNEL, [ChannelPost(CHANNEL.channel_id, 1, posted, text=RUSSIAN)])
    assert app.alerts.dispatch().claimed == 0  # within translation_wait: held
    app.translation.backfill()  # fails: an outage is recorded
    report = app.alerts.dispatch()  # no English is coming soon: sent now, saying why
    assert report.sent == 2
    payload = json.loads(hook.received[0].body)
    assert payload["english"]["text"] is None
    assert payload["english"]["note"].startswith(
        "translation unavailable: provider unreachable since"
    )
    plain, html = _parts(sink.messages[0])
    assert "English: translation unavailable: provider unreachable since" in plain
    assert "provider unreachable since" in html

    libre.behaviour.fail_status = None
    clock.ahead = timedelta(minutes=6)  # the provider is back; the post is due again
    translated, _ = app.translation.backfill()
    assert translated.translated == 1  # the English arrives later…
    clock.ahead = timedelta(minutes=7)
    assert app.alerts.dispatch().claimed == 0  # …and is not resent
    assert len(hook.received) == 1 and len(sink.messages) == 1


def test_a_slow_translation_holds_the_alert_only_up_to_the_wait(
    db: Database, tmp_path: Path, servers: Any
) -> None:
    libre, hook, sink, port = servers
    clock = Clock()
    app = _app(db, tmp_path, libre.url, hook.url, port, clock)
    app.pipeline.ingest(CHANNEL, [ChannelPost(CHANNEL.channel_id, 1, clock(), text=RUSSIAN)])
    assert app.alerts.dispatch().claimed == 0  # the translation job has not run yet
    clock.ahead = timedelta(minutes=6)  # past alerts.translation_wait
    assert app.alerts.dispatch().sent == 2
    note = json.loads(hook.received[0].body)["english"]["note"]
    assert note == "translation unavailable: not ready within alerts.translation_wait"
