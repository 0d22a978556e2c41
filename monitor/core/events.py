"""Plain values that cross the source → pipeline seam.

Sources (Telethon, Telegram Desktop exports, test doubles) map their own objects into these
frozen records at the edge, so the rest of tgmon never sees a Telethon type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EventKind = Literal["new", "edited", "deleted"]


@dataclass(frozen=True)
class ChannelInfo:
    """A channel as Telegram identifies it: the bare peer id (no -100 prefix).

    `source` names the Source kind that reads it ("telegram" account or "web" preview), so a
    router can send each call to the right one.
    """

    channel_id: int
    username: str | None = None
    title: str | None = None
    access_hash: int | None = None
    source: str = "telegram"


@dataclass(frozen=True)
class Entity:
    """A formatting entity (hashtag, mention, link, bold, …) over text[offset:offset+length].

    Offsets are in Python characters (code points) of the post text, not UTF-16 units.
    """

    type: str
    offset: int
    length: int
    url: str | None = None


@dataclass(frozen=True)
class ChannelPost:
    """One message of a channel, normalised: what the pipeline stores."""

    channel_id: int
    message_id: int
    posted_at: datetime
    text: str = ""
    entities: tuple[Entity, ...] = ()
    edited_at: datetime | None = None
    views: int | None = None
    forwards: int | None = None
    replies: int | None = None
    reactions: Mapping[str, int] | None = None
    fwd_from_channel_id: int | None = None
    fwd_from_message_id: int | None = None
    fwd_from_name: str | None = None
    reply_to_message_id: int | None = None
    grouped_id: int | None = None
    media_kind: str | None = None
    media: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PostEvent:
    """Something that happened to a post: it appeared, was edited, or was deleted."""

    kind: EventKind
    channel_id: int
    message_id: int
    post: ChannelPost | None = None
    observed_at: datetime | None = field(default=None, compare=False)
