"""The one back-off rule: doubling from the base, capped, jitter only in the upper half."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from monitor.core.backoff import backoff_delay

S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, 5), (1, 5), (2, 10), (3, 20), (4, 40), (7, 300), (10_000, 300)],
)
def test_doubles_from_base_up_to_cap(failures: int, expected: int) -> None:
    assert backoff_delay(failures, base=5 * S, cap=300 * S) == expected * S


def test_jitter_stays_in_the_upper_half_and_varies() -> None:
    rng = random.Random(7)
    delays = {backoff_delay(4, base=5 * S, cap=300 * S, jitter=rng) for _ in range(50)}
    assert all(20 * S <= d <= 40 * S for d in delays)
    assert len(delays) > 10
