"""Daemon footprint: RSS of one worker with 500 channels configured and idle.

Runs the real Daemon (scheduler with 500 poll jobs, heartbeat, leases, recheck, translation
and alerts jobs, /metrics endpoint) in a subprocess over the scripted in-memory source and a
SQLite database, with Telethon imported as in production. Measures RSS after start-up
(catch-up of every channel) and while idle. Budget: under 250 MB.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import text

from bench.results import write_section
from storage.database import Database

CHANNELS = 500
POSTS = 5
SETTLE_S = 40
BUDGET_MB = 250
ROOT = Path(__file__).resolve().parents[1]


def _mb(proc: psutil.Process) -> float:
    return proc.memory_info().rss / 1e6


def measure(work: Path) -> dict[str, float]:
    url = f"sqlite:///{work / 'tgmon.db'}"
    args = [
        sys.executable,
        "-m",
        "tests.support.daemon_worker",
        "--db",
        url,
        "--worker",
        "bench",
        "--channels",
        str(CHANNELS),
        "--total",
        str(POSTS),
        "--every",
        "0",
        "--poll",
        "20s",
        "--heartbeat",
        "5s",
        "--http-port",
        "0",
        "--extra-jobs",
        "--import-telethon",
        "--data-dir",
        str(work),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGMON_")}
    with open(work / "worker.log", "wb") as log:
        proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    ps = psutil.Process(proc.pid)
    started = time.monotonic()
    db: Database | None = None
    try:
        while not (work / "tgmon.db").exists():
            time.sleep(0.2)
        db = Database(url)
        ready_s = None
        while ready_s is None:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: {(work / 'worker.log').read_text()[-2000:]}")
            with db.session() as session:
                done = session.execute(
                    text("select count(*) from channel where last_polled_at is not null")
                ).scalar_one()
            if done >= CHANNELS:
                ready_s = time.monotonic() - started
            time.sleep(0.5)
        after_start = _mb(ps)
        samples = []
        for _ in range(SETTLE_S):
            time.sleep(1)
            samples.append(_mb(ps))
        with db.session() as session:
            posts = session.execute(text("select count(*) from post")).scalar_one()
            languages = dict(
                session.execute(text("select language, count(*) from post group by language")).all()
            )
        proc.send_signal(signal.SIGTERM)
        stop_started = time.monotonic()
        code = proc.wait(timeout=30)
        log_text = (work / "worker.log").read_text(encoding="utf-8")
        return {
            "ready_s": ready_s,
            "after_start_mb": after_start,
            "idle_peak_mb": max(samples),
            "idle_end_mb": samples[-1],
            "posts": float(posts),
            "stop_s": time.monotonic() - stop_started,
            "exit_code": float(code),
            "errors": float(log_text.count('"level": "error"')),
            "languages": languages,  # type: ignore[dict-item]
        }
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if db is not None:
            db.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tgmon-bench-daemon-") as tmp:
        r = measure(Path(tmp))
    verdict = "within" if r["idle_peak_mb"] < BUDGET_MB else "OVER"
    langs = ", ".join(f"{k} {v}" for k, v in sorted(r["languages"].items()))
    body = f"""
One worker, {CHANNELS} channels configured ({POSTS} posts each, then idle), SQLite, real
`Daemon` with {CHANNELS} poll jobs (every 20 s) + heartbeat, leases, recheck, translation and
alerts jobs and the /metrics endpoint; scripted in-memory source; Telethon imported.

| measure | value |
|---|---|
| start-up: catch-up of all {CHANNELS} channels | {r["ready_s"]:.1f} s |
| posts stored / error lines logged | {int(r["posts"])} / {int(r["errors"])} |
| languages detected (ru/uk/en sample texts) | {langs} |
| RSS right after catch-up | {r["after_start_mb"]:.0f} MB |
| RSS idle, peak over {SETTLE_S} s (polls running) | {r["idle_peak_mb"]:.0f} MB |
| RSS idle, at the end | {r["idle_end_mb"]:.0f} MB |
| SIGTERM → exit | {r["stop_s"]:.2f} s, exit code {int(r["exit_code"])} |

Budget: RSS under {BUDGET_MB} MB — **{verdict} budget**.
"""
    print(body)
    write_section("daemon", "Daemon footprint", body)


if __name__ == "__main__":
    main()
