"""Render watched channels for `tgmon channels list`: one row per channel, errors visible,
and which worker holds it (table or JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from rich.table import Table

from monitor.core.clock import short_age
from storage.channels import ChannelRow, LeaseHolder


def holder_text(holder: LeaseHolder | None, now: datetime) -> str:
    """'worker-2 · 12m' (held for 12 minutes); an expired lease says so; '—' when unheld."""
    if holder is None:
        return "—"
    if holder.expires_at is not None and holder.expires_at < now:
        return f"{holder.worker_id} (lease expired {short_age(now - holder.expires_at)} ago)"
    if holder.since is None:
        return holder.worker_id
    return f"{holder.worker_id} · {short_age(now - holder.since)}"


def _state(row: ChannelRow, now: datetime) -> str:
    if row.removed:
        return "removed"
    if row.flood_wait_until is not None and row.flood_wait_until > now:
        return f"flood wait {short_age(row.flood_wait_until - now)}"
    if row.error:
        return f"error: {row.error}"
    return "ok" if row.enabled else "disabled"


def channel_name(username: str | None, title: str | None, channel_id: int) -> str:
    """How a person recognises a channel: @username, else its title, else its id."""
    if username:
        return f"@{username}"
    return title or str(channel_id)


def channel_table(rows: Sequence[ChannelRow], *, now: datetime) -> Table:
    """One row per channel; in a narrow terminal the state (errors) keeps its width."""
    table = Table(title="Channels", show_lines=False)
    table.add_column("channel", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("id", justify="right", no_wrap=True, overflow="ellipsis")
    table.add_column("mode", no_wrap=True)
    table.add_column("posts", justify="right", no_wrap=True)
    table.add_column("last post", no_wrap=True, overflow="ellipsis")
    table.add_column("polled", justify="right", no_wrap=True)
    table.add_column("worker", no_wrap=True, overflow="ellipsis", max_width=28)
    table.add_column("state", ratio=1, min_width=24, overflow="fold")
    for row in rows:
        lag = f"{short_age(now - row.last_polled_at)} ago" if row.last_polled_at else "never"
        name = channel_name(row.username, row.title, row.channel_id)
        if row.username and row.title:
            name += f" · {row.title}"
        last = (
            f"{row.last_post_at:%Y-%m-%d %H:%M} #{row.last_message_id}" if row.last_post_at else "—"
        )
        table.add_row(
            name,
            str(row.channel_id),
            row.mode if row.source == "telegram" else f"{row.mode} ({row.source})",
            str(row.posts),
            last,
            lag,
            holder_text(row.holder, now),
            _state(row, now),
        )
    if not rows:
        table.caption = "no channels yet: tgmon channels add @name"
    return table


def channels_json(rows: Sequence[ChannelRow], *, now: datetime) -> str:
    """Every row whole, with its state and holder as the table words them; times ISO 8601."""
    out: list[dict[str, Any]] = []
    for row in rows:
        item = asdict(row)
        item["state"] = _state(row, now)
        out.append(item)
    return json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n"
