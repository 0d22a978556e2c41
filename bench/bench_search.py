"""Search over 1,000,000 synthetic posts on SQLite and PostgreSQL: query latency, export, size.

The databases are generated once into bench/.work/ (SQLite file; PostgreSQL database
tgmon_bench_search copied from it with COPY) and reused while they hold the expected rows.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.results import write_section
from bench.synthetic import PostGenerator, SyntheticConfig
from monitor.core.text import content_hash
from monitor.services.records import write_records
from monitor.services.search_terms import expand_query
from storage.database import Database
from storage.models import Channel, Post
from storage.query import Node, parse_query
from storage.search import SearchFilters, iter_posts
from storage.search import search as search_parsed
from storage.stemming import search_text

WORK = Path(__file__).with_name(".work")
POSTS = int(os.environ.get("TGMON_BENCH_SEARCH_POSTS", "1000000"))
ADMIN_URL = os.environ.get(
    "TGMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_NAME = f"tgmon_bench_search_{POSTS}"
# Each query runs as `tgmon search` runs it: parsed, then expanded by the search service (a
# bare word reads as a watchlist term); `=word` is the word as typed, the pre-expansion search.
QUERIES = {
    "term": "беспилотник",
    "term as typed": "=беспилотник",
    "term, derivations + Latin": "Вагнер",
    "term, derivations, as typed": "=Вагнер",
    "Ukrainian term (+ Russian spelling)": "безпілотник",
    "designation": "Ми-24",
    "phrase": '"колонна техники"',
    "phrase as typed": '="колонна техники"',
    "two-term AND": "обстрел белгород",
    "rare term": "рогост",  # 611 posts: SQLite drives from FTS5 instead of walking by date
}
_COPY_COLUMNS = (
    "id channel_id message_id posted_at text content_hash translation_status "
    "translation_attempts views media_kind url first_seen_at version_count search_text"
).split()


def _remember(name: str, build: dict[str, float] | None) -> dict[str, float] | None:
    """Keep build figures next to the database so a re-run can still report them."""
    path = WORK / f"{name}_{POSTS}.build.json"
    if build is not None:
        path.write_text(json.dumps(build), encoding="utf-8")
        return build
    if path.exists():
        return {**json.loads(path.read_text(encoding="utf-8")), "reused": 1.0}
    return None


def _post_count(db: Database) -> int:
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(text("select count(*) from post")).scalar_one())
    except Exception:  # noqa: BLE001  (missing table = not built yet)
        return -1


def _generator() -> PostGenerator:
    return PostGenerator(SyntheticConfig(posts=POSTS))


def build_sqlite(path: Path) -> dict[str, float]:
    """Generate posts into a fresh SQLite file with batched Core inserts (FTS5 via triggers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    gen = _generator()
    started = time.perf_counter()
    channels = [
        {"id": cid, "username": name, "title": name, "mode": "import"}
        for cid, name in gen.channel_names()
    ]
    post_table = Post.__table__  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        conn.execute(
            Channel.__table__.insert(),
            [  # type: ignore[attr-defined]
                {**c, "enabled": True, "last_message_id": 0, "added_at": gen.config.end}
                for c in channels
            ],
        )
        batch: list[dict[str, Any]] = []
        for post in gen.posts():
            batch.append(
                {
                    "channel_id": post.channel_id,
                    "message_id": post.message_id,
                    "posted_at": post.posted_at,
                    "text": post.text,
                    "content_hash": content_hash(post.text),
                    "translation_status": "pending",
                    "translation_attempts": 0,
                    "views": post.views,
                    "media_kind": post.media_kind,
                    "url": f"https://t.me/synthetic_{post.channel_id - 1_000_000:03d}/"
                    f"{post.message_id}",
                    "first_seen_at": post.posted_at,
                    "version_count": 1,
                    "search_text": search_text(post.text),
                    "language": None,
                }
            )
            if len(batch) == 5000:
                conn.execute(post_table.insert(), batch)
                batch.clear()
        if batch:
            conn.execute(post_table.insert(), batch)
    load = time.perf_counter() - started
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE post SET language = CASE (channel_id % 10) WHEN 9 THEN 'en' "
                "WHEN 6 THEN 'uk' "
                "WHEN 7 THEN 'uk' WHEN 8 THEN 'uk' ELSE 'ru' END"
            )
        )
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO post_fts(post_fts) VALUES ('rebuild')"))
        conn.execute(text("INSERT INTO post_fts(post_fts) VALUES ('optimize')"))
    rebuild = time.perf_counter() - started
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    db.dispose()
    return {"load_s": load, "index_build_s": rebuild}


