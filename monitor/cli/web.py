"""`tgmon web`: serve the analyst desk in the browser (and make a password hash for it)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from monitor.cli.core import state
from monitor.cli.logs import setup_logging
from monitor.cli.render import summary as render
from monitor.core.errors import InputError


def web(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Listen on this address (default web.host)")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", "-p", min=1, max=65535, help="Listen on this port (web.port)"),
    ] = None,
    hash_password: Annotated[
        bool,
        typer.Option(
            "--hash-password", help="Ask for a password, print its web.password_hash, exit"
        ),
    ] = False,
) -> None:
    """Serve the analyst desk: alerts, search, posts, channels, watchlists, feeds, JSON API.

    Binds 127.0.0.1 by default; on any other address it refuses to start unless [web] token
    or username + password_hash are set. Nothing to install in the browser: every asset ships
    with tgmon.

    Example: tgmon web   ·   tgmon web --port 8080   ·   tgmon web --hash-password
    """
    from monitor.web.security import hash_password as make_hash

    if hash_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 8:
            raise InputError("--hash-password: use at least 8 characters")
        typer.echo(make_hash(password))
        return
    from monitor.web.serve import bind, serve, url_of

    st = state(ctx)
    settings = st.settings()
    if host is not None:
        settings.web.host = host
    if port is not None:
        settings.web.port = port
    setup_logging(settings, debug=st.debug)
    sock = bind(settings.web)  # before opening the database: a refused exposure costs nothing
    app = st.app()
    render.console(stderr=True).print(f"tgmon desk on {url_of(settings.web)} (Ctrl-C stops it)")
    asyncio.run(serve(app.web_app(), sock))
