"""Import throughput: a 100,000-post Telegram Desktop export into SQLite and PostgreSQL.

Each import runs in a child process so its peak RSS is its own. Two inputs: the match-heavy
export (the example watchlists fire on most posts) and the realistic mix (5 % of posts match).
Targets (issue 14, 2 cores): store ≥ 5,000 posts/s SQLite and ≥ 8,000 PostgreSQL; full
pipeline match-heavy ≥ 2,000 SQLite and ≥ 1,500 PostgreSQL; 5 % matching ≥ 3,000 SQLite;
peak RSS ≤ 400 MB.

TGMON_BENCH_IMPORT_CASES picks cases by number (e.g. "1,3"). TGMON_BENCH_IMPORT_BEFORE names
another checkout (say, `git worktree add /tmp/before <commit>`): each case then runs there
first and here right after, so both figures share the machine's load of the moment.
TGMON_BENCH_IMPORT_MERGE=1 keeps the other cases of the last run
(bench/.work/import_results.json) in the table, to re-run or add cases one at a time.
TGMON_BENCH_IMPORT_REPEAT=N runs each case N times (before and after alternating): the table
gives the median run and the range. The 2-core machines this runs on have given the same
code, minutes apart, figures 30 % apart; one run per case cannot tell a 10 % change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from bench.results import write_section
from bench.synthetic_export import write_export

WORK = Path(__file__).with_name(".work")
POSTS = int(os.environ.get("TGMON_BENCH_IMPORT_POSTS", "100000"))
MATCH_SHARE = 0.05
REPEAT = max(1, int(os.environ.get("TGMON_BENCH_IMPORT_REPEAT", "1")))
PG_ADMIN = os.environ.get(
    "TGMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

CHILD = r"""
import json, os, re, sys, time
from pathlib import Path
from sqlalchemy import func, select
from monitor.wiring import build_app
from monitor.config.settings import bundled_path, load_settings
from monitor.services.importing import import_exports
from monitor.pipeline.ingest import Pipeline
from storage.database import Database
from storage.models import Alert, Match
db = Database(sys.argv[1]); db.upgrade()
if sys.argv[3].startswith("full"):  # language, triage, example watchlists, alert outbox
    # as `tgmon import` builds it: the watchlists compiled in a child process, if this code has one
    settings = load_settings(bundled_path("tgmon.example.toml"))
    try:
        pipeline = build_app(settings, db=db, compile_apart=True).pipeline
    except TypeError:  # an older checkout (TGMON_BENCH_IMPORT_BEFORE) compiles in-process
        pipeline = build_app(settings, db=db).pipeline
else:
    pipeline = Pipeline(db)  # store only: posts, versions, search index
pools = []
if sys.argv[3] == "full-2":  # the second core (monitor.pipeline.parallel), always on
    from monitor.pipeline.parallel import CorePool
    pools.append(CorePool(enabled=True))
    for stage in pipeline.stages:
        if hasattr(stage, "pool"):
            stage.pool = pools[0]
# the pools the stages use (`full` has the app's, on only while a core is spare): their worker's
# memory and CPU are reported next to this process's
pools = list({id(s.pool): s.pool for s in pipeline.stages if getattr(s, "pool", None)}.values())
t0, c0 = time.perf_counter(), time.process_time()
report = import_exports(pipeline, Path(sys.argv[2]))
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
# VmHWM, not ru_maxrss: Linux carries the forked parent's peak across exec into ru_maxrss.
def hwm(pid="self"):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
worker_mb = sum(hwm(pid) for pool in pools for pid in pool.worker_pids())
def cpu_of(pid):  # utime + stime of another process, in seconds
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
worker_cpu = sum(cpu_of(pid) for pool in pools for pid in pool.worker_pids())
with db.session() as s:
    matched = s.execute(select(func.count(func.distinct(Match.post_id)))).scalar_one()
    alerts = s.execute(select(func.count()).select_from(Alert)).scalar_one()
dictionaries = sorted(m for m in ("pymorphy3", "simplemma", "lemminflect") if m in sys.modules)
print(json.dumps({"new": report.new, "seconds": elapsed, "rss_mb": hwm(), "worker_mb": worker_mb,
                  "dictionaries": dictionaries,
                  "cpu": cpu, "worker_cpu": worker_cpu,
                  "matched": matched, "alerts": alerts, "failures": report.stage_failures}))
