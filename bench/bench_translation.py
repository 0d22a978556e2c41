"""Translation: does the timeout hold, and how fast does the backlog drain (local server)?

Runs against the tests' LibreTranslate-compatible server on 127.0.0.1 (no network), so the
drain figures measure tgmon's own overhead (claims, cache, storage), not a real translator.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.results import write_section
from monitor.config.settings import TranslationSettings
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.pipeline.ingest import Pipeline
from monitor.translation.drain import drain_translations
from monitor.translation.providers import DeepTranslator, TranslationOutage
from monitor.translation.segments import translate_segments
from storage.database import Database
from tests.support.libre_server import FakeLibreTranslate

WORDS = "война мир новости фронт привет обстрел район город удар сводка".split()


def _timeouts(server: FakeLibreTranslate) -> list[str]:
    rows = []
    server.behaviour.delay_s = 5.0
    for timeout in (0.25, 0.5, 1.0, 2.0):
        took = []
        for _ in range(3):
            translator = DeepTranslator("libre", url=server.url, timeout=timeout)
            started = time.perf_counter()
            try:
                translator.translate("привет", "ru", "en")
            except TranslationOutage:
                pass
            took.append(time.perf_counter() - started)
        rows.append(f"| {timeout:g} s | {min(took):.3f} s | {max(took):.3f} s |")
    server.behaviour.delay_s = 0.0
    return rows


def _untimed(server: FakeLibreTranslate) -> float:
    from deep_translator import LibreTranslator

    server.behaviour.delay_s = 3.0
    plain = LibreTranslator(source="ru", target="en", api_key="-", custom_url=server.url)
    started = time.perf_counter()
    plain.translate("привет")
    server.behaviour.delay_s = 0.0
    return time.perf_counter() - started


def _text(i: int) -> str:
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(40)]
    return f"Сводка {i}: " + " ".join(words) + f". Подробнее https://t.me/chan/{i} #сводка"


def _drain(server: FakeLibreTranslate, folder: Path) -> list[str]:
    db = Database(f"sqlite:///{folder / 'bench.db'}")
    db.upgrade()
    now = datetime.now(UTC)
    distinct, copies = 1400, 2000
    posts = [ChannelPost(1, i + 1, now, text=_text(i % distinct)) for i in range(copies)]
    pipeline = Pipeline(db)
    pipeline.ingest(ChannelInfo(1, "one"), posts)
    settings = TranslationSettings(provider="libre", url=server.url, target="en")
    translator = DeepTranslator("libre", url=server.url, timeout=10)
    started = time.perf_counter()
    report = drain_translations(db, translator, settings)
    first = time.perf_counter() - started
    # The same texts reposted by another channel: every one should come from the cache.
    pipeline.ingest(
        ChannelInfo(2, "two"), [ChannelPost(2, i + 1, now, text=_text(i)) for i in range(1000)]
    )
    sent = server.translate_requests
    started = time.perf_counter()
    again = drain_translations(db, translator, settings)
    second = time.perf_counter() - started
    db.dispose()
    return [
        f"| first drain: {copies} posts, {distinct} distinct texts | {first:.2f} s | "
        f"{copies / first:,.0f} posts/s | {report.requests} requests, "
        f"{report.from_cache} posts from cache |",
        f"| reposts: 1,000 posts, all texts seen before | {second:.2f} s | "
        f"{1000 / second:,.0f} posts/s | {server.translate_requests - sent} requests, "
        f"{again.from_cache} from cache |",
    ]


def _workers(server: FakeLibreTranslate, folder: Path) -> str:
    """Four workers on one SQLite file: is any text sent twice?"""
    import threading

    url = f"sqlite:///{folder / 'workers.db'}"
    db = Database(url)
    db.upgrade()
    now = datetime.now(UTC)
    for channel in range(1, 5):
        posts = [ChannelPost(channel, i + 1, now, text=_text(i % 50)) for i in range(200)]
        Pipeline(db).ingest(ChannelInfo(channel, f"c{channel}"), posts)
    settings = TranslationSettings(provider="libre", url=server.url, batch_size=5)
    before = server.translate_requests

    def work() -> None:
        worker = Database(url)
        drain_translations(worker, DeepTranslator("libre", url=server.url), settings)
        worker.dispose()

    threads = [threading.Thread(target=work) for _ in range(4)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    db.dispose()
    return (
        f"Four workers draining one SQLite file (800 posts, 50 distinct texts): "
        f"{server.translate_requests - before} requests in {took:.2f} s."
    )


def _split() -> str:
    text = "\n\n".join(_text(i) for i in range(60))  # ~24k characters
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        translate_segments(text, 2000, lambda piece: piece)
        runs.append(time.perf_counter() - started)
    return (
        f"Protect + split + restore of a {len(text):,}-character post into 2,000-character "
        f"pieces: median {statistics.median(runs) * 1000:.2f} ms."
    )


def main() -> None:
    server = FakeLibreTranslate().start()
    try:
        timeout_rows = _timeouts(server)
        untimed = _untimed(server)
        with tempfile.TemporaryDirectory() as folder:
            drain_rows = _drain(server, Path(folder))
            workers_line = _workers(server, Path(folder))
        split_line = _split()
    finally:
        server.stop()
    body = "\n".join(
        [
            "Slow server (answers after 5 s); time until `DeepTranslator.translate` gives up:",
            "",
            "| timeout | fastest of 3 | slowest of 3 |",
            "|---|---|---|",
            *timeout_rows,
            "",
            f"Plain deep-translator 1.11.4 against a server answering after 3 s: waited "
            f"{untimed:.2f} s (it has no timeout; a server that never answers hangs it).",
            "",
            "Draining the backlog on SQLite against the local server (no real translator):",
            "",
            "| run | time | rate | provider traffic |",
            "|---|---|---|---|",
            *drain_rows,
            "",
            workers_line,
            "",
            split_line,
        ]
    )
    write_section("translation", "Translation: timeouts and backlog drain", body)
    print(body)
