"""`tgmon run` wired end to end: Telegram (test double) → store → language → translation
(local LibreTranslate) → search index → watchlists → alert outbox → signed webhook (local)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

import monitor.sources.telegram.client as telegram_client
from monitor.cli import app
from monitor.config.settings import load_settings
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Alert, Post
from tests.support.alert_helpers import Receiver
from tests.support.libre_server import FakeLibreTranslate
from tests.support.telegram_double import FakeSession, FakeTelegramClient

WAGNER = 'name = "wagner_mali"\nseverity = "critical"\n[[rules]]\nall = ["Вагнер", "Мали"]\n'
WAR = 'name = "war_en"\n[[rules]]\nany = ["war"]\ntext = "translation"\n'


@pytest.fixture
def servers() -> Any:
    libre, hook = FakeLibreTranslate().start(), Receiver().start()
    yield libre, hook
    libre.stop()
    hook.stop()


def test_a_post_travels_from_telegram_to_a_webhook(
    db: Database, tmp_path: Path, servers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    libre, hook = servers
    double = FakeTelegramClient()
    double.session = FakeSession(auth_key=b"k" * 256, string="1SESSION")
    double.add_channel(101, "alpha", "Alpha")
    double.post(101, "Колонна вагнеровцев снова замечена на севере Мали, сообщают источники")
    double.post(101, "Привет мир: война, новости, фронт")
    monkeypatch.setattr(telegram_client, "build_client", lambda *_a, **_k: double)

    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "wagner.toml").write_text(WAGNER, encoding="utf-8")
    (lists / "war.toml").write_text(WAR, encoding="utf-8")
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[database]\nurl = "{db.url}"\n'
        '[telegram]\napi_id = 1\napi_hash = "0123abcd"\nsession_string = "1SESSION"\n'
        '[[channels]]\nref = "@alpha"\npoll = "1s"\nbackfill = 10\n'
        f'[translation]\nprovider = "libre"\nurl = "{libre.url}"\n'
        '[watchlists]\npaths = ["lists"]\n'
        '[daemon]\nheartbeat = "1s"\ntranslation_interval = "1s"\nalerts_interval = "1s"\n'
        f'[[alerts.routes]]\nname = "desk"\nurl = "webhook+{hook.url}"\nsecret = "s3cret"\n',
        encoding="utf-8",
    )
    settings = load_settings(cfg)

    async def main() -> None:
        task = asyncio.create_task(build_app(settings, db=db).serve())
        for _ in range(300):  # up to 30 s on a loaded machine
            await asyncio.sleep(0.1)
            names = {json.loads(r.body)["alert"]["watchlist"] for r in hook.received}
            if {"wagner_mali", "war_en"} <= names or task.done():
                break
        os.kill(os.getpid(), signal.SIGTERM)  # the daemon's own handler stops it cleanly
        await asyncio.wait_for(task, 15)

    asyncio.run(main())

    payloads = [json.loads(r.body) for r in hook.received]
    assert {p["alert"]["watchlist"] for p in payloads} == {"wagner_mali", "war_en"}
    assert all(r.headers["X-Tgmon-Signature"].startswith("sha256=") for r in hook.received)
    with db.read_session() as s:
        posts = {p.message_id: p for p in s.exec(select(Post)).all()}
        assert {p.language for p in posts.values()} == {"ru"}
        assert any((p.translation or "").startswith("EN:") for p in posts.values())
        assert len(s.exec(select(Alert)).all()) == 2
    found = CliRunner().invoke(app, ["-c", str(cfg), "search", "war", "--format", "jsonl"])
    assert found.exit_code == 0, found.output
    assert "Привет мир" in found.output  # the translation is in the search index
