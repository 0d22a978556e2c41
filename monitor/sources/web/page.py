"""Parse one page of the public web preview (t.me/s/<username>) into ChannelPosts.

Pure: HTML text in, frozen records out, read with selectolax's CSS selectors (no regexes over
HTML). The markup is the one snscrape, minet and RSSHub read: `div.tgme_widget_message[data-post]`
per post, `data-view` carrying the channel's numeric id, `a.tme_messages_more[data-before]` for
the next older page. What the preview does not show (exact edit time, forwards and replies
counts, reactions detail, the forward origin's channel id) stays None in the records.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.core.events import ChannelPost, Entity
from monitor.sources.web.entities import TextBuilder

_MEDIA_ITEM = "tgme_widget_message_photo_wrap", "tgme_widget_message_video_player"


@dataclass(frozen=True)
class PreviewPage:
    """One page of a channel's preview: its identity, posts (oldest first) and paging cursor."""

    username: str | None
    title: str | None
    channel_id: int | None  # the real Telegram id, from the posts' data-view / data-peer
    posts: tuple[ChannelPost, ...]
    service_ids: tuple[int, ...]  # joins, pins, "channel created": they exist, not posts
    before: int | None  # `?before=` of the next older page; None on the oldest page
    truncated: bool  # the document ended early: absences on it prove nothing

    @property
    def seen_ids(self) -> set[int]:
        """Every message id the page shows (posts and service messages)."""
        return {p.message_id for p in self.posts} | set(self.service_ids)

    @property
    def lowest_id(self) -> int | None:
        ids = self.seen_ids
        return min(ids) if ids else None


@dataclass(frozen=True)
class Landing:
    """What t.me/<username> says when the preview redirected there."""

    exists: bool  # a channel (or group) with this username exists
    title: str | None


def parse_count(text: str) -> int | None:
    """'44' → 44, '1.2K' → 1200, '4.85K' → 4850, '1.1M' → 1100000 (rounded as shown)."""
    value = text.strip().replace(" ", "").replace("\xa0", "").replace(",", "")
    if not value:
        return None
    scale = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}.get(value[-1].upper())
    number = value[:-1] if scale else value
    try:
        return round(float(number) * (scale or 1))
    except ValueError:
        return None


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _id_from_view(token: str | None) -> int | None:
    """data-view is base64 JSON such as {"c":-1005640892,"p":361,...}: c is minus the bare id."""
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    value = data.get("c") if isinstance(data, dict) else None
    return -value if isinstance(value, int) and value < 0 else None


def _id_from_peer(peer: str | None) -> int | None:
    """Newer pages also carry data-peer="c1005640892_-604…"."""
    if not peer or not peer.startswith("c"):
        return None
    head = peer[1:].split("_", 1)[0]
    return int(head) if head.isdigit() else None


def _post_ref(node: LexborNode) -> tuple[str, int] | None:
    ref = node.attributes.get("data-post") or ""
    name, _, number = ref.rpartition("/")
    return (name, int(number)) if name and number.isdigit() else None


def _link_target(href: str | None) -> tuple[str, int] | None:
    """https://t.me/<name>/<id>[?single] → (name, id)."""
    if not href:
        return None
    parts = [p for p in urlsplit(href).path.split("/") if p]
    if parts and parts[0] == "s":
        parts = parts[1:]
    if len(parts) >= 2 and parts[1].isdigit():
        return parts[0], int(parts[1])
    return None


def _posted_at(message: LexborNode) -> datetime | None:
    stamp = message.css_first("a.tgme_widget_message_date time[datetime]") or message.css_first(
        ".tgme_widget_message_footer time[datetime]"
    )
    if stamp is None:
        return None
    try:
        return datetime.fromisoformat(stamp.attributes.get("datetime") or "")
    except ValueError:
        return None


