"""`tgmon run` refuses clearly without credentials; `tgmon health` reads the worker row."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import monitor.cli
from monitor.core.clock import utcnow
from monitor.core.events import ChannelInfo
from storage.channels import set_error
from storage.database import Database
from storage.posts import ensure_channel
from storage.workers import mark_stopped, record_beat, register_worker


def invoke(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    config = tmp_path / "tgmon.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    result = CliRunner().invoke(
        monitor.cli.app, ["-c", str(config), "--data-dir", str(tmp_path), *args]
    )
    return result.exit_code, result.output


def register(db: Database, wid: str, *, beat_ago: float = 0) -> None:
    now = utcnow()
    with db.session() as session:
        register_worker(
            session,
            wid,
            host="h",
            pid=1,
            now=now - timedelta(seconds=beat_ago),
            heartbeat_s=30,
            stale_after=timedelta(seconds=90),
        )


def test_health_without_a_daemon_says_so(db: Database, tmp_path: Path) -> None:
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "w1")
    assert code == 1
    assert "no heartbeat from worker 'w1': is `tgmon run` running?" in out


def test_health_without_a_database_file(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, f"sqlite:///{tmp_path / 'none.db'}", "health")
    assert code == 1 and "no database at" in out
    assert not (tmp_path / "none.db").exists()  # a health check creates nothing


def test_health_fresh_heartbeat_is_ok(db: Database, tmp_path: Path) -> None:
    register(db, "w1")
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "w1")
    assert code == 0, out
    assert out.startswith("ok: worker 'w1' beat")


def test_health_stale_heartbeat_and_stuck_job(db: Database, tmp_path: Path) -> None:
    register(db, "old", beat_ago=600)
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "old")
    assert code == 1 and "last heartbeat 10m ago (limit 90s)" in out

    register(db, "busy")
    since = (utcnow() - timedelta(hours=1)).isoformat()
    with db.session() as session:
        record_beat(
            session, "busy", utcnow(), {"poll": {"running_since": since, "stuck_after_s": 900}}
        )
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "busy")
    assert code == 1 and "job poll running for 60m (limit 15m)" in out


def test_health_after_a_clean_stop(db: Database, tmp_path: Path) -> None:
    register(db, "w1")
    with db.session() as session:
        mark_stopped(session, "w1", utcnow(), {})
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "w1")
    assert code == 1 and "worker 'w1' stopped" in out


@pytest.mark.parametrize(
    ("env", "code", "says"),
    [
        ({}, 2, "telegram.api_id and telegram.api_hash are required"),
        (
            {"TGMON_TELEGRAM__API_ID": "1", "TGMON_TELEGRAM__API_HASH": "abcdef123456"},
            1,
            "no Telegram session",
        ),
    ],
)
def test_run_without_credentials_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], code: int, says: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    exit_code, out = invoke(tmp_path, f"sqlite:///{tmp_path / 't.db'}", "run")
    assert exit_code == code
    assert says in out and "abcdef123456" not in out


def test_health_fails_on_a_job_failing_in_a_row_and_on_a_channel_in_error(
    db: Database, tmp_path: Path
) -> None:
    register(db, "w1")
    failing = {
        "recheck": {
            "running_since": None,
            "stuck_after_s": 900,
            "consecutive_failures": 4,
            "last_error": "ValueError: zip() argument 2 is shorter than argument 1",
        }
    }
    with db.session() as session:
        record_beat(session, "w1", utcnow(), failing)
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "w1")
    assert code == 1
    assert "job recheck failed 4 times in a row: ValueError: zip()" in out

    with db.session() as session:
        record_beat(session, "w1", utcnow(), {})
        ensure_channel(session, ChannelInfo(42, "alpha", "Alpha"))
        set_error(session, 42, "recheck failed: TypeError: boom", now=utcnow())
    code, out = invoke(tmp_path, db.url, "health", "--worker-id", "w1")
    assert code == 1 and "channel @alpha: recheck failed: TypeError: boom since" in out
    code, out = invoke(tmp_path, db.url, "channels", "list")
    assert "@alpha · Alpha" in out and "recheck failed" in out and "TypeError: boom" in out
    code, out = invoke(tmp_path, db.url, "stats")
    assert "recheck failed: TypeError: boom" in out


def test_channels_list_shows_the_holding_worker(db: Database, tmp_path: Path) -> None:
    import json

    from storage.leases import lease_round

    register(db, "w1")
    with db.session() as session:
        ensure_channel(session, ChannelInfo(42, "alpha", "Alpha"))
        lease_round(session, "w1", now=utcnow() - timedelta(minutes=5), period=timedelta(hours=1))
    code, out = invoke(tmp_path, db.url, "channels", "list", "--format", "json")
    assert code == 0, out
    [row] = json.loads(out)
    assert (row["channel_id"], row["state"]) == (42, "ok")
    if db.is_sqlite:  # one process holds every channel: no lease is written
        assert row["holder"] is None
        return
    assert row["holder"]["worker_id"] == "w1"
    assert (row["holder"]["host"], row["holder"]["pid"]) == ("h", 1)
    code, out = invoke(tmp_path, db.url, "channels", "list")
    assert code == 0 and "w1 · 5m" in out


def test_channels_list_refuses_an_unknown_format(db: Database, tmp_path: Path) -> None:
    code, out = invoke(tmp_path, db.url, "channels", "list", "--format", "yaml")
    assert code == 2 and "--format yaml: use table or json" in out
