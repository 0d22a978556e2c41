"""The analyst's pages: alerts (filters, live rows, acknowledge), search (+ export), one post."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from monitor.core.errors import InputError
from monitor.core.snippet import Segment, segments, snippet
from monitor.services.records import write_records
from monitor.web import params
from monitor.web.diff import word_diff
from monitor.web.security import CSRF_COOKIE, CSRF_FIELD
from storage.desk import AlertStory
from storage.highlight import hit_spans
from storage.query import Leaf
from storage.search import SearchFilters, SearchHit

SNIPPET_WIDTH = 320
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    from monitor.web.app import render  # the app module imports this one

    return render(request, name, context, status=status)


@dataclass(frozen=True)
class StoryLine:
    """One line of the alerts page: a post (and its copies) with every alert it raised."""

    alerts: list[AlertStory]

    @property
    def first(self) -> AlertStory:
        return self.alerts[0]

    @property
    def all_acked(self) -> bool:
        return all(a.acked_at is not None for a in self.alerts)


def story_lines(stories: list[AlertStory]) -> list[StoryLine]:
    """Fold neighbouring alerts about the same post (one per watchlist) into one line."""
    lines: list[StoryLine] = []
    for story in stories:
        same = lines and (lines[-1].first.channel, lines[-1].first.message_id) == (
            story.channel, story.message_id
        )
        if same:
            lines[-1].alerts.append(story)
        else:
            lines.append(StoryLine([story]))
    return lines


def _alert_context(request: Request) -> dict[str, Any]:
    state = request.app.state
    filters = params.alert_filters(request.query_params)
    page = params.page_number(request.query_params)
    size = state.web.page_size
    result = state.parts.desk.stories(filters, limit=size, offset=(page - 1) * size)
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return {
        "filters": filters, "page": page, "result": result, "query": query,
        "lines": story_lines(result.stories),
    }


def alerts(request: Request) -> Response:
    """Alerts, newest first; the table body refreshes itself through /alerts/rows."""
    context = _alert_context(request)
    context["facets"] = request.app.state.parts.desk.facets()
    return _render(request, "alerts.html", context)


def alert_rows(request: Request) -> Response:
    """The table body alone, for htmx's periodic refresh."""
    return _render(request, "_alert_rows.html", _alert_context(request))


def csrf_ok(request: Request, form: Any) -> bool:
    """The form's token matches this browser's cookie, and the request comes from this site."""
    origin = request.headers.get("origin")
    if origin is not None and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
        return False
    token = form.get(CSRF_FIELD)
    return bool(request.app.state.csrf.valid(request.cookies.get(CSRF_COOKIE), token))


async def acknowledge(request: Request) -> Response:
    """Mark one alert as seen (the desk's only write); needs the page's CSRF token."""
    form = await request.form()
    if not csrf_ok(request, form):
        return PlainTextResponse(
            "refused: the form's CSRF token is missing or stale; reload the page\n",
            status_code=403,
        )
    raw = request.path_params["alert_id"]
    if not raw.isdigit():
        raise InputError(f"alert {raw!r}: not an alert id")
    await run_in_threadpool(request.app.state.parts.alerts.acknowledge, int(raw))
    if request.headers.get("hx-request"):
        return HTMLResponse('<span class="acked">acknowledged</span>')
    back = str(form.get("back") or "")
    local = back.startswith("/") and not back.startswith("//")  # never a redirect off-site
    return RedirectResponse(back if local else "/alerts", status_code=303)


def _cut(text: str | None, spans: list[tuple[int, int]]) -> list[Segment] | None:
    if not text:
        return None
    snip = snippet(text, spans, width=SNIPPET_WIDTH)
    return segments(snip.text, snip.spans)


def hit_view(hit: SearchHit, leaves: list[Leaf]) -> dict[str, Any]:
    """One result: the original and the English, each cut around its hits and marked."""
    return {
        "hit": hit,
        "ref": f"{hit.channel_username or hit.channel_id}/{hit.message_id}",
        "channel": f"@{hit.channel_username}" if hit.channel_username else str(hit.channel_id),
        "original": _cut(hit.text, hit_spans(hit.text, leaves) if leaves else []),
        "english": _cut(
            hit.translation, hit_spans(hit.translation, leaves) if hit.translation else []
        ),
        "english_note": _ENGLISH_NOTES.get(hit.translation_status or "", "not translated yet"),
    }