"""


HERE = Path(__file__).parents[1]


def _run(url: str, export: Path, mode: str = "store", checkout: Path = HERE) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(export), mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
        env=env,
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


def _sqlite(export: Path, mode: str, checkout: Path) -> dict[str, float]:
    sqlite_file = WORK / "import_bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    return _run(f"sqlite:///{sqlite_file}", export, mode, checkout)


def _postgres(export: Path, mode: str, checkout: Path) -> dict[str, float] | None:
    pg = _postgres_url()
    if pg is None:
        return None
    url, (admin, name) = pg
    try:
        return _run(url, export, mode, checkout)
    finally:
        from sqlalchemy import text

        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _load() -> str:
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu(run: dict[str, Any]) -> str:
    return f"{run['cpu']:.1f}" if "cpu" in run else "–"


def _median_run(runs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[float]]:
    """The run of median speed (the lower middle of an even count), with the highest peak RSS
    of all runs (the memory target is a ceiling), and every run's posts/s."""
    rates = [r["new"] / r["seconds"] for r in runs]
    ordered = sorted(range(len(runs)), key=rates.__getitem__)
    median = dict(runs[ordered[(len(runs) - 1) // 2]])
    for key in ("rss_mb", "worker_mb"):
        median[key] = max(r.get(key) or 0 for r in runs)
    return median, rates


def _rates(runs: dict[str, Any], side: str) -> str:
    """Posts/s of one run ("5,100"), or the median of several with their range."""
    run = runs[side]
    rate = run["new"] / run["seconds"]
    every = runs.get(f"{side}_rates") or [rate]
    if len(every) == 1:
        return f"{rate:,.0f}"
    return f"{rate:,.0f} ({min(every):,.0f}–{max(every):,.0f})"


def main() -> None:
    heavy = WORK / f"import_{POSTS}.json"
    if not heavy.exists():
        write_export(heavy, 1_999_000_001, POSTS)
    mix = WORK / f"import_{POSTS}_match5.json"
    if not mix.exists():
        write_export(mix, 1_999_000_002, POSTS, match_share=MATCH_SHARE)
    size_mb = heavy.stat().st_size / 1e6
    cases = [
        ("SQLite (file, WAL), store + search index", _sqlite, heavy, "store"),
        ("SQLite, full pipeline, match-heavy", _sqlite, heavy, "full"),
        ("SQLite, full pipeline, match-heavy, second core", _sqlite, heavy, "full-2"),
        ("SQLite, full pipeline, 5 % matching", _sqlite, mix, "full"),
        ("PostgreSQL 127.0.0.1, store + search index", _postgres, heavy, "store"),
        ("PostgreSQL, full pipeline, match-heavy", _postgres, heavy, "full"),
        ("PostgreSQL, full pipeline, 5 % matching", _postgres, mix, "full"),
        ("SQLite, full pipeline, 5 % matching, second core", _sqlite, mix, "full-2"),
    ]
    order = [label for label, *_ in cases]
    chosen = os.environ.get("TGMON_BENCH_IMPORT_CASES")
    if chosen:
        wanted = {int(n) for n in chosen.split(",")}
        cases = [c for n, c in enumerate(cases, 1) if n in wanted]
    before_dir = os.environ.get("TGMON_BENCH_IMPORT_BEFORE")
    before = Path(before_dir).resolve() if before_dir else None
    saved = WORK / "import_results.json"
    merge = os.environ.get("TGMON_BENCH_IMPORT_MERGE") == "1" and saved.exists()
    results: dict[str, dict[str, Any]] = json.loads(saved.read_text()) if merge else {}
    for label, runner, export, mode in cases:
        runs: dict[str, Any] = {"load": _load()}
        afters: list[dict[str, Any]] = []
        befores: list[dict[str, Any]] = []
        for _ in range(REPEAT):  # alternating, so both columns share the machine's moments
            if before is not None and mode != "full-2":  # the old code has no second core
                old = runner(export, mode, before)
                if old is not None:
                    befores.append(old)
            now = runner(export, mode, HERE)
            if now is not None:
                afters.append(now)
        if not afters:
            continue
        runs["after"], runs["after_rates"] = _median_run(afters)
        if befores:
            runs["before"], runs["before_rates"] = _median_run(befores)
        results[label] = runs
        saved.write_text(json.dumps(results, indent=1))
        now = runs["after"]
        old_rate = f" (before: {_rates(runs, 'before')})" if "before" in runs else ""
        print(
            f"{label}: {_rates(runs, 'after')} posts/s{old_rate}, peak RSS {now['rss_mb']:.0f} MB",
            flush=True,
        )
    lines = [
        f"Exports: {POSTS:,} messages each (~1 % service), {size_mb:.0f} MB of JSON, streamed"
        " with ijson; batches of 2,000 posts per transaction; each run in a fresh child process.",
        "*match-heavy*: the example watchlists fire on most posts; *5 % matching*: words no"
        f" list knows, plus a watched phrase in {MATCH_SHARE:.0%} of posts. *second core*: the"
        " stages given a CorePool (monitor/pipeline/parallel.py) forced on; the other rows run"
        " as `tgmon import` does, in one process.",
        "*before*: the same case run just before from a checkout of an earlier commit (when"
        " TGMON_BENCH_IMPORT_BEFORE is set). *load*: 1/5/15-minute load average when the case"
        " started (2 cores shared with other work: compare figures taken at similar load)."
        " *CPU s*: CPU seconds of the importing process (+ its worker), which a busy machine"
        " stretches less than wall time."
        + (
            f" Each case ran {REPEAT} times, before and after alternating: *posts/s* is the"
            " median run's, with the range of all runs; *peak RSS* is the highest of all runs;"
            " the other columns are the median run's."
            if REPEAT > 1
            else ""
        ),
        "",
        "| case | posts stored | posts matched | alerts | seconds | posts/s | CPU s (+ worker)"
        " | peak RSS (+ worker) | before: posts/s | before: CPU s | before: peak RSS | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, runs in sorted(results.items(), key=lambda kv: order.index(kv[0])):
        r = runs["after"]
        worker = f" (+ {r['worker_mb']:.0f} MB)" if r.get("worker_mb") else ""
        worker_cpu = f" (+ {r['worker_cpu']:.1f})" if r.get("worker_cpu") else ""
        old = runs.get("before")
        was = (
            f"{_rates(runs, 'before')} | {_cpu(old)} | {old['rss_mb']:.0f} MB"
            if old
            else "– | – | –"
        )
        lines.append(
            f"| {label} | {r['new']:,} | {r.get('matched', 0):,} | {r.get('alerts', 0):,} "
            f"| {r['seconds']:.1f} | {_rates(runs, 'after')} | {_cpu(r)}{worker_cpu} "
            f"| {r['rss_mb']:.0f} MB{worker} | {was} | {runs.get('load', '–')} |"
        )
    lines += [
        "",
        "*Full pipeline* adds language detection, translation triage, matching against the",
        "example watchlists and the alert outbox (matches, alerts, deliveries).",
    ]
    write_section("import", "Import throughput (Telegram Desktop export)", "\n".join(lines))
