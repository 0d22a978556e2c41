"""SIGTERM and Ctrl-C: the first asks tgmon to stop cleanly (exit 0), a second exits at once.

While the daemon runs, the first signal begins its graceful stop (finish the running batches,
record the exit). Before it starts — connecting to Telegram can take a minute — and after it
stops, the first signal cancels the task that runs `tgmon run` instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable

log = logging.getLogger("monitor.daemon")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopGuard:
    """Installs the stop-signal handlers on the running loop while armed."""

    def __init__(self, on_first: Callable[[str], None] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.main = asyncio.current_task()
        self.on_first = on_first or self._cancel_main
        self.requested: list[int] = []

    def arm(self) -> None:
        for sig in STOP_SIGNALS:
            self.loop.add_signal_handler(sig, self._on_signal, sig)

    def disarm(self) -> None:
        for sig in STOP_SIGNALS:
            self.loop.remove_signal_handler(sig)

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.requested[0]).name if self.requested else ""

    @property
    def stopped(self) -> bool:
        """A signal arrived while the guard was armed."""
        return bool(self.requested)

    def _on_signal(self, sig: int) -> None:
        name = signal.Signals(sig).name
        if self.requested:
            log.warning("second %s: exiting now", name)
            logging.shutdown()
            os._exit(128 + sig)
        self.requested.append(sig)
        self.on_first(name)

    def _cancel_main(self, name: str) -> None:
        log.warning("%s while starting or stopping: stopping", name)
        if self.main is not None:
            self.main.cancel()
