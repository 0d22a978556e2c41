"""Map Telethon messages into ChannelPosts: text, entities, forwards, counters, media metadata.

Pure functions over TL objects, read by their attribute names and TL class names, so this module
needs no Telethon import (the source module stays the only one that talks to the library).
Entity offsets arrive in UTF-16 code units; ChannelPost wants Python code points.
"""

from __future__ import annotations

import re
from typing import Any

from monitor.core.errors import InputError
from monitor.core.events import ChannelPost, Entity

# Telethon entity class → the names Telegram Desktop exports use (so both sources agree).
_ENTITY_NAMES = {
    "MessageEntityUrl": "link",
    "MessageEntityTextUrl": "text_link",
    "MessageEntityMention": "mention",
    "MessageEntityMentionName": "mention_name",
    "InputMessageEntityMentionName": "mention_name",
    "MessageEntityHashtag": "hashtag",
    "MessageEntityCashtag": "cashtag",
    "MessageEntityBotCommand": "bot_command",
    "MessageEntityEmail": "email",
    "MessageEntityPhone": "phone",
    "MessageEntityBold": "bold",
    "MessageEntityItalic": "italic",
    "MessageEntityUnderline": "underline",
    "MessageEntityStrike": "strikethrough",
    "MessageEntityCode": "code",
    "MessageEntityPre": "pre",
    "MessageEntitySpoiler": "spoiler",
    "MessageEntityBlockquote": "blockquote",
    "MessageEntityCustomEmoji": "custom_emoji",
    "MessageEntityBankCard": "bank_card",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_REF_LINK = re.compile(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?([^/?#]+)", re.I)
_MARK = 1_000_000_000_000  # Telethon/Bot API channel id marking
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def _snake(name: str, prefix: str) -> str:
    return _CAMEL.sub("_", name.removeprefix(prefix)).lower()


def parse_channel_ref(ref: str) -> str | int:
    """@name / t.me link / bare name → username; '-100123…' or '123…' → bare channel id."""
    text = ref.strip()
    link = _REF_LINK.match(text)
    if link:
        text = link.group(1)
        if text.startswith(("+", "joinchat")):
            raise InputError(
                f"{ref}: invite links are not supported; join in the app, then use the channel id"
            )
    text = text.lstrip("@")
    if text.lstrip("-").isdigit():
        number = int(text)
        if number < 0:  # a "marked" id as bots show it: -(10**12 + channel id), "-100…"
            if -number <= _MARK:
                raise InputError(f"{ref}: a group chat id, not a channel id")
            number = -number - _MARK
        return number
    if not _USERNAME.match(text):
        raise InputError(f"{ref}: not a channel username, t.me link or numeric id")
    return text


def utf16_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Convert (offset, length) pairs from UTF-16 code units to Python code points."""
    if not _ASTRAL.search(text):  # no surrogate pairs: the two measures agree
        return spans
    encoded = text.encode("utf-16-le", errors="surrogatepass")

    def to_index(unit: int) -> int:  # code points before this UTF-16 offset (decoded in C)
        return len(encoded[: 2 * unit].decode("utf-16-le", errors="surrogatepass"))

    out = []
    for offset, length in spans:
        start = to_index(offset)
        out.append((start, to_index(offset + length) - start))
    return out


def map_entities(text: str, entities: list[Any] | None) -> tuple[Entity, ...]:
    if not entities:
        return ()
    spans = utf16_spans(text, [(e.offset, e.length) for e in entities])
    out = []
    for entity, (offset, length) in zip(entities, spans, strict=True):
        name = type(entity).__name__
        kind = _ENTITY_NAMES.get(name) or _snake(name, "MessageEntity")
        out.append(Entity(kind, offset, length, getattr(entity, "url", None)))
    return tuple(out)


def map_reactions(reactions: Any) -> dict[str, int] | None:
    """MessageReactions.results → {emoji: count}; custom emoji as 'custom:<document id>'."""
    if reactions is None:
        return None
    counts: dict[str, int] = {}
    for result in reactions.results or ():
        reaction = result.reaction
        name = type(reaction).__name__
        if name == "ReactionEmoji":
            key = reaction.emoticon
        elif name == "ReactionCustomEmoji":
            key = f"custom:{reaction.document_id}"
        else:
            key = _snake(name, "Reaction")  # paid, empty, …
        counts[key] = counts.get(key, 0) + result.count
    return counts


def _largest_photo_size(photo: Any) -> dict[str, Any]:
    best: dict[str, Any] = {}
    for size in getattr(photo, "sizes", None) or ():
        w, h = getattr(size, "w", None), getattr(size, "h", None)
        nbytes = getattr(size, "size", None)
        if nbytes is None and getattr(size, "sizes", None):  # PhotoSizeProgressive
            nbytes = max(size.sizes)
        if w and h and (not best or w * h > best["width"] * best["height"]):
            best = {"width": w, "height": h, "size": nbytes}
    return {k: v for k, v in best.items() if v is not None}


def _document(doc: Any) -> tuple[str, dict[str, Any]]:
    meta: dict[str, Any] = {"mime_type": getattr(doc, "mime_type", None)}
    meta["size"] = getattr(doc, "size", None)
    kind = "document"
    for attr in getattr(doc, "attributes", None) or ():
        name = type(attr).__name__
        if name == "DocumentAttributeFilename":
            meta["file_name"] = attr.file_name
        elif name == "DocumentAttributeVideo":
            kind = "video_note" if attr.round_message else "video"
            meta.update(duration=attr.duration, width=attr.w, height=attr.h)
        elif name == "DocumentAttributeAudio":
            kind = "voice" if attr.voice else "audio"
            meta.update(duration=attr.duration, title=attr.title, performer=attr.performer)
        elif name == "DocumentAttributeSticker":
            kind = "sticker"
        elif name == "DocumentAttributeAnimated" and kind == "document":
            kind = "animation"
        elif name == "DocumentAttributeImageSize":
            meta.update(width=attr.w, height=attr.h)
    if getattr(doc, "id", None) is not None:
        meta["id"] = doc.id
    return kind, {k: v for k, v in meta.items() if v is not None}


def _text(value: Any) -> str | None:
    """Poll questions/answers are TextWithEntities in new layers, plain strings in old ones."""
    return getattr(value, "text", value) if value is not None else None


def map_media(media: Any) -> tuple[str | None, dict[str, Any] | None]:
    """Media kind and metadata (sizes, mime type, duration, url, …); no file contents."""
    if media is None:
        return None, None
    name = type(media).__name__
    if name == "MessageMediaPhoto":
        photo = media.photo
        meta = _largest_photo_size(photo) if photo is not None else {}
        if photo is not None and getattr(photo, "id", None) is not None:
            meta["id"] = photo.id
        return "photo", meta
    if name == "MessageMediaDocument":
        if media.document is None or type(media.document).__name__ == "DocumentEmpty":
            return "document", {}
        return _document(media.document)
    if name == "MessageMediaWebPage":
        page = media.webpage
        meta = {
            "url": getattr(page, "url", None),
            "site_name": getattr(page, "site_name", None),
            "title": getattr(page, "title", None),
            "description": getattr(page, "description", None),
        }
        return "webpage", {k: v for k, v in meta.items() if v is not None}
    if name == "MessageMediaPoll":
        poll = media.poll
        voters = getattr(media.results, "total_voters", None)
        meta = {
            "question": _text(poll.question),
            "answers": [_text(a.text) for a in poll.answers],
            "closed": bool(poll.closed),
            "total_voters": voters,
        }
        return "poll", {k: v for k, v in meta.items() if v is not None}
    if name in ("MessageMediaGeo", "MessageMediaGeoLive", "MessageMediaVenue"):
        geo = media.geo
        meta = {"lat": getattr(geo, "lat", None), "long": getattr(geo, "long", None)}
        if name == "MessageMediaVenue":
            meta.update(title=media.title, address=media.address)
        return "geo", {k: v for k, v in meta.items() if v is not None}
    if name == "MessageMediaContact":
        return "contact", {"first_name": media.first_name, "last_name": media.last_name}
    if name == "MessageMediaEmpty":
        return None, None
    return _snake(name, "MessageMedia"), {}


def _forward(fwd: Any) -> tuple[int | None, int | None, str | None]:
    if fwd is None:
        return None, None, None
    origin = fwd.from_id
    channel_id = getattr(origin, "channel_id", None) if origin is not None else None
    name = fwd.from_name or fwd.post_author
    return channel_id, fwd.channel_post, name


def map_message(channel_id: int, message: Any) -> ChannelPost | None:
    """A Telethon Message → ChannelPost; None for service messages (joins, pins, …)."""
    if type(message).__name__ != "Message" or getattr(message, "action", None) is not None:
        return None
    text = message.message or ""
    media_kind, media = map_media(message.media)
    fwd_channel, fwd_message, fwd_name = _forward(message.fwd_from)
    reply_to = message.reply_to
    replies = message.replies
    return ChannelPost(
        channel_id=channel_id,
        message_id=message.id,
        posted_at=message.date,
        text=text,
        entities=map_entities(text, message.entities),
        edited_at=message.edit_date,
        views=message.views,
        forwards=message.forwards,
        replies=replies.replies if replies is not None else None,
        reactions=map_reactions(message.reactions),
        fwd_from_channel_id=fwd_channel,
        fwd_from_message_id=fwd_message,
        fwd_from_name=fwd_name,
        reply_to_message_id=getattr(reply_to, "reply_to_msg_id", None),
        grouped_id=message.grouped_id,
        media_kind=media_kind,
        media=media,
    )
