"""Telethon TL objects → ChannelPost: entities (UTF-16!), forwards, counters, media, refs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telethon.tl import types

from monitor.core.errors import InputError
from monitor.sources.telegram.mapping import map_message, parse_channel_ref, utf16_spans

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message(text: str = "", **fields: object) -> types.Message:
    return types.Message(id=7, peer_id=types.PeerChannel(101), date=WHEN, message=text, **fields)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("plain #tag here", "#tag"),
        ("🔥 #срочно новости", "#срочно"),
        ("A🇺🇦B 🔥🔥 #tag", "#tag"),
        ("𝐁𝐨𝐥𝐝 math letters then #x", "#x"),
    ],
)
def test_utf16_entity_offsets_become_code_points(text: str, needle: str) -> None:
    start = text.index(needle)
    offset16 = utf16_len(text[:start])
    entity = types.MessageEntityHashtag(offset=offset16, length=utf16_len(needle))
    post = map_message(101, message(text, entities=[entity]))
    assert post is not None
    (mapped,) = post.entities
    assert mapped.type == "hashtag"
    assert post.text[mapped.offset : mapped.offset + mapped.length] == needle


def test_entity_covering_emoji_and_text_link() -> None:
    text = "see 🔥 here"
    link = types.MessageEntityTextUrl(offset=4, length=utf16_len("🔥 here"), url="https://x.org")
    post = map_message(101, message(text, entities=[link]))
    assert post is not None
    (mapped,) = post.entities
    assert (mapped.type, mapped.url) == ("text_link", "https://x.org")
    assert text[mapped.offset : mapped.offset + mapped.length] == "🔥 here"


def test_utf16_spans_fast_path_is_identity() -> None:
    assert utf16_spans("no astral", [(0, 2), (3, 6)]) == [(0, 2), (3, 6)]


def test_forward_reply_album_counters_and_reactions() -> None:
    msg = message(
        "forwarded",
        fwd_from=types.MessageFwdHeader(
            date=WHEN, from_id=types.PeerChannel(555), channel_post=77, post_author="Ed"
        ),
        reply_to=types.MessageReplyHeader(reply_to_msg_id=5),
        replies=types.MessageReplies(replies=12, replies_pts=0),
        views=1500,
        forwards=33,
        grouped_id=9_000_000_001,
        edit_date=WHEN,
        reactions=types.MessageReactions(
            results=[
                types.ReactionCount(reaction=types.ReactionEmoji(emoticon="👍"), count=10),
                types.ReactionCount(reaction=types.ReactionCustomEmoji(document_id=3), count=2),
                types.ReactionCount(reaction=types.ReactionPaid(), count=1),
            ]
        ),
    )
    post = map_message(101, msg)
    assert post is not None
    assert (post.fwd_from_channel_id, post.fwd_from_message_id, post.fwd_from_name) == (
        555,
        77,
        "Ed",
    )
    assert (post.reply_to_message_id, post.replies, post.views, post.forwards) == (5, 12, 1500, 33)
    assert post.grouped_id == 9_000_000_001 and post.edited_at == WHEN
    assert post.reactions == {"👍": 10, "custom:3": 2, "paid": 1}


def test_forward_from_a_hidden_user_keeps_the_name() -> None:
    fwd = types.MessageFwdHeader(date=WHEN, from_name="Hidden Person")
    post = map_message(101, message("x", fwd_from=fwd))
    assert post is not None
    assert (post.fwd_from_channel_id, post.fwd_from_name) == (None, "Hidden Person")


def _doc(mime: str, attributes: list[object], size: int = 1234) -> types.MessageMediaDocument:
    document = types.Document(
        id=1,
        access_hash=2,
        file_reference=b"",
        date=WHEN,
        mime_type=mime,
        size=size,
        dc_id=2,
        attributes=attributes,  # type: ignore[arg-type]
    )
    return types.MessageMediaDocument(document=document)


@pytest.mark.parametrize(
    ("media", "kind", "subset"),
    [
        (
            types.MessageMediaPhoto(
                photo=types.Photo(
                    id=1,
                    access_hash=2,
                    file_reference=b"",
                    date=WHEN,
                    dc_id=2,
                    sizes=[
                        types.PhotoSize("s", 90, 60, 800),
                        types.PhotoSize("y", 1280, 853, 99000),
                    ],
                )
            ),
            "photo",
            {"width": 1280, "height": 853, "size": 99000},
        ),
        (
            _doc(
                "video/mp4",
                [
                    types.DocumentAttributeVideo(duration=12.5, w=640, h=360),
                    types.DocumentAttributeFilename("clip.mp4"),
                ],
            ),
            "video",
            {"mime_type": "video/mp4", "duration": 12.5, "width": 640, "file_name": "clip.mp4"},
        ),
        (
            _doc("audio/ogg", [types.DocumentAttributeAudio(duration=4, voice=True)]),
            "voice",
            {"duration": 4, "size": 1234},
        ),
        (_doc("application/pdf", []), "document", {"mime_type": "application/pdf"}),
        (
            types.MessageMediaWebPage(
                webpage=types.WebPage(
                    id=1,
                    url="https://ex.org/a",
                    display_url="ex.org/a",
                    hash=0,
                    site_name="Ex",
                    title="A",
                )
            ),
            "webpage",
            {"url": "https://ex.org/a", "site_name": "Ex"},
        ),
        (
            types.MessageMediaPoll(
                poll=types.Poll(
                    id=1,
                    question=types.TextWithEntities("Who?", []),
                    hash=0,
                    answers=[types.PollAnswer(types.TextWithEntities("Me", []), b"0")],
                ),
                results=types.PollResults(total_voters=5),
            ),
            "poll",
            {"question": "Who?", "answers": ["Me"], "total_voters": 5},
        ),
        (
            types.MessageMediaGeo(geo=types.GeoPoint(long=30.5, lat=50.4, access_hash=0)),
            "geo",
            {"lat": 50.4, "long": 30.5},
        ),
    ],
)
def test_media_kind_and_metadata(media: object, kind: str, subset: dict[str, object]) -> None:
    post = map_message(101, message("caption", media=media))
    assert post is not None
    assert post.media_kind == kind
    assert post.media is not None
    assert {k: post.media.get(k) for k in subset} == subset


def test_service_messages_are_not_posts() -> None:
    service = types.MessageService(
        id=3, peer_id=types.PeerChannel(101), date=WHEN, action=types.MessageActionPinMessage()
    )
    assert map_message(101, service) is None


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("@rybar", "rybar"),
        ("rybar", "rybar"),
        ("https://t.me/rybar", "rybar"),
        ("t.me/s/rybar", "rybar"),
        ("https://t.me/rybar/1234", "rybar"),
        ("1234567890", 1234567890),
        ("-1001234567890", 1234567890),
        ("-1000000001234", 1234),
    ],
)
def test_parse_channel_ref(ref: str, expected: str | int) -> None:
    assert parse_channel_ref(ref) == expected


@pytest.mark.parametrize("ref", ["https://t.me/+AbCdEf", "no spaces allowed", "@a", "-4567"])
def test_parse_channel_ref_rejects(ref: str) -> None:
    with pytest.raises(InputError):
        parse_channel_ref(ref)
