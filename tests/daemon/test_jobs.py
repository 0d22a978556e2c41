"""JobRunner: a failing job is logged, counted and backed off; it never raises into the loop."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from monitor.core.backoff import backoff_delay
from monitor.daemon.jobs import JobRunner


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.mark.parametrize(("failures", "seconds"), [(1, 5), (2, 10), (3, 20), (7, 300), (50, 300)])
def test_backoff_doubles_up_to_the_cap(failures: int, seconds: int) -> None:
    delay = backoff_delay(failures, base=timedelta(seconds=5), cap=timedelta(minutes=5))
    assert delay == timedelta(seconds=seconds)


def test_failure_is_counted_backed_off_and_recovers(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    runner = JobRunner(clock, max_backoff=timedelta(minutes=5))
    runner.register("translation", timedelta(minutes=15))
    calls = []
    broken = True

    async def body() -> str:
        calls.append(clock())
        if broken:
            raise ConnectionError("translator down")
        return "done"

    async def scenario() -> list[str | None]:
        nonlocal broken
        results = [await runner.run("translation", body)]  # fails
        results.append(await runner.run("translation", body))  # backing off: skipped
        clock.advance(6)
        results.append(await runner.run("translation", body))  # fails again (10 s now)
        clock.advance(11)
        broken = False
        results.append(await runner.run("translation", body))  # recovers
        return results

    with caplog.at_level(logging.INFO, logger="monitor.daemon"):
        results = asyncio.run(scenario())
    assert results == [None, None, None, "done"]
    assert len(calls) == 3
    state = runner.states["translation"]
    assert state.failures == 2 and state.runs == 3
    assert state.last_error == "ConnectionError: translator down"
    assert state.backoff == {}
    messages = [r.getMessage() for r in caplog.records]
    assert any("failed (1 in a row, next try in 5s)" in m for m in messages)
    assert any("failed (2 in a row, next try in 10s)" in m for m in messages)
    assert any("recovered after 2 failures" in m for m in messages)
    assert caplog.records[0].exc_info is not None  # traceback logged once
    assert not caplog.records[1].exc_info


def test_backoff_is_per_key() -> None:
    clock = Clock()
    runner = JobRunner(clock, max_backoff=timedelta(minutes=5))

    async def fail() -> None:
        raise RuntimeError("channel 1 is private")

    async def ok() -> int:
        return 2

    async def scenario() -> tuple[None, int | None]:
        await runner.run("poll", fail, key=1)
        return await runner.run("poll", fail, key=1), await runner.run("poll", ok, key=2)

    assert asyncio.run(scenario()) == (None, 2)


def test_running_job_is_reported_stuck_after_its_limit() -> None:
    clock = Clock()
    runner = JobRunner(clock, max_backoff=timedelta(minutes=5))
    runner.register("catch_up", timedelta(minutes=10))
    seen: list[object] = []

    async def scenario() -> None:
        gate = asyncio.Event()

        async def slow() -> None:
            await gate.wait()

        task = asyncio.create_task(runner.run("catch_up", slow, key=7))
        await asyncio.sleep(0)
        clock.advance(601)
        seen.append(runner.stuck(clock()))
        seen.append(runner.snapshot()["catch_up"]["running_since"])
        gate.set()
        await task
        seen.append(runner.stuck(clock()))

    asyncio.run(scenario())
    assert seen[0] == [("catch_up", timedelta(seconds=601))]
    assert seen[1] is not None
    assert seen[2] == []
