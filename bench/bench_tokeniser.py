"""The store path's text keys (dedupe hash + search_text) per post, with the shared tokeniser.

Issue 11 made the search index split words with `monitor.core.text.word_spans` on the original
text and `fold_word` per word (cached per distinct word). This times `storage.posts._text_keys`,
the one call the store path makes per post text, over seeded synthetic posts: a cold pass
(empty word caches, as after a start) and a warm pass. It then times migration 0009 (which
reads every post and rewrites the stale ones) on SQLite and PostgreSQL with a tenth stale.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

from bench.results import write_section
from bench.synthetic import PostGenerator, SyntheticConfig
from storage.posts import _text_keys

POSTS = int(os.environ.get("TGMON_BENCH_TOKENISER_POSTS", "20000"))
MIGRATION_POSTS = int(os.environ.get("TGMON_BENCH_TOKENISER_MIGRATION_POSTS", "100000"))
PG_ADMIN = os.environ.get(
    "TGMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _rate(texts: list[str]) -> float:
    """Posts per second of `_text_keys` over `texts`."""
    started = time.perf_counter()
    for text in texts:
        _text_keys(text, "content_hash", "search_text")
    return len(texts) / (time.perf_counter() - started)


def _migration_seconds(url: str) -> float:
    """Store MIGRATION_POSTS posts, go back to 0007+0008 with every tenth stale, time 0009."""
    from alembic import command
    from sqlalchemy import update

    from monitor.core.events import ChannelInfo
    from storage.database import Database
    from storage.models import Post
    from storage.posts import ensure_channel, upsert_posts

    db = Database(url)
    db.upgrade()
    generator = PostGenerator(SyntheticConfig(posts=MIGRATION_POSTS))
    batch: list = []  # type: ignore[type-arg]
    with db.session() as s:
        for channel_id, name in generator.channel_names():
            ensure_channel(s, ChannelInfo(channel_id, name, None))
    for post in generator.posts():
        batch.append(post)
        if len(batch) == 5000:
            with db.session() as s:
                upsert_posts(s, batch)
            batch = []
    table = Post.__table__  # type: ignore[attr-defined]
    command.downgrade(db.alembic_config(), "0008")
    with db.session() as s:
        s.execute(update(table).where(table.c.id % 10 == 0).values(search_text=""))
    started = time.perf_counter()
    db.upgrade()
    seconds = time.perf_counter() - started
    db.dispose()
    return seconds


def _postgres_migration_seconds() -> float | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tgmon_bench_tok_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - report and carry on with SQLite only
        print(f"PostgreSQL unavailable: {exc}")
        return None
    try:
        url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
        return _migration_seconds(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    config = SyntheticConfig(posts=POSTS)
    texts = [post.text for post in PostGenerator(config).posts()]
    # a tenth of real posts carry a glued hashtag or a Ukrainian apostrophe; give them some
    texts = [t + (" #ВагнерГрупп м'ясо" if i % 10 == 0 else "") for i, t in enumerate(texts)]
    load = os.getloadavg()[0]
    cold = _rate(texts)
    warm = _rate(texts)
    body = (
        f"- {POSTS:,} synthetic posts (ru/uk/en, 12-45 words), load average at start {load:.1f}\n\n"
        "| pass | posts/s |\n|---|---:|\n"
        f"| cold (empty word caches) | {cold:,.0f} |\n| warm | {warm:,.0f} |\n"
    )
    if MIGRATION_POSTS:  # 0 skips it (e.g. to time the store path of older code)
        body += _migration_table()
    print(body)
    if not os.environ.get("TGMON_BENCH_NO_WRITE"):
        write_section("tokeniser", "Store path text keys (hash + search_text) per post", body)


def _migration_table() -> str:
    """Seconds of migration 0009 on SQLite and PostgreSQL, as a Markdown table."""
    with tempfile.TemporaryDirectory() as folder:
        sqlite = _migration_seconds(f"sqlite:///{Path(folder) / 'tok.db'}")
    postgres = _postgres_migration_seconds()
    body = (
        f"\nMigration 0009 over {MIGRATION_POSTS:,} posts, every tenth stale, word caches warm "
        f"from storing them (load average {os.getloadavg()[0]:.1f}):\n\n"
        "| database | seconds | posts/s read |\n"
        f"|---|---:|---:|\n| SQLite | {sqlite:.1f} | {MIGRATION_POSTS / sqlite:,.0f} |\n"
    )
    if postgres is not None:
        body += f"| PostgreSQL | {postgres:.1f} | {MIGRATION_POSTS / postgres:,.0f} |\n"
    return body
