"""`tgmon demo`: replay the bundled sample channels through the real pipeline, offline.

The samples are Telegram Desktop exports; a later snapshot of one channel replays edits, so
the demo shows versions as well as new posts. Running it twice stores nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from monitor.config.settings import Settings, bundled_path
from monitor.pipeline.ingest import Pipeline
from monitor.services.importing import ImportReport, Progress, import_exports
from storage.database import Database
from storage.overview import ChannelSummary, MatchExample, stored_overview


@dataclass
class DemoReport:
    database: str
    first: ImportReport
    later: ImportReport
    channels: list[ChannelSummary] = field(default_factory=list)
    matches: list[tuple[str, int]] = field(default_factory=list)  # (watchlist, posts)
    examples: list[MatchExample] = field(default_factory=list)
    alerts: int = 0
    routes: int = 0


def sample_dirs() -> tuple[Path, Path]:
    """The bundled first exports and the later snapshot."""
    root = bundled_path("samples")
    return root, root / "later"


def _usernames(root: Path) -> dict[int, str]:
    """The sample folders are named after their channel's username."""
    from monitor.sources.export import read_export

    names: dict[int, str] = {}
    for export in sorted(root.glob("*/result.json")):
        for item in read_export(export):
            names[item.channel.channel_id] = export.parent.name
            break
    return names


def run_demo(
    settings: Settings, db: Database, pipeline: Pipeline, progress: Progress | None = None
) -> DemoReport:
    first_root, later_root = sample_dirs()
    usernames = _usernames(first_root)
    first = ImportReport()
    for export in sorted(first_root.glob("*/result.json")):
        first.merge(import_exports(pipeline, export, usernames=usernames, progress=progress))
    later = ImportReport()
    if later_root.is_dir():  # a complete re-export: what it lacks was deleted meanwhile
        later = import_exports(
            pipeline, later_root, usernames=usernames, progress=progress, mark_missing_deleted=True
        )
    report = DemoReport(
        database=db.url, first=first, later=later, routes=len(settings.alerts.routes)
    )
    _summarise(db, report, set(usernames))
    return report


def _summarise(db: Database, report: DemoReport, channel_ids: set[int]) -> None:
    with db.read_session() as session:
        overview = stored_overview(session, channel_ids)
    report.channels = overview.channels
    report.matches = overview.matches
    report.examples = overview.examples
    report.alerts = overview.alerts
