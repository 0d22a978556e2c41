"""Search stored posts: one query language over FTS5 (SQLite) and tsvector (PostgreSQL), filters.

`search` returns one page; `iter_posts` streams every matching post (server-side cursor on
PostgreSQL) for exports. The query text is parsed by storage.query and reaches the database
only as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam, exists, false, func, literal_column, or_, select, table
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from monitor.core.errors import InputError
from storage.models import Channel, Match, Post
from storage.query import Node, parse_query, to_fts5, to_tsquery
from storage.stemming import search_text

Sort = Literal["date", "relevance", "oldest", "stored"]
_POST = Post.__table__  # type: ignore[attr-defined]
_CHANNEL = Channel.__table__  # type: ignore[attr-defined]
_FTS = table("post_fts")
_REFRESH_BATCH = 1000
_COMMON_HITS = 5000  # SQLite: above this many hits, walk posts in date order instead


@dataclass(frozen=True)
class SearchFilters:
    """Everything besides the query that narrows a search; empty means no restriction."""

    channels: tuple[str, ...] = ()  # usernames (with or without @) or numeric ids
    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None
    watchlist: str | None = None
    has_media: bool = False
    deleted: bool = False
    edited: bool = False
    forwarded_from: str | None = None


@dataclass(frozen=True)
class SearchHit:
    """One post as search and export return it (no ORM object escapes a session)."""

    post_id: int
    channel_id: int
    channel_username: str | None
    channel_title: str | None
    message_id: int
    posted_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    language: str | None
    text: str
    translation: str | None
    url: str | None
    media_kind: str | None
    fwd_from_channel_id: int | None
    fwd_from_name: str | None
    views: int | None
    version_count: int
    translation_status: str | None = None  # pending | done | skipped (not needed) | failed
    score: float | None = None  # only with sort="relevance"; higher is better
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


_COLUMNS = (
    _POST.c.id.label("post_id"),
    _POST.c.channel_id,
    _CHANNEL.c.username.label("channel_username"),
    _CHANNEL.c.title.label("channel_title"),
    _POST.c.message_id,
    _POST.c.posted_at,
    _POST.c.edited_at,
    _POST.c.deleted_at,
    _POST.c.language,
    _POST.c.text,
    _POST.c.translation,
    _POST.c.url,
    _POST.c.media_kind,
    _POST.c.fwd_from_channel_id,
    _POST.c.fwd_from_name,
    _POST.c.views,
    _POST.c.version_count,
    _POST.c.translation_status,
)


def resolve_channel(session: Session, key: str) -> int:
    """A channel id from a username (with or without @), a t.me name, or a numeric id."""
    key = key.strip().lstrip("@")
    if key.lstrip("-").isdigit():
        number = int(key)
        if number < 0 and str(number).startswith("-100"):  # Bot API style -100<id>
            number = int(str(number)[4:])
        if session.get(Channel, number) is not None:
            return number
        raise InputError(f"channel {key}: no stored channel has this id")
    found = session.execute(
        select(_CHANNEL.c.id).where(func.lower(_CHANNEL.c.username) == key.lower())
    ).scalar_one_or_none()
    if found is None:
        raise InputError(f"channel @{key}: not stored (see `tgmon channels list`)")
    return int(found)


def _filter_clauses(session: Session, filters: SearchFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.channels:
        ids = sorted({resolve_channel(session, c) for c in filters.channels})
        clauses.append(_POST.c.channel_id.in_(ids))
    if filters.since is not None:
        clauses.append(_POST.c.posted_at >= filters.since)
    if filters.until is not None:
        clauses.append(_POST.c.posted_at < filters.until)
    if filters.language:
        clauses.append(_POST.c.language == filters.language.lower())
    if filters.watchlist:
        match = Match.__table__  # type: ignore[attr-defined]
        clauses.append(
            exists().where(
                match.c.post_id == _POST.c.id,
                match.c.watchlist == filters.watchlist,
                match.c.removed_at.is_(None),
            )
        )
    if filters.has_media:
        clauses.append(_POST.c.media_kind.is_not(None))
    if filters.deleted:
        clauses.append(_POST.c.deleted_at.is_not(None))
    if filters.edited:
        clauses.append(_POST.c.version_count > 1)
    if filters.forwarded_from:
        clauses.append(_forwarded_from(session, filters.forwarded_from))
    return clauses


def _forwarded_from(session: Session, source: str) -> ColumnElement[bool]:
    """Forwards of a channel given by id, stored username, or the name Telegram showed."""
    key = source.strip().lstrip("@")
    # SQLite's lower() folds ASCII only: compare the (few) distinct names in Python
    names = session.execute(
        select(_POST.c.fwd_from_name).where(_POST.c.fwd_from_name.is_not(None)).distinct()
    ).scalars()
    wanted = [name for name in names if name.casefold() == key.casefold()]
    options: list[ColumnElement[bool]] = [_POST.c.fwd_from_name.in_(wanted)] if wanted else []
    if key.lstrip("-").isdigit():
        options.append(_POST.c.fwd_from_channel_id == int(key))
    else:
        channel_id = session.execute(
            select(_CHANNEL.c.id).where(func.lower(_CHANNEL.c.username) == key.lower())
        ).scalar_one_or_none()
        if channel_id is not None:
            options.append(_POST.c.fwd_from_channel_id == channel_id)
    return or_(*options) if options else false()


def _parsed(query: str | Node | None) -> Node | None:
    """A query as text (parsed here) or already parsed (and expanded) by the caller."""
    return parse_query(query) if isinstance(query, str) else query


def _fts_match(node: Node) -> ColumnElement[bool]:
    return literal_column("post_fts").op("MATCH")(bindparam("fts_query", to_fts5(node)))


def _is_common(session: Session, node: Node) -> bool:
    """Whether an FTS5 query hits more posts than it pays to look up one by one."""
    probe: Select[Any] = select(literal_column("rowid")).select_from(_FTS).where(_fts_match(node))
    inner = probe.limit(_COMMON_HITS).subquery()
    hits = session.execute(select(func.count()).select_from(inner)).scalar_one()
    return int(hits) >= _COMMON_HITS


def _is_common_pg(session: Session, condition: ColumnElement[bool]) -> bool:
    """Whether a tsquery hits more posts than it pays to sort (its GIN bitmap, no order)."""
    probe: Select[Any] = select(literal_column("1")).select_from(_POST).where(condition)
    inner = probe.limit(_COMMON_HITS).subquery()
    hits = session.execute(select(func.count()).select_from(inner)).scalar_one()
    return int(hits) >= _COMMON_HITS


def _statement(
    session: Session, node: Node | None, filters: SearchFilters, sort: Sort
) -> Select[Any]:
    """The query, shaped per backend so the first page stays fast at a million posts.

    SQLite: a selective query drives from FTS5 (few row lookups); a common one walks posts
    in date order (through the filter's index) and checks membership in the FTS5 result
    set, stopping at the page size. The `+` keeps SQLite from driving from that set.
    """
    dialect = session.get_bind().dialect.name
    relevance = sort == "relevance" and node is not None
    rare = False  # few hits: order them without walking an index in that order
    score: ColumnElement[Any] = literal_column("NULL")
    stmt = select(*_COLUMNS).join_from(_POST, _CHANNEL, _CHANNEL.c.id == _POST.c.channel_id)
    if node is not None and dialect == "sqlite":
        if relevance or not _is_common(session, node):
            stmt = stmt.join(_FTS, literal_column("post_fts.rowid") == _POST.c.id)
            stmt = stmt.where(_fts_match(node))
            if relevance:
                score = -func.bm25(literal_column("post_fts"))  # bm25: lower is better
        else:
            members: Select[Any] = (
                select(literal_column("rowid")).select_from(_FTS).where(_fts_match(node))
            )
            stmt = stmt.where(literal_column("+post.id").in_(members))
    elif node is not None:
        ts_text = to_tsquery(node)
        tsquery = func.to_tsquery(
            literal_column("'simple'::regconfig"), bindparam("ts_query", ts_text)
        )
        vector: ColumnElement[Any] = literal_column("post.search_vector")
        stmt = stmt.where(vector.op("@@")(tsquery))
        if relevance:
            score = func.ts_rank_cd(vector, tsquery)
        elif ":*" in ts_text and not _is_common_pg(session, vector.op("@@")(tsquery)):
            # PostgreSQL guesses a prefix (Ми-24's «24*») matches thousands of posts and
            # walks every post in date order; when it matches few, sort them instead
            rare = True
    stmt = stmt.add_columns(score.label("score"))
    for clause in _filter_clauses(session, filters):
        stmt = stmt.where(clause)
    posted: ColumnElement[Any] = _POST.c.posted_at
    post_id: ColumnElement[Any] = _POST.c.id
    if rare:  # an expression, not the column: no index walks in this order
        posted = posted + literal_column("interval '0 seconds'")
        post_id = post_id + 0
    if relevance:
        return stmt.order_by(score.desc(), posted.desc(), post_id.desc())
    if sort == "oldest":
        return stmt.order_by(posted.asc(), post_id.asc())
    if sort == "stored":  # capture order: streams without sorting the whole result first
        return stmt.order_by(post_id.asc())
    return stmt.order_by(posted.desc(), post_id.desc())


def _hit(row: Any) -> SearchHit:
    *columns, score = row  # _COLUMNS are in SearchHit's field order
    return SearchHit(*columns, float(score) if score is not None else None)  # type: ignore[call-arg]


def search(
    session: Session,
    query: str | Node | None,
    filters: SearchFilters = SearchFilters(),  # noqa: B008  (frozen, so a safe default)
    *,
    sort: Sort = "date",
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """One page of posts matching QUERY (None: filters only); raises QueryError on bad syntax."""
    if limit < 1 or offset < 0:
        raise InputError("--limit must be at least 1 and --offset not negative")
    node = _parsed(query)
    stmt = _statement(session, node, filters, sort).limit(limit).offset(offset)
    return [_hit(row) for row in session.execute(stmt)]


def count(
    session: Session,
    query: str | Node | None,
    filters: SearchFilters = SearchFilters(),  # noqa: B008
) -> int:
    """How many posts match (for 'showing 20 of N')."""
    node = _parsed(query)
    inner = _statement(session, node, filters, "date").order_by(None).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


def iter_posts(
    session: Session,
    query: str | Node | None,
    filters: SearchFilters = SearchFilters(),  # noqa: B008
    *,
    sort: Sort = "stored",
    batch: int = 2000,
) -> Iterator[SearchHit]:
    """Stream every matching post without holding them all (server-side cursor on PostgreSQL)."""
    node = _parsed(query)
    stmt = _statement(session, node, filters, sort)
    result = session.execute(stmt, execution_options={"yield_per": batch, "stream_results": True})
    try:
        for row in result:
            yield _hit(row)
    finally:
        result.close()


def refresh_search_text(session: Session, post_ids: Sequence[int] | None = None) -> int:
    """Recompute `search_text` (and so the index) from text + translation; return rows updated.

    The translation writer calls this for the posts it translated (or sets search_text in the
    same UPDATE); with no ids it rebuilds every post, in id order, a batch at a time (e.g.
    after a change of stemmer).
    """
    update = (
        _POST.update()
        .where(_POST.c.id == bindparam("b_id"))
        .values(search_text=bindparam("b_search_text"))
    )
    base = select(_POST.c.id, _POST.c.text, _POST.c.translation).order_by(_POST.c.id)
    updated = last_id = done = 0
    wanted = sorted(set(post_ids)) if post_ids is not None else None
    while True:
        if wanted is None:
            rows = session.execute(base.where(_POST.c.id > last_id).limit(_REFRESH_BATCH)).all()
        else:
            chunk = wanted[done : done + _REFRESH_BATCH]
            done += len(chunk)
            if not chunk:
                return updated
            rows = session.execute(base.where(_POST.c.id.in_(chunk))).all()
            if not rows:
                continue
        if not rows:
            return updated
        session.execute(
            update,
            [{"b_id": r.id, "b_search_text": search_text(r.text, r.translation)} for r in rows],
        )
        last_id = rows[-1].id
        updated += len(rows)
