"""`tgmon channels add --source web`, `channels list` and `health` with web preview channels.

No Telegram credentials anywhere in these configs: web channels must never need them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import monitor.cli
from monitor.config.settings import load_settings
from monitor.sources.router import kinds_needed
from storage import channels as store
from storage.database import Database
from tests.support.web_preview import FakePreview


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: one line per row


@pytest.fixture
def preview() -> Iterator[FakePreview]:
    server = FakePreview().start()
    yield server
    server.stop()


def invoke(tmp_path: Path, db: Database, preview: FakePreview, *args: str) -> tuple[int, str]:
    config = tmp_path / "tgmon.toml"
    config.write_text(
        f'[database]\nurl = "{db.url}"\n[sources.web]\nbase_url = "{preview.url}"\njitter = "0s"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        monitor.cli.app, ["-c", str(config), "--data-dir", str(tmp_path), *args]
    )
    return result.exit_code, result.output


def test_add_a_web_channel_with_no_account(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    channel = preview.add("GreyZone", 1289637461, "Серая Зона")
    for i in range(30):
        channel.post(f"сводка {i}")
    code, out = invoke(
        tmp_path, db, preview, "channels", "add", "greyzone", "--source", "web", "--backfill", "25"
    )
    assert code == 0, out
    assert "watching @GreyZone (id 1289637461, poll every 5m): 25 post(s) stored" in out
    code, out = invoke(tmp_path, db, preview, "channels", "list")
    assert code == 0
    assert "poll (web)" in out and "Серая Зона" in out
    # adding it again (or through an account later) keeps one row: the id is Telegram's own
    code, out = invoke(tmp_path, db, preview, "channels", "add", "@GreyZone", "--source", "web")
    assert code == 0, out
    with db.read_session() as session:
        rows = store.channel_overview(session)
    assert [(r.channel_id, r.source, r.posts) for r in rows] == [(1289637461, "web", 25)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("closedchan", "error: @closedchan: no web preview: the channel restricts it"),
        ("nosuch_x", "error: @nosuch_x: no such channel"),
    ],
)
def test_unreadable_web_channels_are_one_line(
    db: Database, tmp_path: Path, preview: FakePreview, name: str, message: str
) -> None:
    preview.add("closedchan", 42, "Закрытый канал", preview=False)
    code, out = invoke(tmp_path, db, preview, "channels", "add", name, "--source", "web")
    assert code == 1
    assert out.strip() == message


def test_a_bad_source_kind_is_exit_2(db: Database, tmp_path: Path, preview: FakePreview) -> None:
    code, out = invoke(tmp_path, db, preview, "channels", "add", "x_chan", "--source", "rss")
    assert code == 2
    assert "--source: must be one of telegram, web" in out


def test_health_names_channels_that_cannot_be_read(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    channel = preview.add("GreyZone", 1289637461, "Серая Зона")
    channel.post("one")
    assert invoke(tmp_path, db, preview, "channels", "add", "greyzone", "--source", "web")[0] == 0
    with db.session() as session:
        message = "@GreyZone: no web preview: the channel restricts it"
        store.set_error(session, 1289637461, message, now=datetime.now(UTC))
    code, out = invoke(tmp_path, db, preview, "health", "--worker-id", "nobody")
    assert code == 1  # no daemon ran: still unhealthy, and the channel state is shown too
    assert "channel @GreyZone: @GreyZone: no web preview: the channel restricts it" in out
    code, out = invoke(tmp_path, db, preview, "channels", "list")
    assert "no web preview: the channel restricts it" in out


def test_only_web_channels_need_no_telegram(tmp_path: Path) -> None:
    config = tmp_path / "tgmon.toml"
    config.write_text(
        '[sources]\ndefault = "web"\n[[channels]]\nref = "@rybar"\n'
        '[[channels]]\nref = "@alpha"\nsource = "telegram"\nenabled = false\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert kinds_needed(settings) == {"web"}
    assert kinds_needed(settings, {"telegram"}) == {"web", "telegram"}  # a stored account channel
