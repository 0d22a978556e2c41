"""Keep Match rows in step with what the matcher says about a post's current text.

A rule that fires for the first time inserts a row; one that stops firing after an edit gets
`removed_at` (the row stays as evidence); one that fires again is revived. The caller learns
which matches are newly live, because those — and only those — may raise alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlmodel import Session

from monitor.core.clock import utcnow
from storage.bulk import bulk_insert
from storage.models import Match

_IN_CHUNK = 500
_MATCH: Table = Match.__table__  # type: ignore[attr-defined]
_Key = tuple[int, str, str, str]  # post id, watchlist, rule, text source


@dataclass(frozen=True)
class MatchRecord:
    """One rule that fired on one text of a post (the storage view of a matcher hit)."""

    post_id: int
    watchlist: str
    rule: str
    severity: str
    text_source: str  # original | translation
    terms: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    post_version: int = 1


@dataclass(frozen=True)
class StoredMatch:
    """A Match row as written (a plain value; the alert policy reads these)."""

    id: int
    post_id: int
    watchlist: str
    rule: str
    severity: str
    text_source: str
    post_version: int


@dataclass
class MatchChanges:
    added: list[StoredMatch]  # newly live: inserted or revived
    removed: list[StoredMatch]  # stopped firing on the current text
    kept: list[StoredMatch]  # still firing (terms/spans refreshed)


def sync_matches(
    session: Session,
    evaluated: Iterable[tuple[int, str]],
    records: Sequence[MatchRecord],
    *,
    now: datetime | None = None,
    only_watchlists: set[str] | None = None,
) -> MatchChanges:
    """Make the live matches of each evaluated (post id, text source) equal `records`.

    `evaluated` names every (post, text) the matcher looked at, including those with no hits,
    so matches that stopped firing can be marked removed. `only_watchlists` limits that to the
    lists that were evaluated (re-running one list leaves the others' matches alone).
    Set-based: one SELECT per 500 posts, one INSERT and at most three UPDATEs per batch.
    """
    now = now or utcnow()
    scope = set(evaluated)
    existing = _existing(session, scope, only_watchlists)
    changes = MatchChanges([], [], [])
    wanted: dict[_Key, MatchRecord] = {}
    for record in records:  # the same rule twice on one text: the last hit wins
        wanted[(record.post_id, record.watchlist, record.rule, record.text_source)] = record
    inserts: list[dict[str, Any]] = []
    revived: dict[_Key, StoredMatch] = {}
    revive: list[dict[str, Any]] = []
    refresh: list[dict[str, Any]] = []
    for key, record in wanted.items():
        row = existing.get(key)
        terms, spans = list(record.terms), [list(span) for span in record.spans]
        if row is None:
            inserts.append(_insert_values(record, terms, spans, now))
            continue
        stored = StoredMatch(
            row.id, *key[:3], record.severity, record.text_source, record.post_version
        )
        params = {
            "b_id": row.id,
            "b_severity": record.severity,
            "b_terms": terms,
            "b_spans": spans,
            "b_version": record.post_version,
        }
        if row.removed_at is not None:
            revive.append({**params, "b_now": now})
            revived[key] = stored
        else:
            changed = (row.severity, row.terms, row.spans, row.post_version) != (
                record.severity,
                terms,
                spans,
                record.post_version,
            )
            if changed:
                refresh.append(params)
            changes.kept.append(stored)
    removed = [row for key, row in existing.items() if key not in wanted and row.removed_at is None]
    inserted = {
        (m.post_id, m.watchlist, m.rule, m.text_source): m for m in _insert(session, inserts)
    }
    # in the matcher's order: the alert policy settles copies of a story first come, first served
    changes.added = [m for key in wanted if (m := revived.get(key) or inserted.get(key))]
    if revive:
        session.execute(_REVIVE, revive)
    if refresh:
        session.execute(_REFRESH, refresh)
    if removed:
        session.execute(_REMOVE, [{"b_id": row.id, "b_now": now} for row in removed])
        changes.removed.extend(
            StoredMatch(
                r.id, r.post_id, r.watchlist, r.rule, r.severity, r.text_source, r.post_version
            )
            for r in removed
        )
    return changes


def _existing(
    session: Session, scope: set[tuple[int, str]], only_watchlists: set[str] | None
) -> dict[_Key, Any]:
    post_ids = sorted({post_id for post_id, _ in scope})
    found: dict[_Key, Any] = {}
    for start in range(0, len(post_ids), _IN_CHUNK):
        rows = session.execute(
            select(
                _MATCH.c.id,
                _MATCH.c.post_id,
                _MATCH.c.watchlist,
                _MATCH.c.rule,
                _MATCH.c.text_source,
                _MATCH.c.severity,
                _MATCH.c.terms,
                _MATCH.c.spans,
                _MATCH.c.post_version,
                _MATCH.c.removed_at,
            ).where(_MATCH.c.post_id.in_(post_ids[start : start + _IN_CHUNK]))
        ).all()
        for row in rows:
            if (row.post_id, row.text_source) in scope and (
                only_watchlists is None or row.watchlist in only_watchlists
            ):
                found[(row.post_id, row.watchlist, row.rule, row.text_source)] = row
    return found


def _insert_values(
    record: MatchRecord, terms: list[str], spans: list[list[int]], now: datetime
) -> dict[str, Any]:
    return {
        "post_id": record.post_id,
        "watchlist": record.watchlist,
        "rule": record.rule,
        "severity": record.severity,
        "text_source": record.text_source,
        "terms": terms,
        "spans": spans,
        "post_version": record.post_version,
        "matched_at": now,
    }


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[StoredMatch]:
    """Insert new matches in one statement; a row another writer stored first is skipped."""
    if not rows:
        return []
    keys = ("post_id", "watchlist", "rule", "text_source")
    result = bulk_insert(session, _MATCH, rows, conflict=keys, returning=("id", *keys))
    ids = {tuple(r[1:]): r[0] for r in result}
    out: list[StoredMatch] = []
    for row in rows:
        match_id = ids.get(tuple(row[k] for k in keys))
        if match_id is not None:
            out.append(
                StoredMatch(
                    match_id,
                    row["post_id"],
                    row["watchlist"],
                    row["rule"],
                    row["severity"],
                    row["text_source"],
                    row["post_version"],
                )
            )
    return out


_JSON = _MATCH.c.terms.type
_REVIVE = (
    update(_MATCH)
    .where(_MATCH.c.id == bindparam("b_id"))
    .values(
        removed_at=None,
        matched_at=bindparam("b_now"),
        severity=bindparam("b_severity"),
        terms=bindparam("b_terms", type_=_JSON),
        spans=bindparam("b_spans", type_=_JSON),
        post_version=bindparam("b_version"),
    )
)
_REFRESH = (
    update(_MATCH)
    .where(_MATCH.c.id == bindparam("b_id"))
    .values(
        severity=bindparam("b_severity"),
        terms=bindparam("b_terms", type_=_JSON),
        spans=bindparam("b_spans", type_=_JSON),
        post_version=bindparam("b_version"),
    )
)
_REMOVE = (
    update(_MATCH).where(_MATCH.c.id == bindparam("b_id")).values(removed_at=bindparam("b_now"))
)
