"""Commands of the long-running monitor: `tgmon run` and `tgmon health`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from monitor.cli.core import state
from monitor.cli.logs import setup_logging
from monitor.core.errors import TgmonError
from monitor.services.health import worker_health
from monitor.sources.telegram.client import require_credentials


def run(
    ctx: typer.Context,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="Override the config's daemon.worker_id")
    ] = None,
    http_port: Annotated[
        int | None, typer.Option("--http-port", help="Serve /healthz and /metrics on this port")
    ] = None,
) -> None:
    """Watch the configured channels until stopped: catch up, poll, listen, translate, alert.

    Logs one JSON line per event when stderr is not a terminal. SIGTERM or Ctrl-C finishes the
    running batch and exits 0 within 10 s; a second signal exits at once.

    Example: tgmon -c /etc/tgmon/tgmon.toml run --http-port 9108
    """
    st = state(ctx)
    settings = st.settings()
    if worker_id:
        settings.daemon.worker_id = worker_id
    if http_port is not None:
        settings.daemon.http_port = http_port
    setup_logging(settings, debug=st.debug)
    app = st.app(long_running=True)
    if "telegram" in app.source_kinds_needed():  # web-only setups need no login
        require_credentials(settings)
    asyncio.run(app.serve())


def health(
    ctx: typer.Context,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="Worker to check (default: this host's)")
    ] = None,
) -> None:
    """Exit 0 when the daemon's heartbeat is fresh and no job is stuck; else 1 and why.

    Reads the worker row `tgmon run` keeps in the database; used by the container HEALTHCHECK.

    Example: tgmon health   ·   tgmon health --worker-id worker-2
    """
    verdict = worker_health(state(ctx).settings(), worker_id)
    if not verdict.ok:
        raise TgmonError(verdict.reason)
    typer.echo(verdict.reason)
