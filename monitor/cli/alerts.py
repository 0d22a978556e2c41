"""`tgmon alerts …`: list, show, acknowledge, retry and dispatch alerts; test a route."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.core import state, sub_app
from monitor.cli.render import summary as render
from monitor.core.errors import InputError

alerts_app = sub_app("Alerts: the outbox of matches to deliver, and its delivery records.")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@alerts_app.command("list")
def list_(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only dead letters")] = False,
    pending: Annotated[bool, typer.Option("--pending", help="Only not yet delivered")] = False,
    watchlist: Annotated[str | None, typer.Option("--watchlist", "-w", help="One list")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many, newest first")] = 50,
) -> None:
    """List alerts, newest first, with their delivery state.

    Example: tgmon alerts list --failed   ·   tgmon alerts list -w wagner -n 20
    """
    rows = state(ctx).app().alerts.list(
        failed=failed, pending=pending, watchlist=watchlist, limit=limit
    )
    table = Table("id", "created", "watchlist", "sev", "reason", "status", "post", "copies")
    table.add_column("sent", no_wrap=True)
    table.add_column("last error", overflow="ellipsis", no_wrap=True, max_width=60)
    for column in table.columns[:8]:
        column.no_wrap = True
    for row in rows:
        sent = sum(1 for d in row.deliveries if d.status == "sent")
        status = row.alert.status + (" ✓" if row.alert.acked_at else "")
        table.add_row(
            str(row.alert.id),
            _when(row.alert.created_at),
            row.alert.watchlist,
            row.alert.severity,
            row.alert.reason,
            status,
            f"{row.channel}/{row.message_id}",
            str(len(row.alert.copies)),
            f"{sent}/{len(row.deliveries)}",
            row.last_error or "",
        )
    out = render.console()
    out.print(table if rows else "no alerts")


@alerts_app.command("show")
def show(ctx: typer.Context, alert_id: Annotated[int, typer.Argument(help="Alert id")]) -> None:
    """Show one alert as it is rendered (subject and plain body) and its delivery records.

    Example: tgmon alerts show 42
    """
    view = state(ctx).app().alerts.show(alert_id)
    message, deliveries = view.message, view.deliveries
    out = render.console()
    alert = view.record.alert
    out.print(
        f"alert {alert.id} · {alert.status} · created {_when(alert.created_at)}"
        + (f" · acked {_when(alert.acked_at)}" if alert.acked_at else "")
    )
    out.print(f"Subject: {message.subject}\n", markup=False)
    out.print(message.text, markup=False)
    table = Table("route", "status", "attempts", "next attempt", "sent", "last error", "key")
    for d in deliveries:
        table.add_row(
            d.route,
            d.status,
            str(d.attempts),
            _when(d.next_attempt_at) if d.status == "pending" else "",
            _when(d.sent_at),
            d.last_error or "",
            d.idempotency_key,
        )
    out.print(table if deliveries else "no deliveries (no route accepts this alert)")


@alerts_app.command("ack")
def ack(ctx: typer.Context, alert_id: Annotated[int, typer.Argument(help="Alert id")]) -> None:
    """Acknowledge an alert (an analyst has seen it); it stays listed, marked ✓.

    Example: tgmon alerts ack 42
    """
    state(ctx).app().alerts.acknowledge(alert_id)
    typer.echo(f"alert {alert_id} acknowledged")


@alerts_app.command("retry")
def retry(
    ctx: typer.Context,
    alert_id: Annotated[int | None, typer.Argument(help="Alert id")] = None,
    all_failed: Annotated[
        bool, typer.Option("--all-failed", help="Requeue every dead delivery")
    ] = False,
) -> None:
    """Requeue dead deliveries (of one alert, or all); a suppressed alert is sent after all.

    The next `alerts dispatch` (or the daemon) sends them. Example: tgmon alerts retry 42
    ·   tgmon alerts retry --all-failed
    """
    if (alert_id is None) == (not all_failed):
        raise InputError("give an alert id or --all-failed (not both)")
    count = state(ctx).app().alerts.retry(None if all_failed else [alert_id])  # type: ignore[list-item]
    typer.echo(f"{count} deliver{'y' if count == 1 else 'ies'} requeued")


@alerts_app.command("dispatch")
def dispatch(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most deliveries this run")] = 1000,
) -> None:
    """Deliver every due alert once and exit (for cron; the daemon does this on its own).

    Exit code 0 even when some deliveries failed: they are retried later or dead-lettered
    (see `tgmon alerts list --failed`). Example: */2 * * * * tgmon alerts dispatch
    """
    report = state(ctx).app().alerts.dispatch(limit=limit)
    typer.echo(
        f"{report.claimed} claimed: {report.sent} sent, {report.retrying} to retry, "
        f"{report.dead} dead, {report.released} released"
        + (f", {report.postponed} postponed (route not answering)" if report.postponed else "")
    )
    for error in report.errors[:10]:
        typer.echo(f"failed: {error}", err=True)


@alerts_app.command("test-route")
def test_route(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Route name from config")]
) -> None:
    """Send a sample alert through one configured route now (not via the outbox).

    Example: tgmon alerts test-route desk-email
    """
    described = state(ctx).app().alerts.test_route(name)
    typer.echo(f"sent a test alert to {name} ({described})")
