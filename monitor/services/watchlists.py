"""Watchlist use cases: validate the files, dry-run one list over history, apply it to history.

A dry run evaluates posts exactly as the pipeline does (pipeline/evaluation.py) and writes
nothing; `rematch` records matches with the pipeline's own `match_posts`, and raises alerts
through the same recorder only when asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor.alerts.recorder import AlertRecorder
from monitor.config.settings import Settings
from monitor.core.errors import InputError
from monitor.core.events import ChannelInfo
from monitor.language import detect_language
from monitor.matching.matcher import Hit, compile_matcher
from monitor.matching.watchlists import Watchlist, load_watchlists, validate_watchlists
from monitor.pipeline.evaluation import post_hits
from monitor.pipeline.stages import match_posts
from storage.database import Database
from storage.history import post_ids_since, posts_with_channel
from storage.models import Post

REMATCH_BATCH = 1000


@dataclass(frozen=True)
class WouldFire:
    """A stored post a list would fire on, and how."""

    post: Post
    channel: str
    hits: list[Hit]


@dataclass(frozen=True)
class TextTrial:
    """What a list does on a pasted sentence: the language it assumed and the hits."""

    watchlist: str
    language: str | None
    how: str  # given | detected (method) | undetermined
    hits: list[Hit]


@dataclass(frozen=True)
class RematchReport:
    checked: int
    added: int
    removed: int


class WatchlistService:
    """The configured watchlist files, applied to one database."""

    def __init__(
        self, db: Callable[[], Database], settings: Settings, recorder: AlertRecorder
    ) -> None:
        self._db = db  # opened on first use: trying a list on a sentence needs no database
        self.settings = settings
        self.recorder = recorder

    def dirs(self) -> list[Path]:
        return self.settings.watchlist_dirs()

    def validate(self) -> tuple[list[Watchlist], list[str]]:
        """Every list that loads, and every error with file, line and rule."""
        return validate_watchlists(self.dirs())

    def find(self, name: str) -> Watchlist:
        """The list called `name` in the configured folders, or the list in the file `name`."""
        if name.endswith(".toml") or Path(name).is_file():
            (watchlist,) = load_watchlists([Path(name)])  # one list per file
            return watchlist
        lists = load_watchlists(self.dirs())
        for watchlist in lists:
            if watchlist.name == name:
                return watchlist
        known = ", ".join(sorted(w.name for w in lists)) or "none"
        raise InputError(f"no watchlist named {name!r} (have: {known})")

    def try_text(self, name: str, text: str, language: str = "auto") -> TextTrial:
        """Run one list over one text, as the pipeline would with translation off (no I/O)."""
        watchlist = self.find(name)
        if language == "auto":
            detected = detect_language(text)
            lang = None if detected.lang == "und" else detected.lang
            how = f"detected ({detected.method})" if lang else "undetermined"
        else:
            lang, how = language, "given"
        hits = compile_matcher([watchlist]).match(text, language=lang)
        return TextTrial(watchlist.name, lang, how, hits)

    def dry_run(self, name: str, since: datetime | None) -> Iterator[WouldFire]:
        """Stored posts the list would fire on, oldest first; nothing is written."""
        matcher = compile_matcher([self.find(name)])
        target = self.settings.translation.target
        with self._db().read_session() as session:
            for post, username in posts_with_channel(session, since, batch=REMATCH_BATCH):
                hits = post_hits(
                    matcher,
                    text=post.text,
                    translation=post.translation,
                    language=post.language,
                    channel=ChannelInfo(post.channel_id, username),
                    translation_language=target,
                )
                if hits:
                    yield WouldFire(post, username or str(post.channel_id), hits)

    def rematch(self, name: str, since: datetime | None, *, alert: bool) -> RematchReport:
        """Bring one list's matches on stored posts up to date; alerts only with `alert`."""
        watchlist = self.find(name)
        matcher = compile_matcher([watchlist])
        with self._db().read_session() as session:
            ids = post_ids_since(session, since)
        added = removed = 0
        for offset in range(0, len(ids), REMATCH_BATCH):
            with self._db().session() as session:
                changes = match_posts(
                    session,
                    matcher,
                    ids[offset : offset + REMATCH_BATCH],
                    translation_language=self.settings.translation.target,
                    only_watchlists={watchlist.name},
                )
                if alert:
                    self.recorder.on_matches(session, changes)
            added += len(changes.added)
            removed += len(changes.removed)
        return RematchReport(len(ids), added, removed)
