"""What every command module shares: the error-handling group, the CLI state, helpers.

Every TgmonError becomes `error: <one line>` on stderr and its exit code; anything else
shows a traceback only with --debug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from monitor.cli.render import summary as render
from monitor.config.settings import Settings, load_settings
from monitor.config.when import parse_when
from monitor.core.errors import InputError, TgmonError
from monitor.wiring import App, build_app
from storage.database import Database


class ErrorHandlingGroup(TyperGroup):
    """Turns TgmonError into one line and an exit code, for every command and sub-command."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
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
    """Global options, and the settings/database loaded lazily from them."""

    config: Path | None = None
    data_dir: Path | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _app: App | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config, data_dir=self.data_dir)
        return self._settings

    def app(self, *, upgrade: bool = True) -> App:
        """tgmon assembled from the settings (the composition root), once per command."""
        if self._app is None:
            self._app = build_app(self.settings(), upgrade=upgrade)
        return self._app

    def database(self, *, upgrade: bool = True) -> Database:
        return self.app(upgrade=upgrade).db

    def close(self) -> None:
        """Release database connections when the command ends."""
        if self._app is not None:
            self._app.close()
            self._app = None


def sub_app(help_text: str) -> typer.Typer:
    """A command group (`tgmon db …`) with the same error handling as the root."""
    return typer.Typer(cls=ErrorHandlingGroup, help=help_text, no_args_is_help=True)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_object(CliState)
    if obj is None:  # a sub-app invoked on its own (tests); defaults apply
        obj = CliState()
        ctx.obj = obj
        ctx.call_on_close(obj.close)
    return obj


def file_progress() -> Progress:
    """A transient progress bar on stderr, measured in bytes of the file being read."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=render.console(stderr=True),
        transient=True,
    )


def when_option(
    value: str | None, *, option: str = "--since", end_of_day: bool = False
) -> datetime | None:
    """Read a --since/--until value (date, timestamp or age such as 7d); None when not given."""
    try:
        return parse_when(value, end_of_day=end_of_day) if value else None
    except InputError as exc:
        raise InputError(f"{option}: {exc}") from None
