"""Seeded synthetic Telegram Desktop exports: milblogger-style posts in ru/uk/en.

Deterministic for a given seed, so benchmark runs compare like with like.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RU = (
    "противник нанес удар по позициям в районе населенного пункта ночью беспилотники "
    "атаковали склад подразделения продвинулись вперед на направлении Вагнер Африканский "
    "корпус в Мали туареги колонна техники артиллерия работает по целям по данным источников "
    "обстановка остается напряженной наши бойцы закрепились на новых рубежах"
).split()
UK = (
    "ворог завдав удару по позиціях у районі населеного пункту вночі безпілотники атакували "
    "склад підрозділи просунулися вперед на напрямку за даними джерел ситуація залишається "
    "напруженою наші захисники закріпилися на нових рубежах"
).split()
EN = (
    "the enemy struck positions near the village overnight drones attacked a depot units "
    "advanced on the axis according to sources the situation remains tense Wagner Africa "
    "Corps Mali Tuareg convoy artillery"
).split()
# Words of RU/UK/EN that the example watchlists (config/watchlists) fire on: left out of the
# "realistic mix", where only the `match_share` of posts gets one of the HOT phrases.
WATCHED = {
    "Вагнер",
    "Африканский",
    "корпус",
    "Мали",
    "туареги",
    "беспилотники",
    "безпілотники",
    "drones",
    "Wagner",
    "Africa",
    "Corps",
    "Mali",
    "Tuareg",
}
HOT = (
    "Вагнер снова в Мали",
    "беспилотники атаковали склад",
    "колонна Африканский корпус",
    "Wagner convoy in Mali",
    "безпілотники атакували склад",
    "туареги заняли Кидаль",
)
EMOJI = ["🔥", "⚡️", "❗️", "🇷🇺", "🇺🇦", "💥", "📍", "🎯"]
TAGS = ["#Мали", "#Вагнер", "#СВО", "#фронт", "#Sahel", "#новини", "#дроны"]


_QUIET = {
    name: [w for w in words if w not in WATCHED]
    for name, words in (("ru", RU), ("uk", UK), ("en", EN))
}
_QUIET_TAGS = ["#СВО", "#фронт", "#новини"]


def _text(rng: random.Random, match_share: float | None = None) -> list[Any]:
    if match_share is None:  # the match-heavy mix: about half the posts hit a list
        words = rng.choice((RU, RU, RU, UK, EN))
        tags = TAGS
    else:
        words = rng.choice((_QUIET["ru"], _QUIET["ru"], _QUIET["ru"], _QUIET["uk"], _QUIET["en"]))
        tags = _QUIET_TAGS
    body = " ".join(rng.choice(words) for _ in range(rng.randint(6, 60)))
    if match_share is not None and rng.random() < match_share:
        body = f"{body} {rng.choice(HOT)}"
    parts: list[Any] = [f"{rng.choice(EMOJI)} {body.capitalize()}. "]
    if rng.random() < 0.4:
        parts.append({"type": "hashtag", "text": rng.choice(tags)})
    if rng.random() < 0.2:
        parts.extend(
            [" ", {"type": "link", "text": f"https://example.org/n/{rng.randint(1, 99999)}"}]
        )
    return parts


def export(
    channel_id: int, count: int, seed: int = 1, match_share: float | None = None
) -> dict[str, Any]:
    """A single-chat export of `count` messages (some service, edited, forwarded, media).

    `match_share` None keeps the match-heavy vocabulary; a share such as 0.05 writes posts from
    words no example watchlist knows, and adds a watched phrase to that share of them.
    """
    rng = random.Random(seed * 1_000_003 + channel_id)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    messages: list[dict[str, Any]] = []
    for i in range(1, count + 1):
        when = start + timedelta(seconds=i * 97)
        local = (when + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
        if rng.random() < 0.01:
            messages.append(
                {
                    "id": i,
                    "type": "service",
                    "date": local,
                    "date_unixtime": str(int(when.timestamp())),
                    "action": "pin_message",
                    "text": "",
                    "text_entities": [],
                }
            )
            continue
        runs = _text(rng, match_share)
        entities = [r if isinstance(r, dict) else {"type": "plain", "text": r} for r in runs]
        msg: dict[str, Any] = {
            "id": i,
            "type": "message",
            "date": local,
            "date_unixtime": str(int(when.timestamp())),
            "from": f"Channel {channel_id}",
            "from_id": f"channel{channel_id}",
            "text": runs if len(runs) > 1 else runs[0],
            "text_entities": entities,
        }
        if rng.random() < 0.05:
            edited = when + timedelta(minutes=rng.randint(1, 90))
            msg["edited"] = (edited + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
            msg["edited_unixtime"] = str(int(edited.timestamp()))
        if rng.random() < 0.1:
            msg["forwarded_from"] = "Other channel"
            msg["forwarded_from_id"] = f"channel{rng.randint(1000, 9999)}"
        if rng.random() < 0.3:
            msg["photo"] = "(File not included. Change data exporting settings to download.)"
            msg["width"], msg["height"] = 1280, 720
        if rng.random() < 0.3:
            msg["reactions"] = [{"type": "emoji", "count": rng.randint(1, 500), "emoji": "👍"}]
        messages.append(msg)
    return {
        "name": f"Synthetic {channel_id}",
        "type": "public_channel",
        "id": channel_id,
        "messages": messages,
    }


def write_export(
    path: Path, channel_id: int, count: int, seed: int = 1, match_share: float | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = export(channel_id, count, seed, match_share)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