def build_postgres(sqlite_path: Path, url: str) -> dict[str, float]:
    """Copy the SQLite posts into a fresh PostgreSQL database; time the GIN index build."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    admin.dispose()
    db = Database(url)
    db.upgrade()
    source = Database(f"sqlite:///{sqlite_path}")
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("DROP INDEX ix_post_search_vector")
        with source.engine.connect() as src:
            channels = src.execute(text("select id, username, title, added_at from channel"))
            for row in channels:
                cur.execute(
                    "insert into channel (id, username, title, enabled, mode, last_message_id,"
                    " added_at) values (%s, %s, %s, true, 'import', 0, %s)",
                    (row.id, row.username, row.title, row.added_at),
                )
            cols = ", ".join(_COPY_COLUMNS)
            rows = src.execution_options(yield_per=20000).execute(
                text(f"select {cols}, language from post order by id")
            )
            with cur.copy(f"COPY post ({cols}, language) FROM STDIN") as copy:
                for row in rows:
                    values = list(row)
                    values[3] = values[3] + "+00" if isinstance(values[3], str) else values[3]
                    values[11] = values[11] + "+00" if isinstance(values[11], str) else values[11]
                    copy.write_row(values)
        cur.execute("select setval('post_id_seq', (select max(id) from post))")
        raw.commit()
        load = time.perf_counter() - started
        started = time.perf_counter()
        cur.execute("CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)")
        raw.commit()
        build = time.perf_counter() - started
        raw.driver_connection.autocommit = True  # type: ignore[union-attr]
        cur.execute("VACUUM ANALYZE post")
    finally:
        raw.close()
    source.dispose()
    db.dispose()
    return {"load_s": load, "index_build_s": build}


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], result


def search(session: Any, query: str, filters: SearchFilters, **kw: Any) -> list[Any]:
    """As SearchService runs it: parse, expand, then one page (expansion timed too)."""
    node: Node = expand_query(parse_query(query))
    return search_parsed(session, node, filters, **kw)


def measure(db: Database) -> dict[str, Any]:
    """Median/p95 of each query's first page, with and without channel+date filters; export."""
    end = SyntheticConfig().end
    filters = SearchFilters(channels=("synthetic_005",), since=end - timedelta(days=30))
    out: dict[str, Any] = {"queries": []}
    with db.session() as session:
        for label, query in QUERIES.items():
            for scope, flt in (("channel + 30 days", filters), ("everything", SearchFilters())):
                search(session, query, flt, limit=20)  # warm the cache
                median, p95, hits = _timed(
                    lambda q=query, f=flt: search(session, q, f, limit=20), 15
                )
                out["queries"].append((label, query, scope, median, p95, len(hits)))
        search(session, QUERIES["term"], SearchFilters(), sort="relevance")
        median, p95, hits = _timed(
            lambda: search(session, QUERIES["term"], SearchFilters(), sort="relevance"), 5
        )
        out["queries"].append(
            ("term, by relevance", QUERIES["term"], "everything", median, p95, len(hits))
        )
        many = SearchFilters(channels=tuple(f"synthetic_{i:03d}" for i in range(40)))
        target = WORK / "export.jsonl"
        started = time.perf_counter()
        with target.open("w", encoding="utf-8") as fh:
            written = write_records(
                (h for _, h in zip(range(200_000), iter_posts(session, None, many), strict=False)),
                "jsonl",
                fh,
            )
        seconds = time.perf_counter() - started
        out["export"] = (written, seconds, target.stat().st_size)
        target.unlink()
    return out


def _sizes_sqlite(path: Path) -> str:
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    db = Database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        try:
            fts = conn.execute(
                text("select sum(pgsize) from dbstat where name like 'post_fts%'")
            ).scalar_one()
        except Exception:  # noqa: BLE001  (dbstat not compiled in)
            fts = None
        stemmed = conn.execute(text("select sum(length(search_text)) from post")).scalar_one()
    db.dispose()
    fts_part = f", FTS5 index {fts / 2**20:.0f} MiB" if fts else ""
    return f"{total / 2**20:.0f} MiB total{fts_part}, search_text column ~{stemmed / 2**20:.0f} MiB"


