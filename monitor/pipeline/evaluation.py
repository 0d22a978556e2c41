"""Which rules fire on one post: its original text, then its English, as the pipeline sees it.

The match stage, the translation arrival step and `tgmon watchlist test` all evaluate a post
here, so a dry run shows exactly what the pipeline would record.
"""

from __future__ import annotations

from monitor.core.events import ChannelInfo
from monitor.matching.matcher import Hit, Matcher


def post_hits(
    matcher: Matcher,
    *,
    text: str | None,
    translation: str | None,
    language: str | None,
    channel: ChannelInfo,
    translation_language: str = "en",
) -> list[Hit]:
    """Hits on the original text and on the stored translation of one post."""
    hits: list[Hit] = []
    if text:
        hits += matcher.match(text, language=language, channel=channel)
    if translation:
        hits += matcher.match(
            translation,
            language=translation_language,
            channel=channel,
            text_source="translation",
        )
    return hits
