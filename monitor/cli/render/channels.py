"""Render watched channels for `tgmon channels list`: one row per channel, errors visible."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.table import Table

from storage.channels import ChannelRow


def ago(delta: timedelta) -> str:
    """A short age: 45s, 12m, 3h, 2d."""
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _state(row: ChannelRow, now: datetime) -> str:
    if row.removed:
        return "removed"
    if row.flood_wait_until is not None and row.flood_wait_until > now:
        return f"flood wait {ago(row.flood_wait_until - now)}"
    if row.error:
        return f"error: {row.error}"
    return "ok" if row.enabled else "disabled"


def channel_table(rows: Sequence[ChannelRow], *, now: datetime) -> Table:
    table = Table(title="Channels", show_lines=False)
    for name, justify in (
        ("id", "right"),
        ("username", "left"),
        ("title", "left"),
        ("mode", "left"),
        ("posts", "right"),
        ("last post", "right"),
        ("last post at", "left"),
        ("lag", "right"),
        ("state", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        lag = ago(now - row.last_polled_at) if row.last_polled_at else "never polled"
        table.add_row(
            str(row.channel_id),
            f"@{row.username}" if row.username else "—",
            row.title or "",
            row.mode if row.source == "telegram" else f"{row.mode} ({row.source})",
            str(row.posts),
            str(row.last_message_id or "—"),
            f"{row.last_post_at:%Y-%m-%d %H:%M}" if row.last_post_at else "—",
            lag,
            _state(row, now),
        )
    if not rows:
        table.caption = "no channels yet: tgmon channels add @name"
    return table
