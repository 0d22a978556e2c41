"""Commands for the Telegram account and the watched channels: login, whoami, channels …

`login` is the one place besides the source that touches Telethon directly (its interactive
sign-in errors). Everything else goes through TelegramSource and ChannelWatcher, so the CLI
and the daemon read channels the same way.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor.cli.core import state, sub_app, when_option
from monitor.cli.render import summary as render
from monitor.cli.render.channels import channel_table, channels_json
from monitor.config.settings import parse_duration
from monitor.config.sources import SOURCE_KINDS
from monitor.core.clock import utcnow
from monitor.core.errors import InputError, SourceError
from monitor.services.channels import AddedChannel
from monitor.sources.telegram.client import (
    NETWORK_ERRORS,
    SessionLock,
    build_client,
    connected_client,
    session_path,
)
from monitor.sources.telegram.source import TelegramSource, translate_error
from storage import channels as store

channels_app = sub_app("Watched channels: add, list, remove, disable, enable.")

# The seam tests use to hand in a Telethon double: (settings, lock=…, session_string=…) → client.
CLIENT_FACTORY: Callable[..., Any] = build_client


def history_progress() -> Progress:
    """A transient bar on stderr counting posts read (total known for --backfill N)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=render.console(stderr=True),
        transient=True,
    )


# -- account ---------------------------------------------------------------------------------


async def _sign_in(client: Any, *, echo: Callable[[str], None]) -> Any:
    from telethon import errors

    try:
        await client.connect()
    except NETWORK_ERRORS as exc:
        raise SourceError(f"cannot reach Telegram: {type(exc).__name__}") from None
    if await client.is_user_authorized():
        echo("already logged in")
        return await client.get_me()
    phone = typer.prompt("Phone number (international format, e.g. +441234567890)")
    try:
        await client.send_code_request(phone)
        code = typer.prompt("Login code (sent to your Telegram app)")
        try:
            await client.sign_in(phone=phone, code=code)
        except errors.SessionPasswordNeededError:
            password = typer.prompt("Two-step verification password", hide_input=True)
            await client.sign_in(password=password)
    except (
        errors.PhoneNumberInvalidError,
        errors.PhoneCodeInvalidError,
        errors.PhoneCodeExpiredError,
        errors.PasswordHashInvalidError,
    ) as exc:
        raise InputError(f"login refused: {type(exc).__name__.removesuffix('Error')}") from None
    except errors.RPCError as exc:
        raise translate_error(exc, "login") from None
    return await client.get_me()


def login(
    ctx: typer.Context,
    string: Annotated[
        bool,
        typer.Option(
            "--string",
            help="Print a session string for containers (TGMON_TELEGRAM__SESSION_STRING) "
            "instead of writing a session file",
        ),
    ] = False,
) -> None:
    """Log in to Telegram (phone, code, 2FA password) and store the session.

    The session file is <data_dir>/<session_name>.session, readable by you only (0600). With
    --string nothing is written: the session string is printed once — treat it like a password.

    Example: tgmon login   ·   tgmon login --string > session.txt
    """
    settings = state(ctx).settings()
    path = session_path(settings)

    async def run() -> str | None:
        lock = None if string else SessionLock(path)
        client = None
        try:
            client = CLIENT_FACTORY(settings, lock=lock, session_string="" if string else None)
            me = await _sign_in(client, echo=lambda m: typer.echo(m, err=True))
            typer.echo(f"logged in as {TelegramSource.describe_user(me)}", err=True)
            return client.session.save() if string else None
        finally:
            if client is not None:
                await client.disconnect()
            if lock is not None:
                lock.release()
            if not string and path.exists():
                os.chmod(path, 0o600)

    old_umask = os.umask(0o077)  # SQLite journals beside the session are owner-only too
    try:
        session_string = asyncio.run(run())
    finally:
        os.umask(old_umask)
    if session_string is not None:
        typer.echo(session_string)
    else:
        typer.echo(f"session stored in {path} (mode 0600)", err=True)


def whoami(ctx: typer.Context) -> None:
    """Show which Telegram account the session belongs to.

    Example: tgmon whoami
    """
    settings = state(ctx).settings()

    async def run() -> str:
        async with connected_client(settings, factory=CLIENT_FACTORY) as client:
            return await TelegramSource(client).whoami()

    typer.echo(asyncio.run(run()))


