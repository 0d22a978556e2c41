"""Commands over stored data and the schema: demo, import, db, config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.cli.core import file_progress, state, sub_app
from monitor.cli.render import summary as render
from monitor.config.reference import settings_reference
from monitor.config.settings import check_data_dir, masked_dump
from storage.database import check_database_folder, redact_url

db_app = sub_app("Database schema: create, migrate, inspect.")
config_app = sub_app("Inspect and check configuration.")


def _progress_callback(bar: Any, label: Any) -> Any:
    tasks: dict[Path, Any] = {}

    def progress(file: Path, done: int) -> None:
        if file not in tasks:
            tasks[file] = bar.add_task(label(file), total=file.stat().st_size)
        bar.update(tasks[file], completed=done)

    return progress


def demo(ctx: typer.Context) -> None:
    """Replay the bundled sample channels through the whole pipeline (offline, no Telegram).

    Stores posts, versions, languages and matches in the configured database (SQLite under the
    data dir by default) and prints what it stored and what fired. Safe to run twice.

    Example: tgmon demo   ·   tgmon --data-dir /tmp/tgmon demo
    """
    from monitor.services.demo import run_demo

    app = state(ctx).app()
    with file_progress() as bar:
        progress = _progress_callback(bar, lambda f: f.parent.name)
        report = run_demo(app.settings, app.db, app.pipeline, progress)
    render.demo(render.console(), report)


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
    mark_missing_deleted: Annotated[
        bool,
        typer.Option(
            "--mark-missing-deleted",
            help="Treat each file as a complete export: stored posts within its id range that "
            "it lacks are marked deleted (never removed)",
        ),
    ] = False,
) -> None:
    """Import Telegram Desktop exports (Export chat history → Machine-readable JSON).

    Importing the same export twice adds nothing; an edited re-export adds versions. A bad
    message stops the import with its file and index (earlier posts stay stored) unless
    --skip-bad is given.

    Example: tgmon import ~/Downloads/ChatExport_2026-11-20/result.json --username rybar
    """
    from monitor.services.importing import import_exports, usernames_for

    usernames = usernames_for(path, username)
    app = state(ctx).app(long_running=True)
    with file_progress() as bar:
        report = import_exports(
            app.pipeline,
            path,
            skip_bad=skip_bad,
            usernames=usernames,
            progress=_progress_callback(bar, str),
            mark_missing_deleted=mark_missing_deleted,
        )
    render.console().print(render.import_summary(report))
    for example in report.bad_examples:
        render.console(stderr=True).print(f"skipped: {example}")
    for chat in report.skipped_chats:
        render.console(stderr=True).print(f"not imported: {chat}", markup=False)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the newest version (also done at start)."""
    db = state(ctx).database()
    revisions = ", ".join(sorted(db.current_revisions()))
    typer.echo(f"schema up to date ({revisions}) in {redact_url(db.url)}")


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Show the database URL (password hidden) and its schema revision."""
    db = state(ctx).database(upgrade=False)
    revisions = ", ".join(sorted(db.current_revisions())) or "empty (run `tgmon db upgrade`)"
    typer.echo(f"{redact_url(db.url)}: schema {revisions}")


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the effective configuration as JSON, secrets masked."""
    settings = state(ctx).settings()
    typer.echo(f"# from {settings.source_path}")
    typer.echo(render.as_json(masked_dump(settings)))


@config_app.command("reference")
def config_reference() -> None:
    """Print every setting with its default and meaning (the README's reference table)."""
    typer.echo(settings_reference(), nl=False)


@config_app.command("check")
def config_check(ctx: typer.Context) -> None:
    """Validate the configuration file and environment; exit 2 with one line if invalid."""
    settings = state(ctx).settings()
    check_data_dir(settings.data_dir)
    check_database_folder(settings.database_url)
    typer.echo(f"{settings.source_path}: OK")
