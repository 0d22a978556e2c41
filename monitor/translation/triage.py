"""Translation triage at ingest: which posts need translating at all, and from what language.

Runs as a pipeline stage after language detection, so the backlog holds only real work.
Decisions (`translation_need`): empty text or only links/tags → skipped "no text"; language
"und" → skipped; already in the target, or not among `sources` → skipped; language NULL (no
detector ran) → left pending, and the drain translates it with source "auto" (the provider
detects the language). A skipped post's reason is kept in `translation_error`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from monitor.config.settings import TranslationSettings
from monitor.core.events import ChannelPost
from monitor.translation.segments import has_words, protect_entities
from storage import translations as store
from storage.post_rows import entity_dicts
from storage.posts import PostChange


@dataclass(frozen=True)
class Need:
    """Whether a post needs translating: from `source`, or skipped for `skip_reason`."""

    source: str | None = None
    skip_reason: str | None = None


def _base(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def translation_need(
    text: str,
    entities: list[dict[str, Any]] | None,
    language: str | None,
    *,
    target: str,
    sources: Sequence[str] | None,
) -> Need:
    """Decide whether one post is sent for translation, and from which language."""
    if not text.strip() or not has_words(protect_entities(text, entities)):
        return Need(skip_reason="no text")
    if language is None:
        return Need(source="auto")
    lang = _base(language)
    if lang == "und":
        return Need(skip_reason="language undetermined")
    if lang == _base(target):
        return Need(skip_reason=f"already in {target}")
    if sources and lang not in {_base(s) for s in sources}:
        return Need(skip_reason=f"{lang} not in translation.sources")
    return Need(source=lang)


class TranslationTriageStage:
    """Pipeline stage: mark new and edited posts that need no translation as skipped.

    Runs after language detection; a post whose language is still NULL stays pending (the
    drain decides later), so the backlog holds only real work.
    """

    name = "translation_triage"

    def __init__(self, settings: TranslationSettings) -> None:
        self.settings = settings

    def prepare(self, posts: Sequence[ChannelPost], columns: dict[int, dict[str, object]]) -> None:
        """Triage new posts before they are stored, with the language the stage before set.

        A post that needs translating stays pending (the row's default), as in `run`.
        """
        for post in posts:
            values = columns[post.message_id]
            language = values.get("language")
            need = translation_need(
                post.text,
                entity_dicts(post),
                language if isinstance(language, str) else None,
                target=self.settings.target,
                sources=self.settings.sources,
            )
            if need.skip_reason is not None:
                values.update(translation_status="skipped", translation_error=need.skip_reason)

    def run(self, session: Session, changes: Sequence[PostChange]) -> None:
        ids = [c.post_id for c in changes]
        # storage.posts resets status and attempts on an edit; the retry time and reason too.
        store.clear_retry_state(session, [c.post_id for c in changes if c.kind == "edited"])
        rows = store.pending_texts(session, ids)
        by_reason: dict[str, list[int]] = {}
        for row in rows:
            need = translation_need(
                row.text,
                row.entities,
                row.language,
                target=self.settings.target,
                sources=self.settings.sources,
            )
            if need.skip_reason is not None:  # NULL language can only be skipped for "no text"
                by_reason.setdefault(need.skip_reason, []).append(row.id)
        for reason, post_ids in by_reason.items():
            store.record_skipped(session, post_ids, reason)
