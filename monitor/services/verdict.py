"""Is the daemon healthy? Judged from its worker row: a fresh heartbeat and no stuck job.

Pure: `judge_worker` takes the row's values and the time, and returns a verdict with one line
saying why — the line `tgmon health` prints and the container's HEALTHCHECK records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def stuck_jobs(jobs: dict[str, dict[str, Any]], now: datetime) -> list[tuple[str, float, int]]:
    """(job, seconds running, limit seconds) for each job running past its limit."""
    out = []
    for name, job in sorted(jobs.items()):
        since = _parse(job.get("running_since"))
        limit = int(job.get("stuck_after_s") or 0)
        if since is not None and limit and (now - since).total_seconds() > limit:
            out.append((name, (now - since).total_seconds(), limit))
    return out


def judge_worker(
    worker_id: str,
    *,
    now: datetime,
    stale_after: timedelta,
    beat_at: datetime | None,
    stopped_at: datetime | None = None,
    jobs: dict[str, dict[str, Any]] | None = None,
    failing_after: int = 3,
    channel_errors: Sequence[tuple[str, str, datetime | None]] = (),
    stage_backlog: dict[str, tuple[int, int, str]] | None = None,
) -> Verdict:
    """Healthy when the worker beat within `stale_after`, no job is past its limit or has
    failed `failing_after` times in a row, and no watched channel is in error."""
    if beat_at is None:
        return Verdict(False, f"no heartbeat from worker {worker_id!r}: is `tgmon run` running?")
    if stopped_at is not None:
        return Verdict(
            False, f"worker {worker_id!r} stopped {_age((now - stopped_at).total_seconds())} ago"
        )
    age = (now - beat_at).total_seconds()
    if age > stale_after.total_seconds():
        return Verdict(
            False,
            f"worker {worker_id!r}: last heartbeat {_age(age)} ago "
            f"(limit {_age(stale_after.total_seconds())})",
        )
    stuck = stuck_jobs(jobs or {}, now)
    if stuck:
        name, running, limit = stuck[0]
        more = f" (+{len(stuck) - 1} more)" if len(stuck) > 1 else ""
        return Verdict(
            False,
            f"worker {worker_id!r}: job {name} running for {_age(running)} "
            f"(limit {_age(limit)}){more}",
        )
    broken = sorted(
        (n, j)
        for n, j in (jobs or {}).items()
        if int(j.get("consecutive_failures") or 0) >= failing_after
    )
    if broken:
        name, job = broken[0]
        more = f" (+{len(broken) - 1} more)" if len(broken) > 1 else ""
        return Verdict(
            False,
            f"worker {worker_id!r}: job {name} failed {job['consecutive_failures']} times in a "
            f"row: {job.get('last_error') or '?'}{more}",
        )
    if channel_errors:
        channel, error, since = channel_errors[0]
        when = f" since {since:%Y-%m-%d %H:%M} UTC" if since is not None else ""
        more = f" (+{len(channel_errors) - 1} more)" if len(channel_errors) > 1 else ""
        return Verdict(False, f"channel {channel}: {error}{when}{more}")
    given_up = {name: v for name, v in (stage_backlog or {}).items() if v[1]}
    if given_up:
        name, (_waiting, count, error) = sorted(given_up.items())[0]
        return Verdict(
            False, f"{count} post(s) never passed stage {name} (retries used up): {error}"
        )
    failing = sorted(n for n, j in (jobs or {}).items() if _failing(j))
    waiting = sorted(f"{n} ({v[0]})" for n, v in (stage_backlog or {}).items() if v[0])
    if waiting:
        failing.append("stage retries " + ", ".join(waiting))
    note = f"; failing now: {', '.join(failing)}" if failing else ""
    return Verdict(True, f"ok: worker {worker_id!r} beat {_age(age)} ago{note}")


def _failing(job: dict[str, Any]) -> bool:
    error_at, success_at = _parse(job.get("last_error_at")), _parse(job.get("last_success_at"))
    return error_at is not None and (success_at is None or error_at > success_at)
