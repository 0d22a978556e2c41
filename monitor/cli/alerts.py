"""`tgmon alerts …`: list, show, acknowledge, retry and dispatch alerts; test a route."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from monitor.alerts.dispatch import dispatch_configured, renderer_for
from monitor.alerts.notifiers import build_notifier, describe_route
from monitor.alerts.render import AlertMessage, AlertRenderer
from monitor.cli.core import state, sub_app
from monitor.cli.render import summary as render
from monitor.core.errors import InputError
from storage.alert_queries import ack_alert, deliveries_of, list_alerts
from storage.database import Database
from storage.models import Alert, Channel, Match, Post
from storage.outbox import load_alert, retry_alerts

alerts_app = sub_app("Alerts: the outbox of matches to deliver, and its delivery records.")


@contextmanager
def _database(ctx: typer.Context) -> Iterator[Database]:
    """The CLI's database, its connections closed when the command is done."""
    db = state(ctx).database()
    try:
        yield db
    finally:
        db.dispose()


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
    with _database(ctx) as db, db.read_session() as session:
        rows = list_alerts(
            session, failed=failed, pending=pending, watchlist=watchlist, limit=limit
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
    st = state(ctx)
    settings = st.settings()
    with _database(ctx) as db, db.read_session() as session:
        record = load_alert(session, alert_id)
        if record is None:
            raise InputError(f"no alert with id {alert_id}")
        deliveries = deliveries_of(session, alert_id)
    message = renderer_for(settings).render(
        record.alert, record.post, record.channel, record.matches, record.copies
    )
    out = render.console()
    alert = record.alert
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
    with _database(ctx) as db, db.session() as session:
        alert = ack_alert(session, alert_id)
    if alert is None:
        raise InputError(f"no alert with id {alert_id}")
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
    st = state(ctx)
    settings = st.settings()
    with _database(ctx) as db, db.session() as session:
        count = retry_alerts(session, None if all_failed else [alert_id], settings.alerts)  # type: ignore[list-item]
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
    st = state(ctx)
    with _database(ctx) as db:
        report = dispatch_configured(db, st.settings(), limit=limit)
    typer.echo(
        f"{report.claimed} claimed: {report.sent} sent, {report.retrying} to retry, "
        f"{report.dead} dead, {report.released} released"
        + (f", {report.postponed} postponed (route not answering)" if report.postponed else "")
    )
    for error in report.errors[:10]:
        typer.echo(f"failed: {error}", err=True)


def sample_message(renderer: AlertRenderer) -> AlertMessage:
    """A made-up alert (nothing stored) to check that a route works end to end."""
    now = datetime.now(UTC)
    text = "Тестовое оповещение tgmon: колонна «Вагнера» замечена (test alert)"
    post = Post(
        id=0,
        channel_id=1,
        message_id=1,
        posted_at=now,
        text=text,
        url="https://t.me/tgmon_test/1",
        translation="tgmon test alert: a Wagner column spotted (test alert)",
        translation_status="done",
    )
    match = Match(
        post_id=0,
        watchlist="test",
        rule="test",
        severity="info",
        terms=["Вагнера"],
        spans=[[text.index("Вагнера"), text.index("Вагнера") + 7]],
    )
    alert = Alert(
        id=0,
        watchlist="test",
        severity="info",
        post_id=0,
        dedupe_key="test",
        copies=[0],
        created_at=now,
    )
    channel = Channel(id=1, username="tgmon_test", title="tgmon test")
    return renderer.render(alert, post, channel, [match], [(post, channel)])


@alerts_app.command("test-route")
def test_route(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Route name from config")]
) -> None:
    """Send a sample alert through one configured route now (not via the outbox).

    Example: tgmon alerts test-route desk-email
    """
    settings = state(ctx).settings()
    route = settings.alerts.route(name)
    if route is None:
        known = ", ".join(r.name for r in settings.alerts.routes) or "none configured"
        raise InputError(f"no route named {name!r} (routes: {known})")
    message = sample_message(renderer_for(settings))
    build_notifier(route).send(message.for_delivery(f"tgmon-test-{uuid.uuid4().hex}"))
    typer.echo(f"sent a test alert to {name} ({describe_route(route)})")
