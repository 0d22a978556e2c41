"""Compile watchlists in a short-lived child process and keep only the compiled matcher.

Compiling expands every term with three dictionaries — pymorphy3's Russian and Ukrainian
(~41 MB), simplemma's English (~28 MB) and lemminflect with numpy (~40 MB) — and a process
that has loaded them keeps that memory for good: dropping them gave back about 10 MB
(measured). The matcher they produce needs none of them and pickles to about 100 KB. So the
long-running commands (`tgmon import`, `tgmon run`) compile in a spawned child, which exits
with the dictionaries: a 100,000-post import's peak RSS falls by their size, at the cost of
starting one Python process (~0.5 s). Short commands and the tests compile in-process.

A child that cannot start or dies is replaced by compiling here (logged): more memory, the
same matcher. An error in the lists themselves (WatchlistError) is raised as if compiled here.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from monitor.matching.matcher import Matcher, compile_matcher
from monitor.matching.watchlists import Watchlist

log = logging.getLogger(__name__)


def compile_apart(watchlists: Sequence[Watchlist]) -> Matcher:
    """`compile_matcher(watchlists)`, done in a child process; in-process if none can run."""
    try:
        # spawn, not fork: the caller may hold threads and database connections
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
            return child.submit(compile_matcher, list(watchlists)).result()
    except (BrokenProcessPool, OSError, RuntimeError, pickle.PicklingError) as exc:
        log.warning("compiling the watchlists in a child process failed, compiling here: %s", exc)
    return compile_matcher(watchlists)
