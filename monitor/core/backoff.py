"""The one back-off formula: base, 2×base, 4×base, … capped, optionally jittered.

Failing jobs, translation outages, alert retries, reconnects and live subscriptions all wait
by it, so an operator reads one rule in the docs and sees it everywhere.
"""

from __future__ import annotations

import random
from datetime import timedelta

_MAX_DOUBLINGS = 30  # 2**30 × any base is past every cap; bounds the arithmetic


def backoff_delay(
    failures: int, *, base: timedelta, cap: timedelta, jitter: random.Random | None = None
) -> timedelta:
    """Delay after `failures` consecutive failures (counting from 1), never more than `cap`.

    With `jitter`, the delay is drawn from the upper half, [delay/2, delay], so many workers
    failing together do not retry in lock-step.
    """
    exponent = min(max(failures - 1, 0), _MAX_DOUBLINGS)
    delay = min(base * (2**exponent), cap)
    if jitter is not None:
        delay = delay * jitter.uniform(0.5, 1.0)
    return delay
