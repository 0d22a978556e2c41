"""Overview pages: channels (state, lag, errors, posts per day) and watchlists (hits per day,
try a list, a pasted list or one term on a pasted text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from monitor.core.clock import short_age
from monitor.core.snippet import segments
from monitor.web.charts import daily_bars, sparkline
from monitor.web.pages import _render, csrf_ok
from storage.desk import ChannelState

CHART_DAYS = 14


def _lag(row: ChannelState, now: datetime) -> str:
    """How long since the channel was last read (polling lag), as the table shows it."""
    if row.last_polled_at is None:
        return "never read"
    return short_age(now - row.last_polled_at)


def _state(row: ChannelState, now: datetime) -> str:
    if row.removed:
        return "removed"
    if not row.enabled:
        return "paused"
    if row.flood_wait_until is not None and row.flood_wait_until > now:
        return "flood wait"
    if row.error:
        return "error"
    return row.mode


def channels(request: Request) -> Response:
    parts = request.app.state.parts
    figures = parts.desk.channel_figures(days=CHART_DAYS)
    now = parts.clock()
    totals: dict[str, int] = {}
    for counts in figures.per_day.values():
        for day, n in counts.items():
            totals[day] = totals.get(day, 0) + n
    rows = [
        {
            "row": row,
            "label": f"@{row.username}" if row.username else str(row.channel_id),
            "state": _state(row, now),
            "lag": _lag(row, now),
            "spark": sparkline(figures.days, figures.per_day.get(row.channel_id, {})),
            "recent": sum(figures.per_day.get(row.channel_id, {}).values()),
        }
        for row in figures.rows
    ]
    chart = daily_bars(figures.days, totals, label="posts per day, all channels")
    return _render(request, "channels.html", {"rows": rows, "chart": chart, "days": CHART_DAYS})


def _watchlist_context(request: Request) -> dict[str, Any]:
    figures = request.app.state.parts.desk.watchlist_figures(days=CHART_DAYS)
    charts = {
        w.name: daily_bars(
            figures.days, figures.per_day.get(w.name, {}), label=f"{w.name}: posts matched"
        )
        for w in figures.lists
    }
    return {"figures": figures, "charts": charts, "days": CHART_DAYS, "tried": None,
            "form": {}}


def watchlists(request: Request) -> Response:
    return _render(request, "watchlists.html", _watchlist_context(request))


async def try_list(request: Request) -> Response:
    """Match a list (configured, pasted TOML, or one term) on a pasted text; stores nothing."""
    form = await request.form()
    if not csrf_ok(request, form):
        return PlainTextResponse("refused: stale form; reload the page\n", status_code=403)
    fields = {k: str(form.get(k) or "") for k in ("text", "name", "toml", "term", "lang")}
    desk = request.app.state.parts.desk
    result = await run_in_threadpool(
        lambda: desk.try_list(
            fields["text"],
            name=fields["name"] or None,
            pasted_toml=fields["toml"] or None,
            term=fields["term"] or None,
            language=fields["lang"] or None,
        )
    )
    spans = [s for hit in result.hits for s in hit.spans]
    tried = {"result": result, "marked": segments(result.text, spans)}
    if request.headers.get("hx-request"):
        return _render(request, "_tried.html", {"tried": tried})
    context = await run_in_threadpool(_watchlist_context, request)
    return _render(request, "watchlists.html", {**context, "tried": tried, "form": fields})


ROUTES = [
    ("/channels", channels, ["GET"]),
    ("/watchlists", watchlists, ["GET"]),
    ("/watchlists/try", try_list, ["POST"]),
]
