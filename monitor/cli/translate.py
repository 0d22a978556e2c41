"""`tgmon translate`: work off the translation backlog now, or show it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.core import state, when_option
from monitor.cli.render import summary as render
from monitor.core.clock import utcnow
from monitor.core.errors import InputError, TranslationError
from monitor.services.translation import BacklogView
from monitor.translation.drain import DrainReport

PROVIDERS = ("google", "libre", "deepl", "mymemory")


def _print_status(view: BacklogView) -> None:
    backlog, providers = view.backlog, view.providers
    out = render.console()
    table = Table(title="Translation backlog")
    table.add_column("status")
    table.add_column("posts", justify="right")
    for status, count in backlog.items():
        table.add_row(status, str(count))
    out.print(table)
    now = utcnow()
    today = now.date().isoformat()
    for p in providers:
        line = f"{p.provider}: "
        used = p.chars_today if p.usage_day == today else 0
        requests = p.requests_today if p.usage_day == today else 0
        line += f"{used} chars in {requests} requests today"
        if p.backoff_until is not None and p.backoff_until > now:
            line += f"; backing off until {p.backoff_until.isoformat(timespec='seconds')}"
        if p.failures:
            line += f"; {p.failures} outage(s) in a row, last: {p.last_error}"
        out.print(line)


def _summary(report: DrainReport, pending: int) -> str:
    line = (
        f"translated {report.translated}, from cache {report.from_cache}, "
        f"skipped {report.skipped}, failed {report.failed}, retrying later {report.retrying}; "
        f"still pending {pending} ({report.chars_sent} characters in {report.requests} requests)"
    )
    if report.stopped == "budget":
        line += "; stopped: daily_char_budget spent"
    return line


def translate(
    ctx: typer.Context,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Queue failed posts again first")
    ] = False,
    provider: Annotated[
        str | None,
        typer.Option("--provider", help=f"Override translation.provider: {', '.join(PROVIDERS)}"),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only posts from this recent period, e.g. 7d")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N posts")] = None,
    status: Annotated[
        bool, typer.Option("--status", help="Show the backlog by status and stop")
    ] = False,
) -> None:
    """Translate pending posts now (a backfill), or show the backlog with --status.

    Uses the configured provider, cache, rate limits and daily budget; ignores an outage
    back-off left by the daemon (you asked), but records a new one if the provider fails.
    Exit 1 when the provider is unreachable (the posts stay pending).

    Example: tgmon translate --since 7d --limit 500   ·   tgmon translate --status
    """
    if provider is not None and provider not in PROVIDERS:
        raise InputError(f"--provider: must be one of {', '.join(PROVIDERS)}")
    service = state(ctx).app().translation
    if status:
        _print_status(service.status())
        return
    after = when_option(since)
    if retry_failed:
        requeued = service.requeue_failed(after)
        typer.echo(f"queued {requeued} failed post(s) again", err=True)
    due = service.due(after)
    total = min(due, limit) if limit is not None else due
    bar = Progress(
        TextColumn("translating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=render.console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task("translate", total=total)
        report, pending = service.backfill(
            provider=provider, since=after, limit=limit, progress=lambda n: bar.advance(task, n)
        )
    typer.echo(_summary(report, pending))
    if report.stopped == "outage":
        until = report.backoff_until.isoformat(timespec="seconds") if report.backoff_until else "?"
        raise TranslationError(
            f"{report.error}; {pending} post(s) stay pending, the daemon retries after {until}"
        )
