"""Alert policy: which matches raise alerts, when a story is a copy, cooldowns, and routing.

Pure functions over plain values: storage loads the facts (stored alerts of a story, the last
alert of a list) and writes the verdicts; nothing here reads a clock or a database, so every
rule of `[alerts.policy]` and `[[alerts.routes]]` is decided in this one module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from monitor.config.settings import SEVERITY_RANK, AlertPolicy, AlertSettings
from storage.alert_records import AlertRow, DeliveryRow, StoryAlert
from storage.outbox import RetryPolicy

DIGEST_KEY_PREFIX = "tgmon-digest-"


@dataclass(frozen=True)
class ListPolicy:
    """When one watchlist alerts: edits, deletions, copies of a story, rate."""

    on_edited: bool = True
    on_deleted: bool = False
    dedupe_window: timedelta = timedelta(hours=48)
    cooldown: timedelta = timedelta(0)


@dataclass(frozen=True)
class RouteRule:
    """Which alerts one route takes, and whether it batches them into digests."""

    name: str
    watchlists: frozenset[str] = frozenset()  # empty = every list
    min_severity: str = "info"
    digest: timedelta | None = None

    def accepts(self, watchlist: str, severity: str) -> bool:
        if self.watchlists and watchlist not in self.watchlists:
            return False
        return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(self.min_severity, 0)


@dataclass(frozen=True)
class AlertRules:
    """The whole alert policy as values, built once from `[alerts]`."""

    default: ListPolicy = ListPolicy()
    per_watchlist: Mapping[str, ListPolicy] = field(default_factory=dict)
    routes: tuple[RouteRule, ...] = ()

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> AlertRules:
        def policy(p: AlertPolicy) -> ListPolicy:
            return ListPolicy(p.on_edited, p.on_deleted, p.dedupe_window, p.cooldown)

        return cls(
            default=policy(settings.policy),
            per_watchlist={name: policy(p) for name, p in settings.watchlists.items()},
            routes=tuple(
                RouteRule(r.name, frozenset(r.watchlists), r.min_severity, r.digest)
                for r in settings.routes
            ),
        )

    @classmethod
    def of(cls, settings: AlertSettings | AlertRules) -> AlertRules:
        """Accept either form, so callers holding Settings need not convert."""
        return settings if isinstance(settings, AlertRules) else cls.from_settings(settings)

    def for_list(self, watchlist: str) -> ListPolicy:
        return self.per_watchlist.get(watchlist, self.default)

    def routes_for(self, watchlist: str, severity: str) -> list[RouteRule]:
        return [r for r in self.routes if r.accepts(watchlist, severity)]


def retry_policy(settings: AlertSettings) -> RetryPolicy:
    """How often and how late failed deliveries are retried, from `[alerts]`."""
    return RetryPolicy(
        settings.max_attempts, settings.backoff, settings.backoff_max, settings.lease
    )


class PostLike(Protocol):
    @property
    def content_hash(self) -> str: ...
    @property
    def fwd_from_channel_id(self) -> int | None: ...
    @property
    def fwd_from_message_id(self) -> int | None: ...


class MatchLike(Protocol):
    """What the policy reads of a match that just became live (a stored Match or its record)."""

    @property
    def post_id(self) -> int: ...
    @property
    def watchlist(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def post_version(self) -> int: ...


def dedupe_key(post: PostLike) -> str:
    """The story a post tells: its forward origin if it is a forward, else its text hash."""
    if post.fwd_from_channel_id is not None and post.fwd_from_message_id is not None:
        return f"fwd:{post.fwd_from_channel_id}:{post.fwd_from_message_id}"
    return f"text:{post.content_hash}"


def digest_slot(now: datetime, every: timedelta) -> datetime:
    """The end of the digest interval `now` falls in (intervals aligned on the Unix epoch)."""
    step = max(int(every.total_seconds()), 1)
    epoch = int(now.timestamp())
    return datetime.fromtimestamp((epoch // step + 1) * step, tz=now.tzinfo)


def _highest(severities: Iterable[str]) -> str:
    return max(severities, key=lambda s: SEVERITY_RANK.get(s, 0))


@dataclass(frozen=True)
class AlertCandidate:
    """A (post, watchlist) that asks for an alert, before copies and cooldown are settled."""

    post_id: int
    watchlist: str
    severity: str
    reason: str  # new | edited | deleted
    dedupe_key: str


def match_candidates(
    matches: Iterable[MatchLike],
    posts: Mapping[int, PostLike],
    alerted: set[tuple[int, str]],
    rules: AlertRules,
) -> list[AlertCandidate]:
    """One candidate per (post, watchlist) among matches that became live, in first-seen order.

    A pair that already has a new/edited alert is skipped; the reason is `edited` when a match
    came from a later version of the post, and lists with `on_edited = false` skip those.
    """
    groups: dict[tuple[int, str], list[MatchLike]] = {}
    for match in matches:
        groups.setdefault((match.post_id, match.watchlist), []).append(match)
    out: list[AlertCandidate] = []
    for (post_id, watchlist), rows in groups.items():
        post = posts.get(post_id)
        if post is None or (post_id, watchlist) in alerted:
            continue
        reason = "edited" if max(m.post_version for m in rows) > 1 else "new"
        if reason == "edited" and not rules.for_list(watchlist).on_edited:
            continue
        severity = _highest(m.severity for m in rows)
        out.append(AlertCandidate(post_id, watchlist, severity, reason, dedupe_key(post)))
    return out


def deletion_candidates(
    live_matches: Iterable[tuple[int, str, str]], rules: AlertRules
) -> list[AlertCandidate]:
    """Candidates (reason `deleted`) for deleted posts' live (post, watchlist, severity) matches.

    Only lists with `on_deleted = true` alert; the highest severity of the pair's rules counts.
    """
    best: dict[tuple[int, str], str] = {}
    for post_id, watchlist, severity in live_matches:
        pair = (post_id, watchlist)
        if SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(best.get(pair, "info"), 0):
            best[pair] = severity
    return [
        AlertCandidate(post_id, watchlist, severity, "deleted", f"deleted:{post_id}")
        for (post_id, watchlist), severity in sorted(best.items())
        if rules.for_list(watchlist).on_deleted
    ]


@dataclass
class PlannedAlert:
    """An alert to insert, with the candidates it stands for (itself and copies in the batch)."""

    row: AlertRow
    members: list[AlertCandidate]


@dataclass
class AlertPlan:
    """What a batch of candidates does to the outbox."""

    new: list[PlannedAlert] = field(default_factory=list)
    copies: dict[int, tuple[int, ...]] = field(default_factory=dict)  # stored alert → copies
    retired: dict[int, str] = field(default_factory=dict)  # stored alert → its retired key


def plan_alerts(
    candidates: Sequence[AlertCandidate],
    stored: Mapping[tuple[str, str], StoryAlert],
    last_alert_at: dict[str, datetime],
    rules: AlertRules,
    now: datetime,
) -> AlertPlan:
    """Settle candidates in order against the stories already alerted and the cooldowns.

    A story alerted within its list's dedupe window gains the post as a copy (a story alerted
    earlier in this batch always does); after the window, the old alert's key is retired and
    a new alert is made. A list that alerted within its cooldown records the alert as
    `suppressed`; an alert no route takes is `unrouted`. `last_alert_at` (newest alert of each
    list that was not suppressed) is updated in place, so the caller can carry it on.
    """
    plan = AlertPlan()
    planned: dict[tuple[str, str], PlannedAlert] = {}
    for candidate in candidates:
        key = (candidate.watchlist, candidate.dedupe_key)
        policy = rules.for_list(candidate.watchlist)
        joined = planned.get(key)
        if joined is not None:  # created at `now`: inside any window
            if candidate.post_id not in joined.row.copies:
                joined.row = _with_copy(joined.row, candidate.post_id)
            joined.members.append(candidate)
            continue
        old = stored.get(key)
        if old is not None and old.id not in plan.retired:
            if now - old.created_at <= policy.dedupe_window:
                copies = plan.copies.get(old.id, old.copies)
                if candidate.post_id not in copies:
                    plan.copies[old.id] = (*copies, candidate.post_id)
                continue
            plan.retired[old.id] = f"{old.dedupe_key}@{old.created_at.isoformat()}#{old.id}"
        last = last_alert_at.get(candidate.watchlist)
        suppressed = (
            policy.cooldown > timedelta(0) and last is not None and last > now - policy.cooldown
        )
        if suppressed:
            status = "suppressed"
        else:
            routed = rules.routes_for(candidate.watchlist, candidate.severity)
            status = "pending" if routed else "unrouted"
            last_alert_at[candidate.watchlist] = now
        row = AlertRow(
            watchlist=candidate.watchlist,
            severity=candidate.severity,
            post_id=candidate.post_id,
            reason=candidate.reason,
            dedupe_key=candidate.dedupe_key,
            copies=(candidate.post_id,),
            created_at=now,
            status=status,
        )
        planned[key] = PlannedAlert(row, [candidate])
        plan.new.append(planned[key])
    return plan


def _with_copy(row: AlertRow, post_id: int) -> AlertRow:
    return replace(row, copies=(*row.copies, post_id))


def plan_deliveries(
    alerts: Iterable[tuple[int, str, str]],
    rules: AlertRules,
    now: datetime,
    have: Mapping[int, set[str]] | None = None,
) -> list[DeliveryRow]:
    """One pending delivery per route that takes each (alert id, watchlist, severity).

    Routes listed in `have` for an alert already hold a delivery of it. A digest route's
    delivery is due at the end of its slot and shares the slot's key with the others there.
    """
    rows: list[DeliveryRow] = []
    for alert_id, watchlist, severity in alerts:
        existing = have.get(alert_id, set()) if have else set()
        for route in rules.routes_for(watchlist, severity):
            if route.name in existing:
                continue
            if route.digest:
                slot = digest_slot(now, route.digest)
                due, key = slot, f"{DIGEST_KEY_PREFIX}{route.name}-{int(slot.timestamp())}"
            else:
                due, key = now, f"tgmon-{alert_id}-{uuid.uuid4().hex}"
            rows.append(DeliveryRow(alert_id, route.name, due, key))
    return rows
