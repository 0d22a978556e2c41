"""Keep Match rows in step with what the matcher says about a post's current text.

A rule that fires for the first time inserts a row; one that stops firing after an edit gets
`removed_at` (the row stays as evidence); one that fires again is revived. The caller learns
which matches are newly live, because those — and only those — may raise alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from monitor.core.clock import utcnow
from storage.models import Match

_IN_CHUNK = 500


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


@dataclass
class MatchChanges:
    added: list[Match]  # newly live: inserted or revived
    removed: list[Match]  # stopped firing on the current text
    kept: list[Match]  # still firing (terms/spans refreshed)


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
    """
    now = now or utcnow()
    scope = set(evaluated)
    post_ids = sorted({post_id for post_id, _ in scope})
    existing: dict[tuple[int, str, str, str], Match] = {}
    for start in range(0, len(post_ids), _IN_CHUNK):
        chunk = post_ids[start : start + _IN_CHUNK]
        for row in session.exec(select(Match).where(Match.post_id.in_(chunk))):  # type: ignore[attr-defined]
            if (row.post_id, row.text_source) in scope and (
                only_watchlists is None or row.watchlist in only_watchlists
            ):
                existing[(row.post_id, row.watchlist, row.rule, row.text_source)] = row
    changes = MatchChanges([], [], [])
    wanted: set[tuple[int, str, str, str]] = set()
    for record in records:
        key = (record.post_id, record.watchlist, record.rule, record.text_source)
        wanted.add(key)
        row = existing.get(key)
        if row is None:
            row = Match(
                post_id=record.post_id,
                watchlist=record.watchlist,
                rule=record.rule,
                text_source=record.text_source,
                matched_at=now,
            )
            changes.added.append(row)
        elif row.removed_at is not None:
            row.removed_at = None
            row.matched_at = now
            changes.added.append(row)
        else:
            changes.kept.append(row)
        row.severity = record.severity
        row.terms = list(record.terms)
        row.spans = [list(span) for span in record.spans]
        row.post_version = record.post_version
        session.add(row)
    for key, row in existing.items():
        if key not in wanted and row.removed_at is None:
            row.removed_at = now
            session.add(row)
            changes.removed.append(row)
    session.flush()
    return changes
