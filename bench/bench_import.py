"""Import throughput: a 100,000-post Telegram Desktop export into SQLite and PostgreSQL.

Each import runs in a child process so its peak RSS is its own. Target: ≥ 5,000 posts/s into
SQLite on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from bench.results import write_section
from bench.synthetic_export import write_export

WORK = Path(__file__).with_name(".work")
POSTS = int(os.environ.get("TGMON_BENCH_IMPORT_POSTS", "100000"))
PG_ADMIN = os.environ.get(
    "TGMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

CHILD = r"""
import json, re, sys, time
from pathlib import Path
from monitor.wiring import build_app
from monitor.config.settings import bundled_path, load_settings
from monitor.services.importing import import_exports
from monitor.pipeline.ingest import Pipeline
from storage.database import Database
db = Database(sys.argv[1]); db.upgrade()
if sys.argv[3] == "full":  # language, translation triage, example watchlists, alert outbox
    pipeline = build_app(load_settings(bundled_path("tgmon.example.toml")), db=db).pipeline
else:
    pipeline = Pipeline(db)  # store only: posts, versions, search index
t0 = time.perf_counter()
report = import_exports(pipeline, Path(sys.argv[2]))
elapsed = time.perf_counter() - t0
# VmHWM, not ru_maxrss: Linux carries the forked parent's peak across exec into ru_maxrss.
hwm = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)
print(json.dumps({"new": report.new, "seconds": elapsed, "rss_mb": int(hwm) / 1024}))
"""


def _run(url: str, export: Path, mode: str = "store") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(export), mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _postgres_url() -> tuple[str, object] | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tgmon_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - report and carry on with SQLite only
        print(f"PostgreSQL unavailable: {exc}")
        return None
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), (
        admin,
        name,
    )


def main() -> None:
    export = WORK / f"import_{POSTS}.json"
    if not export.exists():
        write_export(export, 1_999_000_001, POSTS)
    size_mb = export.stat().st_size / 1e6
    rows = []
    sqlite_file = WORK / "import_bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    rows.append(
        ("SQLite (file, WAL), store + search index", _run(f"sqlite:///{sqlite_file}", export))
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    rows.append(("SQLite, full pipeline", _run(f"sqlite:///{sqlite_file}", export, "full")))
    pg = _postgres_url()
    if pg is not None:
        url, (admin, name) = pg
        try:
            rows.append(("PostgreSQL 127.0.0.1, store + search index", _run(url, export)))
        finally:
            from sqlalchemy import text

            with admin.connect() as conn:  # type: ignore[attr-defined]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    lines = [
        f"Export: {POSTS:,} messages (~1 % service), {size_mb:.0f} MB of JSON, streamed"
        " with ijson;",
        "batches of 2,000 posts per transaction; each run in a fresh child process.",
        "",
        "| database | posts stored | seconds | posts/s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, r in rows:
        rate = r["new"] / r["seconds"]
        lines.append(
            f"| {label} | {r['new']:,} | {r['seconds']:.1f} | {rate:,.0f} | {r['rss_mb']:.0f} MB |"
        )
        print(f"{label}: {rate:,.0f} posts/s, peak RSS {r['rss_mb']:.0f} MB")
    lines += [
        "",
        "Target: ≥ 5,000 posts/s into SQLite (store). *Full pipeline* adds language detection,",
        "translation triage, matching against the example watchlists and the alert outbox.",
    ]
    write_section("import", "Import throughput (Telegram Desktop export)", "\n".join(lines))
