"""The values a post's rows hold: a new post's row, a version, an edit's or a counter refresh's
parameters. Pure (no SQL): `storage/posts.py` writes them, and an importer may work out the
costly part, the text keys, for the next batch while the database writes the last one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from monitor.core.events import ChannelPost
from monitor.core.text import hash_of_normalised, normalise_text
from storage.stemming import search_text


def entity_dicts(post: ChannelPost) -> list[dict[str, Any]]:
    # not dataclasses.asdict, which deep-copies each value: this runs for every stored post
    out: list[dict[str, Any]] = []
    for e in post.entities:
        entity: dict[str, Any] = {"type": e.type, "offset": e.offset, "length": e.length}
        if e.url is not None:
            entity["url"] = e.url
        out.append(entity)
    return out


def text_key_values(text: str, hash_key: str, search_key: str) -> dict[str, str]:
    """The dedupe hash (of the normalised text) and the search index value.

    The index is split from the original text, which keeps the case the shared tokeniser needs
    for camel-case hashtags; its per-word folding is cached, so this adds no second
    normalisation of the whole text.
    """
    return {
        hash_key: hash_of_normalised(normalise_text(text)),
        search_key: search_text(text),
    }


# The dedupe hash and search index value of a text, by text: pure work an importer can do for
# the next batch while the database writes the last one (`text_keys`, then `upsert_posts`).
TextKeys = Mapping[str, tuple[str, str]]


def text_keys(posts: Iterable[ChannelPost]) -> dict[str, tuple[str, str]]:
    """Work out the text keys `upsert_posts` stores for these posts, ahead of the store."""
    out: dict[str, tuple[str, str]] = {}
    for post in posts:
        if post.text not in out:
            keys = text_key_values(post.text, "h", "s")
            out[post.text] = (keys["h"], keys["s"])
    return out


def new_row(post: ChannelPost, url: str, now: datetime, keys: TextKeys) -> dict[str, Any]:
    known = keys.get(post.text)
    return {
        "channel_id": post.channel_id,
        "message_id": post.message_id,
        "posted_at": post.posted_at,
        "edited_at": post.edited_at,
        "text": post.text,
        "entities": entity_dicts(post),
        **(
            {"content_hash": known[0], "search_text": known[1]}
            if known is not None
            else text_key_values(post.text, "content_hash", "search_text")
        ),
        "translation_status": "pending",
        "translation_attempts": 0,
        "views": post.views,
        "forwards": post.forwards,
        "replies": post.replies,
        "reactions": dict(post.reactions) if post.reactions is not None else None,
        "fwd_from_channel_id": post.fwd_from_channel_id,
        "fwd_from_message_id": post.fwd_from_message_id,
        "fwd_from_name": post.fwd_from_name,
        "reply_to_message_id": post.reply_to_message_id,
        "grouped_id": post.grouped_id,
        "media_kind": post.media_kind,
        "media": dict(post.media) if post.media is not None else None,
        "url": url,
        "first_seen_at": now,
        "checked_at": now,
        "version_count": 1,
    }


def add_columns(
    rows: list[dict[str, Any]], posts: list[ChannelPost], extra: Mapping[int, Mapping[str, Any]]
) -> None:
    """Merge the extra values into the rows; every row gets every key (one INSERT shape)."""
    keys = {key for values in extra.values() for key in values}
    for row, post in zip(rows, posts, strict=True):
        for key in keys:
            row.setdefault(key, None)
        row.update(extra.get(post.message_id, {}))


def version_row(post_id: int, version: int, post: ChannelPost, now: datetime) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "version": version,
        "text": post.text,
        "entities": entity_dicts(post),
        "edited_at": post.edited_at,
        "captured_at": now,
    }


def edit_params(post_id: int, version: int, post: ChannelPost, now: datetime) -> dict[str, Any]:
    return {
        "b_id": post_id,
        "b_text": post.text,
        "b_entities": entity_dicts(post),
        **text_key_values(post.text, "b_hash", "b_search_text"),
        "b_edited_at": post.edited_at,
        "b_version": version,
        "b_views": post.views,
        "b_forwards": post.forwards,
        "b_replies": post.replies,
        "b_now": now,
    }


def counter_params(post_id: int, post: ChannelPost, now: datetime) -> dict[str, Any]:
    return {
        "b_id": post_id,
        "b_views": post.views,
        "b_forwards": post.forwards,
        "b_replies": post.replies,
        "b_reactions": dict(post.reactions) if post.reactions is not None else None,
        "b_now": now,
    }
