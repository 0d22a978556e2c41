"""The health verdict: fresh heartbeat and no stuck job, else one line saying why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.services.verdict import judge_worker

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STALE = timedelta(seconds=90)


def job(running_for: float | None = None, limit: int = 900, **extra: object) -> dict[str, object]:
    since = (NOW - timedelta(seconds=running_for)).isoformat() if running_for else None
    return {"running_since": since, "stuck_after_s": limit, **extra}


@pytest.mark.parametrize(
    ("beat_ago", "stopped", "jobs", "ok", "says"),
    [
        (5, False, {"poll": job()}, True, "ok: worker 'w1' beat 5s ago"),
        (None, False, {}, False, "no heartbeat from worker 'w1'"),
        (600, False, {}, False, "last heartbeat 10m ago (limit 90s)"),
        (5, True, {}, False, "stopped"),
        (5, False, {"poll": job(running_for=1200)}, False, "job poll running for 20m (limit 15m)"),
        (5, False, {"poll": job(running_for=60)}, True, "ok"),
        (
            5,
            False,
            {"translation": job(last_error_at=NOW.isoformat(), last_success_at=None)},
            True,
            "failing now: translation",
        ),
    ],
)
def test_verdicts(beat_ago: int | None, stopped: bool, jobs: dict, ok: bool, says: str) -> None:
    verdict = judge_worker(
        "w1",
        now=NOW,
        stale_after=STALE,
        beat_at=NOW - timedelta(seconds=beat_ago) if beat_ago is not None else None,
        stopped_at=NOW - timedelta(seconds=30) if stopped else None,
        jobs=jobs,
    )
    assert verdict.ok is ok
    assert says in verdict.reason
    assert "\n" not in verdict.reason
