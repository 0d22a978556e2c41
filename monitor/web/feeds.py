"""Feeds and the API for scripts: Atom per watchlist and for all alerts, JSON in the webhook's
schema (tgmon.alert/1, the very payload the webhook route posts), search records as JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from monitor.core.errors import InputError
from monitor.services.records import record
from monitor.web import params

FEED_ENTRIES = 50
API_MAX = 500
LIST_SCHEMA = "tgmon.alert-list/1"


def _limit(request: Request, default: int) -> int:
    raw = request.query_params.get("limit", str(default)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= API_MAX:
        raise InputError(f"limit {raw!r}: a whole number from 1 to {API_MAX}")
    return int(raw)


def _entry_body(payload: dict[str, Any]) -> str:
    post = payload["post"]
    parts = [post["text"] or "(no text)"]
    if post.get("translation"):
        parts.append(f"English: {post['translation']}")
    terms = sorted({t for m in payload["matches"] for t in m["terms"]})
    if terms:
        parts.append("Matched: " + ", ".join(terms))
    copies = [f"{c['channel']}/{c['message_id']}" for c in payload["copies"]]
    if len(copies) > 1:
        parts.append("Copies: " + ", ".join(copies))
    return "\n\n".join(parts)


def _feed(request: Request, title: str, payloads: list[dict[str, Any]]) -> Response:
    base = str(request.base_url).rstrip("/")
    feed = FeedGenerator()
    feed.id(f"{base}{request.url.path}")
    feed.title(title)
    feed.link(href=f"{base}{request.url.path}", rel="self")
    feed.link(href=f"{base}/alerts", rel="alternate")
    feed.updated(
        datetime.fromisoformat(payloads[0]["alert"]["created_at"])
        if payloads
        else request.app.state.parts.clock()
    )
    for payload in reversed(payloads):  # feedgen prepends: add oldest first, newest ends on top
        alert, post = payload["alert"], payload["post"]
        channel = post["channel"] or post["channel_id"]
        entry = feed.add_entry()
        entry.id(f"{base}/alerts#alert-{alert['id']}")
        entry.title(
            f"[{alert['severity']}] {alert['watchlist']}: {alert['reason']} post in "
            f"{channel}/{post['message_id']}"
        )
        entry.link(href=f"{base}/post/{channel}/{post['message_id']}", rel="alternate")
        if post.get("url"):
            entry.link(href=post["url"], rel="related")
        entry.published(datetime.fromisoformat(post["posted_at"]))
        entry.updated(datetime.fromisoformat(alert["created_at"]))
        entry.category(term=alert["watchlist"])
        entry.content(_entry_body(payload), type="text")
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml")


def alerts_feed(request: Request) -> Response:
    """The newest alerts of every watchlist, with the English."""
    filters = params.alert_filters(request.query_params)
    payloads = request.app.state.parts.desk.payloads(filters, limit=FEED_ENTRIES)
    return _feed(request, "tgmon: alerts", payloads)


def watchlist_feed(request: Request) -> Response:
    """The newest alerts of one watchlist."""
    name = request.path_params["name"]
    filters = params.alert_filters({**request.query_params, "watchlist": name})
    payloads = request.app.state.parts.desk.payloads(filters, limit=FEED_ENTRIES)
    return _feed(request, f"tgmon: {name}", payloads)


def api_alerts(request: Request) -> Response:
    """Newest alerts as the webhook sends them; same filters as the alerts page."""
    filters = params.alert_filters(request.query_params)
    payloads = request.app.state.parts.desk.payloads(filters, limit=_limit(request, 50))
    return _json({"schema": LIST_SCHEMA, "alerts": payloads})


def api_alert(request: Request) -> Response:
    """One alert in the webhook's schema (tgmon.alert/1)."""
    try:
        view = request.app.state.parts.alerts.show(request.path_params["alert_id"])
    except InputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    return _json(view.message.payload)


def api_search(request: Request) -> Response:
    """One page of search results as the CLI's `--format json` records."""
    query = (request.query_params.get("q") or "").strip()
    if not query:
        raise InputError("q: a search query is required")
    page = params.page_number(request.query_params)
    limit = _limit(request, 20)
    result = request.app.state.parts.search.search(
        query,
        params.search_filters(request.query_params),
        sort=params.sort(request.query_params),
        limit=limit,
        offset=(page - 1) * limit,
    )
    return _json(
        {"posts": [record(h, result.leaves) for h in result.hits], "page": page,
         "more": result.more}
    )


def _json(data: Any) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json")


ROUTES = [
    ("/feeds/alerts.atom", alerts_feed, ["GET"]),
    ("/feeds/watchlists/{name}.atom", watchlist_feed, ["GET"]),
    ("/api/alerts", api_alerts, ["GET"]),
    ("/api/alerts/{alert_id:int}", api_alert, ["GET"]),
    ("/api/search", api_search, ["GET"]),
]
