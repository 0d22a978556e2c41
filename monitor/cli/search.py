"""Analyst commands over stored posts: search, show, export, stats."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import typer

from monitor.cli.core import state, when_option
from monitor.cli.render import search as render_search
from monitor.cli.render import summary as render
from monitor.core.errors import InputError
from monitor.services import records
from storage.search import SearchFilters, Sort

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}

ChannelOpt = Annotated[
    list[str] | None,
    typer.Option("--channel", "-C", help="Channel username or id; repeat for several"),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="From this date (2026-11-01) or age (7d, 24h)")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Before this date (inclusive day) or age (2d)")
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Detected language code (ru, uk, en)")]
WatchlistOpt = Annotated[
    str | None, typer.Option("--watchlist", "-w", help="Posts with a live match of this list")
]
MediaOpt = Annotated[bool, typer.Option("--has-media", help="Only posts with media")]
DeletedOpt = Annotated[bool, typer.Option("--deleted", help="Only posts deleted in Telegram")]
EditedOpt = Annotated[bool, typer.Option("--edited", help="Only posts edited at least once")]
ForwardOpt = Annotated[
    str | None,
    typer.Option("--forwarded-from", help="Forwards of this channel (username, id or name)"),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout")
]


def _filters(
    channel: list[str] | None,
    since: str | None,
    until: str | None,
    lang: str | None,
    watchlist: str | None,
    has_media: bool,
    deleted: bool,
    edited: bool,
    forwarded_from: str | None,
) -> SearchFilters:
    return SearchFilters(
        channels=tuple(channel or ()),
        since=when_option(since),
        until=when_option(until, option="--until", end_of_day=True),
        language=lang,
        watchlist=watchlist,
        has_media=has_media,
        deleted=deleted,
        edited=edited,
        forwarded_from=forwarded_from,
    )


def _format(fmt: str | None, output: Path | None, default: str, allowed: tuple[str, ...]) -> str:
    if fmt is None and output is not None:
        fmt = _SUFFIX_FORMATS.get(output.suffix.lower())
    fmt = fmt or default
    if fmt not in allowed:
        where = f" for {output}" if output is not None else ""
        raise InputError(f"--format {fmt}{where}: use one of {', '.join(allowed)}")
    return fmt


@contextmanager
def _opened(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    try:
        handle = output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"--output {output}: cannot write ({exc.strerror})") from None
    with handle:
        yield handle


def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Words, "phrases", AND/OR/NOT, -word, =literal, prefix*')
    ],
    channel: ChannelOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
    watchlist: WatchlistOpt = None,
    has_media: MediaOpt = False,
    deleted: DeletedOpt = False,
    edited: EditedOpt = False,
    forwarded_from: ForwardOpt = None,
    sort: Annotated[
        str, typer.Option("--sort", help="date (newest first), oldest, or relevance")
    ] = "date",
    limit: Annotated[int, typer.Option("--limit", "-n", help="Results per page")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many results")] = 0,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="table, json, jsonl or csv")
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Search posts and their translations; Russian/Ukrainian/English inflections match.

    Words must all occur; also "exact phrase", OR, NOT or -word, prefix*, (grouping).

    A word reads as a watchlist term: Вагнер finds «Вагнера», «вагнеровцы», "Wagner";
    =Вагнер finds the word as typed (its own inflections only).

    Example: tgmon search 'вагнер AND (бахмут OR "артемовск") -учения' -C rybar --since 7d
    """
    if sort not in ("date", "oldest", "relevance"):
        raise InputError(f"--sort {sort}: use date, oldest or relevance")
    if limit < 1 or offset < 0:
        raise InputError("--limit must be at least 1 and --offset not negative")
    fmt = _format(fmt, output, "table", records.FORMATS)
    if fmt == "table" and output is not None:
        raise InputError("--output needs --format json, jsonl or csv")
    filters = _filters(
        channel, since, until, lang, watchlist, has_media, deleted, edited, forwarded_from
    )
    sort_key: Sort = sort  # type: ignore[assignment]
    page = state(ctx).app().search.search(query, filters, sort=sort_key, limit=limit, offset=offset)
    if fmt == "table":
        render_search.results_table(
            render.console(), page.hits, page.leaves, more=page.more, offset=offset
        )
        return
    with _opened(output) as out:
        records.write_records(page.hits, fmt, out, page.leaves)


def show(
    ctx: typer.Context,
    post: Annotated[str, typer.Argument(help="CHANNEL/MESSAGE_ID or a t.me link")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Show one post in full: text, translation, every version with a diff, matches, alerts.

    Also shows when it was deleted, who forwarded it and replies to it.

    Example: tgmon show rybar/4521   ·   tgmon show https://t.me/c/1234567/89 -f json
    """
    if fmt not in ("table", "json"):
        raise InputError(f"--format {fmt}: use table or json")
    detail = state(ctx).app().search.show(post)
    if fmt == "json":
        sys.stdout.write(render_search.detail_json(detail))
    else:
        render_search.post_detail(render.console(), detail)


def export(
    ctx: typer.Context,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Only posts matching this search query")
    ] = None,
    channel: ChannelOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
    watchlist: WatchlistOpt = None,
    has_media: MediaOpt = False,
    deleted: DeletedOpt = False,
    edited: EditedOpt = False,
    forwarded_from: ForwardOpt = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="jsonl (default), csv or json")
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Export posts in the order tgmon stored them, to JSONL, CSV or JSON, streamed (any size).

    Example: tgmon export -w wagner --since 30d -o wagner.csv   ·   tgmon export -C rybar > r.jsonl
    """
    fmt = _format(fmt, output, "jsonl", ("jsonl", "csv", "json"))
    filters = _filters(
        channel, since, until, lang, watchlist, has_media, deleted, edited, forwarded_from
    )
    with state(ctx).app().search.export(query, filters) as (posts, leaves), _opened(output) as out:
        written = records.write_records(posts, fmt, out, leaves)
    if output is not None:
        render.console(stderr=True).print(f"exported {written} post(s) to {output}")


def stats(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", "-d", help="How many days back, today included")
    ] = 7,
    top: Annotated[int, typer.Option("--top", help="How many watchlists to list")] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Show posts per channel per day, top watchlists, translation backlog, deliveries, errors.

    Example: tgmon stats --days 14   ·   tgmon stats -f json | jq .translation_status
    """
    if days < 1 or days > 366:
        raise InputError("--days must be between 1 and 366")
    if fmt not in ("table", "json"):
        raise InputError(f"--format {fmt}: use table or json")
    figures = state(ctx).app().search.stats(days=days, top=top)
    if fmt == "json":
        sys.stdout.write(render_search.stats_json(figures))
    else:
        render_search.stats(render.console(), figures)
