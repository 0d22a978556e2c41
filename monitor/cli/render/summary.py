"""Turn results into what the user reads: rich tables on a terminal, plain text elsewhere."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from monitor.cli.render.rich_text import highlighted
from monitor.core.snippet import snippet
from monitor.services.demo import DemoReport
from monitor.services.importing import ImportReport
from storage.database import redact_url


def console(*, stderr: bool = False) -> Console:
    """A console that drops colour when not writing to a terminal (or NO_COLOR is set)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def import_summary(report: ImportReport) -> str:
    line = (
        f"{report.files} file(s), {len(report.channels)} channel(s): "
        f"{report.new} new, {report.edited} updated, {report.unchanged} unchanged, "
        f"{report.skipped} skipped (service messages)"
    )
    if report.deleted:
        line += f", {report.deleted} marked deleted (missing from a complete export)"
    if report.bad:
        line += f", {report.bad} bad message(s) skipped"
    if report.skipped_chats:
        line += f", {len(report.skipped_chats)} chat(s) not imported (not a channel or group)"
    if report.stage_failures:
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(report.stage_failures.items()))
        line += f"; stage failures ({failures}) — see the log"
    return line


def demo(out: Console, report: DemoReport) -> None:
    out.print(f"[bold]tgmon demo[/bold] → {redact_url(report.database)}")
    out.print(f"  sample exports: {import_summary(report.first)}")
    out.print(f"  later snapshot: {import_summary(report.later)}")
    table = Table(title="Stored channels", show_lines=False)
    table.add_column("channel")
    table.add_column("title")
    table.add_column("posts", justify="right")
    table.add_column("edited", justify="right")
    table.add_column("languages")
    for ch in report.channels:
        langs = ", ".join(f"{lang} {n}" for lang, n in ch.languages.items()) or "—"
        table.add_row(
            f"@{ch.username}" if ch.username else "?",
            ch.title or "",
            str(ch.posts),
            str(ch.edited),
            langs,
        )
    out.print(table)
    if report.matches:
        fired = Table(title="What fired")
        fired.add_column("watchlist")
        fired.add_column("posts matched", justify="right")
        for name, count in report.matches:
            fired.add_row(name, str(count))
        out.print(fired)
        for example in report.examples:
            out.print(
                f"  [bold]{example.watchlist}[/bold] @{example.channel}/{example.message_id}: ",
                highlighted(snippet(example.text, example.spans, width=110)),
                sep="",
            )
        where = (
            f"{report.routes} route(s): `tgmon run` or `tgmon alerts dispatch` sends them"
            if report.routes
            else "no alert routes configured, so nothing is sent (see README → Alerts)"
        )
        out.print(f"  alerts in the outbox: {report.alerts} — {where}")
    else:
        out.print("  no watchlist matches recorded")


def as_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
