"""Reading what tgmon recorded: search, one post in full, streamed export, figures.

The analyst's use cases over storage, shared by the CLI (and later the web desk): each opens
a read-only session for exactly as long as its answer needs, so a long search never holds
SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from monitor.services.search_terms import expand_query
from storage.database import Database
from storage.post_detail import PostDetail, load_post_detail, parse_post_ref
from storage.query import Leaf, parse_query, positive_leaves
from storage.search import SearchFilters, SearchHit, Sort, iter_posts
from storage.search import search as search_posts
from storage.stats import Stats, collect_stats


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, whether another follows, and the query's words for highlighting."""

    hits: list[SearchHit]
    more: bool
    leaves: list[Leaf]


class SearchService:
    """Search, show, export and stats over one database."""

    def __init__(self, db: Database, *, translation_on: bool = True) -> None:
        self.db = db
        self.translation_on = translation_on  # provider "none" means no backlog, no pending

    def search(
        self, query: str, filters: SearchFilters, *, sort: Sort, limit: int, offset: int
    ) -> SearchPage:
        """One page of posts matching `query`, newest, oldest or most relevant first."""
        node = expand_query(parse_query(query))  # a malformed query fails before any I/O
        leaves = positive_leaves(node)
        with self.db.read_session() as session:
            # one row more than the page tells whether there is a next page (a count would
            # cost a pass over every hit of a common word)
            hits = search_posts(session, node, filters, sort=sort, limit=limit + 1, offset=offset)
        if not self.translation_on:  # nothing will translate them: say so, not "pending"
            hits = [
                replace(h, translation_status="off") if h.translation_status == "pending" else h
                for h in hits
            ]
        return SearchPage(hits[:limit], len(hits) > limit, leaves)

    def show(self, ref: str) -> PostDetail:
        """One post by CHANNEL/MESSAGE_ID or t.me link, with versions, matches and alerts."""
        parsed = parse_post_ref(ref)
        with self.db.read_session() as session:
            detail = load_post_detail(session, parsed)
        if not self.translation_on and detail.post.get("translation_status") == "pending":
            detail.post["translation_status"] = "off"  # nothing will translate it
        return detail

    @contextmanager
    def export(
        self, query: str | None, filters: SearchFilters
    ) -> Iterator[tuple[Iterator[SearchHit], list[Leaf]]]:
        """Stream every matching post in stored order, inside one read session."""
        node = expand_query(parse_query(query)) if query is not None else None
        leaves = positive_leaves(node) if node is not None else []
        with self.db.read_session() as session:
            yield iter_posts(session, node, filters), leaves

    def stats(self, *, days: int, top: int) -> Stats:
        """Posts per channel per day, top watchlists, backlogs, deliveries, channel errors."""
        with self.db.read_session() as session:
            figures = collect_stats(session, days=days, top=top)
        if self.translation_on:
            return figures
        backlog = {k: v for k, v in figures.translation_status.items() if k != "pending"}
        return replace(figures, translation_status=backlog, translation_off=True)
