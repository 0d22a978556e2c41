"""Results the second-core worker works out ahead: the next batch's languages and hits.

An import stores batch N while the worker detects and matches batch N+1 (`CorePool.look_ahead`).
Without it the worker only helped inside detection and matching themselves and sat idle while
this process stored posts, matches and alerts: about half of a match-heavy import.

`AheadResults` only keeps the books: which text each offered chunk (a worker future) answers
for, and, when a stage asks, which of its items an offer answers. An offer answers an item only
for exactly the inputs the worker used (the text, the channel, the matcher's token, and for
matching the language it detected and the original text as source), so a stage gets the same
result as it would have computed itself. A chunk the worker has not started is cancelled and
left to the stage; offers nobody asks for (posts already stored) are dropped after `keep`
chunks, so an import does not hold every text it has read.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future
from typing import Any

from monitor.core.events import ChannelInfo
from monitor.matching.matcher import Hit

log = logging.getLogger(__name__)

# one worker answer per text: (language, confidence, hits of the original text in it)
Answer = tuple[str, float, list[Hit]]
_MatchKey = tuple[str, str, int, str | None]  # (matcher token, text, channel id, username)


class AheadResults:
    """What the worker was offered ahead, by text; thread-safe (an importer's reading thread
    offers while its storing thread takes)."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._detect: dict[str, tuple[Future[Any], int]] = {}
        self._match: dict[_MatchKey, tuple[Future[Any], int]] = {}
        # offered chunks, oldest first, with the keys each registered (to drop them with it)
        self._chunks: deque[tuple[Future[Any], list[str], list[_MatchKey]]] = deque()

    def offer(
        self, future: Future[Any], texts: Sequence[str], token: str, channel: ChannelInfo
    ) -> None:
        """Record that FUTURE answers TEXTS (in order) for CHANNEL with the matcher TOKEN."""
        match_keys = [(token, text, channel.channel_id, channel.username) for text in texts]
        with self._lock:
            for i, (text, key) in enumerate(zip(texts, match_keys, strict=True)):
                self._detect[text] = (future, i)
                self._match[key] = (future, i)
            self._chunks.append((future, list(texts), match_keys))
            while len(self._chunks) > self.keep:
                self._drop(*self._chunks.popleft())

    def detections(self, texts: Sequence[str]) -> dict[int, tuple[str, float]]:
        """The (language, confidence) of each of TEXTS answered ahead, by position."""
        answers = self._answers(self._take(self._detect, list(texts)))
        return {i: (answer[0], answer[1]) for i, answer in answers.items()}

    def hits(
        self,
        token: str,
        jobs: Sequence[tuple[str, str | None, ChannelInfo, str]],
    ) -> dict[int, list[Hit]]:
        """The hits of each (text, language, channel, text source) job answered ahead."""
        keys = [
            (token, text, channel.channel_id, channel.username) if source == "original" else None
            for text, _language, channel, source in jobs
        ]
        answers = self._answers(self._take(self._match, keys))
        # the worker matched in the language it detected: its hits hold for that language only
        return {i: answer[2] for i, answer in answers.items() if answer[0] == jobs[i][1]}

    def _take(self, book: dict[Any, tuple[Future[Any], int]], keys: list[Any]) -> dict[int, Any]:
        """Where each of KEYS (by position) is answered, taken out of BOOK; a key asked twice in
        one call (a repost in the same batch) is answered twice."""
        with self._lock:
            wanted = {i: book[key] for i, key in enumerate(keys) if key is not None and key in book}
            for key in {keys[i] for i in wanted}:
                del book[key]
        return wanted

    def clear(self) -> None:
        with self._lock:
            while self._chunks:
                self._drop(*self._chunks.popleft())

    def _drop(self, future: Future[Any], texts: list[str], keys: list[_MatchKey]) -> None:
        future.cancel()  # not started: the worker never does it
        for text in texts:
            if self._detect.get(text, (None,))[0] is future:
                del self._detect[text]
        for key in keys:
            if self._match.get(key, (None,))[0] is future:
                del self._match[key]

    @staticmethod
    def _answers(wanted: dict[int, tuple[Future[Any], int]]) -> dict[int, Answer]:
        """Resolve the futures WANTED points into; a chunk not yet started is cancelled (the
        caller works it out itself, as fast as waiting for the worker to start it)."""
        results: dict[int, list[Answer] | None] = {}
        for future, _ in wanted.values():
            key = id(future)
            if key in results:
                continue
            if future.cancel():
                results[key] = None
                continue
            try:
                results[key] = future.result()  # None: the worker holds other watchlists
            except CancelledError:
                results[key] = None
            except Exception as exc:  # noqa: BLE001 - the stage works it out itself
                log.warning("second-core worker could not work ahead, working here: %s", exc)
                results[key] = None
        out: dict[int, Answer] = {}
        for i, (future, position) in wanted.items():
            chunk = results[id(future)]
            if chunk is not None:
                out[i] = chunk[position]
        return out
