"""A LibreTranslate-compatible HTTP server on 127.0.0.1 for tests: real sockets, real HTTP.

It "translates" deterministically (a few Russian/Ukrainian words through a tiny dictionary,
everything else kept, the piece prefixed with "EN:"), counts requests, and on demand fails
(HTTP 500), is slow, rejects long input (HTTP 400), demands an API key (HTTP 403), or stops
listening altogether (connection refused) and comes back on the same port.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WORDS = {
    "привет": "hello",
    "мир": "world",
    "война": "war",
    "новости": "news",
    "фронт": "front",
    "вітаю": "greetings",
    "світ": "world",
}
_WORD = re.compile(r"\w+", re.UNICODE)


def fake_translate(text: str) -> str:
    return "EN:" + _WORD.sub(lambda m: WORDS.get(m.group(0).lower(), m.group(0)), text)


@dataclass
class Received:
    q: str
    source: str
    target: str
    api_key: str | None
    path_with_query: str
    content_type: str


@dataclass
class LibreBehaviour:
    """What the server does next; tests flip these between calls."""

    fail_status: int | None = None  # answer every /translate with this status
    max_chars: int | None = None  # HTTP 400 when q is longer
    api_key: str | None = None  # HTTP 403 unless this key is sent
    slow: bool = False  # hold the request until released (or the server stops)
    delay_s: float = 0.0  # answer after this many seconds
    poison: str | None = None  # HTTP 500 for any q containing this
    received: list[Received] = field(default_factory=list)


class _QuietServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.open_connections: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.open_connections.add(request)
        super().process_request(request, client_address)

    def close_connections(self) -> None:
        """Drop kept-alive connections too, as a server that goes down does."""
        for conn in list(self.open_connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.open_connections.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that gave up (timeout test) is expected, not an error


class FakeLibreTranslate:
    """`start()` and `stop()` it; `url` ends with a slash, as deep-translator wants."""

    def __init__(self) -> None:
        self.behaviour = LibreBehaviour()
        self.deepl_requests: list[tuple[str, str | None, dict[str, str]]] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._release = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def translate_requests(self) -> int:
        return len(self.behaviour.received)

    def start(self) -> FakeLibreTranslate:
        handler = _handler_for(self)
        server = _QuietServer(("127.0.0.1", self.port), handler)
        self.port = server.server_address[1]
        self._server = server
        self._release.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: later connections are refused until `start()` again."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def record(self, item: Received) -> None:
        with self._lock:
            self.behaviour.received.append(item)


def _handler_for(fake: FakeLibreTranslate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = -1  # one write per response: split writes + delayed ACK cost 40 ms a request

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/languages":
                langs = [
                    {"code": c, "name": c, "targets": ["en", "ru", "uk"]}
                    for c in "en ru uk".split()
                ]
                self._reply(200, langs)
            else:
                self._reply(404, {"error": "not found"})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            ctype = self.headers.get("Content-Type", "")
            fields: dict[str, str] = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if "json" in ctype and body:
                fields.update({k: str(v) for k, v in json.loads(body).items()})
            elif body:
                fields.update({k: v[0] for k, v in parse_qs(body).items()})
            if parts.path == "/v2/translate":  # DeepL's API, for the DeepL adapter test
                fake.deepl_requests.append((self.path, self.headers.get("Authorization"), fields))
                text = fake_translate(fields.get("text", ""))
                self._reply(200, {"translations": [{"text": text}]})
                return
            if parts.path != "/translate":
                self._reply(404, {"error": "not found"})
                return
            b = fake.behaviour
            q = fields.get("q", "")
            fake.record(
                Received(
                    q,
                    fields.get("source", ""),
                    fields.get("target", ""),
                    fields.get("api_key"),
                    self.path,
                    ctype,
                )
            )
            if b.slow:
                fake._release.wait(30)
            if b.delay_s:
                fake._release.wait(b.delay_s)
            if b.fail_status is not None:
                self._reply(b.fail_status, {"error": "failing on purpose"})
            elif b.api_key is not None and fields.get("api_key") != b.api_key:
                self._reply(403, {"error": "Invalid API key"})
            elif b.max_chars is not None and len(q) > b.max_chars:
                self._reply(400, {"error": f"Invalid request: request ({len(q)}) exceeds limit"})
            elif b.poison is not None and b.poison in q:
                self._reply(500, {"error": "crashed on this text"})
            else:
                self._reply(200, {"translatedText": fake_translate(q)})

    return Handler
