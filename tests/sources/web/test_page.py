"""The web preview parser over saved pages (tests/data/web): what a user would see stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.events import ChannelPost
from monitor.sources.web.page import parse_count, parse_landing, parse_page

DATA = Path(__file__).resolve().parents[2] / "data" / "web"


def _page(name: str) -> dict[int, ChannelPost]:
    page = parse_page((DATA / name).read_text(encoding="utf-8"))
    return {p.message_id: p for p in page.posts}


def _spans(post: ChannelPost) -> list[tuple[str, str, str | None]]:
    return [(e.type, post.text[e.offset : e.offset + e.length], e.url) for e in post.entities]


def test_page_identity_and_paging() -> None:
    page = parse_page((DATA / "channel_page.html").read_text(encoding="utf-8"))
    assert (page.username, page.title) == ("greyzone", "Серая Зона")
    assert page.channel_id == 1289637461  # the real id from data-view, not a stand-in
    assert page.before == 5101
    assert page.service_ids == (5108,)  # the pin is a service message, not a post
    assert not page.truncated
    assert [p.message_id for p in page.posts] == sorted(p.message_id for p in page.posts)
    assert all(p.channel_id == 1289637461 for p in page.posts)


@pytest.mark.parametrize(
    ("message_id", "expected"),
    [
        (
            5101,
            [
                ("bold", "Сводка за сутки", None),
                ("italic", "Запорожском", None),
                ("text_link", "карта", "https://rybar.ru/svodka-30-11/"),
                ("link", "https://example.org/report", "https://example.org/report"),
                ("hashtag", "#сводка", None),
                ("hashtag", "#Mali", None),
                ("mention", "@rybar", None),
            ],
        ),
        (5105, [("bold", "Важно", None)]),
        (5112, [("italic", "повний звіт", None)]),
        (
            5113,
            [
                ("spoiler", "без цензуры", None),
                ("strikethrough", "ранее", None),
                ("underline", "впервые", None),
                ("code", "код", None),
            ],
        ),
        (5114, [("text_link", "смотреть", "https://www.youtube.com/watch?v=abc")]),
    ],
)
def test_entities_cover_the_right_characters(
    message_id: int, expected: list[tuple[str, str, str | None]]
) -> None:
    assert _spans(_page("channel_page.html")[message_id]) == expected


def test_emoji_image_is_text_not_bold_and_line_breaks_survive() -> None:
    post = _page("channel_page.html")[5101]
    assert post.text.startswith("⚡Сводка за сутки\n\nНа Запорожском")
    assert post.entities[0].offset == 1  # bold starts after the emoji


@pytest.mark.parametrize(
    ("message_id", "kind", "facts"),
    [
        (5102, "album", {"count": 3, "first_message_id": 5102}),
        (5109, "photo", {"count": 1}),
        (5111, "poll", {"question": "Что будет дальше?", "answers": ["Наступление", "Переговоры"]}),
        (5112, "document", {"file_name": "doklad_ISW_30-11.pdf", "size_text": "2.4 MB"}),
        (5113, "video", {"count": 1, "duration": 3725}),
        (5114, "webpage", {"site_name": "YouTube", "title": "Прямой эфир"}),
        (5110, None, {}),
    ],
)
def test_media_kind_and_details(
    message_id: int, kind: str | None, facts: dict[str, object]
) -> None:
    post = _page("channel_page.html")[message_id]
    assert post.media_kind == kind
    for key, value in facts.items():
        assert (post.media or {})[key] == value


def test_album_is_one_post_grouped_with_its_items() -> None:
    album = _page("channel_page.html")[5102]
    assert album.grouped_id == 5102
    assert [i["message_id"] for i in album.media["items"]] == [5102, 5103, 5104]  # type: ignore[index]
    assert [i["kind"] for i in album.media["items"]] == ["photo", "photo", "video"]  # type: ignore[index]
    assert "вагнеровцев" in album.text


def test_forwards_replies_views_and_edited_mark() -> None:
    posts = _page("channel_page.html")
    linked = posts[5105]
    assert (linked.fwd_from_name, linked.fwd_from_message_id) == ("Военкор Котёнок Z", 61234)
    assert linked.media == {"forwarded_from_url": "https://t.me/voenkorKotenok/61234"}
    assert linked.fwd_from_channel_id is None  # the preview shows a username, not an id
    hidden = posts[5106]
    assert (hidden.fwd_from_name, hidden.fwd_from_message_id) == ("Скрытый автор", None)
    assert posts[5107].reply_to_message_id == 5101
    assert posts[5107].media == {"edited_mark": True}
    assert posts[5107].edited_at is None  # the preview never says when
    assert [posts[i].views for i in (5101, 5110, 5113, 5114)] == [48100, 101000, 7, 1_100_000]


def test_what_the_preview_cannot_show_is_absent_not_zero() -> None:
    for post in _page("channel_page.html").values():
        assert post.forwards is None
        assert post.replies is None
        assert post.reactions is None


def test_media_only_long_and_non_latin_posts() -> None:
    posts = _page("channel_page.html")
    assert posts[5109].text == "" and posts[5109].media_kind == "photo"
    assert len(posts[5110].text) > 3500
    assert posts[5110].entities[-1].type == "hashtag"
    assert "العربية: تقرير كامل" in posts[5112].text


def test_truncated_page_keeps_complete_posts_and_says_so() -> None:
    page = parse_page((DATA / "truncated.html").read_text(encoding="utf-8"))
    assert page.truncated
    ids = [p.message_id for p in page.posts]
    assert ids[-1] == 5112 and 5113 not in ids


def test_oldest_page_has_no_older_link() -> None:
    page = parse_page((DATA / "channel_oldest.html").read_text(encoding="utf-8"))
    assert page.before is None
    assert page.service_ids == (1,)
    assert [(p.message_id, p.media_kind) for p in page.posts] == [(2, None), (3, "sticker")]


@pytest.mark.parametrize(
    ("name", "exists", "title"),
    [("no_preview.html", True, "Закрытый канал"), ("missing.html", False, None)],
)
def test_landing_tells_restricted_from_missing(name: str, exists: bool, title: str | None) -> None:
    landing = parse_landing((DATA / name).read_text(encoding="utf-8"))
    assert (landing.exists, landing.title) == (exists, title)


@pytest.mark.parametrize(
    ("text", "value"),
    [("44", 44), ("1.2K", 1200), ("4.85K", 4850), ("1.1M", 1_100_000), ("", None), ("n/a", None)],
)
def test_counts_as_shown(text: str, value: int | None) -> None:
    assert parse_count(text) == value
