"""A second core for the CPU-bound stages: language detection and matching of large batches.

Detection and matching are pure and dominate an import's CPU time, while one Python process
uses one core. For a batch of at least `min_batch` texts, `CorePool` sends the second half to
one worker process and works the first half itself, then joins the two in order, so results
are the same as one process would give. Small batches (live polling, tests) never start the
worker; a worker that dies is replaced by working in-process, never by losing a batch.
By default the worker is used only while the machine has a core to spare (1-minute load
below the core count + 0.5): on a busy machine a second process adds contention, not speed.
Not wired into `build_stages` yet: on the 2-core test machine it made 10,000-post imports
slower (the worker's cold start and caches) and 100,000-post ones ~14 % faster under load;
see bench/RESULTS.md. Pass one to LanguageStage and MatchStage to use it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from monitor.core.events import ChannelInfo
from monitor.language import Detection, detect_language
from monitor.matching.matcher import Hit, Matcher, compile_matcher
from monitor.matching.watchlists import Watchlist

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_MIN_BATCH = 1000


@dataclass(frozen=True)
class MatchJob:
    """One text to match: what `Matcher.match` needs besides the matcher."""

    text: str
    language: str | None
    channel: ChannelInfo
    text_source: str


def detect_all(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(language, confidence) of each text."""
    out = []
    for text in texts:
        detection: Detection = detect_language(text)
        out.append((detection.lang, detection.confidence))
    return out


def match_all(matcher: Matcher, jobs: Sequence[MatchJob]) -> list[list[Hit]]:
    """The hits of each job, in order."""
    return [
        matcher.match(
            job.text,
            language=job.language,
            channel=job.channel,
            text_source=job.text_source,  # type: ignore[arg-type]
        )
        for job in jobs
    ]


# --- the worker process's side --------------------------------------------------------------

_worker_matcher: tuple[str, Matcher] | None = None


def _worker_detect(texts: Sequence[str]) -> list[tuple[str, float]]:
    return detect_all(texts)


def _worker_match(
    token: str, watchlists: bytes | None, jobs: Sequence[MatchJob]
) -> list[list[Hit]] | None:
    """Match with the lists named by `token`; None asks the caller to send them (first use)."""
    global _worker_matcher
    if _worker_matcher is None or _worker_matcher[0] != token:
        if watchlists is None:
            return None
        lists: list[Watchlist] = pickle.loads(watchlists)
        _worker_matcher = (token, compile_matcher(lists))
    return match_all(_worker_matcher[1], jobs)


def _spare_core() -> bool:
    cores = os.cpu_count() or 1
    return cores > 1 and os.getloadavg()[0] < cores + 0.5


# --- the parent's side ------------------------------------------------------------------------


class CorePool:
    """Splits large batches of detection/matching between this process and one worker."""

    def __init__(self, *, min_batch: int = DEFAULT_MIN_BATCH, enabled: bool | None = None) -> None:
        """`enabled`: True always splits large batches, False never, None when a core is spare."""
        self.min_batch = min_batch
        self.enabled = enabled
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._tokens: weakref.WeakKeyDictionary[Matcher, tuple[str, bytes]] = (
            weakref.WeakKeyDictionary()
        )
        self._counter = 0
        self._sent: set[str] = set()  # matcher tokens the current worker has compiled

    def detect(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """`detect_all`, the second half in the worker when the batch is large."""
        if not self._worth_it(len(texts)):
            return detect_all(texts)
        half = len(texts) // 2
        remote = self._submit(_worker_detect, texts[half:])
        local = detect_all(texts[:half])
        return local + self._result(remote, lambda: detect_all(texts[half:]))

    def match(self, matcher: Matcher, jobs: Sequence[MatchJob]) -> list[list[Hit]]:
        """`match_all`, the second half in the worker when the batch is large."""
        if not self._worth_it(len(jobs)):
            return match_all(matcher, jobs)
        half = len(jobs) // 2
        token, lists = self._token(matcher)
        rest = jobs[half:]
        remote = self._submit(_worker_match, token, None if token in self._sent else lists, rest)
        self._sent.add(token)
        local = match_all(matcher, jobs[:half])
        hits = self._result(remote, lambda: match_all(matcher, rest))
        if hits is None:  # a new worker that has not compiled these lists: send them
            again = self._submit(_worker_match, token, lists, rest)
            hits = self._result(again, lambda: match_all(matcher, rest))
        return local + (hits if hits is not None else match_all(matcher, rest))

    def worker_pids(self) -> list[int]:
        """The worker's process id (for measuring its memory), if it runs."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        return sorted(processes)

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def _worth_it(self, size: int) -> bool:
        if size < self.min_batch or self.enabled is False:
            return False
        return self.enabled is True or _spare_core()

    def _token(self, matcher: Matcher) -> tuple[str, bytes]:
        known = self._tokens.get(matcher)
        if known is None:
            self._counter += 1
            known = (f"{os.getpid()}-{self._counter}", pickle.dumps(list(matcher.watchlists)))
            self._tokens[matcher] = known
        return known

    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T] | None:
        with self._lock:
            try:
                if self._executor is None:
                    self._sent.clear()
                    # spawn, not fork: the parent holds threads and database connections
                    context = multiprocessing.get_context("spawn")
                    self._executor = ProcessPoolExecutor(max_workers=1, mp_context=context)
                return self._executor.submit(fn, *args)
            except (BrokenProcessPool, RuntimeError, OSError) as exc:
                log.warning("second-core worker unavailable, working in one process: %s", exc)
                self._executor = None
                return None

    def _result(self, future: Future[T] | None, fallback: Callable[[], T]) -> T:
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool as exc:
                log.warning("second-core worker died, redoing its half here: %s", exc)
                with self._lock:
                    self._executor = None
        return fallback()