def _sizes_postgres(url: str) -> str:
    db = Database(url)
    with db.engine.connect() as conn:
        total = conn.execute(text("select pg_database_size(current_database())")).scalar_one()
        gin = conn.execute(text("select pg_relation_size('ix_post_search_vector')")).scalar_one()
        vec = conn.execute(text("select sum(pg_column_size(search_vector)) from post")).scalar_one()
    db.dispose()
    return (
        f"{total / 2**20:.0f} MiB total, GIN index {gin / 2**20:.0f} MiB, "
        f"tsvector column ~{vec / 2**20:.0f} MiB"
    )


_LOAD_NOTES = {
    "sqlite": "generate + normalise + stem + batched Core inserts in one transaction, FTS5 fed "
    "by the triggers; full index build = FTS5 'rebuild'",
    "postgres": "COPY from the SQLite file (search_text already computed), tsvector generated "
    "on insert, GIN index dropped during the load; full index build = CREATE INDEX",
}


def _section(
    name: str, build: dict[str, float] | None, figures: dict[str, Any], size: str, kind: str
) -> str:
    lines = [f"### {name}", ""]
    if build:
        if build.get("reused"):
            lines.append(
                "- database reused from bench/.work; build figures from the run that built it:"
            )
        lines.append(
            f"- load {POSTS:,} posts: {build['load_s']:.0f} s "
            f"({POSTS / build['load_s']:,.0f} posts/s); "
            f"full index build: {build['index_build_s']:.1f} s ({_LOAD_NOTES[kind]})"
        )
    else:
        lines.append("- database reused from bench/.work (build figures not recorded)")
    lines.append(f"- size: {size}")
    written, seconds, nbytes = figures["export"]
    lines.append(
        f"- export (JSONL, streamed): {written:,} rows in {seconds:.1f} s = "
        f"{written / seconds:,.0f} rows/s ({nbytes / 2**20:.0f} MiB)"
    )
    lines += [
        "",
        "| query | scope | median ms | p95 ms | rows | < 100 ms |",
        "|---|---|---:|---:|---:|---|",
    ]
    for label, query, scope, median, p95, rows in figures["queries"]:
        ok = "yes" if median < 100 else "**no**"
        lines.append(f"| {label} `{query}` | {scope} | {median:.1f} | {p95:.1f} | {rows} | {ok} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    WORK.mkdir(exist_ok=True)
    sqlite_path = WORK / f"search_{POSTS}.db"
    sqlite_db = Database(f"sqlite:///{sqlite_path}")
    sqlite_build = None
    if _post_count(sqlite_db) != POSTS:
        sqlite_db.dispose()
        print(f"building {sqlite_path} ({POSTS:,} posts)…", flush=True)
        sqlite_build = build_sqlite(sqlite_path)
        sqlite_db = Database(f"sqlite:///{sqlite_path}")
    body = [
        f"{POSTS:,} synthetic posts (bench/synthetic.py: ru/uk/en, 200 channels, 365 days). "
        "First page = 20 rows, newest first; 15 runs each after one warm-up. Filtered scope: one "
        "channel (~5,000 posts) and the last 30 days. The term matches 144,010 posts, the phrase "
        "31,455, the AND 37,071, the rare term 611. `--sort relevance` has to rank every hit, "
        "so it is slow for very common words (last row).",
        "",
        _section(
            "SQLite (FTS5)",
            _remember("sqlite", sqlite_build),
            measure(sqlite_db),
            _sizes_sqlite(sqlite_path),
            "sqlite",
        ),
    ]
    sqlite_db.dispose()
    pg_url = make_url(ADMIN_URL).set(database=PG_NAME).render_as_string(hide_password=False)
    try:
        pg_db = Database(pg_url)
        count = _post_count(pg_db)
        pg_db.dispose()
        pg_build = None
        if count != POSTS:
            print(f"building PostgreSQL {PG_NAME}…", flush=True)
            pg_build = build_postgres(sqlite_path, pg_url)
        pg_db = Database(pg_url)
        body.append(
            _section(
                "PostgreSQL (tsvector + GIN)",
                _remember("postgres", pg_build),
                measure(pg_db),
                _sizes_postgres(pg_url),
                "postgres",
            )
        )
        pg_db.dispose()
    except Exception as exc:  # noqa: BLE001  (report, don't lose the SQLite figures)
        body.append(f"### PostgreSQL\n\nnot measured: {exc}\n")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    body.append(
        f"Load average at the end: {load} (on 2 cores; other work on the machine slows "
        "every figure — compare runs with similar load)."
    )
    report = "\n".join(body)
    print(report)
    write_section("search", "Search", report)


if __name__ == "__main__":
    main()
