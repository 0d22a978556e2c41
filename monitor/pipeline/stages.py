"""Pipeline stages that adapt the pure core (language, matching) to stored posts.

Each stage reads what `store` wrote, calls a pure function, and writes its result back in the
same transaction. Matching runs on every new post, on every edit, and — through
`match_posts` — again when a translation arrives or a watchlist is applied to history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from monitor.core.events import ChannelInfo
from monitor.matching.matcher import Hit, Matcher
from monitor.pipeline.parallel import CorePool, MatchJob, detect_all, match_all
from storage.matches import MatchChanges, MatchRecord, sync_matches
from storage.models import Channel, Post
from storage.posts import PostChange

log = logging.getLogger(__name__)
_POST = Post.__table__  # type: ignore[attr-defined]
_SET_LANGUAGE = (
    update(_POST)
    .where(_POST.c.id == bindparam("b_id"))
    .values(language=bindparam("b_lang"), language_confidence=bindparam("b_conf"))
)
_IN_CHUNK = 500


class LanguageStage:
    """Detect each new or edited post's language (deterministic; `und` when unsure)."""

    name = "language"

    def __init__(self, pool: CorePool | None = None) -> None:
        self.pool = pool  # large batches use a second core

    def run(self, session: Session, changes: Sequence[PostChange]) -> None:
        texts = [change.post.text for change in changes]
        detections = self.pool.detect(texts) if self.pool else detect_all(texts)
        params = [
            {"b_id": change.post_id, "b_lang": lang, "b_conf": confidence}
            for change, (lang, confidence) in zip(changes, detections, strict=True)
        ]
        if params:
            session.execute(_SET_LANGUAGE, params)


class MatchListener(Protocol):
    """Told about matches that became live or stopped firing (the alerts outbox listens)."""

    def __call__(self, session: Session, changes: MatchChanges) -> None: ...


@dataclass(frozen=True)
class _Target:
    post_id: int
    version: int
    text: str | None
    language: str | None
    channel: ChannelInfo


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
    targets: list[tuple[_Target, str]] = []
    for target_source in sources:
        for target in _targets(session, ids, target_source, translation_language):
            evaluated.append((target.post_id, target_source))
            if target.text:
                targets.append((target, target_source))
    jobs = [MatchJob(t.text or "", t.language, t.channel, source) for t, source in targets]
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


def _targets(
    session: Session, ids: list[int], source: str, translation_language: str
) -> Iterable[_Target]:
    text_column = Post.text if source == "original" else Post.translation
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(
                Post.id,  # type: ignore[arg-type]
                Post.version_count,
                text_column,
                Post.language,
                Post.channel_id,
                Channel.username,
            )
            .join(Channel, Channel.id == Post.channel_id)  # type: ignore[arg-type]
            .where(Post.id.in_(ids[start : start + _IN_CHUNK]))  # type: ignore[union-attr]
        ).all()
        for post_id, version, text, language, channel_id, username in rows:
            lang = language if source == "original" else translation_language
            yield _Target(post_id, version, text, lang, ChannelInfo(channel_id, username))


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
