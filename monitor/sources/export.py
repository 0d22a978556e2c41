"""Read Telegram Desktop "Export chat history" JSON (result.json) as normalised posts.

Both shapes are accepted — a single chat `{name, type, id, messages}` and a whole-account export
`{chats: {list: [...]}, left_chats: {list: [...]}}` — and streamed with ijson, so a
multi-gigabyte export never sits in memory. Dates come from `date_unixtime` (`date` has no
offset); text is rebuilt from `text_entities`.

Hostile files are read safely: a message nested deeper than MAX_MESSAGE_DEPTH, or an entry
of `messages` that is not an object, is yielded as a bad message (counted, never a crash), and
a chat that is not a channel or group is yielded once as a skipped chat with its type.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from monitor.core.errors import ExportFormatError
from monitor.core.events import ChannelInfo, ChannelPost, Entity

PLACEHOLDER_PREFIX = "(File "  # "(File not included. Change data exporting settings to download.)"
_FILE_KINDS = {
    "video_file": "video",
    "animation": "animation",
    "voice_message": "voice",
    "audio_file": "audio",
    "sticker": "sticker",
    "video_message": "video_note",
}
_CHANNEL_TYPES = {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
_MESSAGE_PREFIXES = (
    "messages.item",
    "chats.list.item.messages.item",
    "left_chats.list.item.messages.item",
)
_HEADER_KEYS = ("name", "type", "id")
_CHAT_PREFIXES = ("chats.list.item", "left_chats.list.item")
# Telegram Desktop writes messages about six levels deep; far more is a broken or hostile file
# whose rebuilding (repr, JSON, recursion) would crash, so it is refused per message.
MAX_MESSAGE_DEPTH = 64
_SCALAR_EVENTS = {"string": "a string", "number": "a number", "boolean": "a boolean"}
_ITEM_EVENTS = {"start_map", "start_array", "null", *_SCALAR_EVENTS}


@dataclass(frozen=True)
class ExportedMessage:
    """One message of an export, or the reason it could not be read."""

    channel: ChannelInfo
    index: int  # position within its chat's messages, for error messages
    post: ChannelPost | None
    skipped: str | None = None  # "service" / "unsupported"
    error: str | None = None
    message_id: int | None = None  # when readable, even for skipped or bad messages
    skipped_chat: str | None = None  # set once per chat not imported: its type and why


def find_exports(path: Path) -> list[Path]:
    """A result.json file itself, or every result.json below a folder (sorted)."""
    try:
        if path.is_file():
            return [path]
        if path.is_dir():
            found = sorted(path.rglob("result.json"))
            if not found:
                raise ExportFormatError(f"{path}: no result.json found in this folder")
            return found
    except OSError as exc:  # a name too long, a folder we may not list
        raise ExportFormatError(f"{_short(path)}: cannot read: {exc.strerror}") from None
    raise ExportFormatError(f"{_short(path)}: no such file or folder")


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 200 else text[:197] + "..."


_INT64 = 2**63  # ids and counts are stored as BIGINT: anything wider is not a real id


def _parse_id(value: Any, prefix: str = "") -> int | None:
    if isinstance(value, bool):
        return None
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value[len(prefix) :] if prefix and value.startswith(prefix) else value
        if text.lstrip("-").isascii() and text.lstrip("-").isdigit() and len(text) < 30:
            number = int(text)
    return number if number is not None and -_INT64 < number < _INT64 else None


def _timestamp(message: dict[str, Any], key: str) -> datetime | None:
    unix = message.get(f"{key}_unixtime")
    if unix is not None:
        try:
            return datetime.fromtimestamp(int(unix), UTC)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{key}_unixtime: not a unix time: {unix!r}") from exc
    local = message.get(key)
    if local is None:
        return None
    try:  # no offset in the export: the best reading of a bare local time is UTC
        parsed = datetime.fromisoformat(str(local))
    except ValueError as exc:
        raise ValueError(f"{key}: not a date: {local!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _runs(message: dict[str, Any]) -> list[dict[str, Any]]:
    runs = message.get("text_entities")
    if isinstance(runs, list):
        return [r if isinstance(r, dict) else {"type": "plain", "text": r} for r in runs]
    text = message.get("text", "")
    if isinstance(text, str):
        return [{"type": "plain", "text": text}]
    if isinstance(text, list):
        return [r if isinstance(r, dict) else {"type": "plain", "text": r} for r in text]
    raise ValueError(f"text: expected a string or a list, got {type(text).__name__}")


def plain_text(value: Any) -> str:
    """The text of an entity's `text`: a string, or runs nested in lists and objects.

    Walked with a stack, not recursion, so a hostile file nested thousands deep cannot crash
    it; an object contributes its `text`, a number its digits, null nothing.
    """
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.append(item.get("text", ""))
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int | float):
            parts.append(str(item))
    return "".join(parts)


def text_and_entities(message: dict[str, Any]) -> tuple[str, tuple[Entity, ...]]:
    """Rebuild the plain text and its entities from an exported message."""
    parts: list[str] = []
    entities: list[Entity] = []
    offset = 0
    for run in _runs(message):
        chunk = plain_text(run.get("text", ""))
        kind = str(run.get("type", "plain"))
        if kind != "plain" and chunk:
            url = run.get("href") if kind == "text_link" else None
            entities.append(Entity(kind, offset, len(chunk), url))
        parts.append(chunk)
        offset += len(chunk)
    return "".join(parts), tuple(entities)


def _media(message: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    def where(value: Any) -> dict[str, Any]:
        if isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX):
            return {"included": False}
        return {"included": value is not None, "path": value}

    if "photo" in message:
        meta = where(message.get("photo"))
        meta.update({k: message[k] for k in ("width", "height") if k in message})
        return "photo", meta
    if "file" in message:
        kind = _FILE_KINDS.get(str(message.get("media_type")), "document")
        meta = where(message.get("file"))
        for key in ("mime_type", "duration_seconds", "width", "height", "file_name", "file_size"):
            if key in message:
                meta[key] = message[key]
        return kind, meta
    for key, kind in (
        ("poll", "poll"),
        ("location_information", "geo"),
        ("contact_information", "contact"),
    ):
        if key in message:
            value = message[key]
            return kind, value if isinstance(value, dict) else {"value": value}
    return None, None


def _reactions(message: dict[str, Any]) -> dict[str, int] | None:
    raw = message.get("reactions")
    if not isinstance(raw, list):
        return None
    counts: dict[str, int] = {}
    for reaction in raw:
        if not isinstance(reaction, dict):
            continue
        key = reaction.get("emoji") or (
            f"custom:{reaction['document_id']}"
            if reaction.get("document_id")
            else reaction.get("type")
        )
        count = _parse_id(reaction.get("count", 0))
        if key and count is not None:  # an unreadable count drops that reaction, not the post
            counts[str(key)] = min(counts.get(str(key), 0) + count, _INT64 - 1)
    return counts


def message_to_post(channel_id: int, message: dict[str, Any]) -> ChannelPost:
    """Map one exported message to a ChannelPost; raise ValueError naming the bad field."""
    message_id = _parse_id(message.get("id"))
    if message_id is None:
        raise ValueError("id: missing or not an integer (or out of range)")
    posted_at = _timestamp(message, "date")
    if posted_at is None:
        raise ValueError("date: missing")
    text, entities = text_and_entities(message)
    media_kind, media = _media(message)
    forwarded_from = message.get("forwarded_from")
    return ChannelPost(
        channel_id=channel_id,
        message_id=message_id,
        posted_at=posted_at,
        text=text,
        entities=entities,
        edited_at=_timestamp(message, "edited"),
        reactions=_reactions(message),
        fwd_from_channel_id=_parse_id(message.get("forwarded_from_id"), "channel"),
        fwd_from_name=str(forwarded_from) if forwarded_from is not None else None,
        reply_to_message_id=_parse_id(message.get("reply_to_message_id")),
        media_kind=media_kind,
        media=media,
    )


def _chat_info(header: dict[str, Any], path: Path) -> ChannelInfo:
    chat_id = _parse_id(header.get("id"))
    if chat_id is None:
        raise ExportFormatError(f"{path}: chat has no numeric id before its messages")
    if chat_id < 0:  # some tools write the -100-prefixed form; tgmon keys on the bare id
        text = str(-chat_id)
        chat_id = int(text[3:]) if text.startswith("100") and len(text) > 3 else -chat_id
    return ChannelInfo(channel_id=chat_id, title=header.get("name"))


def read_export(
    path: Path,
    *,
    handle: BinaryIO | None = None,
    channel_types: Sequence[str] | None = None,
) -> Iterator[ExportedMessage]:
    """Stream every message of an export file, chat by chat, in file order.

    Raises ExportFormatError for a file that is not an export at all; a single bad message is
    yielded with `error` set so the caller decides whether to stop or skip it. Pass an open
    `handle` to watch `handle.tell()` for progress.
    """
    wanted: set[str | None] = (
        set(channel_types) if channel_types is not None else _CHANNEL_TYPES | {None}
    )
    try:
        if handle is not None:
            yield from _stream(handle, path, wanted)
        else:
            with path.open("rb") as own:
                yield from _stream(own, path, wanted)
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ExportFormatError(f"{path}: not valid JSON: {reason}") from None
    except OSError as exc:
        raise ExportFormatError(f"{path}: cannot read: {exc.strerror}") from None


def _stream(handle: BinaryIO, path: Path, wanted: set[str | None]) -> Iterator[ExportedMessage]:
    header: dict[str, Any] = {}
    chat: ChannelInfo | None = None
    index = -1
    # the message being read: its open objects and lists, outermost first. Built here rather
    # than by ijson's ObjectBuilder, whose two method calls per JSON event made reading an
    # export ~40 % slower (bench/RESULTS.md, import notes). ijson's C `items` would build
    # faster still, but nothing bounds its depth: on a hostile message nested 200,000 deep
    # the process was killed (exit 137), so the depth limit below needs the events.
    containers: list[Any] = []
    key: Any = None
    depth = 0  # > 0 while inside a message
    skip = False
    too_deep = False
    saw_messages = False
    for prefix, event, value in ijson.parse(handle, use_float=True):
        if depth:  # inside one message: build it until its outermost object closes
            if event == "map_key":
                key = value
            elif event == "start_map" or event == "start_array":
                depth += 1
                too_deep = too_deep or depth > MAX_MESSAGE_DEPTH
                if not (skip or too_deep):
                    item: Any = {} if event == "start_map" else []
                    top = containers[-1]
                    if type(top) is list:
                        top.append(item)
                    else:
                        top[key] = item
                    containers.append(item)
            elif event == "end_map" or event == "end_array":
                depth -= 1
                if depth == 0:
                    if too_deep and not skip:
                        reason = f"nested more than {MAX_MESSAGE_DEPTH} levels deep"
                        yield ExportedMessage(chat, index, None, error=reason)  # type: ignore[arg-type]
                    elif not skip:
                        yield _message(chat, index, containers[0])
                    containers = []
                elif not (skip or too_deep):
                    containers.pop()
            elif not (skip or too_deep):  # a string, number, boolean or null
                top = containers[-1]
                if type(top) is list:
                    top.append(value)
                else:
                    top[key] = value
            continue
        if prefix in _CHAT_PREFIXES and event == "start_map":  # next chat of a full export
            header, chat, index = {}, None, -1
        elif event in ("string", "number") and _is_header(prefix):
            header[prefix.rsplit(".", 1)[-1]] = value
        elif prefix in _MESSAGE_PREFIXES and event in _ITEM_EVENTS:
            saw_messages = True
            if chat is None:  # first message of a chat: its header has been read
                chat = _chat_info(header, path)
                skip = header.get("type") not in wanted
                if skip:
                    yield ExportedMessage(chat, 0, None, skipped_chat=_why_skipped(header))
            index += 1
            if event in ("start_map", "start_array"):
                depth, too_deep = 1, False
                containers = [] if skip else [{} if event == "start_map" else []]
            elif not skip:  # `42`, `"text"` or `null` where a message belongs
                what = _SCALAR_EVENTS.get(event, "null")
                yield ExportedMessage(chat, index, None, error=f"message is {what}, not an object")
    if not saw_messages:
        raise ExportFormatError(f"{path}: not a Telegram Desktop export (no 'messages' list found)")


def _why_skipped(header: dict[str, Any]) -> str:
    kind = header.get("type")
    return f"{kind or 'no type'}: tgmon imports channels and groups only"


def _is_header(prefix: str) -> bool:
    return prefix in _HEADER_KEYS or (
        prefix.rsplit(".", 1)[0] in _CHAT_PREFIXES and prefix.rsplit(".", 1)[-1] in _HEADER_KEYS
    )


def _message(chat: ChannelInfo | None, index: int, message: Any) -> ExportedMessage:
    assert chat is not None
    if not isinstance(message, dict):
        return ExportedMessage(chat, index, None, error="message is a list, not an object")
    message_id = _parse_id(message.get("id"))
    kind = message.get("type", "message")
    if kind != "message":
        return ExportedMessage(chat, index, None, skipped=str(kind), message_id=message_id)
    try:
        post = message_to_post(chat.channel_id, message)
    except ValueError as exc:
        return ExportedMessage(chat, index, None, error=f"{exc}", message_id=message_id)
    except (TypeError, KeyError, AttributeError, OverflowError) as exc:
        # a shape nobody foresaw: this message is bad, the file and the import go on
        reason = f"unreadable ({type(exc).__name__}: {exc})"
        return ExportedMessage(chat, index, None, error=reason, message_id=message_id)
    return ExportedMessage(chat, index, post, message_id=message_id)
