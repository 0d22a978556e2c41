"""The analyst desk at 1,000,000 posts: every page's response time, on SQLite and PostgreSQL.

Reuses bench_search's databases (bench/.work/search_1000000.db and the PostgreSQL database
tgmon_bench_search_1000000), building them first if missing, then adds 20,000 alerts with their
matches (every 50th post, three watchlists, a fifth with a copy in another channel) and makes
every 20th post a forward (the search data has none), once. Each
page is requested through the real ASGI app (httpx's ASGITransport: routing, services, SQL,
templates; no network), 15 times after a warm-up; median and p95 in milliseconds.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench import bench_search
from bench.results import machine_line, write_section
from bench.synthetic import SyntheticConfig
from monitor.config.settings import Settings
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Alert, Match, Post

ALERT_EVERY = 50  # one post in 50 raised an alert
FORWARD_EVERY = 20  # one post in 20 is a forward
LISTS = (("wagner_mali", "critical"), ("sahel", "warning"), ("drones", "warning"))
RUNS = 15
WATCHLISTS = Path(__file__).parents[1] / "config" / "watchlists"


def seed_alerts(db: Database) -> int:
    """Matches and alerts for every ALERT_EVERY-th post, once; returns how many alerts exist."""
    alert_table, match_table = Alert.__table__, Match.__table__  # type: ignore[attr-defined]
    post_c = Post.__table__.c  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        have = conn.execute(select(func.count()).select_from(alert_table)).scalar_one()
        if have:
            return int(have)
        rows = conn.execute(
            select(post_c.id, post_c.posted_at, post_c.channel_id)
            .where(post_c.id % ALERT_EVERY == 0)
            .order_by(post_c.id)
        ).all()
        matches, alerts = [], []
        for n, (post_id, posted_at, _channel) in enumerate(rows):
            watchlist, severity = LISTS[n % len(LISTS)]
            matches.append(
                {
                    "post_id": post_id, "watchlist": watchlist, "rule": "bench",
                    "severity": severity, "text_source": "original",
                    "terms": ["беспилотник"], "spans": [[0, 5]], "post_version": 1,
                    "matched_at": posted_at,
                }
            )
            copies = [post_id, post_id + 1] if n % 5 == 0 else [post_id]
            alerts.append(
                {
                    "watchlist": watchlist, "severity": severity, "post_id": post_id,
                    "reason": "new", "dedupe_key": f"bench-{post_id}", "copies": copies,
                    "created_at": posted_at, "status": "sent" if n % 7 else "failed",
                }
            )
        for start in range(0, len(rows), 5000):
            conn.execute(match_table.insert(), matches[start : start + 5000])
            conn.execute(alert_table.insert(), alerts[start : start + 5000])
    return len(alerts)


def seed_forwards(db: Database) -> None:
    """One post in FORWARD_EVERY forwards another channel's post, once, then fresh statistics.

    The search benchmark's posts have no forwards at all, so the planner's statistics call
    fwd_from_channel_id useless (one value, NULL) and SQLite scans a million rows to find a
    post's forwards; real channels forward each other all the time.
    """
    with db.engine.begin() as conn:
        found = "select 1 from post where fwd_from_channel_id is not null limit 1"
        if conn.execute(text(found)).first():
            return
        conn.execute(
            text(
                "UPDATE post SET fwd_from_channel_id = 1000000 + ((channel_id - 999999) % 200), "
                f"fwd_from_message_id = message_id WHERE id % {FORWARD_EVERY} = 0"
            )
        )
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE post"))


def pages(db: Database) -> dict[str, str]:
    """The URLs measured: each page with the filters an analyst would use."""
    post_c = Post.__table__.c  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        alert_post = conn.execute(
            select(Alert.__table__.c.post_id).order_by(Alert.__table__.c.id.desc()).limit(1)  # type: ignore[attr-defined]
        ).scalar_one()
        message_id, channel_id = conn.execute(
            select(post_c.message_id, post_c.channel_id).where(post_c.id == alert_post)
        ).one()
    channel = f"synthetic_{channel_id - 1_000_000:03d}"
    since = SyntheticConfig().end - timedelta(days=30)
    return {
        "alerts": "/alerts",
        "alerts, watchlist + severity": "/alerts?watchlist=sahel&severity=warning",
        "alerts, one channel": f"/alerts?channel={channel}",
        "alerts, page 20": "/alerts?page=20",
        "alerts rows (htmx refresh)": "/alerts/rows",
        "search, common term": "/search?q=беспилотник",
        "search, rare term": "/search?q=рогост",
        "search, AND + channel + 30 days": (
            f"/search?q=обстрел+белгород&channel={channel}&since={since:%Y-%m-%d}"
        ),
        "search, page 10": "/search?q=беспилотник&page=10",
        "post": f"/post/{channel}/{message_id}",
        "channels (200, with 14-day sparklines)": "/channels",
        "watchlists (with 14-day charts)": "/watchlists",
        "Atom, all alerts (50)": "/feeds/alerts.atom",
        "Atom, one watchlist": "/feeds/watchlists/drones.atom",
        "API, 50 alerts": "/api/alerts",
    }


async def _measure(web: Any, urls: dict[str, str]) -> list[tuple[str, str, float, float, int]]:
    transport = httpx.ASGITransport(app=web)
    out = []
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for label, url in urls.items():
            first = await client.get(url)  # warm-up (and a check that the page works)
            if first.status_code != 200:
                raise SystemExit(f"bench web: {url} answered {first.status_code}: {first.text}")
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                await client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out.append(
                (label, url, statistics.median(times), times[int(len(times) * 0.95) - 1],
                 len(first.content))
            )
    return out


def measure(url: str) -> tuple[int, list[tuple[str, str, float, float, int]]]:
    db = Database(url)
    alerts = seed_alerts(db)
    seed_forwards(db)
    settings = Settings.model_validate(
        {"database": {"url": url}, "watchlists": {"paths": [str(WATCHLISTS)]}}
    )
    app = build_app(settings, db=db, upgrade=False)
    try:
        return alerts, asyncio.run(_measure(app.web_app(), pages(db)))
    finally:
        app.close()


def _table(name: str, alerts: int, rows: list[tuple[str, str, float, float, int]]) -> str:
    lines = [
        f"### {name}", "",
        f"- {bench_search.POSTS:,} posts, 200 channels, {alerts:,} alerts (load average at "
        f"start: {os.getloadavg()[0]:.1f})", "",
        "| page | URL | median ms | p95 ms | KiB | < 200 ms |", "|---|---|---:|---:|---:|---|",
    ]
    for label, url, median, p95, size in rows:
        ok = "yes" if median < 200 else "**no**"
        lines.append(
            f"| {label} | `{url}` | {median:.0f} | {p95:.0f} | {size / 1024:.0f} | {ok} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    bench_search.WORK.mkdir(exist_ok=True)
    sqlite_path = bench_search.WORK / f"search_{bench_search.POSTS}.db"
    sqlite_url = f"sqlite:///{sqlite_path}"
    probe = Database(sqlite_url)
    count = bench_search._post_count(probe)
    probe.dispose()
    if count != bench_search.POSTS:
        print(f"building {sqlite_path} ({bench_search.POSTS:,} posts)…", flush=True)
        bench_search._remember("sqlite", bench_search.build_sqlite(sqlite_path))
    print(f"started {machine_line()}", flush=True)
    body = [
        "Each page through the ASGI app in-process (routing, services, SQL, Jinja2), "
        f"{RUNS} requests after a warm-up. Databases are bench_search's, plus alerts. "
        "Every 20th post is made a forward first: with none at all (bench_search's data), the "
        "statistics make SQLite scan all posts for a post's forwards in `load_post_detail`, and "
        "the post page took 2,003 ms (PostgreSQL: 30 ms).",
        "",
        _table("SQLite", *measure(sqlite_url)),
    ]
    pg_url = (
        make_url(bench_search.ADMIN_URL)
        .set(database=bench_search.PG_NAME)
        .render_as_string(hide_password=False)
    )
    try:
        probe = Database(pg_url)
        count = bench_search._post_count(probe)
        probe.dispose()
        if count != bench_search.POSTS:
            print(f"building PostgreSQL {bench_search.PG_NAME}…", flush=True)
            bench_search._remember("postgres", bench_search.build_postgres(sqlite_path, pg_url))
        body.append(_table("PostgreSQL", *measure(pg_url)))
    except Exception as exc:  # noqa: BLE001  (report a missing server, keep the SQLite figures)
        body.append(f"### PostgreSQL\n\nnot measured: {exc.__class__.__name__}: {exc}\n")
    path = write_section("web", "Analyst desk pages at 1,000,000 posts", "\n".join(body))
    print(f"wrote {path}")
