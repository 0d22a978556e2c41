"""The alert policy as pure functions: candidates, copies, windows, cooldowns, routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.policy import (
    DIGEST_KEY_PREFIX,
    AlertCandidate,
    AlertRules,
    ListPolicy,
    RouteRule,
    deletion_candidates,
    match_candidates,
    plan_alerts,
    plan_deliveries,
)
from monitor.config.settings import AlertPolicy, AlertSettings, RouteSettings
from storage.alert_records import StoryAlert

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOOK = RouteRule("hook")


@dataclass(frozen=True)
class M:
    post_id: int
    watchlist: str = "wagner"
    severity: str = "warning"
    post_version: int = 1


@dataclass(frozen=True)
class P:
    content_hash: str = "h"
    fwd_from_channel_id: int | None = None
    fwd_from_message_id: int | None = None


def cand(post_id: int, key: str = "text:h", watchlist: str = "wagner") -> AlertCandidate:
    return AlertCandidate(post_id, watchlist, "warning", "new", key)


def test_rules_mirror_the_settings() -> None:
    settings = AlertSettings(
        routes=[RouteSettings(name="crit", url="json://x/", min_severity="critical")],
        policy=AlertPolicy(cooldown=timedelta(minutes=5)),
        watchlists={"drones": AlertPolicy(on_edited=False)},
    )
    rules = AlertRules.from_settings(settings)
    assert rules.for_list("wagner").cooldown == timedelta(minutes=5)
    assert rules.for_list("drones").on_edited is False
    assert [r.name for r in rules.routes_for("x", "critical")] == ["crit"]
    assert rules.routes_for("x", "warning") == []


@pytest.mark.parametrize(
    ("matches", "alerted", "rules", "expected"),
    [
        ([M(1), M(1, severity="critical")], set(), AlertRules(), [(1, "critical", "new")]),
        ([M(1, post_version=2)], set(), AlertRules(), [(1, "warning", "edited")]),
        ([M(1, post_version=2)], set(), AlertRules(ListPolicy(on_edited=False)), []),
        ([M(1)], {(1, "wagner")}, AlertRules(), []),  # one alert per (post, list), ever
        ([M(9)], set(), AlertRules(), []),  # the post is gone
    ],
)
def test_match_candidates(
    matches: list[M], alerted: set[tuple[int, str]], rules: AlertRules, expected: list[tuple]
) -> None:
    posts = {1: P()}
    got = match_candidates(matches, posts, alerted, rules)
    assert [(c.post_id, c.severity, c.reason) for c in got] == expected


def test_forwards_share_the_origin_as_their_story() -> None:
    posts = {1: P("a", 77, 5), 2: P("b", 77, 5), 3: P("a")}
    got = match_candidates([M(1), M(2), M(3)], posts, set(), AlertRules())
    assert [c.dedupe_key for c in got] == ["fwd:77:5", "fwd:77:5", "text:a"]


def test_copies_in_one_batch_join_the_first() -> None:
    plan = plan_alerts([cand(1), cand(2), cand(1), cand(3, "text:x")], {}, {}, AlertRules(), NOW)
    assert [(p.row.post_id, p.row.copies) for p in plan.new] == [(1, (1, 2)), (3, (3,))]
    assert [p.row.status for p in plan.new] == ["unrouted", "unrouted"]  # no route takes them


def test_stored_story_within_window_gains_a_copy_after_it_a_new_alert() -> None:
    rules = AlertRules(ListPolicy(dedupe_window=timedelta(hours=48)), routes=(HOOK,))
    old = StoryAlert(7, "wagner", "text:h", NOW - timedelta(hours=47), (1,))
    plan = plan_alerts([cand(2), cand(1)], {("wagner", "text:h"): old}, {}, rules, NOW)
    assert plan.new == [] and plan.copies == {7: (1, 2)}
    stale = StoryAlert(7, "wagner", "text:h", NOW - timedelta(hours=49), (1,))
    plan = plan_alerts([cand(2)], {("wagner", "text:h"): stale}, {}, rules, NOW)
    assert plan.retired == {7: f"text:h@{stale.created_at.isoformat()}#7"}
    assert [(p.row.post_id, p.row.status) for p in plan.new] == [(2, "pending")]


def test_cooldown_suppresses_after_the_first_alert_of_a_list() -> None:
    rules = AlertRules(ListPolicy(cooldown=timedelta(minutes=10)), routes=(HOOK,))
    last: dict[str, datetime] = {}
    plan = plan_alerts([cand(1, "a"), cand(2, "b")], {}, last, rules, NOW)
    assert [p.row.status for p in plan.new] == ["pending", "suppressed"]
    assert last == {"wagner": NOW}
    later = plan_alerts([cand(3, "c")], {}, last, rules, NOW + timedelta(minutes=11))
    assert [p.row.status for p in later.new] == ["pending"]


def test_deletion_candidates_take_the_highest_severity_of_lists_that_ask() -> None:
    rules = AlertRules(ListPolicy(on_deleted=False), {"wagner": ListPolicy(on_deleted=True)})
    live = [(1, "wagner", "info"), (1, "wagner", "critical"), (1, "drones", "critical")]
    got = deletion_candidates(live, rules)
    assert [(c.post_id, c.watchlist, c.severity, c.dedupe_key) for c in got] == [
        (1, "wagner", "critical", "deleted:1")
    ]


def test_deliveries_follow_routes_and_digest_slots() -> None:
    rules = AlertRules(
        routes=(
            HOOK,
            RouteRule("crit", min_severity="critical"),
            RouteRule("daily", frozenset({"wagner"}), digest=timedelta(hours=1)),
        )
    )
    rows = plan_deliveries([(5, "wagner", "warning"), (6, "drones", "critical")], rules, NOW)
    assert [(r.alert_id, r.route) for r in rows] == [
        (5, "hook"),
        (5, "daily"),
        (6, "hook"),
        (6, "crit"),
    ]
    digest = rows[1]
    assert digest.next_attempt_at == NOW + timedelta(hours=1)
    assert digest.idempotency_key.startswith(f"{DIGEST_KEY_PREFIX}daily-")
    assert rows[0].idempotency_key.startswith("tgmon-5-") and rows[0].next_attempt_at == NOW
    again = plan_deliveries([(5, "wagner", "warning")], rules, NOW, {5: {"hook"}})
    assert [r.route for r in again] == ["daily"]
