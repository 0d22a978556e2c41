"""Rebuild a post's text and formatting entities from the preview's HTML markup.

The preview renders Telegram's entities as tags: <b>, <i>, <u>, <s>, <code>, <pre>, <a href>,
<tg-spoiler>, <blockquote>; hashtags as links to `?q=%23tag`, mentions as links to
t.me/<name>. Emoji are images wrapping the character in <i class="emoji"><b>…</b></i>, which is
text, not bold. Entity names and offsets (Python code points) match monitor.core.events.Entity
and the names the Telegram source uses.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborNode

from monitor.core.events import Entity

_TAG_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
_PLAIN = {"tg-emoji", "span", "div", "p", "font", "mark"}


def _link_entity(href: str, text: str) -> tuple[str, str | None]:
    """The entity kind of one <a>: hashtag, cashtag, mention, email, phone, link or text_link."""
    parts = urlsplit(href)
    if not parts.scheme and not parts.netloc and parts.query:  # ?q=%23tag: a search link
        query = parse_qs(parts.query).get("q", [""])[0]
        if query.startswith("#") or text.startswith("#"):
            return "hashtag", None
        if query.startswith("$") or text.startswith("$"):
            return "cashtag", None
    if parts.scheme == "mailto":
        return "email", None
    if parts.scheme == "tel":
        return "phone", None
    if text.startswith("@") and parts.netloc.lower() in ("t.me", "telegram.me", "www.t.me"):
        return "mention", None
    shown = text.strip()
    if shown and (shown == href or href.rstrip("/").endswith(shown.rstrip("/").split("://")[-1])):
        return "link", href  # the URL is written out in the text
    return "text_link", href


class TextBuilder:
    """Walk one text element depth-first, collecting characters and entity spans."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._entities: list[Entity] = []

    def _append(self, text: str) -> None:
        if text:
            self._parts.append(text)
            self._length += len(text)

    def feed(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            self._visit(child)

    def _visit(self, node: LexborNode) -> None:
        tag = node.tag
        if tag == "-text":
            self._append(node.text(deep=False))
            return
        if tag == "br":
            self._append("\n")
            return
        if tag in ("img", "svg", "script", "style"):
            alt = node.attributes.get("alt") if tag == "img" else None
            self._append(alt or "")
            return
        classes = set((node.attributes.get("class") or "").split())
        if "emoji" in classes:  # an emoji image around its character: text, not bold/italic
            self._append(node.text(deep=True))
            return
        start, first_part = self._length, len(self._parts)
        self.feed(node)
        length = self._length - start
        if length <= 0:
            return
        if tag == "a":
            href = node.attributes.get("href") or ""
            text = "".join(self._parts[first_part:])
            kind, url = _link_entity(href, text)
            self._entities.append(Entity(kind, start, length, url))
        elif tag in _TAG_ENTITIES:
            self._entities.append(Entity(_TAG_ENTITIES[tag], start, length))
        elif "tg-spoiler" in classes:
            self._entities.append(Entity("spoiler", start, length))
        elif tag not in _PLAIN:
            return

    def result(self) -> tuple[str, tuple[Entity, ...]]:
        """The text without trailing whitespace, and the entities clipped to it, in order."""
        text = "".join(self._parts).rstrip()
        lead = len(text) - len(text.lstrip())
        text = text[lead:]
        out = []
        for entity in self._entities:
            start = max(entity.offset - lead, 0)
            end = min(entity.offset + entity.length - lead, len(text))
            if end > start:
                out.append(Entity(entity.type, start, end - start, entity.url))
        out.sort(key=lambda e: (e.offset, -e.length))
        return text, tuple(out)
