"""The `tgmon` command line: parse, load config, call one function, render.

One module per topic under monitor/cli/; this file builds the root app and registers them.
It is the only place that exits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli import alerts, data, search, telegram, translate, watchlist, web
from monitor.cli import run as run_cli
from monitor.cli.core import CliState, ErrorHandlingGroup
from monitor.cli.logs import reset_logging

app = typer.Typer(
    cls=ErrorHandlingGroup,
    help="tgmon — watch public Telegram channels: record, translate, match, alert.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Config file (default ./tgmon.toml, else the example)"),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Override data_dir from the config")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs")] = False,
) -> None:
    ctx.obj = CliState(config=config, data_dir=data_dir, debug=debug)
    ctx.call_on_close(ctx.obj.close)
    reset_logging(debug=debug)


# Commands, by topic. Each topic module owns its commands; register them here.
app.command()(data.demo)
app.command("import")(data.import_)
app.add_typer(data.db_app, name="db")
app.add_typer(data.config_app, name="config")
app.add_typer(watchlist.watchlist_app, name="watchlist")
app.command()(telegram.login)
app.command()(telegram.whoami)
app.add_typer(telegram.channels_app, name="channels")
app.command("translate")(translate.translate)
for _command in (search.search, search.show, search.export, search.stats):
    app.command()(_command)
app.add_typer(alerts.alerts_app, name="alerts")
app.command()(run_cli.run)
app.command()(run_cli.health)
app.command()(web.web)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