# -- channels --------------------------------------------------------------------------------


@channels_app.command("add")
def channels_add(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="@username, https://t.me/name, or numeric id")],
    poll: Annotated[str, typer.Option("--poll", help="Polling interval, e.g. 5m")] = "5m",
    join: Annotated[
        bool, typer.Option("--join/--no-join", help="Join for live updates (max ~500)")
    ] = False,
    backfill: Annotated[
        int, typer.Option("--backfill", min=0, help="Fetch this many posts of history now")
    ] = 0,
    since: Annotated[
        str | None, typer.Option("--since", help="Fetch history back to this date (UTC)")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="telegram (account) or web (public t.me/s preview, no account); "
            "default: [sources] default",
        ),
    ] = None,
) -> None:
    """Start watching a channel: resolve it once, store it, and read its history now.

    The first read stores the newest post (or --backfill N posts, or everything --since a
    date) with a progress bar; if interrupted, `tgmon run` resumes from the last stored post.
    With --source web the channel is read from its public web preview: no account needed.

    Example: tgmon channels add @rybar --poll 10m --backfill 500
    Example: tgmon channels add rybar --source web
    """
    if backfill and since:
        raise InputError("--backfill and --since: give one or the other")
    try:
        interval = int(parse_duration(poll).total_seconds())
    except ValueError as exc:
        raise InputError(f"--poll: {exc}") from None
    app = state(ctx).app()
    kind = source or app.settings.sources.default
    if kind not in SOURCE_KINDS:
        raise InputError(f"--source: must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
    spec = store.ChannelSpec(ref, interval, True, join, backfill, when_option(since), kind)

    async def run() -> AddedChannel:
        async with app.open_sources(
            {kind}, ref_kinds={ref: kind}, client_factory=CLIENT_FACTORY
        ) as source:
            with history_progress() as bar:
                task = bar.add_task("reading history", total=None)

                def progress(done: int, total: int | None) -> None:
                    bar.update(task, completed=done, total=total)

                return await app.channels.add(app.watcher(source), spec, progress)

    added = asyncio.run(run())
    info, report = added.info, added.report
    name = f"@{info.username}" if info.username else str(info.channel_id)
    typer.echo(
        f"watching {name} (id {info.channel_id}, {'live' if join else 'poll'} every {poll}): "
        f"{report.new} post(s) stored"
    )


@channels_app.command("list")
def channels_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include removed channels")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """List channels: id, username, title, mode, last post, lag, holding worker, error state.

    Example: tgmon channels list   ·   tgmon channels list -f json | jq '.[].holder'
    """
    if fmt not in ("table", "json"):
        raise InputError(f"--format {fmt}: use table or json")
    rows = state(ctx).app().channels.overview(include_removed=all_)
    if fmt == "json":
        typer.echo(channels_json(rows, now=utcnow()), nl=False)
    else:
        render.console().print(channel_table(rows, now=utcnow()))


def _set(ctx: typer.Context, ref: str, verb: str, **change: Any) -> None:
    channel = state(ctx).app().channels.set_watching(ref, **change)
    name = f"@{channel.username}" if channel.username else str(channel.id)
    typer.echo(f"{verb} {name}")


@channels_app.command("remove")
def channels_remove(ctx: typer.Context, ref: Annotated[str, typer.Argument()]) -> None:
    """Stop watching a channel. Its stored posts are kept (add it again to resume).

    Example: tgmon channels remove @rybar
    """
    _set(ctx, ref, "removed (posts kept)", removed=True)


@channels_app.command("disable")
def channels_disable(ctx: typer.Context, ref: Annotated[str, typer.Argument()]) -> None:
    """Pause a channel without removing it.

    Example: tgmon channels disable @rybar
    """
    _set(ctx, ref, "disabled", enabled=False)


@channels_app.command("enable")
def channels_enable(ctx: typer.Context, ref: Annotated[str, typer.Argument()]) -> None:
    """Resume a paused channel.

    Example: tgmon channels enable @rybar
    """
    _set(ctx, ref, "enabled", enabled=True)
