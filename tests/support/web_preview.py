"""A local stand-in for t.me's web preview: real HTTP on 127.0.0.1, pages in the real markup.

`FakePreview` holds channels as lists of posts and serves `/s/<name>` (newest 20) and
`/s/<name>?before=<id>`, redirects to `/<name>` for channels without a preview or unknown names
(as t.me does), answers 429 with Retry-After when told to, cuts pages off when told to, and
honours If-None-Match. Tests change the channel (post, edit, delete) between polls.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parents[1] / "data" / "web"
PAGE_SIZE = 20


@dataclass
class FakePost:
    message_id: int
    text: str
    posted_at: datetime
    views: int = 100
    edited: bool = False
    service: bool = False
    photo: bool = False


@dataclass
class FakeChannel:
    username: str
    channel_id: int
    title: str
    posts: dict[int, FakePost] = field(default_factory=dict)
    preview: bool = True  # False: t.me/s/<name> redirects (the channel restricts its preview)

    def post(self, text: str, *, views: int = 100, photo: bool = False) -> FakePost:
        message_id = max(self.posts, default=0) + 1
        start = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
        item = FakePost(message_id, text, start + timedelta(minutes=message_id), views, photo=photo)
        self.posts[message_id] = item
        return item

    def edit(self, message_id: int, text: str) -> None:
        self.posts[message_id].text = text
        self.posts[message_id].edited = True

    def delete(self, message_id: int) -> None:
        del self.posts[message_id]


def _view_token(channel_id: int, message_id: int) -> str:
    data = json.dumps(
        {"c": -channel_id, "p": message_id, "t": 1764590000, "h": "0a1b2c3d4e5f607182"}
    )
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def render_post(channel: FakeChannel, post: FakePost) -> str:
    """One post in the markup t.me uses (see tests/data/web/channel_page.html)."""
    name = channel.username
    classes = "tgme_widget_message text_not_supported_wrap js-widget_message"
    if post.service:
        classes += " service_message"
    body = html.escape(post.text).replace("\n", "<br/>")
    photo = (
        f'<a class="tgme_widget_message_photo_wrap" href="https://t.me/{name}/{post.message_id}" '
        "style=\"width:640px;background-image:url('https://cdn4.cdn-telegram.org/file/p.jpg')\">"
        '<div class="tgme_widget_message_photo" style="padding-top:125%"></div></a>'
        if post.photo
        else ""
    )
    text = f'<div class="tgme_widget_message_text js-message_text" dir="auto">{body}</div>'
    edited = "edited &nbsp;" if post.edited else ""
    views = (
        ""
        if post.service
        else f'<span class="tgme_widget_message_views">{post.views}</span>'
        '<span class="copyonly"> views</span>'
    )
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="{classes}" data-post="{name}/{post.message_id}" '
        f'data-view="{_view_token(channel.channel_id, post.message_id)}">'
        '<div class="tgme_widget_message_bubble">'
        f"{photo}{text if post.text else ''}"
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        f'<div class="tgme_widget_message_info short js-message_info">{views}'
        f'<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date" '
        f'href="https://t.me/{name}/{post.message_id}"><time datetime="'
        f'{post.posted_at.isoformat()}" class="time">{post.posted_at:%H:%M}</time></a></span>'
        "</div></div></div></div></div>\n"
    )


def render_page(channel: FakeChannel, before: int | None) -> str:
    ids = sorted(i for i in channel.posts if before is None or i < before)[-PAGE_SIZE:]
    more = ""
    if ids and min(ids) > min(channel.posts):
        more = (
            '<div class="tgme_widget_message_centered js-messages_more_wrap">'
            f'<a href="/s/{channel.username}?before={ids[0]}" class="tme_messages_more '
            f'js-messages_more" data-before="{ids[0]}"></a></div>\n'
        )
    posts = "".join(render_post(channel, channel.posts[i]) for i in ids)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(channel.title)} – Telegram</title></head>"
        '<body class="widget_frame_base tgme_webpreview"><header class="tgme_header">'
        '<div class="tgme_channel_info"><div class="tgme_channel_info_header">'
        f'<div class="tgme_channel_info_header_title"><span dir="auto">{html.escape(channel.title)}'
        '</span></div><div class="tgme_channel_info_header_username">'
        f'<a href="https://t.me/{channel.username}">@{channel.username}</a></div></div></div>'
        '</header><main class="tgme_main"><section class="tgme_channel_history js-message_history">'
        f"\n{more}{posts}</section></main></body>\n</html>\n"
    )


class FakePreview:
    """The HTTP server; `url` is the base URL to put in `[sources.web] base_url`."""

    def __init__(self) -> None:
        self.channels: dict[str, FakeChannel] = {}
        self.requests: list[str] = []
        self.throttle = 0  # answer the next N page requests with 429
        self.retry_after: str | None = "0"
        self.truncate_next = 0  # cut the next N pages off mid-post
        self.etags = False  # send ETags and honour If-None-Match
        self.not_modified = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def add(self, username: str, channel_id: int, title: str, **kwargs: Any) -> FakeChannel:
        channel = FakeChannel(username, channel_id, title, **kwargs)
        self.channels[username.lower()] = channel
        return channel

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakePreview:
        preview = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                return

            def _send(
                self, status: int, body: str = "", headers: dict[str, str] | None = None
            ) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                segments = [s for s in parts.path.split("/") if s]
                with preview._lock:
                    preview.requests.append(self.path)
                    if segments and segments[0] == "s":
                        if preview.throttle > 0:
                            preview.throttle -= 1
                            headers = (
                                {"Retry-After": preview.retry_after} if preview.retry_after else {}
                            )
                            self._send(429, "Too Many Requests", headers)
                            return
                    page = preview._answer(segments, parse_qs(parts.query))
                if page is None:
                    self._send(404, "not found")
                    return
                status, body, headers = page
                if status == 200 and preview.etags and "ETag" in headers:
                    if self.headers.get("If-None-Match") == headers["ETag"]:
                        preview.not_modified += 1
                        self._send(304, "", headers)
                        return
                self._send(status, body, headers)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _answer(
        self, segments: list[str], query: dict[str, list[str]]
    ) -> tuple[int, str, dict[str, str]] | None:
        if len(segments) == 2 and segments[0] == "s":
            channel = self.channels.get(segments[1].lower())
            if channel is None or not channel.preview:
                return 302, "", {"Location": f"/{segments[1]}"}
            before = int(query["before"][0]) if "before" in query else None
            body = render_page(channel, before)
            if self.truncate_next > 0:
                self.truncate_next -= 1
                body = body[: body.rindex("data-post=") + 200]
            etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
            return 200, body, ({"ETag": etag} if self.etags else {})
        if len(segments) == 1:
            channel = self.channels.get(segments[0].lower())
            if channel is not None:  # a channel that restricts its preview
                text = (DATA / "no_preview.html").read_text(encoding="utf-8")
                return 200, text.replace("Закрытый канал", html.escape(channel.title)), {}
            return 200, (DATA / "missing.html").read_text(encoding="utf-8"), {}
        return None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
