"""What every command module shares: the error-handling group, the CLI state, helpers.

Every TgmonError becomes `error: <one line>` on stderr and its exit code; anything else
becomes one `error: internal error …` line (exit 1) and shows its traceback only with --debug.
Arguments that are not UTF-8 text are refused here, once, before any command sees them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from monitor.cli.logs import mask_configured_secrets, mask_secret_patterns
from monitor.cli.render import summary as render
from monitor.config.settings import Settings, load_settings
from monitor.config.when import parse_when
from monitor.core.errors import InputError, TgmonError
from monitor.wiring import App, build_app
from storage.database import Database


def undecodable_argument(args: Sequence[str]) -> str | None:
    """One line naming the first argument that holds bytes which are not UTF-8, if any.

    Python hands such bytes over as lone surrogates (PEP 383); passed on, they fail far away
    with UnicodeEncodeError when printed or stored.
    """
    for index, arg in enumerate(args):
        if not any("\udc80" <= ch <= "\udcff" for ch in arg):
            continue
        name, sep, _value = arg.partition("=")
        if arg.startswith("-") and sep:
            where = name
        elif index > 0 and args[index - 1].startswith("-") and "=" not in args[index - 1]:
            where = args[index - 1]
        else:
            where = f"argument {index + 1}"
        raw = os.fsencode(arg)
        return f"{where}: not UTF-8 text: {raw!r}"
    return None


class ErrorHandlingGroup(TyperGroup):
    """Turns TgmonError into one line and an exit code, for every command and sub-command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        problem = undecodable_argument(args)
        if problem is not None:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(InputError.exit_code)
        ctx.meta.setdefault(_RAW_ARGS, list(args))  # the root's view: every argument
        try:
            return super().parse_args(ctx, args)
        except _USAGE_ERRORS as exc:
            _usage_error(ctx, exc)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except TgmonError as exc:
            if _debugging(ctx):
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except _USAGE_ERRORS as exc:
            _usage_error(ctx, exc)
        except _PASS_THROUGH:
            raise
        except OverflowError:
            # An id or count beyond what the database stores (SQLite: 64-bit): bad input.
            if _debugging(ctx):
                raise
            typer.echo(f"error: {_outsized_number(ctx)}: number out of range", err=True)
            raise typer.Exit(InputError.exit_code) from None
        except Exception as exc:
            # A bug, not bad input: say so in one line; --debug shows where.
            if _debugging(ctx):
                raise
            first = mask_secret_patterns((str(exc).splitlines() or [""])[0][:200])
            detail = f": {first}" if first else ""
            typer.echo(
                f"error: internal error ({type(exc).__name__}{detail}); "
                "run with --debug for the traceback",
                err=True,
            )
            raise typer.Exit(1) from None


# How click and typer end a command on purpose (usage errors, exit codes, Ctrl-C): not bugs.
# typer >= 0.20 carries its own copy of click, whose exceptions derive from TyperException.
_TYPER_BASE: tuple[type[Exception], ...] = (
    (typer.TyperException,) if hasattr(typer, "TyperException") else ()
)
_PASS_THROUGH: tuple[type[BaseException], ...] = (
    click.exceptions.ClickException,
    click.exceptions.Exit,
    click.exceptions.Abort,
    typer.Exit,
    typer.Abort,
    *_TYPER_BASE,
)
_USAGE_ERRORS: tuple[type[Exception], ...] = (
    type(typer.BadParameter("")).__mro__[1],
    click.exceptions.UsageError,
)


_RAW_ARGS = "tgmon.raw_args"
_INTEGER = re.compile(r"-?\d+")


def _outsized_number(ctx: Any) -> str:
    """The first argument that is an integer too wide for 64 bits, as the user typed it."""
    for arg in ctx.meta.get(_RAW_ARGS, ()):
        value = arg.partition("=")[2] if arg.startswith("-") and "=" in arg else arg
        if _INTEGER.fullmatch(value) and abs(int(value)) >= 2**63:
            return value if len(value) <= 40 else value[:37] + "..."
    return "a number given"


def _usage_error(ctx: Any, exc: Exception) -> NoReturn:
    """A wrong option or argument: one `error:` line naming the command's help, exit 2.

    A group called without a sub-command shows its help as before (that is not an error).
    """
    if type(exc).__name__ == "NoArgsIsHelpError":
        raise exc
    where = getattr(getattr(exc, "ctx", None), "command_path", None) or ctx.command_path
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)  # type: ignore[attr-defined]
    typer.echo(f"error: {message} (see `{where} --help`)", err=True)
    raise typer.Exit(2) from None


def _debugging(ctx: Any) -> bool:
    state = ctx.find_object(CliState)
    return state is not None and state.debug


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
            mask_configured_secrets(self._settings)
        return self._settings

    def app(self, *, upgrade: bool = True, long_running: bool = False) -> App:
        """tgmon assembled from the settings (the composition root), once per command.

        `long_running` (import, run): the watchlists are compiled in a child process, so the
        command's memory never holds the dictionaries that compiling needs.
        """
        if self._app is None:
            self._app = build_app(self.settings(), upgrade=upgrade, compile_apart=long_running)
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
