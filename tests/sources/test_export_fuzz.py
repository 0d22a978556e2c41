"""Property tests over the export reader: for any file, a TgmonError or items — never another
exception, never a hang (hypothesis's deadline is the bound)."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from monitor.core.errors import TgmonError
from monitor.sources.export import _message, read_export
from tests.support.exports import chat, message

INT64 = 2**63
FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "0", "-1", "1700000000", "channel123", "(File not included.)", "\x00"])
    | st.integers(min_value=-(2**80), max_value=2**80).map(str)
    | st.integers(min_value=-(2**80), max_value=2**80).map(lambda n: f"channel{n}")
)
reactions = st.lists(
    st.fixed_dictionaries(
        {}, optional={"emoji": st.text(max_size=3), "count": json_scalars, "type": json_scalars}
    )
    | json_scalars,
    max_size=3,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
MESSAGE_KEYS = [
    "id",
    "type",
    "date",
    "date_unixtime",
    "edited",
    "edited_unixtime",
    "text",
    "text_entities",
    "reactions",
    "photo",
    "file",
    "media_type",
    "forwarded_from",
    "forwarded_from_id",
    "reply_to_message_id",
    "poll",
    "location_information",
    "contact_information",
    "width",
    "mime_type",
    "file_size",
]
messages = st.one_of(
    st.dictionaries(st.sampled_from(MESSAGE_KEYS), json_values, max_size=10),
    st.builds(
        lambda base, extra: {**base, **extra},
        st.builds(message, st.integers(-(2**80), 2**80), st.text(max_size=30)),
        st.dictionaries(st.sampled_from(MESSAGE_KEYS), json_values, max_size=4),
    ),
    st.builds(
        lambda base, r, ids: {**base, "reactions": r, **ids},
        st.builds(message, st.integers(1, 10), st.text(max_size=10)),
        reactions,
        st.dictionaries(
            st.sampled_from(["id", "reply_to_message_id", "forwarded_from_id", "date_unixtime"]),
            json_scalars,
            max_size=3,
        ),
    ),
    json_values,
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "type": st.sampled_from(["public_channel", "private_supergroup", "personal_chat", "x"])
        | json_values,
        "id": st.integers(-(2**70), 2**70) | json_values,
    },
)


def read_all(data: bytes) -> list[Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "result.json"
        path.write_bytes(data)
        try:
            return list(read_export(path))
        except TgmonError as exc:
            assert "\n" not in str(exc)
            return []


def check(items: list[Any]) -> None:
    for item in items:
        assert (item.post, item.error, item.skipped, item.skipped_chat).count(None) == 3
        if item.post is not None:
            post = item.post
            assert -INT64 < post.message_id < INT64 and -INT64 < post.channel_id < INT64
            for value in (post.reply_to_message_id, post.fwd_from_channel_id):
                assert value is None or -INT64 < value < INT64
            assert "\x00" not in post.text
            json.dumps(post.media)  # what storage will do with it
            json.dumps(dict(post.reactions or {}))


@FUZZ
@given(header=headers, items=st.lists(messages, max_size=6))
def test_any_single_chat_export(header: dict[str, Any], items: list[Any]) -> None:
    data = json.dumps({**header, "messages": items}).encode()
    check(read_all(data))


@FUZZ
@given(
    chats=st.lists(
        st.builds(lambda h, m: {**h, "messages": m}, headers, st.lists(messages, max_size=3)),
        max_size=3,
    ),
    left=st.booleans(),
)
def test_any_whole_account_export(chats: list[dict[str, Any]], left: bool) -> None:
    key = "left_chats" if left else "chats"
    check(read_all(json.dumps({key: {"list": chats}}).encode()))


BASE = json.dumps(
    chat([message(1, "Вагнер"), message(2, [{"type": "bold", "text": "x"}, "y"])]),
    ensure_ascii=False,
).encode()


@FUZZ
@given(
    cut=st.integers(0, len(BASE)),
    flips=st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(0, 255)), max_size=8),
)
def test_truncated_or_corrupted_bytes(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(BASE)
    for index, byte in flips:
        data[index] = byte
    check(read_all(bytes(data[:cut])))


@FUZZ
@given(
    header=st.fixed_dictionaries(
        {"name": st.text(max_size=8), "type": st.just("public_channel"), "id": st.integers(1, 99)}
    ),
    items=st.lists(messages, max_size=6),
)
def test_each_message_is_read_as_the_json_decoder_reads_it(
    header: dict[str, Any], items: list[Any]
) -> None:
    """The reader builds messages from ijson's events itself: it must agree with json.loads."""
    data = json.dumps({**header, "messages": items}).encode()
    decoded = json.loads(data)["messages"]
    read = read_all(data)
    assume(read or not decoded)  # yajl refuses integers wider than 64 bits: the whole file
    assert len(read) == len(decoded)
    for got, value in zip(read, decoded, strict=True):
        if isinstance(value, dict | list):
            assert got == _message(got.channel, got.index, value)
        else:
            assert got.post is None and got.error is not None and "not an object" in got.error
