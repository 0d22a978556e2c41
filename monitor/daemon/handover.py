"""Taking over at once: when another worker stops cleanly, run a lease round now.

A stopping worker releases its leases and announces it (storage.handover); this loop hears the
notice and runs the daemon's lease round at once, so its channels are read again within a
second or two instead of at the next round (up to a third of `lease_period`). PostgreSQL only.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.daemon.worker import Daemon

WAIT_S = 1.0  # how long one wait blocks a thread: the loop notices a stop within this


async def follow_handovers(daemon: Daemon) -> None:
    """Until the daemon stops: on each hand-over notice, a lease round (failures counted)."""
    daemon.runner.register("handover", daemon.cfg.stuck_after)
    leases = daemon.runner.states["leases"]
    try:
        while not daemon.stopping:
            heard = await daemon.runner.run(
                "handover", lambda: asyncio.to_thread(daemon.record.heard_handover, WAIT_S)
            )
            if heard is None:  # failed (logged, counted, backing off) or backing off
                await daemon._sleep(WAIT_S)
                continue
            if heard and not daemon.stopping:
                while leases.running:  # a round that began before the release would miss it
                    await asyncio.sleep(0.05)
                await daemon._lease_job()
    finally:
        await asyncio.to_thread(daemon.record.stop_listening)
