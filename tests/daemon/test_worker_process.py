"""The daemon as a process: signals, and three workers sharing PostgreSQL through leases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from storage.database import Database
from storage.models import Worker
from tests.conftest import ADMIN_URL, _postgres_reason
from tests.support.daemon_fakes import held_by

ROOT = Path(__file__).resolve().parents[2]


def start_worker(db_url: str, worker: str, tmp: Path, *args: str) -> subprocess.Popen[bytes]:
    with open(tmp / f"{worker}.log", "wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.daemon_worker",
                "--db",
                db_url,
                "--worker",
                worker,
                "--data-dir",
                str(tmp / worker),
                *args,
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("TGMON_")},
        )


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> float:
    """Wait for `check`; return how long it took (reported, never asserted)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def worker_row(db: Database, wid: str) -> Worker | None:
    with db.session() as session:
        return session.get(Worker, wid)


def registered(db: Database, wid: str) -> bool:
    """The worker's row exists; False while the child is still creating the schema."""
    try:
        return worker_row(db, wid) is not None
    except OperationalError:  # the file exists before its tables do
        return False


def test_sigterm_finishes_and_exits_zero(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tgmon.db'}"
    proc = start_worker(url, "w1", tmp_path, "--channels", "3", "--every", "0.1")
    db = Database(url)
    try:
        eventually(
            lambda: (tmp_path / "tgmon.db").exists() and registered(db, "w1"),
            "the worker to register",
        )
        time.sleep(1.5)  # let polls run
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        row = worker_row(db, "w1")
        assert row is not None and row.stopped_at is not None
        log = (tmp_path / "w1.log").read_text()
        assert "SIGTERM: stopping" in log and "worker w1 stopped" in log
    finally:
        proc.kill()
        proc.wait()
        proc.wait()
        db.dispose()


def test_second_signal_exits_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tgmon.db'}"
    # Each poll takes 60 s and the grace period is 30 s: only a second signal ends it early.
    proc = start_worker(
        url, "w1", tmp_path, "--channels", "2", "--slow-poll", "60", "--grace", "30s"
    )
    try:
        log = tmp_path / "w1.log"
        eventually(lambda: log.exists() and "leases: holding" in log.read_text(), "start")
        time.sleep(2)  # the first polls are now sleeping
        proc.send_signal(signal.SIGTERM)
        eventually(lambda: "SIGTERM: stopping" in log.read_text(), "the first signal")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 128 + signal.SIGINT
        assert "second SIGINT: exiting now" in log.read_text()
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    reason = _postgres_reason()
    if reason is not None:
        if os.environ.get("TGMON_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"tgmon_leases_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url  # the workers migrate it themselves, all starting at once
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_three_workers_share_channels_and_survive_a_kill(
    scratch_postgres: str, tmp_path: Path
) -> None:
    channels, total, every, period = 12, 60, 0.25, 3.0
    start = time.time() + 2
    args = [
        "--channels",
        str(channels),
        "--total",
        str(total),
        "--every",
        str(every),
        "--start",
        str(start),
        "--lease-period",
        f"{period}s",
        "--heartbeat",
        "1s",
        "--poll",
        "1s",
    ]
    db = Database(scratch_postgres)
    procs = {w: start_worker(scratch_postgres, w, tmp_path, *args) for w in ("w1", "w2", "w3")}
    try:

        def spread() -> bool:
            try:
                owners = held_by(db)
            except ProgrammingError:  # the workers have not created the tables yet
                return False
            return sorted(len(owners.get(w, [])) for w in procs) == [4, 4, 4]

        eventually(spread, "an even spread of 12 channels over 3 workers")
        victims = held_by(db)["w3"]
        procs["w3"].send_signal(signal.SIGKILL)
        procs["w3"].wait(timeout=10)
        killed_at = time.monotonic()

        def moved() -> bool:
            owners = held_by(db)
            return not owners.get("w3") and all(
                any(v in owners.get(w, []) for w in ("w1", "w2")) for v in victims
            )

        eventually(moved, "the dead worker's channels to move")
        moved_after = time.monotonic() - killed_at
        print(f"channels moved {moved_after:.1f}s after SIGKILL (lease period {period}s)")

        # Under heavy load a survivor can miss the other's heartbeat for a round, count itself
        # alone and take more than six; it gives the surplus back in its next round. What is
        # promised is the even spread, not the first grab.
        def even() -> bool:
            owners = held_by(db)
            return sorted(len(owners.get(w, [])) for w in ("w1", "w2")) == [6, 6]

        eventually(even, "an even spread of 12 channels over the 2 survivors")

        def all_posts() -> bool:
            with db.session() as session:
                return session.execute(text("select count(*) from post")).scalar_one() == (
                    channels * total
                )

        eventually(
            all_posts,
            "every post of every channel",
            timeout=start + total * every + 60 - time.time(),
        )
        for w in ("w1", "w2"):
            procs[w].send_signal(signal.SIGTERM)
        for w in ("w1", "w2"):
            assert procs[w].wait(timeout=15) == 0
        with db.session() as session:
            rows = session.execute(
                text(
                    "select channel_id, count(*), count(distinct message_id), min(message_id), "
                    "max(message_id) from post group by channel_id"
                )
            ).all()
        assert len(rows) == channels
        for _cid, n, distinct, low, high in rows:
            assert (n, distinct, low, high) == (total, total, 1, total)  # none lost, none twice
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
        db.dispose()
