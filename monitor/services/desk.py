"""The analyst desk's use cases that the CLI has no command for: alert stories with filters and
paging, webhook-shaped alert payloads, daily counts for charts, trying a watchlist on a text.

Everything here reads; the desk's one write (acknowledge) is AlertService.acknowledge.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from monitor.alerts.dispatch import renderer_for
from monitor.alerts.render import AlertRenderer, alert_context
from monitor.core.errors import ConfigError
from monitor.language import detect_language
from monitor.matching.matcher import Hit, compile_matcher
from monitor.matching.watchlists import Watchlist, validate_watchlists
from monitor.services.alerts import AlertService
from monitor.services.search import SearchPage
from monitor.services.watchlists import WatchlistService
from storage.database import Database
from storage.desk import (
    AlertFilters,
    AlertStory,
    ChannelState,
    StoryCopy,
    alert_facets,
    alert_ids,
    alert_stories,
    channel_posts_per_day,
    channel_states,
    copies_of,
    watchlist_hits_per_day,
)
from storage.outbox import load_alerts
from storage.search import SearchFilters, Sort
from storage.search import search as search_posts

PASTED = "pasted list"
TRY_TEXT_LIMIT = 20_000  # characters of pasted text matched; a page is not a bulk matcher


@dataclass(frozen=True)
class StoryPage:
    stories: list[AlertStory]
    more: bool


@dataclass(frozen=True)
class ChannelFigures:
    rows: list[ChannelState]
    days: list[str]
    per_day: dict[int, dict[str, int]]


@dataclass(frozen=True)
class WatchlistFigures:
    lists: list[Watchlist]
    errors: list[str]
    days: list[str]
    per_day: dict[str, dict[str, int]]


@dataclass(frozen=True)
class TryResult:
    """What a list (or one term) fires on in a pasted text; errors when the list is invalid."""

    text: str
    language: str | None
    hits: list[Hit]
    errors: list[str]


class DeskService:
    """Reads for the desk over one database, beside the CLI's services."""

    def __init__(
        self,
        db: Database,
        alerts: AlertService,
        watchlists: WatchlistService,
    ) -> None:
        self.db = db
        self.alerts = alerts
        self.watchlists = watchlists

    def stories(self, filters: AlertFilters, *, limit: int, offset: int = 0) -> StoryPage:
        """One page of alerts, newest first, one line per story with its copies."""
        with self.db.read_session() as session:
            rows = alert_stories(session, filters, limit=limit + 1, offset=offset)
        return StoryPage(rows[:limit], len(rows) > limit)

    def copies(self, post_id: int, alert_copies: list[list[int]]) -> list[StoryCopy]:
        """Posts of the same story in other channels, from the post's alerts."""
        ids = [i for copies in alert_copies for i in copies]
        with self.db.read_session() as session:
            return copies_of(session, ids, exclude=post_id)

    def browse(
        self, filters: SearchFilters, *, sort: Sort, limit: int, offset: int
    ) -> SearchPage:
        """Posts passing the filters without a query (a channel's or a list's posts)."""
        with self.db.read_session() as session:
            hits = search_posts(session, None, filters, sort=sort, limit=limit + 1, offset=offset)
        return SearchPage(hits[:limit], len(hits) > limit, [])

    def facets(self) -> dict[str, list[str]]:
        with self.db.read_session() as session:
            return alert_facets(session)

    def payloads(self, filters: AlertFilters, *, limit: int) -> list[dict[str, Any]]:
        """The newest alerts exactly as the webhook route receives them (schema tgmon.alert/1)."""
        with self.db.read_session() as session:
            ids = alert_ids(session, filters, limit=limit)
            records = load_alerts(session, ids)  # five queries, whatever the number
        # the webhook's own template and context, compiled once; the subject and the text and
        # HTML bodies a delivery also renders are not needed here
        template = self._renderer.env.get_template("payload.json.j2")
        payloads = []
        for r in (records[i] for i in ids if i in records):
            text = template.render(alert_context(r.alert, r.post, r.channel, r.matches, r.copies))
            try:
                payloads.append(json.loads(text))
            except json.JSONDecodeError as exc:  # as AlertRenderer.render says it
                raise ConfigError(f"payload.json.j2: does not render valid JSON: {exc}") from exc
        return payloads

    @cached_property
    def _renderer(self) -> AlertRenderer:
        return renderer_for(self.alerts.settings)

    def channel_figures(self, *, days: int) -> ChannelFigures:
        with self.db.read_session() as session:
            rows = channel_states(session)
            labels, per_day = channel_posts_per_day(session, days=days)
        return ChannelFigures(rows, labels, per_day)

    def watchlist_figures(self, *, days: int) -> WatchlistFigures:
        lists, errors = self.watchlists.validate()
        with self.db.read_session() as session:
            labels, per_day = watchlist_hits_per_day(session, days=days)
        return WatchlistFigures(lists, errors, labels, per_day)

    def try_list(
        self,
        text: str,
        *,
        name: str | None = None,
        pasted_toml: str | None = None,
        term: str | None = None,
        language: str | None = None,
    ) -> TryResult:
        """Match one configured list, a pasted TOML list, or a single term against `text`."""
        text = text[:TRY_TEXT_LIMIT]
        language = language or detect_language(text).lang
        lists, errors = self._lists_to_try(name, pasted_toml, term)
        if errors or not lists:
            return TryResult(text, language, [], errors or ["nothing to try: pick a list"])
        return TryResult(text, language, compile_matcher(lists).match(text, language=language), [])

    def _lists_to_try(
        self, name: str | None, pasted_toml: str | None, term: str | None
    ) -> tuple[list[Watchlist], list[str]]:
        if term and term.strip():
            try:
                one = Watchlist.model_validate(
                    {"name": "term", "rules": [{"any": [term.strip()]}], "source": "term"}
                )
            except ValueError as exc:
                return [], [f"term {term.strip()!r}: {str(exc).splitlines()[-1].strip()}"]
            return [one], []
        if pasted_toml and pasted_toml.strip():
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "pasted.toml"
                path.write_text(pasted_toml, encoding="utf-8")
                lists, errors = validate_watchlists([path])
            return lists, [e.replace(str(path), PASTED) for e in errors]
        if name:
            return [self.watchlists.find(name)], []
        return [], []
