"""A second core for large batches: the worker's half gives exactly what one process gives."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.events import ChannelInfo
from monitor.matching.registry import WatchlistRegistry
from monitor.pipeline.parallel import CorePool, MatchJob, detect_all, match_all

SAMPLES = Path(__file__).parents[2] / "config"
TEXTS = [
    "Колонна «Вагнера» замечена под Бахмутом, бойцы Африканского корпуса в Мали",
    "Ворог атакував безпілотниками склад, ситуація напружена",
    "Wagner convoy spotted near Kidal, Tuareg rebels say",
    "Погода в Бамако: жарко",
    "Туареги заняли Кидаль",
    "",
    "ми мали зброю",
]


@pytest.fixture
def pool() -> Iterator[CorePool]:
    pool = CorePool(min_batch=4, enabled=True)
    yield pool
    pool.close()


def test_the_worker_half_equals_one_process(pool: CorePool) -> None:
    matcher = WatchlistRegistry([SAMPLES / "watchlists"]).matcher()
    texts = TEXTS * 3
    assert pool.warm(matcher, wait=True)
    detections = pool.detect(texts)
    assert detections == detect_all(texts)
    assert pool.worker_pids(), "a batch of min_batch or more texts uses the worker"
    jobs = [
        MatchJob(text, lang, ChannelInfo(1, "chan"), "original")
        for text, (lang, _) in zip(texts, detections, strict=True)
    ]
    hits = pool.match(matcher, jobs)
    assert hits == match_all(matcher, jobs)
    assert sum(1 for h in hits if h) >= 9  # the matching texts matched in both halves
    assert pool.match(matcher, jobs) == hits  # the worker reuses its compiled lists


def test_a_dead_worker_is_replaced_by_working_here(pool: CorePool) -> None:
    texts = TEXTS * 2
    expected = detect_all(texts)
    assert pool.detect(texts) == expected
    for pid in pool.worker_pids():
        os.kill(pid, 9)
    assert pool.detect(texts) == expected  # redone in-process, nothing lost
    assert pool.detect(texts) == expected  # and a new worker takes over


def test_small_batches_never_start_a_worker() -> None:
    pool = CorePool(min_batch=1000, enabled=True)
    assert pool.detect(TEXTS) == detect_all(TEXTS)
    assert pool.worker_pids() == []


def test_by_default_a_busy_machine_keeps_everything_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (64.0, 64.0, 64.0))
    pool = CorePool(min_batch=4)
    assert pool.detect(TEXTS) == detect_all(TEXTS)
    assert pool.worker_pids() == []


def test_a_busy_worker_leaves_its_pieces_to_this_process(pool: CorePool) -> None:
    # the worker is still asleep when the batch comes: whichever pieces it never starts are
    # taken back and worked here, and the batch comes out whole and in order
    matcher = WatchlistRegistry([SAMPLES / "watchlists"]).matcher()
    texts = TEXTS * 5
    assert pool.warm(matcher, wait=True)
    assert pool._submit(time.sleep, 1.0) is not None
    detections = pool.detect(texts)
    assert detections == detect_all(texts)
    jobs = [
        MatchJob(text, lang, ChannelInfo(1, "chan"), "original")
        for text, (lang, _) in zip(texts, detections, strict=True)
    ]
    assert pool._submit(time.sleep, 1.0) is not None
    assert pool.match(matcher, jobs) == match_all(matcher, jobs)


def test_a_starting_worker_holds_no_batch_up(pool: CorePool) -> None:
    # the first large batch starts the worker and is worked here in full, as are the batches
    # that come while it loads; nothing waits for it and every result is the one-process one
    matcher = WatchlistRegistry([SAMPLES / "watchlists"]).matcher()
    texts = TEXTS * 3
    assert pool.detect(texts) == detect_all(texts)
    assert pool.worker_pids(), "the worker is starting"
    jobs = [MatchJob(text, None, ChannelInfo(1, "chan"), "original") for text in texts]
    assert pool.match(matcher, jobs) == match_all(matcher, jobs)
