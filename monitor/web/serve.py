"""Run the desk under uvicorn: on its own (`tgmon web`) or beside the daemon (`tgmon run`).

The listening socket is bound here, before serving, so a taken port or a refused exposure is a
ConfigError (one line, exit 2) rather than uvicorn's own exit deep inside a task.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

from monitor.config.web import WebSettings, exposure_problem
from monitor.core.errors import ConfigError


def bind(web: WebSettings) -> socket.socket:
    """The listening socket for [web] host/port; ConfigError when refused or taken."""
    problem = exposure_problem(web)
    if problem is not None:
        raise ConfigError(problem)
    try:
        infos = socket.getaddrinfo(web.host, web.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(f"web.host {web.host!r}: cannot resolve ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        why = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ConfigError(f"web.port {web.port} on {web.host}: cannot listen ({why})") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _config(app: Any) -> uvicorn.Config:
    # tgmon's own logging stays in charge; the access log would repeat every htmx poll
    return uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", workers=1)


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves the signals to its host (the daemon handles SIGTERM)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(app: Any, sock: socket.socket, *, own_signals: bool = True) -> None:
    """Serve `app` on an already bound socket until stopped (or cancelled)."""
    server_class = uvicorn.Server if own_signals else QuietServer
    server = server_class(_config(app))
    try:
        await server.serve(sockets=[sock])
    finally:
        sock.close()


def url_of(web: WebSettings) -> str:
    host = f"[{web.host}]" if ":" in web.host else web.host
    return f"http://{host}:{web.port}/"
