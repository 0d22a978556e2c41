"""`tgmon demo`: replay the bundled sample channels through the real pipeline, offline.

The samples are Telegram Desktop exports; a later snapshot of one channel replays edits, so
the demo shows versions as well as new posts. Running it twice stores nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from monitor.config.settings import Settings, bundled_path
from monitor.pipeline.ingest import Pipeline
from monitor.services.importing import ImportReport, Progress, import_exports
from storage.database import Database
from storage.models import Alert, Channel, Match, Post, PostVersion


@dataclass(frozen=True)
class ChannelSummary:
    username: str | None
    title: str | None
    posts: int
    edited: int
    languages: dict[str, int]


@dataclass(frozen=True)
class MatchExample:
    channel: str
    message_id: int
    watchlist: str
    text: str
    spans: list[list[int]]


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
        for channel in session.execute(
            select(Channel).where(Channel.id.in_(channel_ids)).order_by(Channel.id)  # type: ignore[attr-defined]
        ).scalars():
            posts = session.execute(
                select(func.count()).select_from(Post).where(Post.channel_id == channel.id)
            ).scalar_one()
            edited = session.execute(
                select(func.count(func.distinct(PostVersion.post_id)))
                .join(Post, Post.id == PostVersion.post_id)  # type: ignore[arg-type]
                .where(Post.channel_id == channel.id, PostVersion.version > 1)
            ).scalar_one()
            languages = dict(
                session.execute(
                    select(Post.language, func.count())
                    .where(Post.channel_id == channel.id, Post.language.is_not(None))  # type: ignore[union-attr]
                    .group_by(Post.language)
                    .order_by(func.count().desc())
                ).all()
            )
            report.channels.append(
                ChannelSummary(channel.username, channel.title, posts, edited, languages)
            )
        report.matches = [
            (name, count)
            for name, count in session.execute(
                select(Match.watchlist, func.count(func.distinct(Match.post_id)))
                .where(Match.removed_at.is_(None))  # type: ignore[union-attr]
                .group_by(Match.watchlist)
                .order_by(Match.watchlist)
            ).all()
        ]
        report.alerts = session.execute(select(func.count()).select_from(Alert)).scalar_one()
        report.examples = _examples(session)


def _examples(session: Session, per_watchlist: int = 2) -> list[MatchExample]:
    """A few recent original-text matches per watchlist, to show what fired and why."""
    rows = session.execute(
        select(Match.watchlist, Match.spans, Post.message_id, Post.text, Channel.username)
        .join(Post, Post.id == Match.post_id)  # type: ignore[arg-type]
        .join(Channel, Channel.id == Post.channel_id)  # type: ignore[arg-type]
        .where(Match.removed_at.is_(None), Match.text_source == "original")  # type: ignore[union-attr]
        .order_by(Match.watchlist, Post.posted_at.desc())  # type: ignore[attr-defined]
    ).all()
    shown: dict[str, int] = {}
    examples = []
    for watchlist, spans, message_id, text, username in rows:
        if shown.get(watchlist, 0) < per_watchlist:
            shown[watchlist] = shown.get(watchlist, 0) + 1
            examples.append(MatchExample(username or "?", message_id, watchlist, text, spans))
    return examples
