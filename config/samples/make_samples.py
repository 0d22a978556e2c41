# ruff: noqa: E501, RUF001
"""Write tgmon's bundled sample Telegram Desktop exports (fictional channels) deterministically.

Why a script: the samples must look exactly like Telegram Desktop's "Export chat history" JSON
(string-or-list `text`, `text_entities`, local `date` without offset, placeholders, forwards,
service messages), stay consistent across channels (forwards point at real originals, replies at
real ids) and be regenerable byte for byte. The post texts below are hand-written and invented;
the channels do not exist. Run from anywhere:

    python config/samples/make_samples.py          # rewrite the JSON files, README table, expected.json
    python config/samples/make_samples.py --check  # rebuild in memory and fail if a file differs

Text markup used in the post strings (turned into Telegram entities):
``**bold**``, ``__italic__``, ``[label](https://href)`` (text_link), bare ``https://…`` (link),
``#hashtag`` and ``@mention`` (recognised automatically, as Telegram does).
"""

from __future__ import annotations

import copy
import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCAL_OFFSET = timedelta(hours=3)  # the exporter's clock: `date` = UTC + 3 h, written without offset
PERIOD_START = datetime(2026, 11, 1, 7, 0)  # local time
PERIOD_END = datetime(2026, 11, 24, 23, 30)  # local time
PLACEHOLDER = "(File not included. Change data exporting settings to download.)"
TOPICS = {"W": "Wagner", "A": "Africa Corps", "M": "Mali", "D": "drone", "T": "Tuareg"}


@dataclass
class Post:
    """One logical post as written by hand; an album expands into several messages."""

    text: str = ""
    key: str | None = None
    photo: str | None = None  # "file" (exported) or "ph" (placeholder)
    album: int = 0  # extra caption-less photos sent with this one
    video: int | None = None  # duration in seconds
    gif: bool = False
    media_ph: bool = False  # video/animation not downloaded: placeholder path
    reply: str | None = None  # key of an earlier post in the same channel
    fwd: tuple[str, str] | None = None  # (channel slug, key) of a sample original
    fwd_ext: tuple[str | None, str | None] | None = None  # (display name, from_id) outside the samples
    edited: int | None = None  # minutes after posting
    react: str = ""  # "🔥412 👍128"
    gap: int = 0  # ids skipped before this post (posts deleted before the export)
    hits: str = ""  # expected watchlist topics: letters of TOPICS
    trap: str = ""  # words that look like a topic but are not
    lang: str | None = None  # override the letter-based language label
    service: str | None = None  # "pin:<key>" or "photo"
    at: str | None = None  # forced local time "MM-DD HH:MM"
    note: str = ""  # for the README table


def P(text: str = "", **kw: object) -> Post:
    """Shorthand used by the post lists."""
    return Post(text=text, **kw)  # type: ignore[arg-type]


@dataclass
class Channel:
    slug: str
    name: str
    peer_id: int
    first_id: int
    seed: int
    default_lang: str
    posts: list[Post] = field(default_factory=list)
    units: list[tuple[tuple[str, str], list[Post]]] = field(default_factory=list)  # placed by the anchor's time
    media_start: int = 0  # photo/video counters continue from an earlier export

    @property
    def from_id(self) -> str:
        return f"channel{self.peer_id}"


# ---------------------------------------------------------------- text markup → Telegram entities

_MARKUP = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<italic>.+?)__"
    r"|\[(?P<label>[^\]]+)\]\((?P<href>https?://[^)\s]+)\)"
    r"|(?P<link>https?://[^\s«»\"]+)"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,})"
)


def parse_markup(source: str) -> list[dict[str, str]]:
    """Split marked-up text into Telegram Desktop entity objects, plain runs included."""
    parts: list[dict[str, str]] = []

    def plain(chunk: str) -> None:
        if not chunk:
            return
        if parts and parts[-1]["type"] == "plain":
            parts[-1]["text"] += chunk
        else:
            parts.append({"type": "plain", "text": chunk})

    pos = 0
    for m in _MARKUP.finditer(source):
        plain(source[pos : m.start()])
        pos = m.end()
        if m.group("bold") is not None:
            parts.append({"type": "bold", "text": m.group("bold")})
        elif m.group("italic") is not None:
            parts.append({"type": "italic", "text": m.group("italic")})
        elif m.group("href") is not None:
            parts.append({"type": "text_link", "text": m.group("label"), "href": m.group("href")})
        elif m.group("link") is not None:
            url = m.group("link")
            tail = len(url) - len(url.rstrip(".,;:!?)"))
            if tail:
                pos -= tail
                url = url[: len(url) - tail]
            parts.append({"type": "link", "text": url})
        elif m.group("hashtag") is not None:
            parts.append({"type": "hashtag", "text": m.group("hashtag")})
        else:
            parts.append({"type": "mention", "text": m.group("mention")})
    plain(source[pos:])
    return parts


def text_fields(source: str) -> tuple[object, list[dict[str, str]]]:
    """Return (`text`, `text_entities`) the way Telegram Desktop writes them."""
    entities = parse_markup(source)
    if all(e["type"] == "plain" for e in entities):
        return ("".join(e["text"] for e in entities), entities)
    text: list[object] = [e["text"] if e["type"] == "plain" else dict(e) for e in entities]
    return (text, entities)


def plain_text(source: str) -> str:
    return "".join(e["text"] for e in parse_markup(source))


# ---------------------------------------------------------------- building messages


