"""The translation drain: the job that works off the backlog of pending posts.

Ingestion never waits for a translator. Posts are stored `pending`; `TranslationTriageStage`
(monitor/translation_triage.py) marks at once the ones that need no translation, and
`drain_translations` — run by the daemon every minute or so in a worker thread, and by
`tgmon translate` — claims due posts in batches, answers from the cache when it can, and asks
the provider otherwise. An outage leaves posts pending and backs the provider off
exponentially; the next run after the back-off probes again and drains the backlog.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from monitor.config.settings import Settings, TranslationSettings
from monitor.core.clock import Clock, utcnow
from monitor.core.errors import TranslationError
from monitor.translation.provider_limiter import RateLimiter
from monitor.translation.providers import TranslationOutage, Translator, translator_for
from monitor.translation.segments import translate_segments
from monitor.translation.triage import translation_need
from storage import translations as store
from storage.database import Database

log = logging.getLogger(__name__)


@dataclass
class DrainReport:
    """What one drain did; `stopped` says why it ended early (outage, budget), if it did."""

    provider: str
    translated: int = 0  # posts translated by the provider
    from_cache: int = 0  # posts answered from the cache
    skipped: int = 0
    failed: int = 0  # posts that used their last attempt
    retrying: int = 0  # posts that failed and will be tried again later
    chars_sent: int = 0
    requests: int = 0
    waited_s: float = 0.0  # time spent waiting for rate limits
    stopped: str | None = None  # "outage" | "backoff" | "budget"
    error: str | None = None
    backoff_until: datetime | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        return self.translated + self.from_cache + self.skipped + self.failed + self.retrying


# Called in the transaction that stores translations, with the ids of the posts just done:
# the place to run watchlist matching on the translated text.
OnTranslated = Callable[[Session, list[int]], None]


@dataclass
class _Group:
    source: str
    key: str
    posts: list[store.ClaimedPost]


class _Drain:
    """One run over the backlog; keeps the counters and the chars spent today."""

    def __init__(
        self,
        db: Database,
        translator: Translator,
        settings: TranslationSettings,
        *,
        clock: Clock,
        sleep: Callable[[float], None],
        limiter: RateLimiter,
        progress: Callable[[int], None] | None,
        on_translated: OnTranslated | None = None,
    ) -> None:
        self.db, self.translator, self.settings = db, translator, settings
        self.on_translated = on_translated
        self.clock, self.sleep, self.limiter, self.progress = clock, sleep, limiter, progress
        self.report = DrainReport(provider=translator.name)
        self.used_today = 0
        self.unrecorded_chars = self.unrecorded_requests = 0

    def _advance(self, posts: int) -> None:
        if self.progress is not None and posts:
            self.progress(posts)

    def process(self, claim: store.Claim) -> bool:
        """Work through one claimed batch; return False when the drain must stop."""
        try:
            return self._process(claim)
        finally:
            self.record_usage()

    def _process(self, claim: store.Claim) -> bool:
        self.used_today = claim.state.chars_today
        groups: dict[str, _Group] = {}
        skips: dict[str, list[int]] = {}
        s = self.settings
        for post in claim.posts:
            need = translation_need(
                post.text, post.entities, post.language, target=s.target, sources=s.sources
            )
            if need.skip_reason is not None or need.source is None:
                skips.setdefault(need.skip_reason or "no text", []).append(post.id)
                continue
            key = store.cache_key(post.text, need.source, s.target, self.translator.name)
            groups.setdefault(key, _Group(need.source, key, [])).posts.append(post)
        if skips:
            with self.db.session() as session:
                for reason, ids in skips.items():
                    self.report.skipped += store.record_skipped(session, ids, reason)
            self._advance(sum(len(ids) for ids in skips.values()))
        ordered = self._answer_from_cache(list(groups.values()))
        # Stop short of the lease: past it another worker may claim (and pay for) the same text.
        deadline = self.clock() + self.settings.claim_lease * 0.8
        for index, group in enumerate(ordered):
            if self.clock() >= deadline:
                self._release([p.id for g in ordered[index:] for p in g.posts])
                return True  # claim the rest afresh
            if not self._translate_group(group):
                rest = [p.id for g in ordered[index + 1 :] for p in g.posts]
                if self.report.stopped == "budget":
                    rest += [p.id for p in group.posts]
                self._release(rest)
                return False
        return True

    def _answer_from_cache(self, groups: list[_Group]) -> list[_Group]:
        """Store cached translations for every group that has one; return the rest."""
        if not groups:
            return groups
        with self.db.session() as session:
            cached = store.cache_get_many(session, [g.key for g in groups])
            now = self.clock()
            for group in groups:
                if group.key not in cached:
                    continue
                done = store.record_done(
                    session,
                    [p.id for p in group.posts],
                    content_hash=group.posts[0].content_hash,
                    translation=cached[group.key],
                    provider=self.translator.name,
                    now=now,
                )
                self._after(session, done)
                self.report.from_cache += len(done)
        self._advance(sum(len(g.posts) for g in groups if g.key in cached))
        return [g for g in groups if g.key not in cached]

    def _release(self, post_ids: list[int]) -> None:
        if post_ids:
            with self.db.session() as session:
                store.release(session, post_ids)

    def _translate_group(self, group: _Group) -> bool:
        """Translate one text for all posts that carry it; return False to stop the drain."""
        first = group.posts[0]
        ids = [p.id for p in group.posts]
        s = self.settings

        budget = s.daily_char_budget
        if budget:
            sizes: list[int] = []

            def measure(piece: str) -> str:
                sizes.append(len(piece))
                return piece

            # A dry run: what would be sent, so a post is sent whole or not at all.
            translate_segments(first.text, self.translator.max_chars, measure, first.entities)
            if sum(sizes) > budget:
                reason = f"{sum(sizes)} characters exceed translation.daily_char_budget"
                self._fail(ids, first.content_hash, reason, final=True)
                return True
            if self.used_today + sum(sizes) > budget:
                self.report.stopped = "budget"
                return False

        def send(piece: str) -> str:
            self.report.waited_s += self.limiter.acquire(len(piece), self.sleep)
            self.used_today += len(piece)
            translated = self.translator.translate(piece, group.source, s.target)
            # Counted once answered: usage also tells the provider state "it is up".
            self.unrecorded_chars += len(piece)
            self.unrecorded_requests += 1
            self.report.chars_sent += len(piece)
            self.report.requests += 1
            return translated

        try:
            translation = translate_segments(
                first.text, self.translator.max_chars, send, first.entities
            )
        except TranslationOutage as exc:
            self._outage(exc, ids, first.content_hash)
            return False
        except TranslationError as exc:
            self._fail(ids, first.content_hash, str(exc))
            return True
        except Exception as exc:  # a bug must not wedge the backlog: charge the post
            log.exception("translation of post %s failed unexpectedly", first.id)
            self._fail(ids, first.content_hash, f"unexpected error: {type(exc).__name__}")
            return True
        now = self.clock()
        with self.db.session() as session:
            store.cache_put(
                session,
                group.key,
                provider=self.translator.name,
                source=group.source,
                target=s.target,
                translation=translation,
                now=now,
            )
            done = store.record_done(
                session,
                ids,
                content_hash=first.content_hash,
                translation=translation,
                provider=self.translator.name,
                now=now,
            )
            self._after(session, done)
        self.report.translated += 1 if done else 0
        self.report.from_cache += max(len(done) - 1, 0)
        self._advance(len(ids))
        return True

    def _after(self, session: Session, done: list[int]) -> None:
        if not done or self.on_translated is None:
            return
        try:
            with session.begin_nested():  # a failing hook must not lose the translation
                self.on_translated(session, done)
        except Exception:
            log.exception("after-translation hook failed for posts %s", done)

    def record_usage(self) -> None:
        """Write the requests answered since the last write (once per batch, not per text)."""
        if not self.unrecorded_requests:
            return
        with self.db.session() as session:
            store.record_usage(
                session,
                self.translator.name,
                chars=self.unrecorded_chars,
                requests=self.unrecorded_requests,
                now=self.clock(),
            )
        self.unrecorded_chars = self.unrecorded_requests = 0

    def _fail(self, ids: list[int], content_hash: str, reason: str, *, final: bool = False) -> None:
        s = self.settings
        with self.db.session() as session:
            failed = store.record_failure(
                session,
                ids,
                content_hash=content_hash,
                reason=reason,
                now=self.clock(),
                max_attempts=1 if final else s.max_attempts,
                backoff=s.backoff,
                max_backoff=s.max_backoff,
            )
        self.report.failed += len(failed)
        self.report.retrying += len(ids) - len(failed)
        self.report.reasons[reason] = self.report.reasons.get(reason, 0) + len(ids)
        self._advance(len(ids))

    def _outage(self, exc: TranslationOutage, ids: list[int], content_hash: str) -> None:
        s = self.settings
        self.record_usage()  # pieces answered before the failure count, and come first
        if exc.suspect_post:
            self._fail(ids, content_hash, str(exc))
        else:
            with self.db.session() as session:
                store.release(session, ids)
        with self.db.session() as session:
            until = store.record_outage(
                session,
                self.translator.name,
                reason=str(exc),
                now=self.clock(),
                backoff=s.backoff,
                max_backoff=s.max_backoff,
            )
        self.report.stopped, self.report.error, self.report.backoff_until = (
            "outage",
            str(exc),
            until,
        )
        log.warning("translation paused until %s: %s", until.isoformat(timespec="seconds"), exc)


def drain_translations(
    db: Database,
    translator: Translator,
    settings: TranslationSettings,
    *,
    clock: Clock = utcnow,
    sleep: Callable[[float], None] = time.sleep,
    limiter: RateLimiter | None = None,
    limit: int | None = None,
    since: datetime | None = None,
    honour_backoff: bool = True,
    progress: Callable[[int], None] | None = None,
    on_translated: OnTranslated | None = None,
) -> DrainReport:
    """Translate due pending posts in batches until none are left, the provider fails,
    the daily budget is spent, or `limit` posts were handled. Synchronous; never raises for
    a provider problem (the report says what happened).
    """
    if limiter is None:
        limits = settings.limits_for(translator.name)
        limiter = RateLimiter(limits.requests_per_minute, limits.chars_per_minute)
    drain = _Drain(
        db,
        translator,
        settings,
        clock=clock,
        sleep=sleep,
        limiter=limiter,
        progress=progress,
        on_translated=on_translated,
    )
    report = drain.report
    while limit is None or report.processed < limit:
        size = (
            settings.batch_size
            if limit is None
            else min(settings.batch_size, limit - report.processed)
        )
        with db.session() as session:
            claim = store.claim_pending(
                session,
                translator.name,
                now=clock(),
                limit=size,
                lease=settings.claim_lease,
                mode=settings.mode,
                since=since,
                honour_backoff=honour_backoff,
            )
        if not claim.posts:
            state = claim.state
            if honour_backoff and state.backoff_until is not None and state.backoff_until > clock():
                report.stopped, report.backoff_until = "backoff", state.backoff_until
                report.error = state.last_error
            break
        if not drain.process(claim):
            break
    return report


def make_translation_job(
    settings: Settings, db: Database, *, on_translated: OnTranslated | None = None
) -> Callable[[], DrainReport | None]:
    """The daemon's translation job: call it periodically (APScheduler, in a thread).

    Builds the translator and its rate limiter once, so limits hold across runs; schedule it
    with max_instances=1. The job returns None when translation is off (provider "none").
    `on_translated(session, post_ids)` runs in the transaction that stores translations.
    """
    tsettings = settings.translation
    if tsettings.provider == "none":
        return lambda: None
    translator = translator_for(tsettings)
    limits = tsettings.limits_for(translator.name)
    limiter = RateLimiter(limits.requests_per_minute, limits.chars_per_minute)

    def job() -> DrainReport:
        report = drain_translations(
            db, translator, tsettings, limiter=limiter, on_translated=on_translated
        )
        if report.processed:
            log.info(
                "translation: %s translated, %s from cache, %s skipped, %s failed, %s retrying",
                report.translated,
                report.from_cache,
                report.skipped,
                report.failed,
                report.retrying,
            )
        return report

    return job
