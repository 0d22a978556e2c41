"""The example watchlists in config/ on the bundled sample channels, against the hand labels
in config/samples/expected.json: no trap fires, and the topics are found."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from monitor.config.settings import bundled_path, load_settings
from monitor.services.importing import import_exports
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Channel, Match, Post

EXPECTED = json.loads(bundled_path("samples", "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def fired(db: Database) -> dict[tuple[str, int], set[str]]:
    settings = load_settings(bundled_path("tgmon.example.toml"))
    pipeline = build_app(settings, db=db).pipeline
    for channel in EXPECTED["channels"]:
        export = bundled_path("samples", channel, "result.json")
        channel_id = json.loads(export.read_text(encoding="utf-8"))["id"]
        import_exports(pipeline, export, usernames={channel_id: channel})
    with db.session() as s:
        rows = s.exec(
            select(Channel.username, Post.message_id, Match.watchlist)
            .join(Post, Post.id == Match.post_id)
            .join(Channel, Channel.id == Post.channel_id)
            .where(Match.removed_at.is_(None))
        ).all()
    result: dict[tuple[str, int], set[str]] = {}
    for username, message_id, watchlist in rows:
        result.setdefault((username, message_id), set()).add(watchlist)
    return result


def labelled() -> list[tuple[str, dict]]:
    return [(ch, m) for ch, msgs in EXPECTED["channels"].items() for m in msgs]


def test_sample_watchlists_find_the_topics_and_skip_the_traps(fired: dict) -> None:
    trap_hits = [
        (ch, m["id"], m["trap"])
        for ch, m in labelled()
        if m["trap"] and not m["topics"] and fired.get((ch, m["id"]))
    ]
    assert trap_hits == []

    drone_posts = [(ch, m["id"]) for ch, m in labelled() if "drone" in m["topics"]]
    found = [key for key in drone_posts if "drones" in fired.get(key, set())]
    assert len(found) / len(drone_posts) >= 0.95

    tuareg_missed = [
        (ch, m["id"])
        for ch, m in labelled()
        if "Tuareg" in m["topics"] and "sahel" not in fired.get((ch, m["id"]), set())
    ]
    assert tuareg_missed == []

    wagner_unrelated = [
        (ch, m["id"])
        for ch, m in labelled()
        if "wagner_mali" in fired.get((ch, m["id"]), set())
        and not {"Wagner", "Africa Corps", "Mali"} & set(m["topics"])
    ]
    assert wagner_unrelated == []


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Сборная Мали вышла в финал Кубка африканских наций", False),
        ("Певица из Мали выступит на фестивале в Москве", False),
        ("Мали и Сенегал подписали торговое соглашение", False),
        ("Боевики атаковали колонну армии Мали под Кидалем", True),
        ("Хунта Мали продлила переходный период ещё на пять лет", True),
        ("Вагнеровцы покидают Мали после двух лет", True),
    ],
)
def test_the_bundled_wagner_list_wants_context_for_a_bare_country_name(
    text: str, fires: bool
) -> None:
    from monitor.matching.matcher import compile_matcher
    from monitor.matching.watchlists import load_watchlists

    matcher = compile_matcher(load_watchlists([bundled_path("watchlists")]))
    fired = {h.watchlist for h in matcher.match(text, language="ru")}
    assert ("wagner_mali" in fired) is fires
