"""`tgmon run` with one web preview channel and one account channel side by side, end to end:
web pages (local HTTP server) and Telegram (double) → store → watchlists → signed webhook.
And a daemon watching only web channels runs with no Telegram credentials at all."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

import monitor.sources.telegram.client as telegram_client
from monitor.config.settings import load_settings
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Channel, Post
from tests.support.alert_helpers import Receiver
from tests.support.telegram_double import FakeSession, FakeTelegramClient
from tests.support.web_preview import FakePreview

WAGNER = 'name = "wagner_mali"\nseverity = "critical"\n[[rules]]\nall = ["Вагнер", "Мали"]\n'
GREY = 1289637461


@pytest.fixture
def servers() -> Any:
    preview, hook = FakePreview().start(), Receiver().start()
    yield preview, hook
    preview.stop()
    hook.stop()


def _config(tmp_path: Path, db: Database, preview: FakePreview, hook: Receiver, extra: str) -> Path:
    lists = tmp_path / "lists"
    lists.mkdir(exist_ok=True)
    (lists / "wagner.toml").write_text(WAGNER, encoding="utf-8")
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[database]\nurl = "{db.url}"\n'
        f'[sources.web]\nbase_url = "{preview.url}"\njitter = "0s"\n'
        '[[channels]]\nref = "greyzone"\nsource = "web"\npoll = "1s"\nbackfill = 5\n'
        f"{extra}"
        '[watchlists]\npaths = ["lists"]\n'
        '[translation]\nprovider = "none"\n'  # alerts go at once: no English is coming
        '[daemon]\nheartbeat = "1s"\nalerts_interval = "1s"\n'
        f'[[alerts.routes]]\nname = "desk"\nurl = "webhook+{hook.url}"\nsecret = "s3cret"\n',
        encoding="utf-8",
    )
    return cfg


def _serve_until(settings: Any, db: Database, done: Any) -> None:
    async def main() -> None:
        task = asyncio.create_task(build_app(settings, db=db).serve())
        for _ in range(300):  # up to 30 s on a loaded machine
            await asyncio.sleep(0.1)
            if done() or task.done():
                break
        os.kill(os.getpid(), signal.SIGTERM)  # the daemon's own handler stops it cleanly
        await asyncio.wait_for(task, 15)

    asyncio.run(main())


def test_web_and_account_channels_in_one_daemon(
    db: Database, tmp_path: Path, servers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview, hook = servers
    grey = preview.add("GreyZone", GREY, "Серая Зона")
    grey.post("Обычная сводка без происшествий")
    double = FakeTelegramClient()
    double.session = FakeSession(auth_key=b"k" * 256, string="1SESSION")
    double.add_channel(101, "alpha", "Alpha")
    double.post(101, "Колонна вагнеровцев снова замечена на севере Мали (аккаунт)")
    monkeypatch.setattr(telegram_client, "build_client", lambda *_a, **_k: double)
    extra = (
        '[telegram]\napi_id = 1\napi_hash = "0123abcd"\nsession_string = "1SESSION"\n'
        '[[channels]]\nref = "@alpha"\npoll = "1s"\nbackfill = 10\n'
    )
    settings = load_settings(_config(tmp_path, db, preview, hook, extra))

    def channels_of_alerts() -> set[int]:
        return {json.loads(r.body)["post"]["channel_id"] for r in hook.received}

    def posted_on_the_web() -> bool:  # after the first poll, a new web post must be picked up
        if len(preview.requests) > 1 and len(grey.posts) == 1:
            grey.post("Вагнер и Мали: новая колонна на севере (веб)")
        return channels_of_alerts() >= {GREY, 101}

    _serve_until(settings, db, posted_on_the_web)

    assert channels_of_alerts() >= {GREY, 101}
    with db.read_session() as s:
        rows = {c.id: c for c in s.exec(select(Channel)).all()}
        assert (rows[GREY].source, rows[101].source) == ("web", "telegram")
        web_posts = s.exec(select(Post).where(Post.channel_id == GREY)).all()
        assert sorted(p.message_id for p in web_posts) == [1, 2]
        assert all(p.url == f"https://t.me/GreyZone/{p.message_id}" for p in web_posts)


def test_only_web_channels_run_without_any_telegram_settings(
    db: Database, tmp_path: Path, servers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview, hook = servers
    grey = preview.add("GreyZone", GREY, "Серая Зона")
    grey.post("Колонна вагнеровцев замечена на севере Мали")

    def no_telegram(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("a web-only daemon must not open Telegram")

    monkeypatch.setattr(telegram_client, "build_client", no_telegram)
    settings = load_settings(_config(tmp_path, db, preview, hook, ""))
    assert settings.telegram.api_id is None
    assert build_app(settings, db=db).source_kinds_needed() == {"web"}
    _serve_until(settings, db, lambda: bool(hook.received))
    assert [json.loads(r.body)["alert"]["watchlist"] for r in hook.received] == ["wagner_mali"]
