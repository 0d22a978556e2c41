"""A second core for the CPU-bound stages: language detection and matching of large batches.

Detection and matching are pure and dominate an import's CPU time, while one Python process
uses one core. For a batch of at least `min_batch` texts, `CorePool` cuts it into `chunks`
pieces and offers them all to one worker process, which works from the front, while this
process works from the back and takes back every piece the worker has not started; the
pieces are joined in order, so results are the same as one process would give. The worker is
offered nothing until it has loaded the language models and been handed the compiled matcher
(seconds, done while this process works on), and a worker slowed by other work simply does fewer
pieces: before, each batch was split in halves and waited for the worker's half, so a cold
or busy worker made imports slower than one process. Small batches (live polling, tests)
never start the worker; a worker that dies is replaced by working in-process, never by losing
a batch. By default the worker is used only while the machine has a core to spare (1-minute
load below the core count + 0.5). `App.stages` passes one pool to LanguageStage and MatchStage.

An import also hands the worker its next batch whole (`look_ahead`) before storing the current
one, so the worker detects and matches while this process writes posts, matches and alerts,
where it used to sit idle; `detect` and `match` take those answers (`lookahead.AheadResults`).
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
from concurrent.futures import wait as wait_for
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from monitor.core.events import ChannelInfo
from monitor.language import Detection, detect_language
from monitor.matching.matcher import Hit, Matcher
from monitor.pipeline.lookahead import AheadResults, Answer

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_MIN_BATCH = 1000
DEFAULT_CHUNKS = 16


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


def _worker_warm_up() -> None:
    """Load the detectors a post needs most (Cyrillic, Latin) while the parent works on."""
    for text in ("Колонна замечена под городом ночью", "The convoy was seen near the town"):
        detect_language(text)


def _worker_detect(texts: Sequence[str]) -> list[tuple[str, float]]:
    return detect_all(texts)


def _worker_load(token: str, matcher: bytes) -> None:
    """Take the parent's compiled matcher (~100 KB pickled): the worker never loads the
    dictionaries compiling needs (~110 MB) nor spends the seconds compiling takes."""
    global _worker_matcher
    if _worker_matcher is None or _worker_matcher[0] != token:
        _worker_matcher = (token, pickle.loads(matcher))


def _worker_match(token: str, jobs: Sequence[MatchJob]) -> list[list[Hit]] | None:
    """Match with the lists named by `token`; None when it holds other lists (redo locally)."""
    if _worker_matcher is None or _worker_matcher[0] != token:
        return None
    return match_all(_worker_matcher[1], jobs)


def _worker_look_ahead(
    token: str, texts: Sequence[str], channel: ChannelInfo
) -> list[Answer] | None:
    """Detect each text's language and match it, as new posts' stages will; None when this
    worker holds other watchlists."""
    if _worker_matcher is None or _worker_matcher[0] != token:
        return None
    matcher = _worker_matcher[1]
    out: list[Answer] = []
    for text in texts:
        detection = detect_language(text)
        hits = matcher.match(text, language=detection.lang, channel=channel, text_source="original")
        out.append((detection.lang, detection.confidence, hits))
    return out


def _spare_core() -> bool:
    cores = os.cpu_count() or 1
    return cores > 1 and os.getloadavg()[0] < cores + 0.5


# --- the parent's side ------------------------------------------------------------------------


class CorePool:
    """Splits large batches of detection/matching between this process and one worker."""

    def __init__(
        self,
        *,
        min_batch: int = DEFAULT_MIN_BATCH,
        enabled: bool | None = None,
        chunks: int = DEFAULT_CHUNKS,
    ) -> None:
        """`enabled`: True always shares large batches, False never, None when a core is spare.

        `chunks`: how many pieces a large batch is cut into for the two processes to share.
        """
        self.min_batch = min_batch
        self.chunks = chunks
        self.enabled = enabled
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._tokens: weakref.WeakKeyDictionary[Matcher, tuple[str, bytes]] = (
            weakref.WeakKeyDictionary()
        )
        self._counter = 0
        self._token_lock = threading.Lock()
        # what the current worker has been asked to do before sharing: warm up, load a matcher
        self._ready: dict[str, Future[Any]] = {}
        # two batches' chunks: the one being stored and the one being read
        self._ahead = AheadResults(keep=2 * chunks)

    def look_ahead(self, matcher: Matcher, texts: Sequence[str], channel: ChannelInfo) -> None:
        """Offer the worker the languages and hits of posts about to be stored (`lookahead`).

        Called with batch N+1 before batch N is stored, the worker works while this process
        writes; `detect` and `match` then take what it found. A cold or refused worker is
        simply not offered anything.
        """
        if not self._worth_it(len(texts)) or not self.warm(matcher):
            return
        token, _ = self._token(matcher)
        size = max(1, -(-len(texts) // self.chunks))
        for start in range(0, len(texts), size):
            chunk = list(texts[start : start + size])
            future = self._submit(_worker_look_ahead, token, chunk, channel)
            if future is None:
                return
            self._ahead.offer(future, chunk, token, channel)

    def detect(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """`detect_all`, shared with the worker when the batch is large."""
        return self._with_ahead(texts, self._ahead.detections(texts), self._detect)

    def _detect(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not self._worth_it(len(texts)) or not self._ready_for("warm", _worker_warm_up):
            return detect_all(texts)
        return self._share(texts, detect_all, lambda chunk: self._submit(_worker_detect, chunk))

    def match(self, matcher: Matcher, jobs: Sequence[MatchJob]) -> list[list[Hit]]:
        """`match_all`, shared with the worker when the batch is large."""
        known = self._tokens.get(matcher)
        ahead = {}
        if known is not None:
            keys = [(j.text, j.language, j.channel, j.text_source) for j in jobs]
            ahead = self._ahead.hits(known[0], keys)
        return self._with_ahead(jobs, ahead, lambda rest: self._match(matcher, rest))

    @staticmethod
    def _with_ahead(
        items: Sequence[Any], ahead: dict[int, T], work: Callable[[Sequence[Any]], list[T]]
    ) -> list[T]:
        """AHEAD's answers where it has them, WORK's for the rest, in ITEMS' order."""
        if not ahead:
            return work(items)
        rest = [i for i in range(len(items)) if i not in ahead]
        worked = iter(work([items[i] for i in rest]) if rest else [])
        return [ahead[i] if i in ahead else next(worked) for i in range(len(items))]

    def _match(self, matcher: Matcher, jobs: Sequence[MatchJob]) -> list[list[Hit]]:
        if not self._worth_it(len(jobs)) or not self.warm(matcher):
            return match_all(matcher, jobs)
        token, _ = self._token(matcher)
        return self._share(
            jobs,
            lambda chunk: match_all(matcher, chunk),
            lambda chunk: self._submit(_worker_match, token, chunk),
        )

    def _share(
        self,
        items: Sequence[Any],
        local: Callable[[Sequence[Any]], list[T]],
        submit: Callable[[Sequence[Any]], Future[list[T] | None] | None],
    ) -> list[T]:
        """Offer every chunk to the worker, which takes them from the front, and work them here
        from the back until the two meet; results in input order.

        A worker that is still starting, busy or slow just gets fewer chunks: this process
        takes back each chunk the worker has not picked up (a queued future can be cancelled),
        so a batch never waits longer than this process alone would take, plus one chunk.
        """
        size = max(1, -(-len(items) // self.chunks))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        futures: list[Future[list[T] | None] | None] = []
        for chunk in chunks:  # after a refused submission, the rest is worked here
            futures.append(submit(chunk) if not futures or futures[-1] is not None else None)
        results: list[list[T] | None] = [None] * len(chunks)
        for i in range(len(chunks) - 1, -1, -1):
            future = futures[i]
            if future is not None and not future.cancel():
                break  # the worker has this chunk, and (in order) every one before it
            results[i] = local(chunks[i])
        out: list[T] = []
        for chunk, future, result in zip(chunks, futures, results, strict=True):
            if result is None:
                result = self._result(future, lambda c=chunk: local(c))  # type: ignore[misc]
                if result is None:  # the worker held other watchlists
                    result = local(chunk)
            out.extend(result)
        return out

    def worker_pids(self) -> list[int]:
        """The worker's process id (for measuring its memory), if it runs."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        return sorted(processes)

    def close(self) -> None:
        self._ahead.clear()
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def warm(self, matcher: Matcher | None = None, *, wait: bool = False) -> bool:
        """Start the worker (and hand it MATCHER, pickled); True once it is ready.

        Until then batches are worked here in full: a worker that is still starting (the
        language models take seconds to load) never holds a batch up.
        """
        keys: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
            ("warm", _worker_warm_up, ())
        ]
        if matcher is not None:
            token, compiled = self._token(matcher)
            keys.append((token, _worker_load, (token, compiled)))
        ready = all([self._ready_for(key, fn, *args) for key, fn, args in keys])
        if wait and not ready:
            for key, *_ in keys:
                future = self._ready.get(key)
                if future is not None:
                    wait_for([future])
            ready = all(self._ready_for(key, fn, *args) for key, fn, args in keys)
        return ready

    def _ready_for(self, key: str, fn: Callable[..., Any], *args: Any) -> bool:
        """Whether the worker has run FN (its warm-up or a matcher's load); ask it to, if not."""
        future = self._ready.get(key)
        if future is None:
            future = self._submit(fn, *args)
            if future is not None:
                self._ready[key] = future
            return False
        if not future.done():
            return False
        if future.exception() is not None:  # the worker died on it: start afresh next time
            log.warning("second-core worker failed to start: %s", future.exception())
            with self._lock:
                if self._executor is not None:
                    self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
                self._ready.clear()
            return False
        return True

    def shares(self, size: int) -> bool:
        """Whether a batch of SIZE items would go to the worker now (large, a core spare)."""
        return self._worth_it(size)

    def _worth_it(self, size: int) -> bool:
        if size < self.min_batch or self.enabled is False:
            return False
        return self.enabled is True or _spare_core()

    def _token(self, matcher: Matcher) -> tuple[str, bytes]:
        with self._token_lock:  # an importer's two threads (look-ahead, stages) may both ask
            known = self._tokens.get(matcher)
            if known is None:
                self._counter += 1
                known = (f"{os.getpid()}-{self._counter}", pickle.dumps(matcher))
                self._tokens[matcher] = known
            return known

    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T] | None:
        with self._lock:
            try:
                if self._executor is None:
                    self._ready.clear()  # a new worker has loaded nothing yet
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