def _duration(node: LexborNode | None) -> int | None:
    """'1:05' or '1:02:03' → seconds."""
    if node is None:
        return None
    parts = node.text(strip=True).split(":")
    if not all(p.isdigit() for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


def _text_of(node: LexborNode | None) -> str | None:
    return node.text(strip=True) or None if node is not None else None


def _album(wrap: LexborNode, message_id: int) -> tuple[str, dict[str, Any]]:
    items = []
    for item in wrap.css(".grouped_media_wrap"):
        classes = _classes(item)
        kind = "video" if "tgme_widget_message_video_player" in classes else "photo"
        target = _link_target(item.attributes.get("href"))
        items.append({"kind": kind, "message_id": target[1] if target else None})
    ids = [i["message_id"] for i in items if i["message_id"] is not None]
    meta: dict[str, Any] = {"count": len(items), "items": items}
    meta["first_message_id"] = min(ids) if ids else message_id
    return "album", meta


def _media(bubble: LexborNode, message_id: int) -> tuple[str | None, dict[str, Any]]:
    """Media kind and what the preview shows of it (never file contents)."""
    grouped = bubble.css_first(".tgme_widget_message_grouped_wrap")
    if grouped is not None:
        return _album(grouped, message_id)
    player = bubble.css_first(".tgme_widget_message_roundvideo_player")
    if player is not None:
        return "video_note", {"count": 1, "duration": _duration(player.css_first("time"))}
    video = bubble.css_first(".tgme_widget_message_video_player")
    if video is not None:
        return "video", {"count": 1, "duration": _duration(video.css_first("time"))}
    if bubble.css_first(".tgme_widget_message_photo_wrap") is not None:
        return "photo", {"count": 1}
    voice = bubble.css_first(".tgme_widget_message_voice_player")
    if voice is not None:
        return "voice", {"count": 1, "duration": _duration(voice.css_first("time"))}
    document = bubble.css_first(".tgme_widget_message_document_wrap")
    if document is not None:
        kind = "audio" if bubble.css_first(".audio_player, .tgme_widget_message_audio") else None
        meta: dict[str, Any] = {
            "count": 1,
            "file_name": _text_of(document.css_first(".tgme_widget_message_document_title")),
            "size_text": _text_of(document.css_first(".tgme_widget_message_document_extra")),
        }
        return kind or "document", meta
    poll = bubble.css_first(".tgme_widget_message_poll")
    if poll is not None:
        meta = {
            "count": 1,
            "question": _text_of(poll.css_first(".tgme_widget_message_poll_question")),
            "answers": [
                _text_of(o)
                for o in poll.css(".tgme_widget_message_poll_option_text")
                if _text_of(o)
            ],
            "poll_type": _text_of(poll.css_first(".tgme_widget_message_poll_type")),
        }
        return "poll", meta
    if bubble.css_first(".tgme_widget_message_sticker_wrap, .tgme_widget_message_sticker"):
        return "sticker", {"count": 1}
    if bubble.css_first(".tgme_widget_message_location_wrap") is not None:
        return "geo", {"count": 1}
    preview = bubble.css_first("a.tgme_widget_message_link_preview")
    if preview is not None:
        meta = {
            "url": preview.attributes.get("href"),
            "site_name": _text_of(preview.css_first(".link_preview_site_name")),
            "title": _text_of(preview.css_first(".link_preview_title")),
            "description": _text_of(preview.css_first(".link_preview_description")),
        }
        return "webpage", meta
    if bubble.css_first(".message_media_not_supported_wrap, .message_media_not_supported"):
        return "unsupported", {"count": 1}
    return None, {}


def _message_text(bubble: LexborNode) -> tuple[str, tuple[Entity, ...]]:
    """The post's own text (not the quoted text of the post it replies to)."""
    for node in bubble.css(".tgme_widget_message_text"):
        if "js-message_reply_text" in _classes(node):
            continue
        parent = node.parent
        if parent is not None and "tgme_widget_message_text" in _classes(parent):
            continue  # some pages nest the text div in itself: read the outer one
        builder = TextBuilder()
        builder.feed(node)
        return builder.result()
    return "", ()


def _forward(bubble: LexborNode, web: dict[str, Any]) -> tuple[int | None, str | None]:
    box = bubble.css_first(".tgme_widget_message_forwarded_from")
    if box is None:
        return None, None
    name_node = box.css_first(".tgme_widget_message_forwarded_from_name")
    name = _text_of(name_node) if name_node is not None else None
    if name is None:  # "Forwarded from Name" without a name element
        name = box.text(strip=True).removeprefix("Forwarded from").strip() or None
    href = name_node.attributes.get("href") if name_node is not None else None
    if href:
        web["forwarded_from_url"] = href
    target = _link_target(href)
    return (target[1] if target else None), name


def _reply_to(bubble: LexborNode, username: str) -> int | None:
    reply = bubble.css_first("a.tgme_widget_message_reply")
    target = _link_target(reply.attributes.get("href") if reply is not None else None)
    if target is None or target[0].lower() != username.lower():
        return None
    return target[1]


def parse_post(message: LexborNode, channel_id: int) -> ChannelPost | None:
    """One `div.tgme_widget_message` → ChannelPost (None when it is cut off or not a post)."""
    ref = _post_ref(message)
    posted_at = _posted_at(message)
    if ref is None or posted_at is None:
        return None
    username, message_id = ref
    bubble = message.css_first(".tgme_widget_message_bubble") or message
    text, entities = _message_text(bubble)
    web: dict[str, Any] = {}
    fwd_message_id, fwd_name = _forward(bubble, web)
    media_kind, media = _media(bubble, message_id)
    meta = message.css_first(".tgme_widget_message_meta")
    if meta is not None and "edited" in meta.text(deep=True).lower():
        web["edited_mark"] = True
    views_node = message.css_first(".tgme_widget_message_views")
    grouped_id = media.get("first_message_id") if media_kind == "album" else None
    details = {k: v for k, v in {**media, **web}.items() if v is not None}
    return ChannelPost(
        channel_id=channel_id,
        message_id=message_id,
        posted_at=posted_at,
        text=text,
        entities=entities,
        edited_at=None,  # the preview shows "edited", never when
        views=parse_count(views_node.text()) if views_node is not None else None,
        fwd_from_message_id=fwd_message_id,
        fwd_from_name=fwd_name,
        reply_to_message_id=_reply_to(bubble, username),
        grouped_id=grouped_id,
        media_kind=media_kind,
        media=details or None,
    )


def _is_truncated(html: str) -> bool:
    # Not a parse of the HTML: a complete document ends with its closing tag.
    return "</html>" not in html[-512:].lower()


def parse_page(html: str, *, file_under: int | None = None) -> PreviewPage:
    """A t.me/s page → PreviewPage. Posts with no id or date (a cut-off page) are left out.

    Posts carry `file_under` (the id the channel is stored under) when given, else the id the
    page shows; `PreviewPage.channel_id` is always what the page shows.
    """
    tree = LexborHTMLParser(html)
    title = _text_of(tree.css_first(".tgme_channel_info_header_title span")) or _text_of(
        tree.css_first(".tgme_header_title span")
    )
    messages = tree.css("div.tgme_widget_message[data-post]")
    channel_id = None
    username = None
    for message in messages:
        channel_id = channel_id or _id_from_view(message.attributes.get("data-view"))
        channel_id = channel_id or _id_from_peer(message.attributes.get("data-peer"))
        ref = _post_ref(message)
        if ref and username is None:
            username = ref[0]  # post links carry the canonical capitalisation
    if username is None:
        header = _text_of(tree.css_first(".tgme_channel_info_header_username a"))
        username = header.lstrip("@") if header else None
    posts: list[ChannelPost] = []
    service: list[int] = []
    truncated = _is_truncated(html)
    owner = file_under if file_under is not None else channel_id
    for message in messages:
        ref = _post_ref(message)
        if ref is None:
            continue
        if "service_message" in _classes(message):
            service.append(ref[1])
            continue
        post = parse_post(message, owner if owner is not None else 0)
        if post is None:
            truncated = True
            continue
        posts.append(post)
    more = tree.css_first("a.tme_messages_more[data-before]")
    before_text = more.attributes.get("data-before") if more is not None else None
    before = int(before_text) if before_text and before_text.isdigit() else None
    posts.sort(key=lambda p: p.message_id)
    return PreviewPage(
        username, title, channel_id, tuple(posts), tuple(sorted(service)), before, truncated
    )


def parse_landing(html: str) -> Landing:
    """t.me/<username>: a channel whose preview is off shows its title and subscriber count."""
    tree = LexborHTMLParser(html)
    title = _text_of(tree.css_first(".tgme_page_title span")) or _text_of(
        tree.css_first(".tgme_page_title")
    )
    extra = (_text_of(tree.css_first(".tgme_page_extra")) or "").lower()
    exists = title is not None and any(w in extra for w in ("subscriber", "member", "online"))
    return Landing(exists, title)


def username_from_href(href: str) -> str | None:
    """https://t.me/rybar → 'rybar' (used for mentions)."""
    parts = [p for p in urlsplit(href).path.split("/") if p]
    return unquote(parts[0]) if len(parts) == 1 else None
