"""Is a worker healthy? Read its heartbeat row and judge it (what `tgmon health` prints).

Works from any host that reaches the database, so a container HEALTHCHECK and an operator's
laptop get the same verdict.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor.config.settings import Settings
from monitor.core.clock import Clock, utcnow
from monitor.core.errors import TgmonError
from monitor.services.verdict import Verdict, judge_worker
from storage.database import Database, redact_url
from storage.stage_backlog import stage_backlog
from storage.workers import channels_in_error, load_worker


def _sqlite_missing(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database).is_file() else parsed.database


def worker_health(
    settings: Settings, worker_id: str | None = None, clock: Clock = utcnow
) -> Verdict:
    """The verdict on one worker (default: this host's); raises when it cannot be read."""
    wid = worker_id or settings.daemon.worker_name()
    missing = _sqlite_missing(settings.database_url)
    if missing:  # never create an empty database just to say there is no heartbeat
        raise TgmonError(f"no heartbeat from worker {wid!r}: no database at {missing} yet")
    db = Database(settings.database_url)
    try:
        with db.read_session() as session:
            worker = load_worker(session, wid)
            channel_errors = channels_in_error(session)
            backlog = stage_backlog(session, max_attempts=settings.daemon.stage_max_attempts)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise TgmonError(
            f"cannot read heartbeat of worker {wid!r} from {redact_url(db.url)}: {reason}"
        ) from None
    finally:
        db.dispose()
    verdict = judge_worker(
        wid,
        now=clock(),
        stale_after=settings.daemon.stale_after(),
        beat_at=worker.beat_at if worker else None,
        stopped_at=worker.stopped_at if worker else None,
        jobs=worker.jobs if worker else None,
        channel_errors=channel_errors,
        stage_backlog=backlog,
        failing_after=settings.daemon.unhealthy_after_failures,
    )
    if verdict.ok or not channel_errors or verdict.reason.startswith("channel "):
        return verdict
    channel, error, _since = channel_errors[0]  # a dead worker and a broken channel: say both
    more = f" (+{len(channel_errors) - 1} more)" if len(channel_errors) > 1 else ""
    return Verdict(False, f"{verdict.reason}; channel {channel}: {error}{more}")
