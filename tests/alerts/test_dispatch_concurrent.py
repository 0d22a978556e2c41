"""A dead or slow destination never delays the others (issue 13 item 3).

Before: routes were sent one after another, so with one receiver that never answers and one
that answers after 30 s, a healthy route got 13 of 23 alerts after 281 s. Now each route has
its own thread and every send a hard limit (the route's timeout); after an overrun, the rest
of that route's batch is postponed untried. Real receivers on 127.0.0.1, both databases.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

import monitor.cli
from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.notifiers import build_notifiers
from monitor.alerts.policy import retry_policy
from monitor.config.settings import AlertSettings, RouteSettings
from storage.database import Database
from storage.models import Delivery
from tests.support.alert_helpers import T0, Received, Receiver, match_and_alert, store_post

ALERTS = 5


@pytest.fixture
def release_receivers() -> Iterator[threading.Event]:
    """Set at teardown so receivers that 'never answer' let their handler threads end."""
    done = threading.Event()
    yield done
    done.set()


def start(respond) -> Receiver:  # noqa: ANN001
    return Receiver(respond=respond).start()


@pytest.fixture
def receivers(release_receivers: threading.Event) -> Iterator[dict[str, Receiver]]:
    def never(_item: Received) -> int:
        release_receivers.wait(120)
        return 200

    def after_three_seconds(_item: Received) -> int:
        release_receivers.wait(3)
        return 200

    servers = {
        "dead": start(never),
        "healthy": start(lambda _item: 200),
        "slow": start(after_three_seconds),
    }
    yield servers
    release_receivers.set()
    for server in servers.values():
        server.stop()


def settings_for(receivers: dict[str, Receiver]) -> AlertSettings:
    return AlertSettings(
        routes=[
            RouteSettings(name=name, url=f"webhook+{r.url}", secret="s3cret", timeout="1s")
            for name, r in receivers.items()
        ],
        lease=timedelta(seconds=4),  # dispatcher stops starting sends after 2 s
    )


def make_alerts(db: Database, settings: AlertSettings) -> None:
    with db.session() as s:
        for n in range(ALERTS):
            post = store_post(s, 1, n + 1, f"Вагнер сообщение {n}")
            match_and_alert(s, post, settings, spans=[[0, 6]])


def test_dead_and_slow_routes_do_not_delay_a_healthy_one(
    db: Database, receivers: dict[str, Receiver]
) -> None:
    settings = settings_for(receivers)
    make_alerts(db, settings)
    retry = retry_policy(settings)
    report = dispatch_due(
        db,
        build_notifiers(settings),
        now=T0,
        retry=retry,
        time_limits={"dead": 1, "slow": 1, "healthy": 1},
    )

    # every alert reached the healthy route in this one run, though the others never finished
    assert len(receivers["healthy"].received) == ALERTS
    assert (report.claimed, report.sent, report.retrying, report.dead) == (3 * ALERTS, 5, 2, 0)
    assert report.postponed == 2 * (ALERTS - 1) and report.released == 0
    assert len(report.errors) == 2 and all("timed out" in e for e in report.errors)
    with db.read_session() as session:
        rows = session.exec(select(Delivery)).all()
    by_route: dict[str, list[tuple[str, int, str | None]]] = {}
    for row in rows:
        by_route.setdefault(row.route, []).append((row.status, row.attempts, row.last_error))
    assert {s for s, _, _ in by_route["healthy"]} == {"sent"}
    for route in ("dead", "slow"):
        states = sorted(by_route[route], key=lambda r: -r[1])
        # the one tried used an attempt; the untried were refunded and say why they wait
        assert states[0][:2] == ("pending", 1) and "timed out" in (states[0][2] or "")
        assert states[1:] == [
            ("pending", 0, f"not tried: route {route} did not answer within 1s")
        ] * (ALERTS - 1)
        due = {r.next_attempt_at for r in rows if r.route == route}
        assert min(due) > T0  # postponed, not due again at once


def test_alerts_dispatch_command_reports_postponed_and_returns(
    db: Database, receivers: dict[str, Receiver], tmp_path: Path
) -> None:
    settings = settings_for(receivers)
    make_alerts(db, settings)
    routes = "".join(
        f'[[alerts.routes]]\nname = "{name}"\nurl = "webhook+{r.url}"\n'
        'secret = "s3cret"\ntimeout = "1s"\n'
        for name, r in receivers.items()
    )
    config = tmp_path / "tgmon.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[database]\nurl = "{db.url}"\n[alerts]\nlease = "4s"\n{routes}',
        encoding="utf-8",
    )
    started = time.monotonic()
    result = CliRunner().invoke(monitor.cli.app, ["-c", str(config), "alerts", "dispatch"])
    assert result.exit_code == 0, result.output
    assert (
        f"{3 * ALERTS} claimed: {ALERTS} sent, 2 to retry, 0 dead, 0 released, "
        f"{2 * (ALERTS - 1)} postponed (route not answering)"
    ) in result.output.splitlines()
    assert len(receivers["healthy"].received) == ALERTS
    assert time.monotonic() - started < 60  # a hang bound, not a speed claim


class StuckNotifier:
    """A destination library that ignores its own timeouts (blocks until released)."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.calls = 0

    def send(self, message: object) -> None:
        self.calls += 1
        self.release.wait(120)


def test_a_send_that_ignores_its_timeout_is_cut_at_the_route_limit(
    db: Database, receivers: dict[str, Receiver], release_receivers: threading.Event
) -> None:
    settings = settings_for({"healthy": receivers["healthy"], "stuck": receivers["healthy"]})
    make_alerts(db, settings)
    stuck = StuckNotifier(release_receivers)
    notifiers = {**build_notifiers(settings), "stuck": stuck}
    report = dispatch_due(
        db,
        notifiers,
        now=T0,
        retry=retry_policy(settings),
        time_limits={"stuck": 0.5},
    )
    assert len(receivers["healthy"].received) == ALERTS and stuck.calls == 1
    assert report.errors == ["route stuck: no answer within 0.5s"]
    assert (report.sent, report.retrying, report.postponed) == (ALERTS, 1, ALERTS - 1)
