"""Record alerts in the caller's transaction: storage loads the facts, the policy decides,
storage writes the verdicts, a few set-based statements per batch.

`record_alerts` runs in the ingest transaction right after the matches were written, so a
match and its alert (and one Delivery per route) commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from monitor.alerts.policy import (
    AlertCandidate,
    AlertRules,
    MatchLike,
    deletion_candidates,
    match_candidates,
    plan_alerts,
    plan_deliveries,
)
from monitor.config.settings import AlertSettings
from monitor.core.clock import utcnow
from storage.alert_records import (
    StoredAlert,
    insert_alerts,
    insert_deliveries,
    load_alerted_pairs,
    load_last_alert_times,
    load_live_matches,
    load_stories,
    load_story_alerts,
    retire_alert_keys,
    set_alert_copies,
    set_alert_status,
)
from storage.matches import MatchChanges
from storage.outbox import load_unsent_alerts, requeue_dead, settle_alerts

_RACE_RETRIES = 3  # a concurrent writer may take a story's key between our read and insert


def record_alerts(
    session: Session,
    matches: Sequence[MatchLike],
    rules: AlertRules | AlertSettings,
    now: datetime | None = None,
) -> list[StoredAlert]:
    """Turn matches that just became live (created or revived) into alerts and deliveries.

    One alert per (post, watchlist) at most, ever, for new/edited posts; a post telling a
    story already alerted within the dedupe window joins that alert's `copies`. Returns the
    alerts created (not the ones a copy joined).
    """
    if not matches:
        return []
    rules = AlertRules.of(rules)
    post_ids = {m.post_id for m in matches}
    candidates = match_candidates(
        matches, load_stories(session, post_ids), load_alerted_pairs(session, post_ids), rules
    )
    return _record(session, candidates, rules, now or utcnow())


def record_deletion_alerts(
    session: Session,
    post_ids: Iterable[int],
    rules: AlertRules | AlertSettings,
    now: datetime | None = None,
) -> list[StoredAlert]:
    """Alert (reason `deleted`) for deleted posts that matched a watchlist asking for it.

    Call it in the deletion's transaction with the ids `storage.posts.mark_deleted` returned.
    """
    rules = AlertRules.of(rules)
    candidates = deletion_candidates(load_live_matches(session, post_ids), rules)
    return _record(session, candidates, rules, now or utcnow())


def _record(
    session: Session, candidates: Sequence[AlertCandidate], rules: AlertRules, now: datetime
) -> list[StoredAlert]:
    if not candidates:
        return []
    last_alert_at = _last_alert_times(session, candidates, rules, now)
    created: list[StoredAlert] = []
    pending = list(candidates)
    for _ in range(_RACE_RETRIES):
        stored = load_story_alerts(session, ((c.watchlist, c.dedupe_key) for c in pending))
        plan = plan_alerts(pending, stored, last_alert_at, rules, now)
        retire_alert_keys(session, plan.retired)  # frees the bare keys before the inserts
        inserted = insert_alerts(session, [p.row for p in plan.new])
        set_alert_copies(session, plan.copies)
        routed = [(a.id, a.watchlist, a.severity) for a in inserted if a.status == "pending"]
        insert_deliveries(session, plan_deliveries(routed, rules, now))
        created.extend(inserted)
        taken = {(a.watchlist, a.dedupe_key) for a in inserted}
        pending = [
            member
            for p in plan.new
            if (p.row.watchlist, p.row.dedupe_key) not in taken
            for member in p.members
        ]
        if not pending:
            break
    return created


def _last_alert_times(
    session: Session, candidates: Sequence[AlertCandidate], rules: AlertRules, now: datetime
) -> dict[str, datetime]:
    """Newest not-suppressed alert per list, read only for lists with a cooldown."""
    cooling = {c.watchlist for c in candidates if rules.for_list(c.watchlist).cooldown}
    if not cooling:
        return {}
    longest = max(rules.for_list(w).cooldown for w in cooling)
    return load_last_alert_times(session, cooling, now - max(longest, timedelta(0)))


def retry_alerts(
    session: Session,
    alert_ids: Sequence[int] | None,
    rules: AlertRules | AlertSettings,
    now: datetime | None = None,
) -> int:
    """Requeue dead deliveries (of the given alerts, or of all); suppressed alerts get routed.

    Returns how many deliveries are now pending again (for a suppressed or unrouted alert:
    every delivery it has after routing).
    """
    rules = AlertRules.of(rules)
    now = now or utcnow()
    touched = requeue_dead(session, alert_ids, now)
    requeued = len(touched)
    if alert_ids is not None:
        unsent = load_unsent_alerts(session, alert_ids)
        have = {alert_id: routes for alert_id, _, _, routes in unsent}
        rows = plan_deliveries(((a, w, s) for a, w, s, _ in unsent), rules, now, have)
        insert_deliveries(session, rows)
        statuses: dict[int, str] = {}
        for alert_id, _, _, routes in unsent:
            total = len(routes) + sum(1 for r in rows if r.alert_id == alert_id)
            statuses[alert_id] = "pending" if total else "unrouted"
            requeued += total
        set_alert_status(session, statuses)
    if touched:
        settle_alerts(session, touched)
    return requeued


class AlertRecorder:
    """The match stage's, translation arrival's and deletion hook's link to the outbox.

    Called inside the transaction that changed the matches, so an alert exists if and only
    if its match does.
    """

    def __init__(self, settings: AlertSettings) -> None:
        self.rules = AlertRules.of(settings)

    def on_matches(self, session: Session, changes: MatchChanges) -> None:
        """Matches that became live raise (or join) alerts; removed matches raise none."""
        if changes.added:
            record_alerts(session, changes.added, self.rules)

    def on_deleted(self, session: Session, post_ids: list[int]) -> None:
        """Deleted posts that had live matches raise deletion alerts where lists ask for it."""
        record_deletion_alerts(session, post_ids, self.rules)