def local_str(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def unix_str(moment: datetime) -> str:
    return str(int((moment - LOCAL_OFFSET).replace(tzinfo=UTC).timestamp()))


def file_stamp(moment: datetime) -> str:
    return moment.strftime("%d-%m-%Y_%H-%M-%S")


PHOTO_SIZES = [(1280, 720), (1280, 960), (960, 1280), (1280, 853), (1080, 1080), (1280, 1280), (720, 1280)]
VIDEO_SIZES = [(1280, 720), (720, 1280), (848, 480), (1920, 1080), (480, 848)]


@dataclass
class Built:
    """Messages of one channel plus the bookkeeping other channels need (ids, times, originals)."""

    channel: Channel
    messages: list[dict[str, object]]
    ids: dict[str, int]
    times: dict[str, datetime]
    posts: dict[str, Post]
    rows: list[tuple[int, Post, str]]  # (message id, post, language) for the README table


def detect_lang(post: Post, text: str) -> str:
    if post.lang:
        return post.lang
    if not text.strip():
        return "none"
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "emoji"
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    if cyrillic * 2 < len(letters):
        return "en"  # an English post quoting a few Russian or Ukrainian words
    if re.search(r"[іїєґІЇЄҐ]", text):
        return "uk"
    return "ru"


def media_fields(post: Post, counters: dict[str, int], moment: datetime, rng: random.Random) -> dict[str, object]:
    out: dict[str, object] = {}
    stamp = file_stamp(moment)
    if post.photo:
        counters["photo"] += 1
        width, height = rng.choice(PHOTO_SIZES)
        path = PLACEHOLDER if post.photo == "ph" else f"photos/photo_{counters['photo']}@{stamp}.jpg"
        out.update({"photo": path, "width": width, "height": height})
    elif post.video is not None or post.gif:
        counters["video"] += 1
        width, height = rng.choice(VIDEO_SIZES)
        if post.gif:
            name = f"video_files/animation_{counters['video']}@{stamp}.mp4"
        else:
            name = f"video_files/video_{counters['video']}@{stamp}.mp4"
        if post.media_ph:
            out.update({"file": PLACEHOLDER, "thumbnail": PLACEHOLDER})
        else:
            out.update({"file": name, "thumbnail": name.replace(".mp4", ".mp4_thumb.jpg")})
        out["media_type"] = "animation" if post.gif else "video_file"
        out["mime_type"] = "video/mp4"
        out["duration_seconds"] = post.video if post.video is not None else 3
        out.update({"width": width, "height": height})
    return out


MONTHS_RU = {11: "ноября", 12: "декабря"}
MONTHS_EN = {11: "November", 12: "December"}


def fill_dates(text: str, moment: datetime) -> str:
    """Daily summaries name their own day; before 07:00 they sum up the previous one."""
    day = moment - timedelta(days=1) if moment.hour < 7 else moment
    return (
        text.replace("{day_ru}", f"{day.day} {MONTHS_RU[day.month]}")
        .replace("{day_en}", f"{day.day} {MONTHS_EN[day.month]}")
        .replace("{week}", str(moment.isocalendar().week))
    )


def parse_reactions(spec: str) -> list[dict[str, object]]:
    found = re.findall(r"(\D+?)(\d+)", spec.replace(" ", ""))
    return [{"type": "emoji", "count": int(count), "emoji": emoji} for emoji, count in found]


def build_channel(channel: Channel, built: dict[str, Built]) -> Built:
    """Turn hand-written posts into Telegram Desktop messages with ids, times and media paths."""
    rng = random.Random(channel.seed * 7 + 1)
    total = len(channel.posts) + sum(len(posts) for _, posts in channel.units)
    padded = channel.posts + [Post() for _ in range(total - len(channel.posts))]
    times = anchored_times(padded, random.Random(channel.seed))
    channel.posts = place_units(channel, built, times)
    assert [i for i, p in enumerate(channel.posts) if p.at] == [i for i, p in enumerate(padded) if p.at]
    # Forward delays, then keep times strictly increasing.
    for index, post in enumerate(channel.posts):
        if post.fwd:
            original = built[post.fwd[0]].times[post.fwd[1]]
            earliest = original + timedelta(minutes=rng.randrange(4, 95), seconds=rng.randrange(60))
            if times[index] < earliest or times[index] - original > timedelta(days=2):
                times[index] = earliest
    for index in range(1, len(times)):
        if times[index] <= times[index - 1]:
            times[index] = times[index - 1] + timedelta(seconds=rng.randrange(40, 400))
    for post, moment in zip(channel.posts, times, strict=True):
        if post.at and moment.strftime("%m-%d %H:%M") != post.at:
            raise SystemExit(f"{channel.slug}: forced time {post.at} pushed to {moment}; move the post in its list")
    counters = {"photo": channel.media_start, "video": channel.media_start // 4}
    result = Built(channel, [], {}, {}, {}, [])
    next_id = channel.first_id
    for post, moment in zip(channel.posts, times, strict=True):
        next_id += post.gap
        source_post = post
        origin: Channel | None = None
        if post.fwd:
            origin, source_post = resolve_forward(post, built)
        if post.key:
            if post.key in result.ids:
                raise SystemExit(f"{channel.slug}: duplicate key {post.key}")
            result.ids[post.key] = next_id
            result.times[post.key] = moment
            result.posts[post.key] = post
        message: dict[str, object] = {"id": next_id, "type": "message", "date": local_str(moment), "date_unixtime": unix_str(moment)}
        if post.service:
            message["type"] = "service"
            message["actor"] = channel.name
            message["actor_id"] = channel.from_id
            if post.service.startswith("pin:"):
                message["action"] = "pin_message"
                message["message_id"] = result.ids[post.service[4:]]
            else:
                counters["photo"] += 1
                message["action"] = "edit_group_photo"
                message["photo"] = f"photos/photo_{counters['photo']}@{file_stamp(moment)}.jpg"
                message["width"] = 640
                message["height"] = 640
            message["text"] = ""
            message["text_entities"] = []
            result.messages.append(message)
            result.rows.append((next_id, post, "none"))
            next_id += 1
            continue
        if post.edited is not None:
            edited = moment + timedelta(minutes=post.edited, seconds=rng.randrange(60))
            message["edited"] = local_str(edited)
            message["edited_unixtime"] = unix_str(edited)
        message["from"] = channel.name
        message["from_id"] = channel.from_id
        if origin is not None:
            message["forwarded_from"] = origin.name
            message["forwarded_from_id"] = origin.from_id
        elif post.fwd_ext:
            message["forwarded_from"] = post.fwd_ext[0]
            if post.fwd_ext[1]:
                message["forwarded_from_id"] = post.fwd_ext[1]
        if post.reply:
            message["reply_to_message_id"] = result.ids[post.reply]
        message.update(media_fields(source_post, counters, moment, rng))
        text, entities = text_fields(fill_dates(source_post.text, moment))
        message["text"] = text
        message["text_entities"] = entities
        if post.react:
            message["reactions"] = parse_reactions(post.react)
        result.messages.append(message)
        result.rows.append((next_id, post if not post.fwd else _forward_row(post, source_post), detect_lang(source_post, plain_text(source_post.text))))
        next_id += 1
        for _ in range(source_post.album):
            extra = Post(photo=source_post.photo)
            album_message: dict[str, object] = {"id": next_id, "type": "message", "date": local_str(moment), "date_unixtime": unix_str(moment)}
            album_message["from"] = channel.name
            album_message["from_id"] = channel.from_id
            if post.fwd:
                album_message["forwarded_from"] = message["forwarded_from"]
                album_message["forwarded_from_id"] = message["forwarded_from_id"]
            album_message.update(media_fields(extra, counters, moment, rng))
            album_message["text"] = ""
            album_message["text_entities"] = []
            result.messages.append(album_message)
            result.rows.append((next_id, extra, "none"))
            next_id += 1
    return result


def forced_time(spec: str, rng: random.Random) -> datetime:
    month_day, clock = spec.split()
    month, day = (int(x) for x in month_day.split("-"))
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime(2026, month, day, hour, minute, rng.randrange(60))


def anchored_times(posts: list[Post], rng: random.Random) -> list[datetime]:
    """Posts with a forced time are anchors; the others spread between their neighbours."""
    anchors = [(-1, PERIOD_START - timedelta(minutes=1))]
    anchors += [(i, forced_time(p.at, rng)) for i, p in enumerate(posts) if p.at]
    anchors.append((len(posts), max(PERIOD_END, anchors[-1][1] + timedelta(hours=1))))
    times: list[datetime] = [PERIOD_START] * len(posts)
    for (start_index, start), (end_index, end) in zip(anchors, anchors[1:], strict=False):
        if start_index >= 0:
            times[start_index] = start
        count = end_index - start_index - 1
        span = (end - start).total_seconds()
        picked: list[datetime] = []
        while len(picked) < count:
            moment = start + timedelta(seconds=rng.uniform(span * 0.02, span * 0.98))
            if moment.hour < 7 and rng.random() < 0.85:
                continue
            picked.append(moment.replace(microsecond=0))
        times[start_index + 1 : end_index] = sorted(picked)
    return times


def place_units(channel: Channel, built: dict[str, Built], times: list[datetime]) -> list[Post]:
    """Put each forward (with the posts that belong to it) at the first slot after its original."""
    merged = list(channel.posts)
    units = sorted(channel.units, key=lambda unit: built[unit[0][0]].times[unit[0][1]])
    floor = 2  # never before the pinned disclaimer; never inside an earlier unit
    for (slug, key), posts in units:
        after = built[slug].times[key] + timedelta(minutes=5)
        index = next((i for i in range(floor, len(merged) + 1) if times[i] >= after), len(merged))
        merged[index:index] = posts
        floor = index + len(posts)
    channel.units = []
    return merged


def resolve_forward(post: Post, built: dict[str, Built]) -> tuple[Channel, Post]:
    """Forwarding a forward keeps the first author, as Telegram does."""
    assert post.fwd is not None
    source = built[post.fwd[0]]
    original = source.posts[post.fwd[1]]
    if original.fwd:
        return resolve_forward(original, built)
    return source.channel, original


def _forward_row(post: Post, original: Post) -> Post:
    """A forwarded copy expects the same topics and traps as its original."""
    row = copy.copy(post)
    row.hits = post.hits or original.hits
    row.trap = post.trap or original.trap
    row.note = post.note or "forward"
    return row


# ================================================================ 1. Frontline Dispatch (sample)
# Russian milblogger style: breaking one-liners, long analysis, fundraising, jokes, drones everywhere.

FRONTLINE = Channel("frontline_dispatch", "Frontline Dispatch (sample)", 1000000001, first_id=4102, seed=101, default_lang="ru")
FRONTLINE.posts = [
    P("📌 Это **вымышленный** канал-образец для демонстрации tgmon. Все публикации выдуманы, совпадения с реальными каналами случайны.\n\nПравила канала, реквизиты и обратная связь — @frontline_feedback_sample_bot", key="about", at="11-01 07:12", note="pinned disclaimer"),
    P(service="pin:about"),
    P("⚡️ Ночью над областью работала ПВО. По предварительным данным, сбито 14 беспилотников самолётного типа. Пострадавших нет.\n\n#сводка #ПВО", key="pvo1", hits="D", react="👍214 🔥58"),
    P("Утро. Кофе. Сводка через час ☕️", lang="ru"),
    P("🇷🇺 **Сводка за {day_ru}**\n\nНа Купянском направлении противник пытался отбить утраченные позиции у лесополосы, атака отбита. На Северском — позиционные бои, активная работа артиллерии и FPV-дронов с обеих сторон. На Запорожском — без существенных изменений, противник накапливает пехоту в посадках.\n\nПодробнее — на карте: https://t.me/frontline_dispatch_sample/4090\n\n#сводка #СВО", key="sv1", hits="D", react="👍380 🔥91 🙏12"),
    P("", photo="file", album=2, note="album, no caption"),
    P("Показательная картинка с участка: расчёт «Мавика» за сутки навёл артиллерию на три цели. Беспилотник — глаза войны, без него сейчас никуда.\n\n#дроны", photo="file", key="mavic", hits="D", react="🔥302 👍140"),
    P("🔥🔥🔥", reply="mavic", lang="emoji"),
    P("⚡️ Работает ПВО над Курском. Не снимайте и не публикуйте работу расчётов!", react="👍190"),
    P("Друзья, открываем **сбор** на партию FPV и два комплекта РЭБ для подразделения, с которым работаем с весны. Нужно 1 200 000 ₽. Каждый рубль на виду, отчёты — как всегда, с фото и видео.\n\nРеквизиты в закрепе. Репост приветствуется 🙏\n\n#сбор", key="sbor1", hits="D", react="🙏512 ❤️220 👍96"),
    P("Собрано 35 %. Спасибо всем, кто уже помог. Мало времени — много работы, поэтому коротко: не сбавляем темп.", reply="sbor1", trap="мало", note="«мало» is not Mali"),
    P("⚡️ Противник вновь атаковал энергетику на левобережье. Есть перебои со светом.", key="energy1"),
    P("Чтобы не было вопросов: в этом канале нет «инсайдов» из штабов. Есть то, что видят и рассказывают люди на земле, плюс открытые источники. Всё непроверенное помечаем словом «предварительно».", lang="ru"),
    P("Ещё немного о дронах. Противник всё чаще применяет «ждунов» — FPV, которые садятся у дороги и ждут технику с выключенным двигателем. Против таких нужна не только РЭБ, но и банальная дисциплина на марше: не стоять, не кучковаться, не светиться.\n\n#дроны #опыт", hits="D", react="👍433 🤔28"),
    P("", video=41, note="video, no caption"),
    P("На видео — работа наших операторов по опорнику в лесополосе. Снято с ретранслятора, качество соответствующее 🎥\n\n#дроны", video=58, hits="D", react="🔥615 👍201"),
    P("Кто спрашивал про «музыкантов»: да, бывшие бойцы ЧВК «Вагнер» есть во многих подразделениях. Кто-то в штурмовых отрядах, кто-то ушёл в Африканский корпус. Школа чувствуется сразу — и в дисциплине, и в отношении к пехоте.\n\n#Вагнер", key="muz1", hits="WA", react="🔥388 👍170 🫡64", note="slang «музыканты»"),
    P("⚡️ По данным наших источников, группа вагнеровцев-ветеранов заключила контракты и убыла в Африку. Куда именно — не скажем, но кто следит за Сахелем, тот догадается.\n\n#Вагнер #Африка", key="wag_africa", hits="W", react="🔥210 🤔44"),
    P("Про Африку вообще интересно. Зашла тема с малийской армией: FAMa учится работать с беспилотниками, инструкторы — наши. Подробнее у коллег: @sahel_watch_sample\n\n#Мали #Африка", key="mali_fama", hits="MD", react="👍190 🔥60", note="«малийской армией»"),
    P("Вопрос от читателя: «Что такое «Герань»?» Это ударный беспилотник дальнего действия. Летит медленно, шумит как мопед, но долетает далеко и стоит относительно недорого. Отсюда и массовость.\n\n#дроны", hits="D", react="🤓260 👍90"),
    P("Ночь на Купянском направлении была жаркой. Расскажем позже, сейчас не время.", trap="", react="🙏140"),
    P("⚡️ Сбито 9 «Лютых» над приграничьем. По обломкам — работают следователи.\n\n#ПВО", hits="D", react="👍150"),
    P("Небольшое отступление. Один подписчик прислал фото из дома: его маленький сын нарисовал танк с флагом и подписал «папе». Вот ради этого всё и делается ❤️", photo="file", trap="маленький", react="❤️1240 🙏300"),
    P("Держитесь, братья 🫡", react="🫡410"),
    P("Напоминаем: фото позиций, техники и бойцов с геометками в сеть не выкладываем. Ни «в личку другу», ни «в закрытую группу». Противник собирает всё.", react="👍520"),
    P("", photo="ph", album=1, note="album, placeholders"),
    P("**Аналитика. Почему дроны не отменили пехоту.**\n\nРегулярно слышу: «дроны всё решают, пехота больше не нужна». Это не так, и вот почему.\n\nВо-первых, беспилотник ничего не удерживает. Он может поразить, разведать, сбросить, подсветить, но занять и удержать позицию может только человек с автоматом. Любой штурм по-прежнему заканчивается тем, что пехотинец заходит в окоп. Во-вторых, дроны зависят от погоды, связи, частот и людей, которые их собирают, чинят и пилотируют. Пошёл мокрый снег, поднялся ветер, противник включил новую РЭБ — и половина преимущества испаряется за один вечер.\n\nВ-третьих, дроны изменили не саму войну, а её темп и глубину. Зона, где опасно передвигаться днём, выросла до десяти—пятнадцати километров от линии соприкосновения. Логистика уходит в ночь, в маленькие группы, на мотоциклы и багги. Это и есть главное изменение: раньше фронт был линией, теперь это полоса, в которой любое движение видно сверху.\n\nВ-четвёртых, выигрывает тот, кто быстрее адаптируется. Противник учится, мы учимся. Появились оптоволоконные FPV, которые не боятся РЭБ, появились «ждуны», перехватчики, тяжёлые бомбардировщики. Каждые два-три месяца меняется всё: тактика, частоты, прошивки. Подразделение, которое полгода воюет «как привыкло», несёт потери.\n\nИ последнее. Мало купить дроны — нужно выстроить систему: обучение, ремонт, разведку, связь между операторами и артиллерией. Там, где такая система есть, пехота идёт вперёд с меньшими потерями. Там, где её нет, никакие закупки не спасут.\n\nВывод простой: дроны — это новые глаза и новая рука, но ноги у войны всё те же.\n\n#аналитика #дроны", key="long_drones", hits="D", trap="мало, маленькие", react="👍870 🔥233 🤔41", note="long post"),
    P("Коротко: держимся.", react="🫡300"),
    P("⚡️⚡️⚡️ Срочно: по предварительным данным, в районе н.п. Н. противник потерял до взвода пехоты при попытке ротации. Работали артиллерия и дроны-бомбардировщики.\n\n#сводка", hits="D", edited=18, react="🔥540 👍120", note="edited"),
    P("Уточнение к посту выше: по пехоте цифры пока не подтверждаем, ждём объективку.", key="clar1"),
    P("Отчёт по сбору: закуплено 40 FPV, 2 РЭБ, 6 аккумуляторов, всё передано. Фото — ниже. Спасибо каждому! 🙏", photo="file", album=3, reply="sbor1", hits="D", react="🙏720 ❤️410", note="album with caption"),
    P("Вопрос от подписчика: «Почему вы пишете «предварительно», если всё и так ясно?» Потому что на войне «ясно» становится ясно примерно через неделю. Первые сообщения почти всегда ошибаются в цифрах.", lang="ru"),
    P("Противник опять запустил фейк о «разгроме» наших подразделений под Н. Источник — анонимный канал с тремя тысячами подписчиков, фото — двухлетней давности. Не ведёмся."),
    P("🇷🇺 **Сводка за {day_ru}**\n\nКупянское: продвижение в районе лесополос, закрепление. Северское: позиционные бои. Запорожское: активность ДРГ противника, две группы уничтожены. По всему фронту — массированное применение беспилотников обеими сторонами.\n\n#сводка #СВО", hits="D", react="👍410 🔥77"),
    P("Друзья из Африканского корпуса передают привет из жары +41 🌞 Говорят, что после нашей осени Сахель кажется курортом. Шутят, конечно.\n\n#АфриканскийКорпус", key="ak_hello", hits="A", react="😁320 🔥140"),
    P("", photo="file", note="photo, no caption"),
    P("Слухи о переброске вагнеровцев под Купянск — фейк. Источник — та же «помойка», что и неделю назад.\n\n#Вагнер", hits="W", react="👍220 😁40"),
    P("Переслано от коллег: обзор ситуации в Мали. Рекомендуем.", fwd_ext=("Сахель Обозреватель (sample)", "channel1000000011"), hits="M", note="external forward"),
    P("Напоминалка для тех, кто везёт гуманитарку: РЭБ — не игрушка, антенны не трогать, частоты не менять по совету «знакомого». Лучше спросите у тех, кто будет этим пользоваться.", hits="", lang="ru"),
    P("Кто ещё помнит лето 2024-го и Тинзауатен? Тогда многие узнали, что такое беспилотник в руках боевиков в пустыне. Выводы сделаны, но уроки всё ещё учат.\n\n#Мали #Вагнер", key="tinz_memory", hits="WMD", react="🤔210 👍160", note="«Тинзауатен»"),
    P("⚡️ ПВО работает над областью. Будьте в укрытиях.", react="🙏90"),
    P("Отбой. Сбито 6 БПЛА.", reply=None, hits="D", react="👍230"),
    P("Зима близко. Первые заморозки на позициях ❄️", photo="ph", react="❄️150 🙏60"),
    P("Сегодня в Москве прошёл вечер памяти бойцов «Вагнера». Много людей, много цветов. Видео — ниже.", video=94, key="wag_memory", hits="W", react="🕯800 🙏420", note="«Вагнера»"),
    P("Ваша поддержка важна. Подписывайтесь на @frontline_dispatch_sample и пересылайте друзьям, если считаете полезным 🤝"),
    P("Странная новость: противник якобы разработал «невидимый» дрон для ударов по складам. Пока выглядит как очередной пиар для западной публики. Ждём фактов.", hits="D", react="🤔150 😁88"),
    P("", gif=True, note="animation, no caption"),
    P("Тут спрашивают: правда ли, что в Мали воюют только бывшие вагнеровцы? Нет. Состав Африканского корпуса смешанный: есть ветераны ЧВК, есть военнослужащие по контракту, есть специалисты — связисты, медики, операторы БПЛА.\n\n#Мали #АфриканскийКорпус #Вагнер", key="ak_composition", hits="WAMD", react="👍340 🔥70"),
    P("Подписчик спрашивает, где читать про Мали по-русски без пропаганды с обеих сторон. Честно — нигде, но начните с @sahel_watch_sample 🙂\n\n#Мали", hits="M", react="😁180"),
    P("Отдельное спасибо группе, которая передала нам маскировочные сети ручной работы. Бабушки из маленького посёлка вяжут их уже третий год ❤️", photo="file", trap="маленького", react="❤️980 🙏210"),
    P("⚡️ Удар по складу боеприпасов противника в тыловом районе. Детонация продолжалась около часа. Видео от подписчиков проверяем.", key="sklad", react="🔥670"),
    P("Видео подтверждено. Источник — местные жители, геолокацию не публикуем.", video=23, reply="sklad", react="🔥420 👍100"),
    P("Хороший вопрос в комментариях: почему ПВО не сбивает все дроны? Потому что их запускают сотнями, а зенитная ракета стоит как квартира. Нужны дешёвые средства: мобильные огневые группы, перехватчики, РЭБ. Всё это есть, но не везде и не в достатке.\n\n#ПВО #дроны", hits="D", react="👍510 🤔60"),
    P("Всех с праздником, кто празднует. Работаем дальше 🫡", lang="ru"),
    P("🇷🇺 **Сводка за {day_ru}**\n\nКупянское: наши подразделения продвинулись на 300–500 м. Северское и Запорожское: позиционные бои, противник активно применяет FPV-дроны. Херсонское: артиллерийские дуэли через Днепр.\n\n#сводка #СВО", hits="D", react="👍388 🔥80"),
    P("Сирия, Ливия, ЦАР, Мали — везде, где раньше работали «музыканты», сегодня работает Африканский корпус. Таков расклад на 2026 год.\n\n#Вагнер #АфриканскийКорпус", hits="WAM", react="🔥300 👍140", note="slang «музыканты»"),
    P("Не могу не поделиться. Боец с позывным «Малина» (да, так и есть, за любовь к варенью) передал привет всем читателям канала 🍓\n\n«Малина» — оператор дронов, за его плечами больше ста вылетов.", key="malina", trap="Малина", hits="D", react="😁610 ❤️380", note="«Малина» is a call sign"),
    P("Банка варенья из малины от мамы нашего «Малины» доехала до позиций. Говорят, съели за один вечер 🍓😁", reply="malina", trap="малины, Малины", react="😁490 ❤️200"),
    P("Пожалуйста, не присылайте в личку фото с передовой. Мы их не публикуем. Серьёзно.", lang="ru"),
    P("⚡️ Противник атаковал Белгородскую область беспилотниками. Есть повреждения гражданской инфраструктуры.\n\n#ПВО", hits="D", react="😡340"),
    P("", photo="file", album=1, note="album, no caption"),
    P("⚡️ Противник ударил FPV-дроном по рейсовому автобусу в приграничье. Есть раненые.\n\n#дроны", hits="D", react="😡520"),
    P("Итоги сбора на РЭБ: закрыт! Всего 1 214 300 ₽. Спасибо, вы лучшие 🙏🔥", reply="sbor1", react="🙏900 🔥400 ❤️300"),
    P("Новый **сбор**: тепловизоры и две «Мавик-3Т» для разведчиков. Цель — 900 000 ₽. Реквизиты в закрепе.\n\n#сбор", key="sbor2", hits="D", react="🙏320 👍100"),
    P("Западные СМИ опять пишут, что «Вагнер распущен и больше не существует». Формально — да, бренд ушёл. Но люди, опыт и связи остались. Кто-то в Африканском корпусе, кто-то в Росгвардии, кто-то в добровольческих подразделениях.\n\n#Вагнер #АфриканскийКорпус", key="wag_not_gone", hits="WA", react="👍520 🔥180"),
    P("Подписчик спрашивает, почему мы так много пишем про Африку. Ответ: потому что это тоже наш фронт. Там решается, кто будет влиять на регион следующие двадцать лет.", hits="", react="👍210 🤔30"),
    P("Мало кто знает, но на одном из участков противник ставит муляжи орудий из фанеры. Наши операторы уже научились их отличать — по теням и по тому, что «орудие» не стреляет 😁", trap="Мало", react="😁700 🔥120"),
    P("📍 Фото с позиций на Запорожском направлении. Без геометок, не волнуйтесь.", photo="ph", album=2, react="🔥340"),
    P("⚡️ Наши источники сообщают о перебросках противника в сторону Купянска. Следим.", edited=42, key="kup_move", react="🤔190", note="edited"),
    P("Сегодня отмечаем годовщину одного из подразделений, с которым работаем. Поздравляем, парни! 🫡🇷🇺", react="🫡510 ❤️200"),
    P("🫡", lang="emoji"),
    P("**Аналитика. Африканский корпус: год спустя.**\n\nКогда «Вагнер» уходил из Африки, многие предсказывали, что Россия потеряет позиции в Сахеле. Прошло время — посмотрим, что получилось на самом деле.\n\nПервое. Африканский корпус — структура государственная, а не частная. Это меняет многое: от снабжения до юридического статуса. Если вагнеровцы работали по контрактам с местными властями и часто сами решали, как воевать, то теперь всё идёт через Министерство обороны. Плюс — предсказуемость и ресурсы. Минус — бюрократия и медленные решения.\n\nВторое. Люди. Значительная часть костяка — бывшие бойцы «Вагнера», которые знают Мали, Буркина-Фасо и Нигер не по картам. Они помнят Тинзауатен, помнят засады туарегов и джихадистов в пустыне, знают, как ведут себя местные армии. Без этого опыта корпус начинал бы с нуля.\n\nТретье. Беспилотники. Именно здесь Сахель изменился сильнее всего. Если раньше у боевиков не было почти ничего, кроме пикапов и пулемётов, то теперь у них есть коммерческие дроны со сбросами. Малийская армия тоже получила турецкие и российские беспилотники, и война в пустыне стала похожа на нашу — только в меньшем масштабе и с огромными расстояниями.\n\nЧетвёртое. Политика. Военные правительства Мали, Буркина-Фасо и Нигера объединились в союз и ждут от партнёров не только охраны, но и результатов. Это высокая планка: пустыня огромна, а сил у всех мало.\n\nИтог: корпус удержал позиции, но лёгкой прогулки не будет. Следующий год покажет, сможет ли новая структура делать то, что делал «Вагнер», без его гибкости.\n\n#аналитика #АфриканскийКорпус #Вагнер #Мали", key="long_ak", hits="WAMDT", trap="мало", react="👍940 🔥260 🤔70", note="long post"),
    P("Коротко про вчерашний пост: много вопросов про «туарегов». Туареги — кочевой народ Сахары; часть их вооружённых группировок воюет против правительства Мали. Подробнее — в канале @sahel_watch_sample.", reply="long_ak", hits="TM", react="👍180"),
    P("⚡️ Сбито 23 беспилотника за ночь. Рекорд месяца.\n\n#ПВО", hits="D", react="🔥450 👍200"),
    P("Боец «Малина» передаёт ещё один привет и фото своего дрона с надписью «Вам посылка» 📦", photo="file", reply="malina", trap="Малина", hits="D", react="😁540"),
    P("Противник продолжает обстрелы приграничья. Много раненых среди мирных. Без комментариев.", react="😡600 🙏300"),
    P("🇷🇺 **Сводка за {day_ru}**\n\nКупянское: бои за населённый пункт продолжаются. Северское: продвижение штурмовых групп. Запорожское: противник пытается контратаковать, есть подбитая техника — сработали FPV и артиллерия.\n\n#сводка #СВО", hits="D", react="👍420 🔥100"),
    P("Сбор на тепловизоры закрыт на 80 %! Осталось совсем немного 🙏", reply="sbor2", react="🙏400"),
    P("Кстати, про музыку. Читатель прислал: «А почему «оркестр»?» Название пошло от фамилии композитора Рихарда Вагнера — отсюда и «музыканты», и «оркестр». Сам композитор к войне отношения, разумеется, не имел.", key="orchestra", hits="W", trap="Рихард Вагнер, композитор", react="🤓330 👍200", note="mixes real hit and composer trap"),
    P("", video=17, media_ph=True, note="video placeholder, no caption"),
    P("⚡️ Противник нанёс удар по Донецку. Есть погибшие. Подробности уточняются.", react="😢700 🙏500", edited=25, note="edited"),
    P("Переслано от подписчика. Без комментариев.", fwd_ext=(None, None), photo="file", note="forward with hidden (null) origin"),
    P("Всем, кто сомневается в том, что «Вагнер» жив как идея — посмотрите, сколько ветеранов сейчас в Африканском корпусе. И в Мали, и в Буркина-Фасо, и в Ливии.\n\n#Вагнер #Мали", hits="WAM", react="🔥360 👍120"),
    P("**Неделя в цифрах:** сбито 118 беспилотников, закрыто два сбора, 14 800 новых подписчиков. Спасибо, что вы с нами.", hits="D", react="👍330 ❤️120"),
    P("🇷🇺 Отличные новости с Купянского направления. Подробности — вечером.", react="🔥800"),
    P("Обещанные подробности: штурмовые группы закрепились в восточной части населённого пункта. Противник перебрасывает резервы, активно работает дронами и артиллерией. Ждём развития.\n\n#сводка", hits="D", react="🔥620 👍200"),
    P("Небольшое объявление: с сегодняшнего дня в канале будет чаще выходить рубрика «Дроны недели» — лучшие видео работы наших операторов.\n\n#дроны", key="drones_week", hits="D", react="👍300 🔥200"),
    P("**Дроны недели** 🎥 Выпуск первый.", video=121, reply="drones_week", hits="D", react="🔥900"),
    P("Сбор на тепловизоры закрыт полностью. Вы снова сделали невозможное 🙏", reply="sbor2", react="🙏1100 ❤️600"),
    P("", video=29, note="video, no caption"),
    P("Москва, вечер, Большой театр. Кто-то идёт на оперу Вагнера, а кто-то — в военкомат. Оба варианта достойные, но второй нужнее 😉", key="opera_joke", trap="опера Вагнера", react="😁820 👍150", note="trap: opera"),
    P("⚡️ По предварительным данным, в Мали засада на колонну малийской армии в районе Кидаля. Подробностей пока мало.\n\n#Мали", key="mali_ambush_fd", hits="M", trap="мало", edited=33, react="🤔300", note="edited"),
    P("🔥", lang="emoji"),
    P("Всем спасибо за неделю. Отдыхаем, но не расслабляемся.", lang="ru"),
]


# ================================================================ 2. Sahel Watch (sample)
# Russian-language channel about the Sahel: Wagner legacy, Africa Corps, Mali, Tuareg rebels, drones.

SAHEL = Channel("sahel_watch", "Sahel Watch (sample)", 1000000002, first_id=2201, seed=202, default_lang="ru")
SAHEL.posts = [
    P("📌 **Sahel Watch (sample)** — вымышленный канал-образец для tgmon. Пишем о Сахеле: Мали, Буркина-Фасо, Нигер, Ливия. Все посты выдуманы.\n\nПредложить новость: @sahel_watch_feedback_sample_bot", key="about", at="11-01 08:05", hits="M", note="pinned disclaimer"),
    P(service="pin:about"),
    P("🇲🇱 Доброе утро из Бамако. Жара спадает, сезон дождей окончательно позади — а значит, начинается сезон боевых действий на севере Мали.\n\n#Мали #Сахель", hits="M", react="👍88"),
    P("🇲🇱 В Бамако открылся русский культурный центр. Первые курсы — русский язык и программирование.\n\n#Мали", hits="M", react="👍70"),
    P("Напомним расклад. На севере Мали против правительства воюют туарегские группировки, объединившиеся во Фронт освобождения Азавада (FLA), и джихадисты из JNIM. Правительство опирается на малийскую армию (FAMa) и Африканский корпус, пришедший на смену «Вагнеру».\n\n#Мали #туареги #АфриканскийКорпус", key="primer", hits="WAMT", react="👍140 🤓30"),
    P("⚡️ Колонна FAMa вышла из Гао в направлении Кидаля. В составе — бронетехника и грузовики снабжения. Сопровождение с воздуха — беспилотники.\n\n#Мали", key="convoy_out", hits="MD", react="🤔60"),
    P("", photo="file", album=1, note="album, no caption"),
    P("Кидаль сегодня. Город под контролем правительства с ноября 2023-го, но окрестности неспокойны: туареги контролируют часть дорог, по ночам работают мелкие группы.", photo="file", hits="T", react="👍70"),
    P("⚡️⚡️ **Срочно.** По сообщениям местных источников, колонна малийской армии и бойцов Африканского корпуса попала в засаду к северу от Тинзауатена. Боевики применили беспилотники со сбросами и заминировали дорогу. Данные о потерях уточняются.\n\n#Мали #АфриканскийКорпус #Тинзауатен", key="convoy_ambush", hits="AMD", react="😢140 🙏90 🤔40", note="forwarded into 3 channels"),
    P("По нашим данным, в засаде участвовали и туареги из FLA, и боевики JNIM. Такое «сотрудничество» на севере Мали давно не новость.\n\n#туареги", reply="convoy_ambush", key="ambush_who", hits="TM", react="🤔80"),
    P("Источник в Гао подтверждает: колонна продолжила движение после боя. Потери есть, но не катастрофические. Беспилотник противника сбит.", reply="convoy_ambush", key="ambush_followup", hits="D", react="👍110", edited=14, note="edited"),
    P("Напоминаем, что Тинзауатен — это тот самый пограничный пункт у алжирской границы, где летом 2024 года вагнеровцы и FAMa понесли тяжёлые потери в бою с туарегами. Место с историей.\n\n#Тинзауатен #Вагнер", key="tinz_history", hits="WMT", react="🤔120 🕯40", note="«вагнеровцы», «туарегами»"),
    P("Карта района засады (схематично).", photo="file", reply="convoy_ambush", react="👍60"),
    P("Нас спрашивают, откуда у боевиков дроны. Ответ банален: коммерческие квадрокоптеры покупаются через Алжир и Мавританию, переделываются под сброс — опыт перенят с украинского и сирийского фронтов. Стоит такой беспилотник копейки.\n\n#дроны #Сахель", hits="D", react="🤔150 👍60"),
    P("Кто такие «вагнеровцы» для малийцев? Для кого-то — спасители, для кого-то — чужие солдаты, которые «пришли и ушли». В деревнях на севере Мали отношение к русским очень разное.\n\n#Вагнер #Мали", hits="WM", react="🤔130"),
    P("🇳🇪 Нигер. В районе Тиллабери боевики атаковали пост армии. Нападение отбито, есть раненые.\n\n#Нигер", react="🙏40"),
    P("🇧🇫 Буркина-Фасо: правительство объявило о новом наборе добровольцев в силы самообороны (VDP). Требования минимальные, обучение — несколько недель.\n\n#БуркинаФасо", react="🤔30"),
    P("Бамако, рынок у Большой мечети. Жизнь идёт своим чередом.", photo="file", album=2, react="❤️60"),
    P("⚡️ Под Дуэнцой задержан боевик JNIM с дроном-бомбардировщиком и запасом гранат для сброса.\n\n#Мали #дроны", hits="MD", react="👍90"),
    P("Важно: мы не публикуем фото погибших и пленных. Никаких исключений.", react="👍200"),
    P("**Вагнер после Вагнера.** Коротко о том, куда делись люди. Часть контрактников перешла в Африканский корпус и осталась в Мали. Часть вернулась домой. Часть ушла в частные охранные структуры в ЦАР и Ливии, где бренд «Вагнер» формально сохранился дольше всего.\n\n#Вагнер #АфриканскийКорпус #ЦАР", key="wagner_exit", hits="WAM", react="👍190 🤔50"),
    P("В ЦАР, кстати, местные до сих пор называют всех русских «вагнерами». Привычка.", reply="wagner_exit", hits="W", react="😁120"),
    P("Немного про «малийскую» специфику дронов. FAMa использует турецкие ударные беспилотники, их базы — в Гао, Тимбукту и Севаре. Для противника это главный раздражитель: любой пикап на открытой местности — цель.\n\n#Мали #дроны", key="fama_drones", hits="MD", react="👍130"),
    P("⚡️ Удар беспилотника FAMa по позициям боевиков у Абейбары. По данным армии, уничтожены две машины и склад горючего. Туарегские источники говорят о погибших мирных жителях.\n\n#Мали #туареги #дроны", key="drone_strike", hits="MDT", react="🤔180 😢60", note="forwarded to OSB; deleted in later snapshot"),
    P("Две версии одного события — обычное дело для Сахеля. Ждём независимых подтверждений, которых, скорее всего, не будет.", reply="drone_strike", react="👍90"),
    P("Фото с места удара, распространяемое туарегскими каналами. Подлинность не подтверждена.", photo="ph", reply="drone_strike", hits="T", react="🤔70"),
    P("Алжир вновь обвинил малийские беспилотники в нарушении воздушного пространства у границы. Бамако обвинения отвергает.\n\n#Мали #Алжир", hits="MD", react="🤔80"),
    P("🇲🇱 Малийское правительство продлило комендантский час в регионе Менака ещё на месяц.\n\n#Мали", hits="M", react="👍30"),
    P("Сегодня в Бамако прошли похороны военнослужащих, погибших в засаде у Тинзауатена. Присутствовали представители армии и российские военные.\n\n#Мали #Тинзауатен", hits="M", react="🕯210 🙏130", note="«Тинзауатена»"),
    P("Мало кто знает, что зерновые и топливо на север Мали возят конвоями по нескольку недель. Каждая такая колонна — событие, за которым следят обе стороны.", hits="M", trap="Мало", react="🤓80"),
    P("Внимание к деталям: в Сомали — тоже беспилотники, тоже джихадисты, но это совсем другая война и другой регион. Не путайте, пожалуйста, коллеги 🙂", key="somalia", hits="D", trap="Сомали", react="😁90", note="«Сомали» contains «мали»"),
    P("🇧🇫 В Буркина-Фасо атака на колонну снабжения в провинции Сум. По данным местных источников, погибли не менее 20 военных и добровольцев VDP.\n\n#БуркинаФасо", react="😢120"),
    P("🇧🇫 Буркина-Фасо получила партию бронемашин. Поставщик официально не назван.\n\n#БуркинаФасо", react="👍40"),
    P("", photo="file", note="photo, no caption"),
    P("Про Африканский корпус много мифов. Собрали вопросы читателей — отвечаем завтра в большом посте. Пишите в бот: @sahel_watch_feedback_sample_bot\n\n#АфриканскийКорпус", key="ak_qa_announce", hits="A", react="👍150"),
    P("**Африканский корпус: ответы на вопросы.**\n\n__Это тот же «Вагнер»?__ Нет. Корпус подчиняется Минобороны, а не частной компании. Но значительная часть людей — бывшие вагнеровцы, и многие командиры знают регион с 2021 года.\n\n__Где он работает?__ В Мали, Буркина-Фасо, Нигере, Ливии. Масштаб присутствия в каждой стране разный: от нескольких десятков инструкторов до крупных контингентов.\n\n__Воюет ли корпус сам?__ Официально — обучает и поддерживает местные армии. На практике в Мали бойцы корпуса участвуют в операциях вместе с FAMa, в том числе на севере, против туарегов и джихадистов.\n\n__Есть ли у корпуса беспилотники?__ Да. И разведывательные, и ударные, и FPV. Опыт украинского фронта активно переносится в Сахель: операторы проходят подготовку, а местных военных учат работать с дронами.\n\n__Какие потери?__ Официальных данных нет. По оценкам открытых источников, самые тяжёлые бои были в районе Тинзауатена и на трассе Гао — Кидаль.\n\n__Почему именно Мали?__ Потому что Мали — ключевая страна Альянса государств Сахеля, и от того, удержит ли Бамако север, зависит устойчивость всего союза.\n\n__Как к корпусу относятся местные?__ По-разному. В Бамако — в основном хорошо: на рынках продают футболки с российским флагом, на митингах звучат лозунги в поддержку России. На севере, особенно среди туарегов, отношение настороженное: там помнят рейды 2022–2024 годов и обвинения в гибели мирных жителей. Корпусу приходится жить с этим наследием.\n\n__Что дальше?__ Сухой сезон, значит, активная фаза. Мы ожидаем новых операций FAMa и Африканского корпуса на севере и ответных атак со стороны FLA и JNIM. Следите за каналом.\n\n#АфриканскийКорпус #Мали #Вагнер #туареги", key="ak_qa", reply="ak_qa_announce", hits="WAMDT", react="👍420 🔥120 🤓90", note="long post"),
    P("🇳🇪 Нигер: армия сообщает о нейтрализации группы боевиков у границы с Мали. Использовалась авиация.\n\n#Нигер", hits="M", react="👍40"),
    P("Коллеги из @frontline_dispatch_sample пишут, что в Африку уехала новая группа ветеранов. Подтверждаем: пополнение прибыло в Бамако на прошлой неделе.\n\n#АфриканскийКорпус", hits="A", react="🔥140"),
    P("Пустыня у Тессалита. Красиво и смертельно опасно.", photo="file", react="❤️120"),
    P("В Ливии спокойно. Насколько вообще может быть спокойно в Ливии.", react="😁70"),
    P("⚡️ В районе Тимбукту зафиксированы пролёты неизвестного беспилотника над аэродромом. Военные привели ПВО в готовность.\n\n#Мали", key="timbuktu_drone", hits="MD", react="🤔90", edited=60, note="edited"),
    P("Фото: малийские солдаты на учениях под Кати. Инструкторы — российские.", photo="file", album=2, hits="M", react="👍110"),
    P("Ещё о деталях. «Вагнер» по-французски пишут Wagner, а на улицах Бамако говорят просто «ле рюс» — «русские». Местным всё равно, как называется структура.", hits="W", react="😁100"),
    P("Туареги сегодня — не единое целое. Есть группы, которые подписали мир с Бамако, есть FLA, есть те, кто ушёл к джихадистам. Говорить «туареги воюют против Мали» — упрощение.\n\n#туареги #Мали", key="tuareg_nuance", hits="TM", react="👍170 🤓40"),
    P("Интересный кадр от подписчика: туарегский лагерь у Тинзауатена, снято с дрона.", photo="ph", hits="MTD", react="🤔60", note="«туарегский», «Тинзауатена»"),
    P("🇲🇱 Мали: правительство объявило о строительстве новой военной базы на севере. Место не раскрывается.", hits="M", react="👍50"),
    P("Полезная ссылка: карта инцидентов в Сахеле за октябрь — https://example.org/sahel/incidents-2026-10\n\n#Сахель", react="👍70"),
    P("Мнение: без Африканского корпуса Бамако не удержал бы север. С корпусом — удерживает, но ценой постоянного напряжения сил.\n\n#АфриканскийКорпус #Мали", hits="AM", react="👍110 🤔40"),
    P("Вечер в Бамако 🌅", photo="file", react="❤️150"),
    P("⚡️ Нападение на пост FAMa у Ансонго. Отбито при поддержке вертолётов. Со стороны армии — трое раненых.\n\n#Мали", hits="M", react="🙏60"),
    P("В Нигере тоже Африканский корпус? Да, но в небольшом составе: инструкторы и ПВО. Основная нагрузка — на армии Нигера.\n\n#Нигер #АфриканскийКорпус", hits="A", react="👍80"),
    P("Маленькая победа: в одном из сёл под Мопти впервые за три года открылась школа. Охрану обеспечивают FAMa.", hits="M", trap="Маленькая", react="❤️300 👍90"),
    P("Вопрос читателя: правда ли, что туареги до сих пор воюют на верблюдах? Нет, давно на пикапах. Верблюды остались для торговли и кочевья.\n\n#туареги", hits="T", react="😁160"),
    P("Бывший вагнеровец, теперь боец корпуса, рассказал нам: «Мали — не Украина. Тут противник может исчезнуть на неделю, а потом появиться за двести километров». Точнее не скажешь.\n\n#Вагнер #Мали", hits="WM", react="🤔200 👍150", note="«вагнеровец»; «боец корпуса» is Africa Corps only by context"),
    P("", video=36, note="video, no caption"),
    P("Видео: посадка малийского ударного беспилотника на аэродроме в Севаре. Качество так себе, но суть видна.", video=48, hits="MD", react="🔥120"),
    P("🇧🇫 Буркина-Фасо: капитан-президент провёл переговоры с делегацией из Москвы. Обсуждались поставки дронов и вооружения.\n\n#БуркинаФасо", hits="D", react="👍60"),
    P("⚡️ Туарегские повстанцы заявили о сбитом малийском беспилотнике в районе Тессалита. Армия не комментирует.\n\n#Мали #туареги", key="tessalit_drone", hits="MTD", react="🤔110", note="edited in later snapshot"),
    P("Проверили фото обломков — это действительно малийский беспилотник, но снимок двухлетней давности. Повстанцы взяли старое фото.", reply="tessalit_drone", hits="MD", react="😁150 👍80"),
    P("В Дакаре прошёл концерт симфонического оркестра: увертюра к опере Вагнера «Тангейзер», Бетховен, Равель. Культурная жизнь в регионе тоже есть 🎻", key="dakar_opera", trap="опера Вагнера, оркестра", react="❤️90", note="trap: opera; «оркестр» is also Wagner slang"),
    P("Мали и Малави — это разные страны. Малави — на юго-востоке Африки, и воюют там разве что с засухой. Спасибо читателю, который перепутал 🙂", key="malawi", hits="M", trap="Малави", react="😁200"),
    P("⚡️ В регионе Гао боевики обстреляли базу FAMa из миномётов. Повреждён один вертолёт.\n\n#Мали", key="gao_mortar", hits="M", react="🙏50", note="deleted in later snapshot"),
    P("Ещё о засаде у Тинзауатена. Малийская армия опубликовала список погибших: 11 человек, в том числе двое российских военных.\n\n#Тинзауатен #Мали", key="casualties", hits="M", react="🕯300 🙏200", note="edited in later snapshot"),
    P("🕯", reply="casualties", lang="emoji"),
    P("Нас спрашивают о Тинзауатене/Тинзаватене: правильно и так, и так. По-французски — Tinzaouaten, по-английски часто Tinzawaten.\n\n#Тинзауатен", hits="M", react="🤓90"),
    P("**Тинзауатен: почему эта точка на карте так важна.**\n\nНа карте Мали Тинзауатен — крошечный пункт на границе с Алжиром: несколько десятков глинобитных домов, колодцы и сухое русло. Но для войны на севере страны это одна из ключевых точек, и вот почему.\n\nПервое. Граница. Через Тинзауатен и соседние пункты идут контрабандные маршруты: топливо, сигареты, оружие, люди. Кто контролирует границу, тот контролирует деньги, на которые живут вооружённые группировки. Для туарегов из FLA это ещё и тыл: при опасности можно отойти на алжирскую сторону, куда малийская армия за ними не пойдёт.\n\nВторое. Символ. Летом 2024 года именно здесь вагнеровцы и FAMa попали в тяжёлый бой и понесли самые большие потери за всё время присутствия русских в Мали. С тех пор Тинзауатен — место, о котором помнят обе стороны. Туареги считают его своей победой, в Бамако и в Африканском корпусе — долгом, который надо вернуть.\n\nТретье. Дроны. Именно под Тинзауатеном впервые всерьёз заговорили о беспилотниках у повстанцев: сбросы гранат на колонны, разведка с коммерческих квадрокоптеров, корректировка огня. Ответом стали ударные беспилотники FAMa, которые с тех пор регулярно работают по району — и регулярно вызывают скандалы из-за жертв среди мирных жителей.\n\nЧетвёртое. Логистика. От Кидаля до Тинзауатена — сотни километров пустыни. Колонна идёт несколько дней и на всём пути уязвима для засад и мин. Держать там постоянный гарнизон тяжело, заходить и выходить — опасно.\n\nВывод: пока на границе с Алжиром нет устойчивого контроля, север Мали будет воевать. Тинзауатен — лакмусовая бумажка этой войны.\n\n#Тинзауатен #Мали #туареги #Вагнер #дроны", key="long_tinz", hits="WAMDT", react="👍510 🤓140 🔥60", note="long post"),
    P("🇳🇪 Нигер: в Ниамее проходит форум по безопасности Альянса государств Сахеля. Главная тема — совместная борьба с беспилотниками боевиков.\n\n#Нигер #АГС", key="niamey_forum", hits="D", react="👍60", note="edited in later snapshot"),
    P("В малийских соцсетях разошлось видео с «русскими в Тимбукту». Это учения, снятые в 2025 году. Не ведитесь.", hits="M", react="👍90"),
    P("Подписчик из Бамако прислал фото: пикап FAMa с надписью «Merci la Russie».", photo="file", hits="M", react="😁160 🔥60"),
    P(key="corps_bio", text="Корпус и «Вагнер» в одном предложении: в Мали сейчас служат люди, которые начинали с «Вагнером» в Сирии, продолжили в ЦАР и теперь носят шеврон Африканского корпуса. Целая эпоха на одной биографии.\n\n#Вагнер #АфриканскийКорпус", hits="WAM", react="🔥220 🤔60"),
    P("⚡️ Дрон-камикадзе атаковал пост малийской армии у Гундама. Двое раненых.\n\n#Мали #дроны", hits="MD", react="🙏70"),
    P("Туареги Нигера пока держатся в стороне от конфликта в Мали, но молодёжь уходит в FLA. Тенденция тревожная для Ниамея.\n\n#туареги #Нигер", hits="TM", react="🤔90"),
    P("Тишина на севере. Подозрительная.", react="🤔90"),
    P("Сухо, жарко, тихо. Редкий день без новостей с севера.", react="👍40"),
    P("⚡️ FAMa и Африканский корпус начали операцию по деблокаде дороги Гао — Кидаль. Работает авиация и ударные беспилотники.\n\n#Мали #АфриканскийКорпус", key="op_gao_kidal", hits="AMD", react="🔥180 👍90", edited=22, note="edited"),
    P("Первые итоги операции: освобождены два участка трассы, разминировано около 40 СВУ. Противник отходит к Тинзауатену.", reply="op_gao_kidal", hits="M", note="only «Тинзауатену» names Mali", react="🔥120"),
    P("🔥", reply="op_gao_kidal", lang="emoji"),
    P("Коллеги из @osbrief_sample перевели наш разбор про Африканский корпус на английский. Спасибо!", hits="A", react="❤️60"),
    P("Пишут, что некоторые западные СМИ всё ещё называют корпус «группой Вагнера». Ну, привычка — вторая натура.\n\n#Вагнер", hits="W", note="«корпус» is Africa Corps only by context", react="😁110"),
    P("⚡️ В Ливии задержан груз коммерческих дронов, предназначавшийся, по данным следствия, боевикам в Сахеле.\n\n#Ливия #дроны", hits="D", react="🤔70"),
    P("Фото дня: малийский спецназ на броне в районе Анефиса.", photo="file", album=1, hits="M", react="🔥100"),
    P("Тинзауатен снова в новостях: по данным туарегских источников, FLA перебрасывает туда подкрепления и зенитные средства. Малийская армия готовится.\n\n#Тинзауатен #туареги", hits="MT", react="🤔140"),
    P("Короткий итог недели в Сахеле: засада у Тинзауатена, операция на трассе Гао — Кидаль, атаки в Буркина-Фасо и Нигере. Сухой сезон входит в силу.\n\n#Сахель", key="week_sum", hits="M", react="👍100"),
]


# ================================================================ 3. Дніпро Пульс (sample)
# Ukrainian city news channel with some Russian posts; «мали» = "had" and «малі» = "small" are traps.

DNIPRO = Channel("dnipro_pulse", "Дніпро Пульс (sample)", 1000000003, first_id=8801, seed=303, default_lang="uk")
DNIPRO.posts = [
    P("📌 **Дніпро Пульс (sample)** — вигаданий канал-зразок для tgmon. Усі новини вигадані, збіги з реальними подіями випадкові.\n\nНадіслати новину: @dnipro_pulse_news_sample_bot", key="about", at="11-01 08:30", note="pinned disclaimer"),
    P(service="pin:about"),
    P("Доброго ранку, Дніпро! ☀️ Сьогодні до +9°, без опадів. Гарного дня всім.", react="❤️120 👍40"),
    P("❗️ Через планові ремонтні роботи в центрі міста змінено маршрути тролейбусів №1 і №9. Подробиці: https://example.org/dnipro/transport/2026-11-02", react="👍60"),
    P("Ми мали надію, що графіки відключень світла цієї зими не повернуться. На жаль, енергетики попереджають: у разі нових атак можливі знеструмлення.", key="had_hope", trap="мали = had", react="😢140 🙏80", note="«мали» = had"),
    P("⚡️ Унаслідок нічної атаки дронів на область пошкоджено об'єкт інфраструктури. Постраждалих немає.\n\n#Дніпро", hits="D", react="🙏200 😡90"),
    P("", photo="file", album=2, note="album, no caption"),
    P("Комунальники прибирають наслідки нічної атаки на лівому березі. Вибиті вікна в трьох будинках, мешканцям надають допомогу.", photo="file", react="🙏160"),
    P("Малі підприємства міста можуть подати заявку на грант для встановлення генераторів. Прийом документів триває до кінця місяця.", key="small_biz", trap="Малі = small", react="👍90", note="«Малі» = small"),
    P("🚗 ДТП на Набережній: Volkswagen Touareg зіткнувся з маршруткою. Травмовано двох пасажирів, рух ускладнено.", key="touareg_car", trap="Touareg = car", photo="file", react="😮60", note="VW Touareg"),
    P("Водія «Туарега», який спричинив ДТП на Набережній, затримали. Він був напідпитку.", reply="touareg_car", trap="Туарег = car", react="😡210", note="«Туарег» car"),
    P("Друзі, ми мали б ще вчора опублікувати результати опитування, але затрималися. Ось вони: 62 % читачів підтримують продовження комендантської години до 5:00.", trap="мали = had", react="👍70 🤔30"),
    P("🎭 У міській опері цього тижня — вечір німецької класики: увертюри Ріхарда Вагнера та симфонія Брамса. Квитки розкуплені.", key="opera_uk", trap="Ріхарда Вагнера", react="❤️180", note="trap: composer"),
    P("Повідомляють, що колишні вагнерівці знову воюють на фронті у складі штурмових загонів. Бійці ЗСУ кажуть: тактика «м'ясних штурмів» нікуди не зникла.\n\n#Вагнер", key="wagnerites", hits="W", react="😡120 🤔40", note="«вагнерівці»"),
    P("🔥", lang="emoji"),
    P("У Новокодацькому районі відкрили новий пункт незламності. Тепло, вода, зв'язок, зарядка для телефонів.", react="👍230 ❤️80"),
    P("Відео: як працює мобільна вогнева група на околицях міста. Збивають шахеди з кулеметів 💪", video=52, key="mvg", hits="D", react="🔥610 💪200"),
    P("Росія перекидає частину колишніх бійців ПВК «Вагнер» з Африки назад на фронт — про це пишуть аналітики. У Малі лишається Африканський корпус.\n\n#Вагнер #Малі", key="wagner_back", hits="WAM", react="🤔160", note="«Малі» = Mali"),
    P("Для тих, хто не розібрався: Малі — держава в Західній Африці, де росіяни вже кілька років воюють проти туарегів і джихадистів. Там же 2024 року вагнерівці зазнали великих втрат.", key="mali_uk", hits="WMT", react="🤓140", note="«Малі», «туарегів», «вагнерівці»"),
    P("Ми мали дуже спокійну ніч. Нарешті. Дякуємо ППО 🙏", trap="мали = had", react="🙏500 ❤️200", note="«Ми мали» = we had"),
    P("В умовах війни мало хто думає про екологію, але волонтери вже вдруге прибрали Монастирський острів від сміття. Молодці!", trap="мало", photo="file", react="❤️260"),
    P("⚡️ Вибухи в місті. Працює ППО. Будьте в укриттях!", hits="", react="🙏300"),
    P("Усе спокійно. Збито всі 7 безпілотників, що летіли на Дніпро.", hits="D", react="🙏400 🔥180"),
    P("Новини спорту: міська футбольна команда виграла виїзний матч з рахунком 2:1. Вітаємо! ⚽️", react="🔥140"),
    P("Поліція розшукує зниклу 14-річну дівчину. Якщо бачили — телефонуйте 102.", photo="ph", react="🙏200"),
    P("Дівчину знайдено, з нею все гаразд. Дякуємо всім, хто поширив!", react="❤️600"),
    P("У Дніпрі відкрили виставку малих архітектурних форм: лавки, альтанки, ліхтарі з переробленого металу.", trap="малих", photo="file", album=1, react="👍90", note="«малих» = small"),
    P("⚡️ Увага! Загроза балістики з півночі. Негайно в укриття!", react="🙏250"),
    P("ОСТАННЄ: у місті чути вибухи. Інформацію уточнюємо.", edited=12, react="🙏300", note="edited"),
    P("Чому у вас постійно пишуть «мали б», «мали»? Бо це українська мова, друзі: «мали» — минулий час від «мати» 🙂 А держава в Африці — Малі.", key="mali_lesson", trap="мали = had", hits="M", react="😁340 🤓120", note="explains the trap; «Малі» hit"),
    P("Сегодня в Днепре тепло и солнечно. Горожане гуляют по набережной, несмотря на тревоги.", lang="ru", react="❤️100"),
    P("Российские военблогеры активно обсуждают «Африканский корпус» и потери под Тинзауатеном. Мы собрали главное, что они пишут.\n\n#Вагнер #Мали", lang="ru", hits="AMW", react="🤔90", note="Russian-language post"),
    P("Підсумки тижня: 23 тривоги, 41 збитий дрон, 3 пошкоджені будинки. Ми мали важкий тиждень, але місто працює.", trap="мали = had", hits="D", react="💪450"),
    P("", photo="file", note="photo, no caption"),
    P("У Малі, за даними західних ЗМІ, російські інструктори навчають місцевих військових керувати дронами. Досвід отримано на війні проти України.\n\n#Малі", key="mali_drones_uk", hits="MD", react="😡80 🤔60"),
    P("🛡 Волонтери відкрили збір на РЕБ для підрозділу, що захищає небо над Дніпром. Деталі в коментарях.", react="🙏150"),
    P("Маленький Артем із Самарського району зібрав 4 000 гривень на дрони для військових, продаючи власні малюнки ❤️", trap="Маленький", hits="D", react="❤️900 🙏300"),
    P("У Дніпрі відновили рух трамваїв на проспекті після пошкодження контактної мережі.", react="👍80"),
    P("Переслано від підписчика: фото зруйнованого складу після атаки шахедів.", fwd_ext=("Олена К.", None), photo="file", hits="D", react="😡60", note="forward from a user (name only)"),
    P("В Днепре после ночной атаки дронов без света остаются около 2 тысяч абонентов. Энергетики обещают восстановить к вечеру.", lang="ru", hits="D", react="🙏120"),
    P("Світло в усіх абонентів відновлено ✅", react="❤️300"),
    P("Цікаве з Африки: туареги з Фронту визволення Азаваду заявили, що збили ще один малійський безпілотник. Відео — у їхньому каналі.\n\n#Малі #туареги", hits="MTD", react="🤔70"),
    P("📅 Анонс: у неділю на Європейській площі — ярмарок для ВПО. Вхід вільний.", react="👍60"),
    P("Ми мали змогу поспілкуватися з пілотами дронів однієї з бригад. Інтерв'ю — найближчими днями.", trap="мали = had", hits="D", react="🔥180"),
    P("**Інтерв'ю. «Небо — це робота, а не гра»**\n\nМи поспілкувалися з оператором розвідувального дрона, який уже два роки працює на Запорізькому напрямку. Його позивний — «Степ».\n\n— Як змінилася робота пілота за останній рік?\n— Кардинально. Раніше ми мали кілька годин, щоб знайти ціль і передати координати. Тепер — хвилини. Противник теж дивиться зверху, тому будь-який рух помітний. Пілот має працювати швидко і з кількох точок.\n\n— Що найважче?\n— Не техніка, а люди. Знайти тих, хто витримає, хто не панікуватиме, коли поруч падає скид. Дрони можна купити, а досвід — ні.\n\n— Чи допомагає РЕБ?\n— І так, і ні. Противник перейшов на оптоволокно, такий дрон не заглушиш. Доводиться збивати з рушниць, ставити сітки над дорогами. Світ змінився: малі дешеві безпілотники стали найнебезпечнішою зброєю на полі бою.\n\n— Кажуть, проти вас воюють колишні вагнерівці?\n— Бувало. Вони йдуть хвилями, не шкодують своїх. Але це вже не ті, що були 2023 року. Багато хто поїхав в Африку, у той самий Африканський корпус.\n\n— Як ви відпочиваєте між змінами?\n— Сплю. Серйозно, це найцінніше. Іноді дзвоню рідним, але коротко: зв'язок — теж ризик. Коли приїжджаю у відпустку до Дніпра, перші два дні просто ходжу набережною і слухаю тишу. Її тут теж мало, але вона є.\n\n— Чи змінилися дрони противника?\n— Так. У них з'явилося багато FPV на оптоволокні та «ждунів», які сідають біля доріг і чекають на техніку. Ми теж вчимося і відповідаємо.\n\n— Що б ви сказали читачам?\n— Донатьте на дрони і на РЕБ. Кожна гривня — це чиєсь життя. І вірте в нас. Ми тримаємося.\n\nПовну версію інтерв'ю читайте на сайті: https://example.org/dnipro/interview-step\n\n#інтервʼю #дрони", key="interview", hits="WAD", trap="мали = had, малі = small, мало", react="🔥700 ❤️400 🙏200", note="long post"),
    P("Хтось питав, чи буде «Дніпро Пульс» публікувати новини з Малі. Відповідь: тільки якщо вони стосуються України 🙂", hits="M", react="😁120"),
    P("⚡️ Загроза удару шахедами по Дніпру. Усі в укриття!", hits="D", react="🙏200"),
    P("Відбій. Збито 12 шахедів.", hits="D", react="🔥400"),
    P("У парку Глоби висадили 300 молодих дубів. Маленький внесок у майбутнє міста 🌳", trap="Маленький", photo="file", album=1, react="❤️500"),
    P("На лівому березі знайшли уламки дрона. Вибухотехніки вже на місці, прохання не підходити.", hits="D", react="🙏80"),
    P("Коротко: мости працюють у звичному режимі.", react="👍40"),
    P("Ніхто не мав сумніву, що місто впорається. І ми впоралися 💪", react="💪600"),
    P("**Енергетика взимку: що чекає на Дніпро**\n\nМи зібрали головне з брифінгу енергетиків і міської влади, щоб кожен розумів, до чого готуватися.\n\nПерше. Графіки відключень наразі не застосовуються, але енергосистема працює з мінімальним запасом. У разі масованої атаки на ТЕС і підстанції відключення можуть повернутися протягом кількох годин. Енергетики просять мешканців заздалегідь зарядити павербанки та мати запас води.\n\nДруге. Місто закупило ще 60 генераторів для лікарень, шкіл і котелень. Малі котельні переводять на резервне живлення, щоб у разі блекауту опалення не зникало. Мали б зробити це раніше — визнають у міськраді, — але затримали постачальники.\n\nТретє. Пункти незламності працюватимуть цілодобово у разі тривалого знеструмлення. Адреси — на сайті міськради та в нашому закріпленому повідомленні.\n\nЧетверте. Найбільша загроза — шахеди та ракети, які противник запускає хвилями. ППО міста посилена, мобільні вогневі групи працюють щоночі, але стовідсоткового захисту немає.\n\nП'яте. Якщо ви маєте приватний будинок, енергетики радять не вмикати потужні прилади одночасно у години пікового навантаження — з 17:00 до 22:00.\n\nШосте. Якщо у вашому будинку живуть люди з інвалідністю або ті, хто залежить від медичного обладнання, повідомте про це в ОСББ чи районну адміністрацію: їх внесуть до списку першочергового відновлення живлення. Волонтери також допомагають із павербанками та зарядними станціями.\n\nСьоме. Не забувайте про сусідів похилого віку: зайдіть, запитайте, чи мають вони воду, ліки й ліхтарик.\n\nБережіть себе та близьких. Ми будемо оновлювати інформацію щодня.\n\n#енергетика #Дніпро", key="energy_long", hits="D", trap="Малі = small, Мали б = had", react="👍800 🙏300", note="long post"),
    P("Оновлення: адреси пунктів незламності — https://example.org/dnipro/punkty", reply="energy_long", react="👍100"),
    P("Чергові «новини» від росіян: нібито «Вагнер» повертається на Запорізький напрямок. Перевіряти не будемо, бо це пропаганда.", hits="W", react="😁90"),
    P("⚡️ Нічна атака: на область летіло понад 30 безпілотників. Більшість збито.", hits="D", edited=35, react="🙏300", note="edited"),
    P("", video=14, media_ph=True, note="video placeholder"),
    P("Мешканцям Амур-Нижньодніпровського району: завтра з 9:00 до 14:00 не буде води через ремонт.", react="😢40"),
    P("Сообщают, что в Днепре проходит фестиваль уличной еды. Вход свободный, рады всем!", lang="ru", react="❤️150"),
    P("Всім гарного вечора 🌙", react="❤️90"),
]


# ================================================================ 4. Open Source Brief (sample)
# English OSINT digest: forwards from the other samples, translations, a few French posts, traps.

OSBRIEF = Channel("open_source_brief", "Open Source Brief (sample)", 1000000004, first_id=501, seed=404, default_lang="en")
OSBRIEF.posts = [
    P("📌 **Open Source Brief (sample)** is a fictional sample channel bundled with tgmon. Every post is invented; any resemblance to real channels is coincidental.\n\nTips: @osbrief_tips_sample_bot", key="about", at="11-01 09:00", note="pinned disclaimer"),
    P(service="pin:about"),
    P(service="photo", note="service: new channel photo"),
    P("Good morning. Today's brief covers the Sahel dry season, drone use on the Kupiansk axis and a new Africa Corps rotation through Bamako.", key="brief1", hits="AD", react="👍40"),
    P("**Sahel primer.** Mali's government relies on its army (FAMa) and Russia's Africa Corps, the Defence Ministry structure that replaced most of the Wagner Group's presence in 2024–25. In the north it faces Tuareg separatists of the FLA and the al-Qaeda affiliate JNIM.\n\n#Mali #AfricaCorps #Wagner", key="primer", hits="WAMT", react="🤓60 👍30"),
    P("Reminder: we translate Russian and Ukrainian channel posts with machine translation plus a human check. Original text is always linked or forwarded.", react="👍25"),
    P("A note on spelling: the border post is Tinzaouaten in French, Tinzawaten or Tin Zaouatene in English sources, Тинзауатен in Russian. Search all of them.", key="spelling", hits="M", react="🤓80", note="spelling variants"),
    P("Translation: \"Breaking. According to local sources, a convoy of the Malian army and Africa Corps fighters was ambushed north of Tinzaouaten. The militants used drones dropping munitions and mined the road. Casualty figures are being clarified.\"", key="ambush_tr", reply="fwd_ambush", hits="AMD", react="👍50", note="translation of the forwarded Sahel Watch post"),
    P("Assessment: this is the most serious incident near Tinzaouaten since the July 2024 battle in which Wagner and FAMa lost dozens of men to Tuareg rebels and JNIM. Watch for Russian milblogger reactions over the next 48 hours.\n\n#Mali #Tinzaouaten", key="ambush_assess", hits="WMT", react="🤔70 👍50"),
    P("Side note for new readers: Richard Wagner, the composer, has nothing to do with any of this. We get that question more often than you'd think.", key="composer1", trap="Richard Wagner, composer", react="😁120", note="trap: composer"),
    P("", photo="file", album=2, note="album, no caption"),
    P("Satellite imagery (commercial, 10 m) of the Kidal area shows new earthworks around the airfield. Likely FAMa or Africa Corps drone revetments.", photo="file", hits="AD", react="🔥40 🤔30"),
    P("Au Burkina Faso, nouvelle attaque contre un convoi dans la région du Sahel. Bilan provisoire: douze morts.", lang="fr", react="😢10", note="French"),
    P("Ukraine: overnight the air force reported 64 Shahed-type drones launched; 52 shot down or jammed.\n\n#Ukraine #drones", hits="D", react="👍30"),
    P("Quote of the day from a Russian milblogger: \"Drones did not abolish infantry.\" Long post, worth reading in full — forwarded below.", key="quote_drones", hits="D", react="🤓40"),
    P("🇫🇷 **En bref.** Les FAMa affirment avoir repoussé une attaque près de Tessalit. Les rebelles touareg du FLA revendiquent de leur côté la destruction d'un drone malien.\n\n#Mali", key="fr1", lang="fr", hits="MTD", react="👍20", note="French"),
    P("Burkina Faso: a supply convoy was attacked in Soum province. At least 20 soldiers and VDP volunteers were reported killed.\n\n#BurkinaFaso", react="😢30"),
    P("The phrase \"Africa Korps\" turns up in some English reporting on Russia's Africa Corps. Do not confuse it with Rommel's Afrika Korps of 1941–43.", key="korps_note", hits="A", trap="Afrika Korps (WWII)", react="🤓60", note="hit plus WWII trap"),
    P("Niger: the AES security forum in Niamey focused on counter-drone measures against militant quadcopters.\n\n#Niger #drones", hits="D", react="👍20"),
    P("OSINT tip: Russian channels often spell Wagner «Вагнер», «ЧВК Вагнер», or call its fighters «музыканты» (musicians). Evasive spellings like «Вaгнер» with a Latin a also turn up.", key="spelling_w", hits="W", note="includes a Latin-a look-alike spelling"),
    P("Long read: 84 years ago this month, the Second Battle of El Alamein broke Rommel's Afrika Korps. A good long read on desert logistics then and now: https://example.org/history/alamein-84", key="alamein", trap="Afrika Korps (WWII)", react="🤓90", note="trap: WWII"),
    P("", photo="ph", note="placeholder photo, no caption"),
    P("Wagner's Ring cycle returns to the stage next season: four operas, fifteen hours. Not our usual beat, but the question keeps coming in.", key="ring", trap="Wagner opera", react="🎻30 😁20", note="trap: opera"),
    P("Mali: the junta extended the curfew in the Ménaka region by a month.\n\n#Mali", hits="M", react="👍15"),
    P("**Daily brief, {day_en}.** Sahel: FAMa–Africa Corps operation on the Gao–Kidal road continues; 40 IEDs cleared according to Malian sources. Ukraine: heavy drone use on the Kupiansk and Siversk axes. Russia: milbloggers fundraising for FPV and EW kits.", hits="AMD", react="👍35"),
    P(key="wagnerites_tr", text="Translation of the Ukrainian post above: \"Former Wagner fighters are again fighting at the front in assault detachments.\" Note the Ukrainian plural «вагнерівці».", hits="W", react="🤓30"),
    P("Somalia is not Mali. Al-Shabaab drone use in Somalia is a separate story; we cover it separately.", key="somalia_en", hits="MD", trap="Somalia", react="😁40", note="«Somalia» contains «mali»"),
    P("Thread on how Malian drone strikes changed the war in the north. 1/3: since 2024 FAMa has fielded Turkish strike drones from Gao, Timbuktu and Sévaré.", key="thread1", hits="MD", react="👍40"),
    P("2/3: militants answered with cheap commercial quadcopters adapted to drop grenades — the same tactic seen in Ukraine. The Tinzaouaten ambush in 2024 was the turning point.", reply="thread1", key="thread2", hits="DM"),
    P("3/3: expect more drone-on-drone fighting in the Sahel as the Africa Corps brings counter-UAS experience from Ukraine.", reply="thread2", hits="AD", react="🤔50"),
    P("A reader asks whether the Dnipro channel's \"ми мали\" is about Mali. It is not: «мали» is the Ukrainian past tense of \"to have\". Mali in Ukrainian is «Малі».", key="mali_trap_en", hits="M", trap="мали = had", react="😁80", note="explains the trap"),
    P("Le président de transition a reçu une délégation russe à Bamako. Au menu: drones, formation et l'avenir de l'Africa Corps au Mali.", lang="fr", hits="AMD", react="👍15", note="French"),
    P("Quiet day. The panel speaker droned on about \"information resilience\" for an hour; we left early.", key="droned_on", trap="droned on", react="😁70", note="trap: «droned on»"),
    P(key="mvg_lead", text="Ukraine: video shows a mobile fire group near Dnipro downing a Shahed with a heavy machine gun. Forwarded from Дніпро Пульс (sample) below.", hits="D", react="🔥30"),
    P("The Malibu wildfire update trending in our feeds today comes from a spam bot network. Ignore it.", key="malibu", trap="Malibu", react="😁50", note="trap: Malibu"),
    P("**Weekly assessment — Sahel, Russia, Ukraine (week {week})**\n\n**1. Mali.** The dry season has begun and both sides are acting on it. The ambush north of Tinzaouaten showed that Tuareg rebels of the FLA and JNIM fighters still coordinate in the far north, and that commercial drones adapted to drop munitions are now standard kit on their side. FAMa and the Africa Corps responded with an operation to reopen the Gao–Kidal road, backed by Turkish strike drones and helicopters. Malian sources claim about 40 IEDs cleared; rebel sources claim a drone shot down near Tessalit, but the photo they circulated is two years old.\n\n**2. The Africa Corps.** Russian milbloggers increasingly describe the corps as the continuation of Wagner by other means: many commanders and fighters served with Wagner in Syria, the Central African Republic and Mali before moving under the Defence Ministry. This matters for analysts because the Wagner label persists in both Russian and Western reporting even where the structure has changed. Our keyword watchlists therefore track Wagner, «Вагнер», «вагнеровцы», «музыканты», Africa Corps and «Африканский корпус» together.\n\n**3. Niger and Burkina Faso.** Niger hosted an AES forum dominated by counter-drone talk. Burkina Faso suffered another deadly convoy ambush in Soum. Neither country reported Africa Corps combat involvement this week.\n\n**4. Ukraine.** Shahed-type drone attacks continued nightly, with Dnipro and the surrounding region among the targets. Ukrainian local channels report mobile fire groups and EW as the main layer of defence against drones. Russian channels boast about FPV and fibre-optic drones on the Kupiansk axis.\n\n**5. What to watch.** Casualty lists from the Tinzaouaten ambush; any Russian statement on losses; signs of Africa Corps reinforcement from Russia; drone incidents around Timbuktu airfield.\n\nSources: forwarded posts in this channel; Sahel Watch (sample); Frontline Dispatch (sample); Дніпро Пульс (sample).\n\n#weekly #Mali #AfricaCorps #Wagner #drones", key="weekly46", hits="WAMDT", react="👍120 🔥40 🤓30", note="long post"),
    P("Correction: in yesterday's assessment we wrote \"Tinzawaten\" once and \"Tinzaouaten\" elsewhere. Both are used; we now standardise on Tinzaouaten.", reply="weekly46", hits="M", edited=9, react="👍20", note="edited"),
    P("🇫🇷 Selon des sources locales, des drones non identifiés ont survolé l'aéroport de Tombouctou. L'armée malienne a placé sa défense antiaérienne en alerte.", lang="fr", hits="MD", react="🤔15", note="French"),
    P(key="ak_hello_tr", text="Translation of a Frontline Dispatch (sample) post: \"Friends from the Africa Corps say hello from +41 heat. They say that after our autumn the Sahel feels like a resort.\"", hits="A", react="😁40"),
    P("", video=33, note="video, no caption"),
    P("Video: Malian strike drone landing at Sévaré airfield, as posted by Sahel Watch (sample). Geolocated by the runway markings.", video=48, hits="MD", react="👍30"),
    P("Map update: incidents in northern Mali, 1–20 November → https://example.org/maps/mali-north-nov\n\n#Mali", hits="M", react="👍25"),
    P("Niger's Tuareg communities have so far stayed out of the Mali conflict, but recruitment by the FLA among young men is rising.\n\n#Niger #Tuareg", hits="TM", react="🤔25"),
    P("Good reminder from a reader: \"Africa Corps\" in Russian is «Африканский корпус», and milbloggers shorten it to «АК» or «Африкорпус». Add both to watchlists.", key="ak_variants", hits="A", react="🤓50"),
    P("CAR: Russian instructors are still widely called \"Wagner\" by locals in Bangui, according to several journalists. Habits outlast brands.", hits="W", react="😁30"),
    P("Bayreuth Festival announces next summer's programme: Wagner's Parsifal and Tristan und Isolde open the season. No, this is not an OSINT story.", key="bayreuth", trap="Wagner opera (Bayreuth)", react="🎻40 😁30", note="trap: opera"),
    P("Daily brief, {day_en}: quiet in the Sahel; 40+ drones over Ukraine overnight; Russian channels claim advances near Kupiansk. Nothing on Wagner today.", hits="DW", react="👍20", note="«Nothing on Wagner» still mentions it"),
    P("🤔", lang="emoji"),
    P("Mali: a kamikaze drone hit a FAMa post near Goundam, two wounded. First confirmed FPV-style attack in the Timbuktu region.\n\n#Mali #drones", key="goundam", hits="MD", edited=48, react="🤔30", note="edited"),
    P("👀", lang="emoji"),
    P("Housekeeping: the tgmon demo replays this channel alongside three others. If you are reading this in a terminal — hello 👋", react="👋60"),
    P(key="bio_tr", text="Translation of Sahel Watch (sample): \"Wagner and the Corps in one sentence: in Mali today serve people who started with Wagner in Syria, continued in CAR and now wear the Africa Corps patch.\"", hits="WAM", react="👍30"),
    P("Correction: a Kidal airfield report in an earlier brief was attributed to FAMa; the source was a Tuareg rebel channel.", hits="MT", react="👍15"),
    P("Expect a slower brief tomorrow.", react="👍10"),
]


# ================================================================ templated volume
# A minority of posts follow fixed formats, as real channels do (air-raid alerts, daily chronicles).


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def frontline_templated() -> list[Post]:
    rng = random.Random(1001)
    regions = ["Белгородской", "Курской", "Брянской", "Воронежской", "Ростовской", "Орловской", "Тульской"]
    kinds = [("беспилотник", "беспилотника", "беспилотников"), ("БПЛА", "БПЛА", "БПЛА"), ("дрон", "дрона", "дронов")]
    posts = []
    for i in range(14):
        n = rng.choice([3, 4, 7, 11, 12, 16, 21, 22, 31])
        kind = kinds[i % len(kinds)]
        region = regions[i % len(regions)]
        tail = rng.choice(["", " Пострадавших нет.", " Повреждены линии электропередачи.", " Обломки упали на поле."])
        posts.append(P(f"⚡️ Ночью над {region} областью сбито {n} {ru_plural(n, *kind)}.{tail}\n\n#ПВО", hits="D", react=f"👍{rng.randrange(80, 400)}", note="templated"))
    return posts


def sahel_templated() -> list[Post]:
    rng = random.Random(2002)
    items = [
        ("🇲🇱", "Мали", "Менака", "нападение на пост FAMa отбито", "M"),
        ("🇲🇱", "Мали", "Тимбукту", "колонна снабжения прибыла без потерь", "M"),
        ("🇲🇱", "Мали", "Мопти", "армия сообщает о задержании двух подозреваемых в подготовке теракта", "M"),
        ("🇲🇱", "Мали", "Гао", "разведывательный беспилотник FAMa обнаружил лагерь боевиков", "MD"),
        ("🇲🇱", "Мали", "Кидаль", "у аэродрома слышна стрельба, подробностей нет", "M"),
        ("🇳🇪", "Нигер", "Тахуа", "армия провела рейд против контрабандистов оружия", ""),
        ("🇳🇪", "Нигер", "Агадес", "туарегские старейшины провели встречу с губернатором", "T"),
        ("🇧🇫", "БуркинаФасо", "Дори", "атака на колонну отбита при поддержке авиации", ""),
        ("🇧🇫", "БуркинаФасо", "Джибо", "в город доставлен гуманитарный груз", ""),
        ("🇲🇱", "Мали", "Сегу", "FAMa и Африканский корпус провели совместное патрулирование", "MA"),
        ("🇲🇱", "Мали", "Ансонго", "ударный беспилотник поразил пикап боевиков", "MD"),
        ("🇳🇪", "Нигер", "Тиллабери", "в районе границы с Мали замечена колонна мотоциклистов", "M"),
    ]
    posts = []
    for flag, tag, place, event, hits in items:
        time_word = rng.choice(["Утром", "Днём", "Вечером", "Ночью"])
        posts.append(P(f"{flag} #хроника #{tag}\n{place}: {time_word.lower()} {event}.", hits=hits, note="templated"))
    return posts


def dnipro_templated() -> list[Post]:
    posts = []
    for i in range(10):
        region = "Дніпрі та області" if i % 3 else "Дніпровському районі"
        posts.append(P(f"🔴 Повітряна тривога в {region}! Прямуйте до укриття.", react=f"🙏{40 + 17 * i}", note="templated alert"))
        posts.append(P(f"🟢 Відбій повітряної тривоги в {region}.", note="templated all-clear"))
    return posts


def osbrief_templated() -> list[Post]:
    lines = [
        ("Sahel quiet; Niger reports an arms-smuggling raid near Tahoua; Ukraine: 28 drones overnight.", "D"),
        ("Mali: FAMa resupply convoy reached Timbuktu; Burkina Faso: attack repelled near Dori.", "M"),
        ("Russia: milbloggers fundraise for thermal imagers; Ukraine: power cuts in Dnipro after drone strikes.", "D"),
        ("Mali: joint FAMa–Africa Corps patrol around Ségou; no incidents reported.", "MA"),
        ("CAR: elections calendar published; no security incidents reported.", ""),
        ("Ukraine: ballistic missile alert in Dnipro; Sahel: nothing significant.", ""),
        ("Niger: Tuareg elders met the governor of Agadez; Mali: shooting near Kidal airfield overnight.", "TM"),
        ("Libya: calm in the east; Mali: drone sighting over Gao base, unconfirmed.", "MD"),
    ]
    return [P(f"Daily brief: {line}", hits=hits, note="templated") for line, hits in lines]


def spread(posts: list[Post], extra: list[Post], skip: int = 4) -> list[Post]:
    """Insert templated posts evenly after the first `skip` posts, keeping their order."""
    head, body = posts[:skip], posts[skip:]
    merged: list[Post] = []
    step = len(body) / (len(extra) + 1)
    slots = {round(step * (i + 1)): i for i in range(len(extra))}
    for index, post in enumerate(body):
        if index in slots:
            merged.append(extra[slots[index]])
        merged.append(post)
    return head + merged


def assemble() -> None:
    """Add templated posts and the cross-channel forwards (placed next to related posts)."""
    FRONTLINE.posts = spread(FRONTLINE.posts, frontline_templated())
    SAHEL.posts = spread(SAHEL.posts, sahel_templated())
    DNIPRO.posts = spread(DNIPRO.posts, dnipro_templated())
    OSBRIEF.posts = spread(OSBRIEF.posts, osbrief_templated())
    sw = "sahel_watch"
    fd = "frontline_dispatch"
    dp = "dnipro_pulse"
    # The same Russian ambush report forwarded into three channels, plus a copy-paste without header.
    unit(FRONTLINE, (sw, "convoy_ambush"), P(fwd=(sw, "convoy_ambush"), key="fwd_ambush", react="🙏210 😢90"), P("Коллеги из Сахеля держат в курсе. Молимся за парней 🙏", reply="fwd_ambush", react="🙏300"))
    unit(FRONTLINE, (sw, "wagner_exit"), P(fwd=(sw, "wagner_exit"), react="👍140"))
    unit(DNIPRO, (sw, "convoy_ambush"), P(fwd=(sw, "convoy_ambush"), key="fwd_ambush", react="🤔40"), P("Росіяни знову зазнали втрат у Малі. Публікуємо мовою оригіналу.", reply="fwd_ambush", hits="M", react="😁120"))
    ambush = next(p for p in SAHEL.posts if p.key == "convoy_ambush")
    copy_text = ambush.text.replace("**Срочно.**", "Срочно.").replace("колонна малийской", "колонна  малийской")
    unit(DNIPRO, (fd, "fwd_ambush"), P(copy_text, key="copy_ambush", hits=ambush.hits, lang="ru", note="copy-paste of the Sahel Watch post, no forward header"))
    unit(DNIPRO, (fd, "muz1"), P(fwd=(fd, "muz1"), react="😡60"))
    unit(DNIPRO, (fd, "opera_joke"), P(fwd=(fd, "opera_joke"), key="fwd_opera", react="🤡90"), P("Російські воєнкори жартують про оперу Вагнера. Без коментарів 🤡", reply="fwd_opera", trap="опера Вагнера", react="😁80"))
    unit(DNIPRO, (sw, "op_gao_kidal"), P(fwd=(sw, "op_gao_kidal"), react="🤔30"))
    unit(OSBRIEF, (sw, "convoy_ambush"), P(fwd=(sw, "convoy_ambush"), key="fwd_ambush", react="👀40"), "ambush_tr", "ambush_assess")
    unit(OSBRIEF, (fd, "fwd_ambush"), P(fwd=(fd, "fwd_ambush"), note="forwarded from Frontline's forward: header still names Sahel Watch"))
    unit(OSBRIEF, (fd, "long_drones"), "quote_drones", P(fwd=(fd, "long_drones"), react="🤓30"))
    unit(OSBRIEF, (sw, "tessalit_drone"), P(fwd=(sw, "tessalit_drone")), "fr1")
    unit(OSBRIEF, (sw, "drone_strike"), P(fwd=(sw, "drone_strike"), key="fwd_strike", react="🤔20"), P("Translation: \"A FAMa drone struck militant positions near Abeibara… Tuareg sources report civilian deaths.\" Two versions, as usual.", reply="fwd_strike", hits="MDT"))
    unit(OSBRIEF, (fd, "muz1"), P(fwd=(fd, "muz1"), react="🤓20"))
    unit(OSBRIEF, (sw, "fama_drones"), P(fwd=(sw, "fama_drones")))
    unit(OSBRIEF, (dp, "wagnerites"), P(fwd=(dp, "wagnerites")), "wagnerites_tr")
    unit(OSBRIEF, (dp, "mvg"), "mvg_lead", P(fwd=(dp, "mvg"), react="🔥50"))
    unit(OSBRIEF, (fd, "opera_joke"), P(fwd=(fd, "opera_joke"), key="fwd_opera"), P("Translation: \"Moscow, evening, the Bolshoi. Some go to a Wagner opera, some go to the enlistment office.\" A joke, not a Wagner Group story.", reply="fwd_opera", trap="Wagner opera", react="😁30"))
    unit(OSBRIEF, (fd, "ak_hello"), P(fwd=(fd, "ak_hello")), "ak_hello_tr")
    unit(OSBRIEF, (sw, "corps_bio"), P(fwd=(sw, "corps_bio"), key="fwd_bio"), "bio_tr")
    unit(OSBRIEF, (dp, "mali_lesson"), P(fwd=(dp, "mali_lesson")), "mali_trap_en")
    unit(OSBRIEF, (sw, "somalia"), P(fwd=(sw, "somalia")))


def unit(channel: Channel, anchor: tuple[str, str], *items: Post | str) -> None:
    """Queue posts to be placed right after `anchor`'s time; a string moves an existing post by key."""
    posts: list[Post] = []
    for item in items:
        if isinstance(item, str):
            index = next(i for i, p in enumerate(channel.posts) if p.key == item)
            posts.append(channel.posts.pop(index))
        else:
            posts.append(item)
    channel.units.append((anchor, posts))


# ================================================================ later snapshot of Sahel Watch
# The same channel exported again two days later: 4 posts edited, 2 deleted (simply absent), 5 new.

LATER_EDITS = {
    "convoy_ambush": ("11-25 09:14", "⚡️⚡️ **Срочно.** По сообщениям местных источников, колонна малийской армии и бойцов Африканского корпуса попала в засаду к северу от Тинзауатена. Боевики применили беспилотники со сбросами и заминировали дорогу. По уточнённым данным, погибли 12 человек, среди них двое российских военных.\n\n#Мали #АфриканскийКорпус #Тинзауатен"),
    "casualties": ("11-25 09:20", "Ещё о засаде у Тинзауатена. Малийская армия опубликовала уточнённый список погибших: 12 человек, в том числе двое российских военных. Один раненый скончался в госпитале в Гао.\n\n#Тинзауатен #Мали"),
    "niamey_forum": ("11-25 11:02", "🇳🇪 Нигер: в Ниамее завершился форум по безопасности Альянса государств Сахеля. Принято решение о создании общей системы борьбы с беспилотниками и о совместных учениях с Африканским корпусом.\n\n#Нигер #АГС #АфриканскийКорпус"),
    "ambush_followup": ("11-25 12:40", "Источник в Гао подтверждает: колонна продолжила движение после боя. Потери есть, но не катастрофические. Беспилотник противника сбит, второй посажен средствами РЭБ."),
}
LATER_HITS = {"niamey_forum": "AD"}
LATER_DELETED = ["drone_strike", "gao_mortar"]
LATER_NEW = [
    P("⚡️ Утро 25 ноября: в районе Тинзауатена снова бой. По данным туарегских источников, FLA атаковала позиции FAMa у границы с Алжиром.\n\n#Мали #Тинзауатен #туареги", at="11-25 07:41", hits="MT", react="🤔60"),
    P("Армия Мали подтверждает бой и сообщает об отражении атаки при поддержке беспилотников и вертолётов Африканского корпуса.", at="11-25 10:05", hits="MAD", react="👍40"),
    P("Фото с места боя, опубликованное малийской армией.", photo="file", album=1, at="11-25 10:30", hits="M"),
    P("Друзья, пост об ударе у Абейбары мы удалили: фотографии оказались старыми, а вторая сторона не подтвердила данные. Приносим извинения.", at="11-25 13:15", note="explains a deletion"),
    P("Вечером в Бамако прошёл митинг в поддержку армии и российских военных. Лозунги — «Мали — суверенна», «Спасибо, Россия».\n\n#Мали", at="11-25 19:02", hits="M", react="🔥50"),
]


def build_later(sahel: Built, built: dict[str, Built]) -> tuple[dict[str, object], list[tuple[int, Post, str]], dict[str, object]]:
    """Apply the later snapshot's edits, deletions and new posts to a copy of Sahel Watch."""
    messages = copy.deepcopy(sahel.messages)
    by_id = {m["id"]: m for m in messages}
    rows = {row[0]: row for row in sahel.rows}
    changes: dict[str, object] = {"edited": [], "deleted": [], "new": []}
    for key, (when, text) in LATER_EDITS.items():
        message = by_id[sahel.ids[key]]
        month_day, clock = when.split()
        month, day = (int(x) for x in month_day.split("-"))
        hour, minute = (int(x) for x in clock.split(":"))
        edited = datetime(2026, month, day, hour, minute, 7)
        rebuilt: dict[str, object] = {}
        for name, value in message.items():
            if name in ("edited", "edited_unixtime"):
                continue
            rebuilt[name] = value
            if name == "date_unixtime":
                rebuilt["edited"] = local_str(edited)
                rebuilt["edited_unixtime"] = unix_str(edited)
        rebuilt["text"], rebuilt["text_entities"] = text_fields(text)
        message.clear()
        message.update(rebuilt)
        old = rows[message["id"]]
        row = copy.copy(old[1])
        row.hits = LATER_HITS.get(key, row.hits)
        if "in later snapshot" not in row.note:
            row.note = (row.note + "; " if row.note else "") + "edited in later snapshot"
        rows[message["id"]] = (old[0], row, old[2])
        changes["edited"].append(message["id"])  # type: ignore[union-attr]
    for key in LATER_DELETED:
        message_id = sahel.ids[key]
        messages.remove(by_id[message_id])
        del rows[message_id]
        changes["deleted"].append(message_id)  # type: ignore[union-attr]
    tail = Channel(SAHEL.slug, SAHEL.name, SAHEL.peer_id, first_id=int(sahel.messages[-1]["id"]) + 2, seed=909, default_lang="ru", posts=list(LATER_NEW), media_start=60)
    new = build_channel(tail, built)
    messages.extend(new.messages)
    for row in new.rows:
        rows[row[0]] = row
        changes["new"].append(row[0])  # type: ignore[union-attr]
    export = {"name": SAHEL.name, "type": "public_channel", "id": SAHEL.peer_id, "messages": messages}
    return export, [rows[k] for k in sorted(rows)], changes


# ================================================================ validation, README table, main


def validate(export: dict[str, object], label: str) -> None:
    """Fail loudly if a file breaks a Telegram Desktop invariant tgmon relies on."""
    messages = export["messages"]
    assert isinstance(messages, list)
    last = 0
    ids = set()
    for message in messages:
        mid = message["id"]
        assert mid > last, f"{label}: id {mid} not increasing"
        last = mid
        ids.add(mid)
        local = datetime.strptime(message["date"], "%Y-%m-%dT%H:%M:%S")
        assert unix_str(local) == message["date_unixtime"], f"{label}: {mid} date/unixtime"
        if "edited" in message:
            edited = datetime.strptime(message["edited"], "%Y-%m-%dT%H:%M:%S")
            assert unix_str(edited) == message["edited_unixtime"] and edited > local, f"{label}: {mid} edited"
        text, entities = message["text"], message["text_entities"]
        assert isinstance(entities, list) and all(isinstance(e, dict) for e in entities)
        if isinstance(text, str):
            assert all(e["type"] == "plain" for e in entities), f"{label}: {mid} str text with entities"
            assert "".join(e["text"] for e in entities) == text, f"{label}: {mid} plain mismatch"
        else:
            assert len(text) == len(entities), f"{label}: {mid} entity count"
            for part, entity in zip(text, entities, strict=True):
                if isinstance(part, str):
                    assert entity == {"type": "plain", "text": part}, f"{label}: {mid} plain part"
                else:
                    assert part == entity and entity["type"] != "plain", f"{label}: {mid} entity part"
        if "reply_to_message_id" in message:
            assert message["reply_to_message_id"] < mid, f"{label}: {mid} reply forward in time"
    assert len(ids) == len(messages)


def first_line(export: dict[str, object], message_id: int) -> str:
    for message in export["messages"]:  # type: ignore[union-attr]
        if message["id"] == message_id:
            text = message["text"]
            flat = text if isinstance(text, str) else "".join(p if isinstance(p, str) else p["text"] for p in text)
            flat = " ".join(flat.split())
            if not flat:
                media = "photo" if "photo" in message else message.get("media_type", message.get("action", ""))
                return f"({media})"
            return (flat[:70] + "…") if len(flat) > 70 else flat
    return ""


def table(rows: list[tuple[int, Post, str]], export: dict[str, object]) -> str:
    lines = ["| id | lang | expected topics | trap words (must not match) | note | text |", "|---|---|---|---|---|---|"]
    for message_id, post, lang in rows:
        if not (post.hits or post.trap or (post.note and post.note not in ("templated", "templated alert", "templated all-clear"))):
            continue
        topics = ", ".join(TOPICS[c] for c in post.hits)
        snippet = first_line(export, message_id).replace("|", "\\|")
        lines.append(f"| {message_id} | {lang} | {topics} | {post.trap} | {post.note} | {snippet} |")
    return "\n".join(lines)


def expected_entries(rows: list[tuple[int, Post, str]]) -> list[dict[str, object]]:
    return [
        {"id": mid, "lang": lang, "topics": [TOPICS[c] for c in post.hits], "trap": post.trap, "note": post.note}
        for mid, post, lang in rows
    ]


def counts(rows: list[tuple[int, Post, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, _, lang in rows:
        out[lang] = out.get(lang, 0) + 1
    return dict(sorted(out.items()))


def dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def generate() -> dict[Path, str]:
    """Build every output file in memory: exports, expected.json and the README."""
    assemble()
    built: dict[str, Built] = {}
    for channel in (SAHEL, FRONTLINE, DNIPRO, OSBRIEF):
        built[channel.slug] = build_channel(channel, built)
    files: dict[Path, str] = {}
    exports: dict[str, dict[str, object]] = {}
    for slug in ("frontline_dispatch", "sahel_watch", "dnipro_pulse", "open_source_brief"):
        channel = built[slug].channel
        export = {"name": channel.name, "type": "public_channel", "id": channel.peer_id, "messages": built[slug].messages}
        validate(export, slug)
        exports[slug] = export
        files[HERE / slug / "result.json"] = dump(export)
    later, later_rows, changes = build_later(built["sahel_watch"], built)
    validate(later, "later/sahel_watch")
    files[HERE / "later" / "sahel_watch" / "result.json"] = dump(later)
    expected: dict[str, object] = {
        "topics": TOPICS,
        "channels": {slug: expected_entries(built[slug].rows) for slug in exports},
        "later/sahel_watch": {"changes": changes, "messages": expected_entries(later_rows)},
    }
    files[HERE / "expected.json"] = dump(expected)
    sections = []
    for slug, export in exports.items():
        rows = built[slug].rows
        lang = ", ".join(f"{k} {v}" for k, v in counts(rows).items())
        sections.append(f"### {export['name']} — `{slug}/result.json`\n\n{len(rows)} messages ({lang}).\n\n{table(rows, export)}\n")
    later_lang = ", ".join(f"{k} {v}" for k, v in counts(later_rows).items())
    sections.append(
        f"### Later snapshot — `later/sahel_watch/result.json`\n\n{len(later_rows)} messages ({later_lang}). "
        f"Edited: {', '.join(map(str, changes['edited']))}; absent (deleted): {', '.join(map(str, changes['deleted']))}; "
        f"new: {', '.join(map(str, changes['new']))}.\n\n{table(later_rows, later)}\n"
    )
    edited = sum(1 for export in exports.values() for m in export["messages"] if "edited" in m)  # type: ignore[union-attr]
    readme = README.replace("{{TABLES}}", "\n".join(sections)).replace("{{SUMMARY}}", summary(built, later_rows))
    files[HERE / "README.md"] = readme.replace("{{EDITED}}", str(edited))
    return files


def summary(built: dict[str, Built], later_rows: list[tuple[int, Post, str]]) -> str:
    lines = ["| channel | messages | languages | with expected topics | with trap words |", "|---|---|---|---|---|"]
    for slug in ("frontline_dispatch", "sahel_watch", "dnipro_pulse", "open_source_brief"):
        rows = built[slug].rows
        lang = ", ".join(f"{k} {v}" for k, v in counts(rows).items())
        hits = sum(1 for _, p, _ in rows if p.hits)
        traps = sum(1 for _, p, _ in rows if p.trap)
        lines.append(f"| {built[slug].channel.name} | {len(rows)} | {lang} | {hits} | {traps} |")
    lang = ", ".join(f"{k} {v}" for k, v in counts(later_rows).items())
    lines.append(f"| later/sahel_watch | {len(later_rows)} | {lang} | {sum(1 for _, p, _ in later_rows if p.hits)} | {sum(1 for _, p, _ in later_rows if p.trap)} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    files = generate()
    if "--check" in argv:
        stale = [str(path.relative_to(HERE)) for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
        if stale:
            print("out of date: " + ", ".join(stale))
            return 1
        print(f"{len(files)} files up to date")
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files")
    return 0


README = """# Sample Telegram Desktop exports

<!-- Generated by make_samples.py: edit the script, then run `python config/samples/make_samples.py`. -->

Four **fictional** public channels, written as Telegram Desktop "Export chat history" JSON
(`result.json`, single-chat shape), so that `tgmon demo` can run the whole pipeline offline and
so that watchlist authors can measure recall and false positives. Every post is invented; no
post is attributed to a real channel, and no real private person is named. Dates run from
2026-11-01 to 2026-11-24; `date` is the exporter's local time (UTC+3, no offset) and
`date_unixtime` the true instant.

| directory | channel | peer id | style |
|---|---|---|---|
| `frontline_dispatch/` | Frontline Dispatch (sample) | 1000000001 | Russian milblogger: ⚡️ breaking one-liners, daily «Сводка», long analysis, fundraising, drones everywhere, Wagner/Africa Corps asides |
| `sahel_watch/` | Sahel Watch (sample) | 1000000002 | Russian-language Sahel channel: Mali, FAMa, «Вагнер»/«вагнеровцы», «Африканский корпус», туареги, Тинзауатен, Niger, Burkina Faso, drones |
| `dnipro_pulse/` | Дніпро Пульс (sample) | 1000000003 | Ukrainian city news (some posts in Russian): alerts, energy, drones; «мали» = "had" and «малі» = "small" traps, «Малі» = Mali, «вагнерівці» |
| `open_source_brief/` | Open Source Brief (sample) | 1000000004 | English OSINT digest: forwards from the other three, translations, a few French posts, composer/opera/WWII traps |
| `later/sahel_watch/` | Sahel Watch (sample), exported again | 1000000002 | the same channel two days later, for replaying edits and deletions |

## Summary

{{SUMMARY}}

Language labels come from the letters of each post (mostly Latin → en; otherwise і ї є ґ → uk,
other Cyrillic → ru) with hand overrides (fr, short posts); `none` is a message
without text (caption-less photos and videos, album members, service messages), `emoji` an
emoji-only post.

## What the files exercise

- **Format.** `text` as a plain string and as a list mixing strings with `bold`, `italic`,
  `hashtag`, `mention`, `link` and `text_link` objects; `text_entities` always a list; albums
  (several consecutive ids, same second, caption on the first only); photos with real paths and
  with the placeholder "(File not included. Change data exporting settings to download.)";
  videos and animations (`file`, `thumbnail`, `media_type`, `mime_type`, `duration_seconds`);
  reactions; replies; service messages (`pin_message`, `edit_group_photo`); gaps in ids (posts
  deleted before the export); `edited`/`edited_unixtime` on {{EDITED}} posts; emoji-only and very short
  posts; posts longer than 1,500 characters (two per channel).
- **Forwards and duplicates.** The Sahel Watch ambush report (the post with «Срочно» about
  Тинзауатен) is forwarded into Frontline Dispatch, Дніпро Пульс and Open Source Brief, and Open
  Source Brief forwards Frontline's copy again (Telegram keeps the first author, so the header
  still names Sahel Watch). Дніпро Пульс also carries a **copy-paste without a forward header**
  whose text differs only in formatting and whitespace: `monitor.core.text.content_hash` of the plain
  text equals the original's. All of these should end up as **one alert listing every copy**.
  Other forwards: Frontline's «музыканты» post (into Дніпро Пульс and Open Source Brief), the
  opera joke (trap) into both, Дніпро Пульс posts into Open Source Brief; one forward from an
  outside channel, one from a user (name, no id) and one with a hidden origin (`null`).
- **Inflection and spelling.** «Мали» (indeclinable) next to «малийской армии», «малийский»;
  «Вагнер», «Вагнера», «вагнеровцы», «вагнеровец», ЧВК «Вагнер», slang «музыканты»/«оркестр»;
  «Африканский корпус», «Африканского корпуса», #АфриканскийКорпус; «туареги», «туарегов»,
  «туарегские», «туарегский»; «Тинзауатен», «Тинзауатена», Tinzaouaten, Tinzawaten;
  «беспилотник», «беспилотника», БПЛА, FPV, «дрон», «шахед»; Ukrainian «Малі», «вагнерівці»,
  «безпілотник», «туарегів»; English and French forms (Africa Corps, Wagner Group, touareg,
  drone malien). One post contains «Вaгнер» written with a Latin "a" (normalise_text fixes it).
  Hashtags glue words: #АфриканскийКорпус, #Мали, #Тинзауатен.
- **Traps (must not match).** «малина» (a call sign), «маленький/маленькая/маленького», «мало»,
  «Малави», «Сомали» (contains «мали»), Ukrainian «мали/ми мали/мали б» (= had) and «малі/малих»
  (= small), «Рихард Вагнер», «Ріхарда Вагнера», «опера Вагнера», Wagner's Ring/Parsifal/Bayreuth, Rommel's Afrika
  Korps, "droned on", Malibu, Volkswagen Touareg/«Туарег» (a car crash). Some posts
  mix a trap with a real hit (for example the «оркестр» post explains the slang by the composer);
  those are listed with both columns filled.

## Later snapshot

`later/sahel_watch/result.json` is Sahel Watch exported again on 2026-11-25. Compared with
`sahel_watch/result.json` it has:

- **4 edited posts**: the same ids with new text and a new `edited`/`edited_unixtime` (one of
  them was already edited in the first export, one is the ambush report that other channels
  forwarded — their copies keep the old text, as in Telegram);
- **2 deleted posts**: they are simply absent. A desktop export cannot say "deleted"; a replay
  concludes it only by comparing with an earlier import of the same channel (one deleted post
  had been forwarded to Open Source Brief, whose copy survives; one has replies pointing at it);
- **5 new posts** at the end (6 messages: one is a two-photo album), after one skipped id.

Replaying `sahel_watch/` and then `later/sahel_watch/` should record 4 new versions and mark 2
posts deleted, never remove them.

## Expected matches

`expected.json` holds the same information as the tables below, machine-readable: for every
message of every file, its `id`, `lang`, expected `topics` (Wagner, Africa Corps, Mali, drone,
Tuareg) and `trap` words. A message is listed under a topic when it **names** the topic in any
language, inflection, spelling or hashtag — not when the topic is only implied:

- **Wagner**: Wagner, «Вагнер» and its cases, «вагнеровец/вагнеровцы», «вагнерівці», ЧВК/ПВК
  «Вагнер», and the slang «музыканты»/«оркестр» (hard for keyword rules; listed on purpose);
- **Africa Corps**: Africa Corps / Africa Korps (the Russian one), «Африканский корпус»,
  «Африканський корпус», #АфриканскийКорпус, «Африкорпус» (a bare «корпус» does not count);
- **Mali**: Mali, Malian, malien, «Мали», «малийский», «Малі», «малійський», **FAMa** (the
  Malian army) and **Tinzaouaten** in every spelling («Тинзауатен», Tinzawaten), a place in Mali;
- **drone**: drone, UAV, quadcopter, FPV, Shahed, «беспилотник», БПЛА, «дрон», «Мавик»,
  «Герань», «Лютый», «безпілотник», «шахед»;
- **Tuareg**: Tuareg/touareg, «туареги» and its cases, «туарегский» (FLA or Azawad alone
  does not count); the Volkswagen car is a trap.

Hashtags count; «Мали» inside «Сомали» does not. A
forwarded copy expects the same topics as its original. The tables list only messages with an
expected topic, a trap or a note; every other message should match nothing.

{{TABLES}}
## Regenerating

```
python config/samples/make_samples.py          # rewrite all files
python config/samples/make_samples.py --check  # exit 1 if any file is out of date
```

The script is deterministic (seeded `random.Random`, no clock): running it twice gives
byte-identical files. JSON is written like Telegram Desktop (`ensure_ascii=False`, `indent=1`).
"""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
