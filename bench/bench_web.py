"""Web preview source: parsing speed, and the requests one channel costs per hour.

1. Posts parsed per second from saved pages (tests/data/web/channel_page.html: formatting,
   album, forwards, poll, a 3,900-character post) and from 20-post pages in the markup the
   local preview server renders.
2. HTTP requests per channel-hour at a 5-minute poll interval with the daemon's default
   recheck (50 posts every 30 minutes), counted on a local preview server for a quiet channel
   (6 posts/hour) and a busy one (120 posts/hour). Counts, not timings: they do not depend on
   machine load.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.results import write_section
from monitor.config.settings import Settings
from monitor.daemon.watcher import ChannelWatcher
from monitor.pipeline.ingest import Pipeline
from monitor.sources.router import SourceRouter
from monitor.sources.web.client import PreviewClient
from monitor.sources.web.page import parse_page
from monitor.sources.web.source import WebSource
from storage.database import Database
from tests.support.web_preview import FakePreview, render_page

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "web"
GREY = 1289637461


def parse_rate(html: str, seconds: float = 3.0) -> tuple[float, int]:
    """Posts parsed per second from one page, over about `seconds`."""
    posts = len(parse_page(html).posts)
    rounds, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        parse_page(html)
        rounds += 1
    elapsed = time.perf_counter() - start
    return rounds * posts / elapsed, posts


def requests_per_hour(posts_per_hour: int, work: Path) -> tuple[int, int]:
    """(requests, posts stored) for one simulated hour: 12 polls, 2 rechecks of 50 posts."""
    preview = FakePreview().start()
    channel = preview.add("GreyZone", GREY, "Серая Зона")
    for i in range(200):
        channel.post(f"старый пост {i}")
    db = Database(f"sqlite:///{work / f'web_{posts_per_hour}.db'}")
    db.upgrade()
    settings = Settings(
        data_dir=work,
        channels=[{"ref": "greyzone", "source": "web", "poll": "5m", "backfill": 50}],
        sources={"web": {"base_url": preview.url, "jitter": 0, "requests_per_minute": 6000}},
    )

    async def hour() -> tuple[int, int]:
        web = WebSource(PreviewClient(settings.sources.web))
        router = SourceRouter({"web": web}, ref_kinds={"greyzone": "web"})
        watcher = ChannelWatcher(router, Pipeline(db), db, settings)
        await watcher.sync_channels()
        await watcher.catch_up(GREY)
        before = web.client.requests
        new = 0
        for poll in range(12):  # every 5 minutes; rechecks at minutes 25 and 55
            due = posts_per_hour * (poll + 1) // 12 - posts_per_hour * poll // 12
            for i in range(due):
                channel.post(f"новый пост {poll}:{i}")
            new += (await watcher.poll(GREY)).new
            if poll % 6 == 5:
                await watcher.recheck(GREY, settings.daemon.recheck_window)
        spent = web.client.requests - before
        await web.client.aclose()
        return spent, new

    try:
        spent, new = asyncio.run(hour())
    finally:
        db.dispose()
        preview.stop()
    return spent, new


def main() -> None:
    saved = (DATA / "channel_page.html").read_text(encoding="utf-8")
    channel = FakePreview().add("GreyZone", GREY, "Серая Зона")
    for i in range(40):
        channel.post(f"Колонна техники замечена у Покровска, пост {i}. #сводка " * 3)
    rendered = render_page(channel, None)
    saved_rate, saved_posts = parse_rate(saved)
    rendered_rate, rendered_posts = parse_rate(rendered)
    work = Path(tempfile.mkdtemp(prefix="bench_web_"))
    try:
        quiet = requests_per_hour(6, work)
        busy = requests_per_hour(120, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    body = f"""
Machine load (1-minute average) at the end: {load:.1f} on {os.cpu_count()} cores — parse rates
are lower bounds on a busy machine.

| page | posts on it | posts parsed/s |
|---|---:|---:|
| saved page (`tests/data/web/channel_page.html`, rich markup) | {saved_posts} | {saved_rate:,.0f} |
| rendered page (20 text posts) | {rendered_posts} | {rendered_rate:,.0f} |

| channel (poll 5 min, recheck 50 posts / 30 min) | requests / channel-hour | new posts stored |
|---|---:|---:|
| quiet: 6 posts/hour | {quiet[0]} | {quiet[1]} |
| busy: 120 posts/hour (10 per poll) | {busy[0]} | {busy[1]} |

Requests are page loads of about 20 posts: a poll is one page while fewer than ~20 posts
arrived since the last one; each recheck reads the newest page (names, and the newest rechecked
posts: reused for the re-read) plus the older pages holding the 50 rechecked posts (20
requests/hour before that reuse). At the default budget of 20 requests/minute per host, one tgmon
process can poll about {int(20 * 60 / max(quiet[0], 1))} quiet channels at a 5-minute interval.
"""
    path = write_section("web", "Web preview source", body)
    print(body)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
