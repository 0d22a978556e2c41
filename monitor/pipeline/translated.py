"""What happens when translations arrive: index them, match them, tell the match listeners.

The translation drain stores English for a batch of posts and calls `TranslatedPosts` in the
same transaction, so a watchlist written in English fires on a Russian post's translation
exactly as it would on an English post.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel import Session

from monitor.matching.matcher import Matcher
from monitor.pipeline.stages import MatchListener, match_posts
from storage.search import refresh_search_text


class TranslatedPosts:
    """Re-index and re-match posts whose translation was just stored."""

    def __init__(
        self,
        matcher: Callable[[], Matcher],
        listeners: Sequence[MatchListener] = (),
        *,
        translation_language: str = "en",
    ) -> None:
        self.matcher = matcher
        self.listeners = list(listeners)
        self.translation_language = translation_language

    def __call__(self, session: Session, post_ids: list[int]) -> None:
        refresh_search_text(session, post_ids)
        changes = match_posts(
            session,
            self.matcher(),
            post_ids,
            sources=("translation",),
            translation_language=self.translation_language,
        )
        for listener in self.listeners:
            listener(session, changes)
