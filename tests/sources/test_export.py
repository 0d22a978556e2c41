"""Reading Telegram Desktop exports: both text forms, entities, forwards, edits, media, shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.core.errors import ExportFormatError
from monitor.sources.export import find_exports, read_export
from tests.support.exports import chat, message, service, write_export


def read_all(path: Path) -> list:
    return list(read_export(path))


def test_plain_string_text(tmp_path: Path) -> None:
    path = write_export(tmp_path, chat([message(1, "Просто текст")]))
    [item] = read_all(path)
    assert item.post.text == "Просто текст"
    assert item.post.entities == ()
    assert item.channel.channel_id == 42 and item.channel.title == "Sample"


def test_list_text_with_entities_gives_code_point_offsets(tmp_path: Path) -> None:
    text = [
        "🔥 Вагнеровцы в ",
        {"type": "hashtag", "text": "#Мали"},
        " — ",
        {"type": "text_link", "text": "источник", "href": "https://example.org/a"},
    ]
    path = write_export(tmp_path, chat([message(1, text)]))
    post = read_all(path)[0].post
    assert post.text == "🔥 Вагнеровцы в #Мали — источник"
    hashtag, link = post.entities
    assert post.text[hashtag.offset : hashtag.offset + hashtag.length] == "#Мали"
    assert hashtag.type == "hashtag"
    assert post.text[link.offset : link.offset + link.length] == "источник"
    assert link.url == "https://example.org/a"


def test_text_rebuilt_from_text_entities_when_text_is_missing(tmp_path: Path) -> None:
    msg = message(1, ["a ", {"type": "bold", "text": "b"}])
    del msg["text"]
    post = read_all(write_export(tmp_path, chat([msg])))[0].post
    assert post.text == "a b"


def test_date_comes_from_unixtime_not_local_date(tmp_path: Path) -> None:
    post = read_all(write_export(tmp_path, chat([message(1, "x", minutes=5)])))[0].post
    assert post.posted_at == datetime(2026, 11, 20, 12, 5, tzinfo=UTC)


def test_edit_forward_reply_reactions(tmp_path: Path) -> None:
    msg = message(
        7,
        "Перепост",
        edited_minutes=30,
        forwarded_from="Sahel Watch",
        forwarded_from_id="channel1000000002",
        reply_to_message_id=3,
        reactions=[
            {"type": "emoji", "count": 12, "emoji": "👍"},
            {"type": "custom_emoji", "count": 2, "document_id": "555"},
        ],
    )
    post = read_all(write_export(tmp_path, chat([msg])))[0].post
    assert post.edited_at == datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    assert post.fwd_from_name == "Sahel Watch"
    assert post.fwd_from_channel_id == 1000000002
    assert post.reply_to_message_id == 3
    assert post.reactions == {"👍": 12, "custom:555": 2}


def test_forward_from_a_user_keeps_the_name_only(tmp_path: Path) -> None:
    msg = message(1, "x", forwarded_from="Ivan", forwarded_from_id="user777")
    post = read_all(write_export(tmp_path, chat([msg])))[0].post
    assert post.fwd_from_name == "Ivan" and post.fwd_from_channel_id is None


@pytest.mark.parametrize(
    ("extra", "kind", "meta"),
    [
        (
            {"photo": "photos/photo_1.jpg", "width": 800, "height": 600},
            "photo",
            {"included": True, "path": "photos/photo_1.jpg", "width": 800, "height": 600},
        ),
        (
            {"photo": "(File not included. Change data exporting settings to download.)"},
            "photo",
            {"included": False},
        ),
        (
            {
                "file": "video_files/v.mp4",
                "media_type": "video_file",
                "mime_type": "video/mp4",
                "duration_seconds": 12,
            },
            "video",
            {
                "included": True,
                "path": "video_files/v.mp4",
                "mime_type": "video/mp4",
                "duration_seconds": 12,
            },
        ),
        (
            {"file": "files/report.pdf", "mime_type": "application/pdf"},
            "document",
            {"included": True, "path": "files/report.pdf", "mime_type": "application/pdf"},
        ),
    ],
)
def test_media(tmp_path: Path, extra: dict, kind: str, meta: dict) -> None:
    post = read_all(write_export(tmp_path, chat([message(1, "", **extra)])))[0].post
    assert post.media_kind == kind
    assert post.media == meta


def test_service_messages_are_skipped_not_errors(tmp_path: Path) -> None:
    items = read_all(write_export(tmp_path, chat([service(1), message(2, "x")])))
    assert items[0].post is None and items[0].skipped == "service"
    assert items[1].post.message_id == 2


def test_whole_account_export_reads_channels_and_skips_private_chats(tmp_path: Path) -> None:
    data = {
        "about": "Here is the data you requested.",
        "personal_information": {"first_name": "A"},
        "chats": {
            "about": "chats",
            "list": [
                {
                    "name": "Friend",
                    "type": "personal_chat",
                    "id": 5,
                    "messages": [message(1, "hi")],
                },
                {
                    "name": "Chan A",
                    "type": "public_channel",
                    "id": 11,
                    "messages": [message(1, "a1"), message(2, "a2")],
                },
            ],
        },
        "left_chats": {
            "about": "left",
            "list": [
                {
                    "name": "Chan B",
                    "type": "private_channel",
                    "id": 12,
                    "messages": [message(9, "b9")],
                },
            ],
        },
    }
    items = [i for i in read_all(write_export(tmp_path, data)) if i.post]
    assert [(i.channel.channel_id, i.post.message_id, i.post.text) for i in items] == [
        (11, 1, "a1"),
        (11, 2, "a2"),
        (12, 9, "b9"),
    ]


def test_not_json_names_the_file(tmp_path: Path) -> None:
    truncated = '{"name": "x", "type": "public_channel", "id": 1, "messages": [ {"id": 1,'
    path = write_export(tmp_path, truncated)
    with pytest.raises(ExportFormatError, match=r"result\.json: not valid JSON"):
        read_all(path)


def test_messages_before_a_header_id_are_an_error(tmp_path: Path) -> None:
    path = write_export(tmp_path, '{"name": "x", "messages": [{"id": 1}]}')
    with pytest.raises(ExportFormatError, match="chat has no numeric id before its messages"):
        read_all(path)


def test_wrong_shape_names_the_file(tmp_path: Path) -> None:
    path = write_export(tmp_path, '{"hello": [1, 2, 3]}')
    with pytest.raises(ExportFormatError, match=r"result\.json: not a Telegram Desktop export"):
        read_all(path)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"id": "abc"}, "id: missing or not an integer"),
        ({"date_unixtime": "soon"}, "date_unixtime: not a unix time"),
        ({"text": 5, "text_entities": None}, "text: expected a string or a list"),
    ],
)
def test_bad_message_is_reported_with_its_problem(tmp_path: Path, bad: dict, problem: str) -> None:
    msg = message(2, "x")
    msg.update(bad)
    items = read_all(write_export(tmp_path, chat([message(1, "ok"), msg])))
    assert items[0].post is not None
    assert items[1].post is None and items[1].index == 1
    assert problem in items[1].error


def test_find_exports_in_a_folder(tmp_path: Path) -> None:
    write_export(tmp_path / "b", chat([message(1, "x")]))
    write_export(tmp_path / "a", chat([message(1, "x")], chat_id=43))
    assert [p.parent.name for p in find_exports(tmp_path)] == ["a", "b"]
    with pytest.raises(ExportFormatError, match="no such file or folder"):
        find_exports(tmp_path / "missing")