# why a result has no English beside it (an English post needs none)
_ENGLISH_NOTES = {
    "skipped": "not needed: the original needs no translation",
    "failed": "translation failed (see the post)",
    "off": "translation off",
}


def search(request: Request) -> Response:
    """The CLI's query language and filters; results page by page."""
    state = request.app.state
    query = (request.query_params.get("q") or "").strip()
    context: dict[str, Any] = {"q": query, "form": dict(request.query_params), "views": []}
    context["export_query"] = str(request.query_params)
    filters = params.search_filters(request.query_params)
    if not query and filters == SearchFilters():
        return _render(request, "search.html", {**context, "page": 1, "more": False})
    page = params.page_number(request.query_params)
    size = state.web.page_size
    sort, offset = params.sort(request.query_params), (page - 1) * size
    if query:
        result = state.parts.search.search(query, filters, sort=sort, limit=size, offset=offset)
    else:  # filters alone: a channel's posts, a watchlist's matched posts
        result = state.parts.desk.browse(filters, sort=sort, limit=size, offset=offset)
    context.update(
        views=[hit_view(h, result.leaves) for h in result.hits],
        page=page,
        more=result.more,
        paging={k: v for k, v in request.query_params.items() if k != "page" and v},
    )
    return _render(request, "search.html", context)


def _chunks(handle: IO[str]) -> Iterator[bytes]:
    with handle:
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk.encode("utf-8")


def export(request: Request) -> Response:
    """Every post the search finds (not just one page), as CSV or JSONL, the CLI's records."""
    fmt = request.query_params.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"format {fmt!r}: use csv or jsonl")
    query = (request.query_params.get("q") or "").strip() or None
    filters = params.search_filters(request.query_params)
    # written out first inside one read session, then streamed: the session never waits on
    # a slow client, and a bad query fails before the first byte
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8")
    with request.app.state.parts.search.export(query, filters) as (posts, leaves):
        write_records(posts, fmt, spool, leaves)  # type: ignore[arg-type]
    return StreamingResponse(
        _chunks(spool),  # type: ignore[arg-type]
        media_type=EXPORT_FORMATS[fmt],
        headers={"content-disposition": f'attachment; filename="tgmon-search.{fmt}"'},
    )


def _match_segments(
    text: str | None, matches: list[dict[str, Any]], source: str, version: int
) -> list[Segment] | None:
    if not text:
        return None
    spans = [
        tuple(s)
        for m in matches
        if m["text_source"] == source and m["removed_at"] is None and m["post_version"] == version
        for s in m["spans"]
    ]
    return segments(text, spans)  # type: ignore[arg-type]


def post(request: Request) -> Response:
    """One post: text and English with matches marked, versions with diffs, copies, links."""
    parts = request.app.state.parts
    channel, message = request.path_params["channel"], request.path_params["message_id"]
    try:
        detail = parts.search.show(f"{channel}/{message}")
    except InputError as exc:
        return _render(request, "error.html", {"message": str(exc)}, status=404)
    item = detail.post
    versions = []
    previous: str | None = None
    for version in detail.versions:
        diff = word_diff(previous, version["text"]) if previous is not None else None
        versions.append({**version, "diff": diff})
        previous = version["text"]
    copies = parts.desk.copies(item["id"], [a["copies"] for a in detail.alerts])
    username = detail.channel.get("username")
    context = {
        "detail": detail,
        "post": item,
        "channel_label": f"@{username}" if username else str(item["channel_id"]),
        "original": _match_segments(
            item["text"], detail.matches, "original", item["version_count"]
        ),
        "english": _match_segments(
            item["translation"], detail.matches, "translation", item["version_count"]
        ),
        "versions": versions,
        "copies": copies,
    }
    return _render(request, "post.html", context)


ROUTES = [
    ("/alerts", alerts, ["GET"]),
    ("/alerts/rows", alert_rows, ["GET"]),
    ("/alerts/{alert_id}/ack", acknowledge, ["POST"]),
    ("/search", search, ["GET"]),
    ("/search/export", export, ["GET"]),
    ("/post/{channel}/{message_id:int}", post, ["GET"]),
]
