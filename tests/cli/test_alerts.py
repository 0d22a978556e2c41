"""`tgmon alerts …` through Typer's CliRunner against a real database and local receivers;
and a dispatcher process killed mid-delivery, then restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

import monitor.cli
from monitor.config.settings import AlertSettings, RouteSettings
from storage.database import Database
from storage.models import Alert, Delivery
from tests.support.alert_helpers import Received, Receiver, match_and_alert, store_post

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def _config(
    tmp_path: Path, db: Database, receiver: Receiver, extra: str = "", attempts: int = 2
) -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(
        f'data_dir = "{tmp_path}"\n[database]\nurl = "{db.url}"\n'
        f'[alerts]\nmax_attempts = {attempts}\nbackoff = "0s"\n{extra}'
        f'[[alerts.routes]]\nname = "hook"\nurl = "webhook+{receiver.url}"\n'
        'secret = "topsecret"\ntimeout = "1s"\n',
        encoding="utf-8",
    )
    return path


def _settings(receiver: Receiver) -> AlertSettings:
    return AlertSettings(
        routes=[RouteSettings(name="hook", url="webhook+" + receiver.url, secret="s3cret")]
    )


def _make_alerts(db: Database, receiver: Receiver, count: int) -> list[int]:
    with db.session() as s:
        return [
            match_and_alert(
                s, store_post(s, 1, n + 1, f"Вагнер пост {n}"), _settings(receiver), spans=[[0, 6]]
            )[0].id
            for n in range(count)
        ]


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        monitor.cli.app, ["-c", str(config), "alerts", *args], env={"COLUMNS": "250"}
    )
    return result.exit_code, result.output


def test_dispatch_list_show_ack_retry(db: Database, receiver: Receiver, tmp_path: Path) -> None:
    config = _config(tmp_path, db, receiver)
    (first, second) = _make_alerts(db, receiver, 2)
    receiver.respond = lambda r: 200 if r.json()["alert"]["id"] == first else 500
    code, out = _run(config, "dispatch")
    assert code == 0 and "2 claimed: 1 sent, 1 to retry" in out
    code, out = _run(config, "dispatch")  # backoff 0s, max_attempts 2: now dead
    assert code == 0 and "1 dead" in out
    code, out = _run(config, "list", "--failed")
    listed = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert code == 0 and listed == [str(second)]
    assert "HTTP 500" in out
    code, out = _run(config, "show", str(second))
    assert code == 0 and "Subject: [tgmon warning] wagner" in out and "**Вагнер**" in out
    assert "dead" in out and "topsecret" not in out
    assert _run(config, "ack", str(first)) == (0, f"alert {first} acknowledged\n")
    code, out = _run(config, "retry")
    assert code == 2 and "--all-failed" in out
    assert _run(config, "retry", "--all-failed")[1] == "1 delivery requeued\n"
    receiver.respond = lambda _r: 200
    code, out = _run(config, "dispatch")
    assert "1 sent" in out
    code, out = _run(config, "list", "--failed")
    assert "no alerts" in out
    assert _run(config, "show", "999")[0] == 2


def test_test_route_sends_a_sample(db: Database, receiver: Receiver, tmp_path: Path) -> None:
    config = _config(tmp_path, db, receiver)
    code, out = _run(config, "test-route", "hook")
    assert code == 0 and "sent a test alert to hook" in out and "topsecret" not in out
    assert receiver.received[0].json()["alert"]["watchlist"] == "test"
    code, out = _run(config, "test-route", "nope")
    assert code == 2 and "routes: hook" in out
    receiver.respond = lambda _r: 400
    code, out = _run(config, "test-route", "hook")
    assert code == 1 and "HTTP 400" in out


def test_killed_dispatcher_loses_nothing_and_resends_only_unacknowledged(
    db: Database, receiver: Receiver, tmp_path: Path
) -> None:
    """SIGKILL a dispatcher while the receiver stalls on the 3rd alert, then run another."""
    config = _config(tmp_path, db, receiver, extra='lease = "2s"\n', attempts=5)
    ids = _make_alerts(db, receiver, 6)
    stalled = threading.Event()
    release = threading.Event()
    acked: list[str] = []
    lock = threading.Lock()

    def respond(item: Received) -> int:
        with lock:
            is_third = len(receiver.received) == 2 and not stalled.is_set()
        if is_third:
            stalled.set()
            release.wait(30)
            return 503  # the killed client never saw an answer: not acknowledged
        with lock:
            acked.append(item.headers["Idempotency-Key"])
        return 200

    receiver.respond = respond
    command = [sys.executable, "-m", "monitor", "-c", str(config), "alerts", "dispatch"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMON_")}
    first = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not stalled.wait(0.2) and first.poll() is None and time.monotonic() < deadline:
            pass
        if not stalled.is_set():
            first.kill()
            pytest.fail(f"the dispatcher never reached the third alert: {first.communicate()}")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        release.set()
        if first.poll() is None:
            first.kill()
        first.communicate()
    with db.session() as s:
        states = Counter(d.status for d in s.exec(select(Delivery)).all())
    assert states == {"sent": 2, "sending": 4}  # one batch claimed them all
    time.sleep(2.5)  # let the dead process's lease run out
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "4 claimed: 4 sent" in second.stdout
    with db.session() as s:
        deliveries = s.exec(select(Delivery)).all()
        alerts = s.exec(select(Alert)).all()
    assert {d.status for d in deliveries} == {"sent"} and {a.status for a in alerts} == {"sent"}
    keys = {d.idempotency_key for d in deliveries}
    assert Counter(acked) == Counter(keys)  # every alert acknowledged exactly once
    payload_ids = sorted(r.json()["alert"]["id"] for r in receiver.received)
    assert sorted(set(payload_ids)) == ids and len(payload_ids) == 7  # the stalled one twice
