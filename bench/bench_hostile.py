"""Hostile input, before and after issue 13: a dead and a slow alert route beside a healthy
one; a search of thousands of words; Ctrl-C during a long SQLite statement.

Each scenario runs in a subprocess against a code tree: this one, and, when
TGMON_BENCH_BEFORE_ROOT names an older checkout (e.g. `git archive bfda7b7`), that one too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from bench.results import write_section

HERE = Path(__file__).resolve().parents[1]

DISPATCH = """
import json, tempfile, threading, time
from datetime import timedelta
from pathlib import Path
from monitor.alerts.dispatch import dispatch_configured
from monitor.config.settings import Settings
from storage.database import Database
from tests.support.alert_helpers import Receiver, match_and_alert, store_post

release = threading.Event()
def never(_r):
    release.wait(600); return 200
def slow(_r):
    release.wait(8); return 200
servers = {"dead": Receiver(respond=never).start(), "healthy": Receiver().start(),
           "slow": Receiver(respond=slow).start()}
folder = Path(tempfile.mkdtemp())
db = Database(f"sqlite:///{folder}/t.db"); db.upgrade()
routes = [{"name": n, "url": "webhook+" + r.url, "secret": "s3cret", "timeout": "2s"}
          for n, r in servers.items()]
settings = Settings(data_dir=folder, alerts={"routes": routes, "lease": "20s"})
with db.session() as s:
    for n in range(23):
        match_and_alert(s, store_post(s, 1, n + 1, f"Вагнер {n}"), settings.alerts, spans=[[0, 6]])
start = time.monotonic()
report = dispatch_configured(db, settings)
took = time.monotonic() - start
print(json.dumps({"seconds": round(took, 1), "healthy": len(servers["healthy"].received),
                  "sent": report.sent}))
release.set()
"""

SEARCH = """
import json, tempfile, time
from pathlib import Path
from storage.database import Database
from storage.search import search
from tests.support.alert_helpers import store_post
folder = Path(tempfile.mkdtemp())
db = Database(f"sqlite:///{folder}/t.db"); db.upgrade()
words = ["дрон", "обстрел", "колонна", "техники", "белгород"]
with db.session() as s:
    for n in range(500):
        store_post(s, 1, n + 1, " ".join(words[(n + i) % 5] for i in range(12)))
out = {}
for count in (500, 4000, 16000):
    query = " ".join(words[i % 5] for i in range(count))
    for form, text in (("words", query), ("phrase", f'"{query}"')):
        start = time.monotonic()
        try:
            with db.read_session() as session:
                search(session, text)
            result = "results"
        except Exception as exc:
            result = type(exc).__name__
        out[f"{count} {form}"] = [round(time.monotonic() - start, 3), result]
print(json.dumps(out))
"""

CTRL_C = """
import json, os, signal, tempfile, threading, time
from pathlib import Path
from sqlalchemy import text
from storage.database import Database
db = Database(f"sqlite:///{Path(tempfile.mkdtemp())}/t.db")
sent = []
def interrupt():
    sent.append(time.monotonic()); os.kill(os.getpid(), signal.SIGINT)
threading.Timer(0.5, interrupt).start()
try:
    with db.read_session() as s:
        s.execute(text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                       "WHERE x < 60000000) SELECT count(*) FROM c")).all()
    outcome = "finished"
except KeyboardInterrupt:
    outcome = "KeyboardInterrupt"
except Exception as exc:
    outcome = type(exc).__name__
print(json.dumps({"stop_after_signal_s": round(time.monotonic() - sent[0], 2), "outcome": outcome}))
"""


def _run(root: Path, code: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:120]}
    return dict(json.loads(lines[-1]))


def main() -> None:
    trees = {"after": HERE}
    before = os.environ.get("TGMON_BENCH_BEFORE_ROOT")
    if before:
        trees = {"before": Path(before), **trees}
    figures = {
        name: {
            key: _run(root, code)
            for key, code in (("dispatch", DISPATCH), ("search", SEARCH), ("ctrl_c", CTRL_C))
        }
        for name, root in trees.items()
    }
    load = os.getloadavg()
    rows = ["| measure | " + " | ".join(trees) + " |", "|---|" + "---:|" * len(trees)]

    def row(label: str, pick) -> None:  # noqa: ANN001
        rows.append(f"| {label} | " + " | ".join(str(pick(figures[t])) for t in trees) + " |")

    row("dispatch: healthy route got (of 23) in one run", lambda f: f["dispatch"].get("healthy"))
    row("dispatch: run took (s)", lambda f: f["dispatch"].get("seconds"))
    for key in ("500 words", "500 phrase", "4000 words", "16000 words", "16000 phrase"):
        row(f"search {key}: s (outcome)", lambda f, k=key: f["search"].get(k))
    row(
        "Ctrl-C in a long SQLite statement: s to stop",
        lambda f: f["ctrl_c"].get("stop_after_signal_s"),
    )
    row("… outcome", lambda f: f["ctrl_c"].get("outcome"))
    body = (
        "Dispatch: 23 alerts to three webhook routes on 127.0.0.1 — one healthy, one that never "
        "answers, one that answers after 8 s — route timeout 2 s, lease 20 s (a dispatcher "
        "stops starting sends after 10 s). Search: 500 stored posts (SQLite), queries of "
        "repeated words. Ctrl-C: SIGINT 0.5 s into a 60-million-row recursive CTE.\n\n"
        + "\n".join(rows)
        + f"\n\nLoad average during the run: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(2 cores shared with other developers). "
        + ("`before` is commit bfda7b7." if before else "")
    )
    print(write_section("hostile", "Hostile input (issue 13)", body).read_text()[-2500:])


if __name__ == "__main__":
    main()
