"""One reader for "since/until" values shared by the CLI's options and the desk's forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from monitor.config.base import parse_duration
from monitor.core.errors import InputError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_when(value: str, *, end_of_day: bool = False, now: datetime | None = None) -> datetime:
    """A date (YYYY-MM-DD, UTC), an ISO timestamp, or an age like 7d meaning 'now minus 7d'."""
    now = now or datetime.now(UTC)
    text = value.strip()
    if _DATE.match(text):
        try:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError as exc:  # 2026-13-45: the shape of a date, not a date
            raise InputError(f"{value!r}: not a date ({exc})") from None
        return day + timedelta(days=1) if end_of_day else day
    try:
        return now - parse_duration(text)
    except (ValueError, OverflowError):
        pass
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{value!r}: not a date or age (use 2026-11-01, 2026-11-01T12:00 or 7d/24h)"
        ) from None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
