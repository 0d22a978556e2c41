"""A seeded generator of milblogger-like channel posts (Russian, Ukrainian, English) for benchmarks.

Posts mix inflected topic words (so stemming matters), place names, numbers and a long Zipf
tail of filler words (so the index has a realistic vocabulary). The same seed always gives the
same posts; `posts()` yields `ChannelPost`s, `rows()` plain dicts for bulk inserts.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.core.events import ChannelPost

RUSSIAN_TOPICS = [
    "беспилотник беспилотника беспилотники беспилотников беспилотниками",
    "колонна колонны колонну колонной колонн",
    "техника техники технику техникой",
    "вагнер вагнера вагнеру вагнеровцы вагнеровцев",
    "обстрел обстрела обстрелы обстрелов обстрелом",
    "позиция позиции позиций позициями",
    "штурм штурма штурмы штурмовики штурмовиков",
    "артиллерия артиллерии артиллерией",
    "противник противника противнику противником",
    "ракета ракеты ракет ракетой ракетами",
    "танк танка танки танков танками",
    "наступление наступления наступлением",
    "мобилизация мобилизации мобилизацию",
    "снаряд снаряда снаряды снарядов",
    "склад склада склады складов",
    "подразделение подразделения подразделений",
]
RUSSIAN_PLACES = [
    "белгород белгорода белгороде белгородом",
    "бахмут бахмута бахмуте",
    "авдеевка авдеевки авдеевке",
    "херсон херсона херсоне",
    "курск курска курске",
    "донецк донецка донецке",
]
RUSSIAN_GLUE = (
    "и в на по с из под над что как уже ещё около более всего сегодня ночью утром".split()
)
UKRAINIAN_TOPICS = [
    "беспілотник беспілотника беспілотники беспілотників",
    "дрон дрона дрони дронів",
    "ворог ворога вороже ворогу",
    "обстріл обстрілу обстріли обстрілів",
    "україна україни україною україну",
    "окупанти окупантів окупантами",
    "сили сил силами",
    "оборона оборони обороною",
    "збиті збито збив",
]
UKRAINIAN_GLUE = "і в на по з із під над що як вже ще близько сьогодні вночі зранку".split()
ENGLISH_TOPICS = [
    "drone drones",
    "strike strikes striking",
    "convoy convoys",
    "refinery refineries",
    "artillery",
    "missile missiles",
    "tank tanks",
    "offensive",
    "frontline",
    "attack attacked",
    "wagner",
    "mobilisation",
    "ammunition depot depots",
]
ENGLISH_GLUE = "the a of in on at near by and was were has been reported overnight".split()
_SYLLABLES = "ка ро ви на ло ми те ра по ст ди ку ба ле го за ны ше ре ко до".split()


@dataclass(frozen=True)
class SyntheticConfig:
    posts: int = 1_000_000
    channels: int = 200
    days: int = 365
    seed: int = 20261125
    end: datetime = datetime(2026, 11, 25, tzinfo=UTC)


def _forms(groups: list[str]) -> list[list[str]]:
    return [g.split() for g in groups]


class PostGenerator:
    """Deterministic post texts; channel i posts in one language mostly (like real channels)."""

    def __init__(self, config: SyntheticConfig = SyntheticConfig()) -> None:  # noqa: B008
        self.config = config
        self.rng = random.Random(config.seed)
        filler_rng = random.Random(config.seed + 1)
        self.filler = [
            "".join(filler_rng.choice(_SYLLABLES) for _ in range(filler_rng.randint(2, 4)))
            for _ in range(30_000)
        ]
        # Zipf-like weights over the filler vocabulary
        self.filler_cum_weights = list(
            itertools.accumulate(1.0 / (rank + 10) for rank in range(len(self.filler)))
        )
        self.ru_topics = _forms(RUSSIAN_TOPICS + RUSSIAN_PLACES)
        self.uk_topics = _forms(UKRAINIAN_TOPICS + RUSSIAN_PLACES)
        self.en_topics = _forms(ENGLISH_TOPICS)

    def language_of(self, channel_index: int) -> str:
        return "ru" if channel_index % 10 < 6 else "uk" if channel_index % 10 < 9 else "en"

    def text(self, language: str) -> str:
        rng = self.rng
        topics, glue = {
            "ru": (self.ru_topics, RUSSIAN_GLUE),
            "uk": (self.uk_topics, UKRAINIAN_GLUE),
            "en": (self.en_topics, ENGLISH_GLUE),
        }[language]
        length = rng.randint(12, 45)
        fillers = rng.choices(self.filler, cum_weights=self.filler_cum_weights, k=length)
        out: list[str] = []
        for i in range(length):
            roll = rng.random()
            if roll < 0.22:
                out.append(rng.choice(rng.choice(topics)))
            elif roll < 0.45:
                out.append(rng.choice(glue))
            elif roll < 0.5:
                out.append(str(rng.randint(1, 500)))
            else:
                out.append(fillers[i])
        if language == "ru" and rng.random() < 0.05:
            out[rng.randrange(len(out)) :] = ["колонна", "техники", *out[-3:]]
        sentence = " ".join(out)
        return sentence[0].upper() + sentence[1:] + rng.choice([".", "!", "…", ". #сводка"])

    def posts(self) -> Iterator[ChannelPost]:
        """Posts in time order over `days`, spread across `channels` channels."""
        cfg = self.config
        start = cfg.end - timedelta(days=cfg.days)
        step = timedelta(days=cfg.days) / cfg.posts
        next_id = [0] * cfg.channels
        for i in range(cfg.posts):
            channel = self.rng.randrange(cfg.channels)
            next_id[channel] += 1
            yield ChannelPost(
                channel_id=1_000_000 + channel,
                message_id=next_id[channel],
                posted_at=start + step * i,
                text=self.text(self.language_of(channel)),
                views=self.rng.randint(100, 200_000),
                media_kind="photo" if self.rng.random() < 0.3 else None,
            )

    def channel_names(self) -> list[tuple[int, str]]:
        return [(1_000_000 + i, f"synthetic_{i:03d}") for i in range(self.config.channels)]
