"""Plain values that cross the source → pipeline seam.

Sources (Telethon, Telegram Desktop exports, test doubles) map their own objects into these
frozen records at the edge, so the rest of tgmon never sees a Telethon type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from monitor.core.text import storable, storable_text

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

    def __post_init__(self) -> None:
        _make_storable(self, "username", "title")


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

    def __post_init__(self) -> None:
        # Every source builds posts through here: a NUL or lone surrogate from any of them
        # must not fail the batch it is stored with (PostgreSQL refuses NUL).
        _make_storable(self, "text", "fwd_from_name", "media_kind")
        if any(_unstorable(e.type) or _unstorable(e.url) for e in self.entities):
            cleaned = tuple(
                Entity(storable_text(e.type), e.offset, e.length, _clean(e.url))
                for e in self.entities
            )
            object.__setattr__(self, "entities", cleaned)
        if self.reactions is not None and any(_unstorable(k) for k in self.reactions):
            object.__setattr__(self, "reactions", storable(self.reactions))
        if self.media is not None:
            object.__setattr__(self, "media", storable(self.media))


@dataclass(frozen=True)
class PostEvent:
    """Something that happened to a post: it appeared, was edited, or was deleted."""

    kind: EventKind
    channel_id: int
    message_id: int
    post: ChannelPost | None = None
    observed_at: datetime | None = field(default=None, compare=False)


def _unstorable(value: str | None) -> bool:
    return value is not None and storable_text(value) is not value


def _clean(value: str | None) -> str | None:
    return storable_text(value) if value is not None else None


def _make_storable(record: Any, *names: str) -> None:
    for name in names:
        value = getattr(record, name)
        if isinstance(value, str) and _unstorable(value):
            object.__setattr__(record, name, storable_text(value))
