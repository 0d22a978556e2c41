"""Render search results for people (rich table with highlighted hits) and pipelines (json/csv).

Field names of the machine formats are stable: scripts depend on them (see RECORD_FIELDS).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict
from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.cli.render.channels import channel_name
from monitor.cli.render.rich_text import highlighted
from monitor.core.snippet import mark
from monitor.services.records import hit_snippet
from storage.post_detail import PostDetail
from storage.query import Leaf
from storage.search import SearchHit
from storage.stats import Stats

WIDE_TABLE = 110  # columns below which search results drop the link column


def results_table(
    out: Console, hits: list[SearchHit], leaves: list[Leaf], *, more: bool, offset: int
) -> None:
    """The human view: date, channel, snippet with hits highlighted, link."""
    if not hits:
        out.print("no posts found")
        return
    # In a narrow terminal the post text keeps its width: the link moves under the text,
    # the date loses its year and the channel name is shortened first.
    compact = out.width < WIDE_TABLE
    table = Table(show_lines=True, expand=False)
    table.add_column("date (UTC)", no_wrap=True)
    table.add_column("channel", no_wrap=True, overflow="ellipsis", max_width=14 if compact else 24)
    table.add_column("post", ratio=1, min_width=min(40, max(out.width - 40, 20)))
    if not compact:
        table.add_column("link", no_wrap=True, overflow="fold")
    for hit in hits:
        snip, source = hit_snippet(hit, leaves)
        # without colour (a pipe, NO_COLOR) the hits would be invisible: mark them instead
        body = highlighted(snip) if out.is_terminal and not out.no_color else Text(mark(snip))
        flags = [
            label
            for label, on in (
                ("translation", source == "translation"),
                (f"edited ×{hit.version_count - 1}", hit.version_count > 1),
                ("deleted", hit.deleted_at is not None),
                (hit.media_kind or "", hit.media_kind is not None),
            )
            if on
        ]
        if flags:
            body.append("  [" + ", ".join(flags) + "]", style="dim")
        if compact and hit.url:
            body.append("\n" + hit.url, style="dim")
        cells = [
            f"{hit.posted_at:%m-%d %H:%M}" if compact else f"{hit.posted_at:%Y-%m-%d %H:%M}",
            channel_name(hit.channel_username, hit.channel_title, hit.channel_id),
            body,
        ]
        table.add_row(*cells, *([] if compact else [hit.url or ""]))
    out.print(table)
    tail = f"; more with --offset {offset + len(hits)}" if more else ""
    out.print(f"results {offset + 1}–{offset + len(hits)}{tail}", style="dim")


def word_diff(old: str, new: str) -> Text:
    """An inline word diff: removed words as [-…-] in red, added as {+…+} in green."""
    old_words, new_words = old.split(), new.split()
    out = Text()
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(" ".join(old_words[a1:a2]) + " ")
            continue
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(old_words[a1:a2]) + "-] ", style="bold red")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(new_words[b1:b2]) + "+} ", style="bold green")
    out.rstrip()
    return out


_COUNTERS = ("views", "forwards", "replies")


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S} UTC" if value is not None else "—"


def post_detail(out: Console, detail: PostDetail) -> None:
    """Everything about one post, for `tgmon show`."""
    post, channel = detail.post, detail.channel
    name = channel_name(channel.get("username"), channel.get("title"), post["channel_id"])
    out.print(f"[bold]{name}/{post['message_id']}[/bold]  {post.get('url') or ''}")
    facts = [
        ("posted", _when(post["posted_at"])),
        ("first seen", _when(post["first_seen_at"])),
        ("last checked", _when(post["checked_at"])),
        ("language", f"{post['language'] or '?'}"),
        (
            "views / forwards / replies",
            " / ".join("—" if post[k] is None else str(post[k]) for k in _COUNTERS),
        ),
    ]
    if post["edited_at"]:
        facts.append(("edited", f"{_when(post['edited_at'])} ({post['version_count']} versions)"))
    if post["deleted_at"]:
        facts.append(("DELETED", _when(post["deleted_at"])))
    if post["fwd_from_channel_id"] or post["fwd_from_name"]:
        origin = post["fwd_from_name"] or post["fwd_from_channel_id"]
        facts.append(("forwarded from", f"{origin} (message {post['fwd_from_message_id']})"))
    if post["reply_to_message_id"]:
        facts.append(("reply to", f"{name}/{post['reply_to_message_id']}"))
    if post["media_kind"]:
        facts.append(("media", f"{post['media_kind']} {post.get('media_path') or ''}".strip()))
    for label, value in facts:
        style = "bold red" if label == "DELETED" else "dim"
        out.print(Text(f"  {label}: ", style=style) + Text(str(value)))
    out.rule("text")
    out.print(Text(post["text"] or "(no text)"))
    status = post["translation_status"]
    out.rule(
        "translation off (translation.provider = none)"
        if status == "off"
        else f"translation ({status})"
    )
    if post["translation"]:
        provider = post.get("translation_provider") or "?"
        out.print(Text(post["translation"]) + Text(f"  [{provider}]", style="dim"))
    elif post.get("translation_error"):
        out.print(Text(f"failed: {post['translation_error']}", style="red"))
    if len(detail.versions) > 1:
        out.rule("versions")
        previous = None
        for version in detail.versions:
            stamp = _when(version["edited_at"] or version["captured_at"])
            out.print(Text(f"v{version['version']} · {stamp}", style="bold"))
            if previous is None:
                out.print(Text(version["text"] or "(no text)"))
            else:
                out.print(word_diff(previous, version["text"]))
            previous = version["text"]
    if detail.matches:
        out.rule("matches")
        for m in detail.matches:
            removed = f" (removed {_when(m['removed_at'])})" if m["removed_at"] else ""
            out.print(
                f"  {m['watchlist']} / {m['rule']} [{m['severity']}] on {m['text_source']} "
                f"v{m['post_version']}: {', '.join(m['terms'])}{removed}",
                markup=False,
            )
    if detail.alerts:
        out.rule("alerts")
        for a in detail.alerts:
            routes = ", ".join(f"{d['route']}={d['status']}" for d in a["deliveries"]) or "none"
            out.print(
                f"  #{a['id']} {a['watchlist']} [{a['severity']}] {a['reason']} "
                f"{a['status']} · {_when(a['created_at'])} · deliveries: {routes}",
                markup=False,
            )
    for title, rows in (("forwarded by", detail.forwards), ("replies", detail.replies)):
        if rows:
            out.rule(title)
            for r in rows:
                who = channel_name(r["username"], r.get("title"), r["channel_id"])
                out.print(f"  {who}/{r['message_id']} · {_when(r['posted_at'])} · {r['url'] or ''}")


def detail_json(detail: PostDetail) -> str:
    return json.dumps(asdict(detail), ensure_ascii=False, indent=2, default=str) + "\n"


def stats(out: Console, figures: Stats) -> None:
    """Activity per channel per day, then watchlists, backlogs and failing channels."""
    table = Table(title=f"Posts per channel per day (UTC, last {len(figures.days)} days)")
    table.add_column("channel")
    for day in figures.days:
        table.add_column(day[5:], justify="right")
    table.add_column("total", justify="right", style="bold")
    for label, per_day in figures.posts_per_day.items():
        cells = [str(per_day.get(day, 0) or "·") for day in figures.days]
        table.add_row(label, *cells, str(sum(per_day.values())))
    if not figures.posts_per_day:
        table.add_row("(no posts in this period)", *[""] * (len(figures.days) + 1))
    out.print(table)
    watch = Table(title="Top watchlists (live matches)")
    watch.add_column("watchlist")
    watch.add_column("matches", justify="right")
    watch.add_column("posts", justify="right")
    for name, matches, posts in figures.top_watchlists:
        watch.add_row(name, str(matches), str(posts))
    out.print(watch if figures.top_watchlists else "no watchlist matches")
    for title, counts in (
        ("Translation backlog", figures.translation_status),
        ("Alert deliveries", figures.delivery_status),
    ):
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
        if title == "Translation backlog" and figures.translation_off:
            summary = "translation off (translation.provider = none)"
        out.print(f"[bold]{title}:[/bold] {summary}")
    missed = ", ".join(f"{k} {v}" for k, v in sorted(figures.stages_missed.items()))
    out.print(f"[bold]Posts a stage failed on (retried):[/bold] {missed or 'none'}")
    if figures.channel_errors:
        errors = Table(title="Channels in error")
        errors.add_column("channel")
        errors.add_column("since")
        errors.add_column("error")
        for label, error, at in figures.channel_errors:
            errors.add_row(label, _when(at), error)
        out.print(errors)
    else:
        out.print("[bold]Channels in error:[/bold] none")


def stats_json(figures: Stats) -> str:
    return json.dumps(asdict(figures), ensure_ascii=False, indent=2, default=str) + "\n"
