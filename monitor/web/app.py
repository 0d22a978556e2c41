"""The desk as an ASGI app: Starlette routes over the services, Jinja2 pages, htmx, SVG.

`create_web_app(parts, web)` is all a caller needs: the CLI (`tgmon web`) and the daemon build
tgmon through monitor.wiring and hand the services in; this package never opens a database.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from monitor.config.web import WebSettings
from monitor.core.clock import Clock, utcnow
from monitor.core.errors import TgmonError
from monitor.core.snippet import Segment
from monitor.services.alerts import AlertService
from monitor.services.desk import DeskService
from monitor.services.search import SearchService
from monitor.web import feeds, overview, pages
from monitor.web.security import (
    CSRF_COOKIE,
    Credentials,
    CsrfTokens,
    SecurityMiddleware,
)

HERE = Path(__file__).parent


@dataclass(frozen=True)
class DeskParts:
    """The services the desk calls (built by monitor.wiring) and the translation language."""

    search: SearchService
    alerts: AlertService
    desk: DeskService
    translation_target: str = "en"
    clock: Clock = utcnow


def _when(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M")


def _marked(runs: list[Segment]) -> Markup:
    """Text runs with hits wrapped in <mark>, escaped."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(r.text) if r.hit else escape(r.text) for r in runs
    )


def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["marked"] = _marked
    return Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """A page with the CSRF field for its forms; sets the CSRF cookie on first visit."""
    state = request.app.state
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = cookie is None
    if cookie is None:
        cookie = CsrfTokens.new_cookie()
    context = {
        "request": request,
        "csrf": state.csrf.field_for(cookie),
        "nav": name.split(".")[0].lstrip("_"),
        "refresh_s": int(state.web.refresh.total_seconds()),
        "target": state.parts.translation_target,
        **context,
    }
    response = state.templates.TemplateResponse(request, name, context, status_code=status)
    if fresh:
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/")
    return response


def _refusal(request: Request, exc: TgmonError) -> Response:
    status = 400 if exc.exit_code == 2 else 500  # bad input (query, filter, form) vs. failure
    if request.url.path.startswith(("/api/", "/feeds/")):
        return PlainTextResponse(f"error: {exc}\n", status_code=status)
    return render(request, "error.html", {"message": str(exc)}, status=status)


def guarded(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """A TgmonError becomes the error page naming the problem (400 for bad input), not a
    traceback."""
    if inspect.iscoroutinefunction(handler):

        async def run_async(request: Request) -> Response:
            try:
                return await handler(request)  # type: ignore[no-any-return]
            except TgmonError as exc:
                return _refusal(request, exc)

        return functools.wraps(handler)(run_async)

    def run(request: Request) -> Response:
        try:
            return handler(request)  # type: ignore[no-any-return]
        except TgmonError as exc:
            return _refusal(request, exc)

    return functools.wraps(handler)(run)


def create_web_app(
    parts: DeskParts, web: WebSettings, *, csrf_key: bytes | None = None
) -> Starlette:
    """The desk over these services; `web` supplies access rules, page size and refresh rate."""
    routes = [
        Route("/", lambda request: RedirectResponse("/alerts", status_code=302)),
        *[Route(path, guarded(fn), methods=methods) for path, fn, methods in pages.ROUTES],
        *[Route(path, guarded(fn), methods=methods) for path, fn, methods in overview.ROUTES],
        *[Route(path, guarded(fn), methods=methods) for path, fn, methods in feeds.ROUTES],
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityMiddleware, credentials=Credentials(web))],  # type: ignore[arg-type]
    )
    app.state.parts = parts
    app.state.web = web
    app.state.csrf = CsrfTokens(csrf_key)
    app.state.templates = templates()
    return app
