"""The watchlists in force, reloaded when their files change.

A running daemon picks up an edited watchlist without a restart; a file that no longer
validates is rejected with one log line and the previous version stays in force.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from monitor.core.errors import WatchlistError
from monitor.matching.matcher import Matcher, compile_matcher
from monitor.matching.watchlists import Watchlist, load_watchlists, watchlist_files

log = logging.getLogger(__name__)
Fingerprint = tuple[tuple[str, int, int], ...]
Compiler = Callable[[Sequence[Watchlist]], Matcher]


class WatchlistRegistry:
    """Holds the compiled matcher; `refresh()` swaps it when the files changed and are valid.

    `compiler` turns lists into a matcher: `compile_matcher` here, or (chosen by the
    composition root for long-running commands) one that compiles in a child process.
    """

    def __init__(self, dirs: Sequence[Path], compiler: Compiler = compile_matcher) -> None:
        self.dirs = list(dirs)
        self._compile = compiler
        self._lock = threading.Lock()
        self._fingerprint = self._current_fingerprint()
        self.watchlists: list[Watchlist] = load_watchlists(self.dirs)
        self._matcher = compiler(self.watchlists)
        self._rejected: Fingerprint | None = None

    def _current_fingerprint(self) -> Fingerprint:
        files = []
        for path in watchlist_files(self.dirs):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            files.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(files)

    def matcher(self) -> Matcher:
        return self._matcher

    def names(self) -> list[str]:
        return [w.name for w in self.watchlists]

    def refresh(self) -> bool:
        """Reload if any watchlist file was added, changed or removed; True if swapped."""
        with self._lock:
            fingerprint = self._current_fingerprint()
            if fingerprint == self._fingerprint or fingerprint == self._rejected:
                return False
            try:
                watchlists = load_watchlists(self.dirs)
                matcher = self._compile(watchlists)
            except WatchlistError as exc:
                self._rejected = fingerprint
                log.error("watchlists not reloaded, previous version stays in force: %s", exc)
                return False
            self.watchlists, self._matcher = watchlists, matcher
            self._fingerprint, self._rejected = fingerprint, None
            log.info("watchlists reloaded: %s", ", ".join(self.names()) or "none")
            return True
