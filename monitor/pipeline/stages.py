"""Pipeline stages that adapt the pure core (language, matching) to stored posts.

Each stage reads what `store` wrote, calls a pure function, and writes its result back in the
same transaction. Matching runs on every new post, on every edit, and — through
`match_posts` — again when a translation arrives or a watchlist is applied to history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from sqlmodel import Session

from monitor.core.events import ChannelInfo, ChannelPost
from monitor.matching.matcher import Hit, Matcher
from monitor.pipeline.parallel import CorePool, MatchJob, detect_all, match_all
from storage.matches import MatchChanges, MatchRecord, sync_matches
from storage.posts import PostChange
from storage.stage_io import MatchTarget, match_targets, set_languages

log = logging.getLogger(__name__)


class LanguageStage:
    """Detect each new or edited post's language (deterministic; `und` when unsure)."""

    name = "language"

    def __init__(self, pool: CorePool | None = None) -> None:
        self.pool = pool  # large batches use a second core

    def _detect(self, texts: list[str]) -> list[tuple[str, float]]:
        return self.pool.detect(texts) if self.pool else detect_all(texts)

    def prepare(self, posts: Sequence[ChannelPost], columns: dict[int, dict[str, object]]) -> None:
        """Detect new posts' languages before they are stored: the row is written once."""
        detections = self._detect([post.text for post in posts])
        for post, (lang, confidence) in zip(posts, detections, strict=True):
            columns[post.message_id].update(language=lang, language_confidence=confidence)

    def run(self, session: Session, changes: Sequence[PostChange]) -> None:
        detections = self._detect([change.post.text for change in changes])
        set_languages(
            session,
            [
                (change.post_id, lang, confidence)
                for change, (lang, confidence) in zip(changes, detections, strict=True)
            ],
        )


class MatchListener(Protocol):
    """Told about matches that became live or stopped firing (the alerts outbox listens)."""

    def __call__(self, session: Session, changes: MatchChanges) -> None: ...


def hit_rule(hit: Hit) -> str:
    """The rule key stored on Match rows: the rule's id/name, else its 1-based position."""
    return hit.rule_id or str(hit.rule_index)


def match_posts(
    session: Session,
    matcher: Matcher,
    post_ids: Iterable[int],
    *,
    sources: Sequence[str] = ("original", "translation"),
    translation_language: str = "en",
    only_watchlists: set[str] | None = None,
    pool: CorePool | None = None,
) -> MatchChanges:
    """Evaluate stored posts' current texts and bring their Match rows up to date.

    A post without a translation has its translation matches removed, so an edit (which clears
    the translation) never leaves a stale match behind. `pool` lends a second core to large
    batches (the hits are the same).
    """
    ids = sorted(set(post_ids))
    evaluated: list[tuple[int, str]] = []
    targets: list[tuple[MatchTarget, str]] = []
    for target_source in sources:
        for target in match_targets(session, ids, target_source, translation_language):
            evaluated.append((target.post_id, target_source))
            if target.text:
                targets.append((target, target_source))
    channels: dict[int, ChannelInfo] = {}
    jobs = []
    for t, source in targets:
        channel = channels.get(t.channel_id)
        if channel is None:
            channel = channels[t.channel_id] = ChannelInfo(t.channel_id, t.username)
        jobs.append(MatchJob(t.text or "", t.language, channel, source))
    found = pool.match(matcher, jobs) if pool else match_all(matcher, jobs)
    records = [
        MatchRecord(
            post_id=target.post_id,
            watchlist=hit.watchlist,
            rule=hit_rule(hit),
            severity=hit.severity,
            text_source=target_source,
            terms=hit.terms,
            spans=hit.spans,
            post_version=target.version,
        )
        for (target, target_source), hits in zip(targets, found, strict=True)
        for hit in hits
    ]
    return sync_matches(session, evaluated, records, only_watchlists=only_watchlists)


class MatchStage:
    """Match new and edited posts against the watchlists in force; tell listeners what changed."""

    name = "match"

    def __init__(
        self,
        matcher: Callable[[], Matcher],
        listeners: Sequence[MatchListener] = (),
        *,
        translation_language: str = "en",
        pool: CorePool | None = None,
    ) -> None:
        self.matcher = matcher
        self.listeners = list(listeners)
        self.translation_language = translation_language
        self.pool = pool

    def would_look_ahead(self, count: int) -> bool:
        """Whether `look_ahead` would give a batch of COUNT posts to the second core now."""
        return self.pool is not None and self.pool.shares(count)

    def look_ahead(self, channel: ChannelInfo, posts: Sequence[ChannelPost]) -> None:
        """Have the second core detect and match posts this stage will see next (an import's
        next batch), as the language stage and this one would for them as new posts."""
        if self.pool is not None:
            where = ChannelInfo(channel.channel_id, channel.username)  # as match_posts builds it
            self.pool.look_ahead(self.matcher(), [post.text for post in posts], where)

    def run(self, session: Session, changes: Sequence[PostChange]) -> None:
        result = match_posts(
            session,
            self.matcher(),
            (c.post_id for c in changes),
            translation_language=self.translation_language,
            pool=self.pool,
        )
        for listener in self.listeners:
            listener(session, result)
