"""`tgmon translate` through the real CLI, a real database and a local LibreTranslate server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import monitor.cli
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.pipeline.ingest import Pipeline
from storage.database import Database
from tests.support.libre_server import FakeLibreTranslate

KEY = "libre-key-9d2c71aa"


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


def write_config(tmp_path: Path, db: Database, translation: str) -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[database]\nurl = "{db.url}"\n{translation}',
        encoding="utf-8",
    )
    return path


def libre_config(tmp_path: Path, db: Database, libre: FakeLibreTranslate, extra: str = "") -> Path:
    section = f'[translation]\nprovider = "libre"\nurl = "{libre.url}"\napi_key = "{KEY}"\n'
    return write_config(tmp_path, db, section + extra)


def seed(db: Database, texts: dict[int, str]) -> None:
    now = datetime.now(UTC)
    posts = [ChannelPost(1, mid, now, text=t) for mid, t in texts.items()]
    Pipeline(db).ingest(ChannelInfo(1, "chan"), posts)


def run(config: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(monitor.cli.app, ["-c", str(config), "translate", *args])


def test_translate_reports_counts_and_status_shows_the_backlog(
    tmp_path: Path, db: Database, libre: FakeLibreTranslate
) -> None:
    seed(db, {1: "привет мир", 2: "привет мир", 3: "война", 4: ""})
    config = libre_config(tmp_path, db, libre)
    result = run(config)
    assert result.exit_code == 0, result.output
    assert "translated 2, from cache 1, skipped 1, failed 0" in result.stdout
    assert "still pending 0" in result.stdout
    assert libre.behaviour.received[0].api_key == KEY
    status = run(config, "--status")
    assert status.exit_code == 0, status.output
    assert "done" in status.stdout and "libre: " in status.stdout
    assert KEY not in status.stdout


def test_an_unreachable_provider_exits_1_and_leaves_posts_pending(
    tmp_path: Path, db: Database, libre: FakeLibreTranslate
) -> None:
    seed(db, {1: "привет", 2: "мир"})
    config = libre_config(tmp_path, db, libre)
    libre.stop()
    result = run(config)
    assert result.exit_code == 1
    assert "cannot connect" in result.stderr and "2 post(s) stay pending" in result.stderr
    assert KEY not in result.output
    libre.start()
    result = run(config, "--limit", "1")  # the CLI ignores the daemon's back-off: you asked
    assert result.exit_code == 0, result.output
    assert "translated 1" in result.stdout and "still pending 1" in result.stdout


def test_retry_failed_and_provider_override_from_the_environment(
    tmp_path: Path, db: Database, libre: FakeLibreTranslate, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db, {1: "война " * 20, 2: "мир"})
    config = write_config(tmp_path, db, "[translation]\nmax_attempts = 1\n")
    monkeypatch.setenv("TGMON_TRANSLATION__PROVIDER", "libre")
    monkeypatch.setenv("TGMON_TRANSLATION__URL", libre.url)
    libre.behaviour.max_chars = 50
    result = run(config)
    assert result.exit_code == 0, result.output
    assert "translated 1" in result.stdout and "failed 1" in result.stdout
    libre.behaviour.max_chars = None
    result = run(config, "--retry-failed", "--since", "7d")
    assert result.exit_code == 0, result.output
    assert "queued 1 failed post(s) again" in result.stderr
    assert "translated 1" in result.stdout and "failed 0" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--since", "soon"], "--since"), (["--provider", "babel"], "--provider")],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, db: Database, libre: FakeLibreTranslate, args: list[str], message: str
) -> None:
    result = run(libre_config(tmp_path, db, libre), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_provider_none_is_a_config_error(tmp_path: Path, db: Database) -> None:
    result = run(write_config(tmp_path, db, '[translation]\nprovider = "none"\n'))
    assert result.exit_code == 2 and "provider none" in result.stderr
