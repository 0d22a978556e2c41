"""Read the desk's query strings and forms into the services' filter objects.

A bad value is an InputError naming the field, shown on the page (status 400), never a
traceback; empty fields mean "no restriction".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from monitor.config.when import parse_when
from monitor.core.errors import InputError
from storage.desk import ALERT_STATUSES, AlertFilters
from storage.search import SearchFilters, Sort

SORTS: tuple[Sort, ...] = ("date", "oldest", "relevance")
MAX_PAGE = 10_000


def text(params: Mapping[str, str], key: str) -> str | None:
    value = params.get(key, "").strip()
    return value or None


def flag(params: Mapping[str, str], key: str) -> bool:
    return params.get(key, "").strip().lower() in ("1", "on", "true", "yes")


def page_number(params: Mapping[str, str]) -> int:
    raw = params.get("page", "1").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InputError(f"page {raw!r}: a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def alert_filters(params: Mapping[str, str]) -> AlertFilters:
    status = text(params, "status")
    if status is not None and status not in ALERT_STATUSES:
        raise InputError(f"status {status!r}: use one of {', '.join(ALERT_STATUSES)}")
    return AlertFilters(
        watchlist=text(params, "watchlist"),
        severity=text(params, "severity"),
        channel=text(params, "channel"),
        status=status,
    )


def _when(params: Mapping[str, str], key: str, *, end_of_day: bool = False) -> datetime | None:
    value = text(params, key)
    if value is None:
        return None
    try:
        return parse_when(value, end_of_day=end_of_day)
    except InputError as exc:
        raise InputError(f"{key}: {exc}") from None


def search_filters(params: Mapping[str, str]) -> SearchFilters:
    channels = tuple(c for c in (params.get("channel") or "").replace(",", " ").split() if c)
    return SearchFilters(
        channels=channels,
        since=_when(params, "since"),
        until=_when(params, "until", end_of_day=True),
        language=text(params, "lang"),
        watchlist=text(params, "watchlist"),
        has_media=flag(params, "has_media"),
        deleted=flag(params, "deleted"),
        edited=flag(params, "edited"),
        forwarded_from=text(params, "forwarded_from"),
    )


def sort(params: Mapping[str, str]) -> Sort:
    value = params.get("sort", "date").strip() or "date"
    for known in SORTS:
        if value == known:
            return known
    raise InputError(f"sort {value!r}: use date, oldest or relevance")
