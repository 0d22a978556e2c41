"""The `tgmon` command line: parse, load config, call one function, render.

This is the only place that exits. Every TgmonError becomes `error: <one line>` on stderr and
its exit code; anything else shows a traceback only with --debug.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from monitor import render
from monitor.app import build_pipeline, open_database
from monitor.config import Settings, load_settings, masked_dump
from monitor.errors import TgmonError
from storage.database import Database, redact_url


class _Group(TyperGroup):
    """Turns TgmonError into one line and an exit code, for every command and sub-command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TgmonError as exc:
            state = ctx.find_object(CliState)
            if state is not None and state.debug:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


@dataclass
class CliState:
    config: Path | None = None
    data_dir: Path | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config, data_dir=self.data_dir)
        return self._settings

    def database(self) -> Database:
        return open_database(self.settings())


app = typer.Typer(
    cls=_Group,
    help="tgmon — watch public Telegram channels: record, translate, match, alert.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(cls=_Group, help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(cls=_Group, help="Inspect and check configuration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_object(CliState)
    assert obj is not None
    return obj


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
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=render.console(stderr=True),
        transient=True,
    )


@app.command()
def demo(ctx: typer.Context) -> None:
    """Replay the bundled sample channels through the whole pipeline (offline, no Telegram).

    Stores posts, versions, languages and matches in the configured database (SQLite under the
    data dir by default) and prints what it stored and what fired. Safe to run twice.

    Example: tgmon demo && tgmon --data-dir /tmp/tg demo
    """
    from monitor.demo import run_demo

    st = state(ctx)
    settings = st.settings()
    db = st.database()
    with _progress() as bar:
        tasks: dict[Path, Any] = {}

        def progress(file: Path, done: int) -> None:
            if file not in tasks:
                tasks[file] = bar.add_task(file.parent.name, total=file.stat().st_size)
            bar.update(tasks[file], completed=done)

        report = run_demo(settings, db, build_pipeline(settings, db), progress)
    render.demo(render.console(), report)


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A result.json, or a folder of exports")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good messages of a partly bad file")
    ] = False,
    username: Annotated[
        str | None,
        typer.Option("--username", help="The channel's @username (exports do not record it)"),
    ] = None,
) -> None:
    """Import Telegram Desktop exports (JSON: "Export chat history" → Machine-readable JSON).

    Importing the same export twice adds nothing; an edited re-export adds versions.

    Example: tgmon import ~/Downloads/Telegram\\ Desktop/ChatExport_2026-11-20/result.json
    """
    from monitor.importer import import_exports
    from monitor.sources.export import find_exports, read_export

    st = state(ctx)
    settings = st.settings()
    files = find_exports(path)
    usernames: dict[int, str] = {}
    if username:
        if len(files) != 1:
            raise_input("--username needs a single export file, not a folder")
        for item in read_export(files[0]):
            usernames[item.channel.channel_id] = username.lstrip("@")
            break
    db = st.database()
    with _progress() as bar:
        tasks: dict[Path, Any] = {}

        def progress(file: Path, done: int) -> None:
            if file not in tasks:
                tasks[file] = bar.add_task(str(file), total=file.stat().st_size)
            bar.update(tasks[file], completed=done)

        report = import_exports(
            build_pipeline(settings, db),
            path,
            skip_bad=skip_bad,
            usernames=usernames,
            progress=progress,
        )
    out = render.console()
    out.print(render.import_summary(report))
    for example in report.bad_examples:
        render.console(stderr=True).print(f"skipped: {example}")


def raise_input(message: str) -> None:
    from monitor.errors import InputError

    raise InputError(message)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the newest version (also done at start)."""
    settings = state(ctx).settings()
    db = open_database(settings)
    typer.echo(
        f"schema up to date ({', '.join(sorted(db.current_revisions()))}) in {redact_url(db.url)}"
    )


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Show the database URL (password hidden) and its schema revision."""
    settings = state(ctx).settings()
    db = open_database(settings, upgrade=False)
    revisions = ", ".join(sorted(db.current_revisions())) or "empty (run `tgmon db upgrade`)"
    typer.echo(f"{redact_url(db.url)}: schema {revisions}")


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective configuration as JSON, secrets masked."""
    settings = state(ctx).settings()
    typer.echo(f"# from {settings.source_path}")
    typer.echo(render.as_json(masked_dump(settings)))


@config_app.command("check")
def config_check(ctx: typer.Context) -> None:
    """Validate the configuration file and environment; exit 2 with one line if invalid."""
    settings = state(ctx).settings()
    typer.echo(f"{settings.source_path}: OK")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
