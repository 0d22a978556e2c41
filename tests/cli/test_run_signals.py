"""`tgmon run` stopped while it is still connecting exits 0, as the README says (issue 13 item 13).

A real Telethon client connects to a local server that accepts the TCP connection and never
answers the MTProto handshake, so the process stays in "connecting"; then it gets a signal.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_while_connecting_exits_0(
    tmp_path: Path, silent: SilentServer, sig: signal.Signals
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "tgmon.session").touch()  # an empty Telethon session: it must connect first
    config = tmp_path / "tgmon.toml"
    config.write_text(
        f'data_dir = "{data}"\n'
        '[telegram]\napi_id = 1\napi_hash = "0123456789abcdef"\n'
        f'[telegram.server]\ndc_id = 2\nhost = "127.0.0.1"\nport = {silent.port}\n'
        '[[channels]]\nref = "@alpha"\n',
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), "run"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert silent.accepted.wait(120), "tgmon run never started connecting"
        time.sleep(0.3)  # inside the handshake now
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert f"stopped on {sig.name} before the daemon ran" in err
    assert "Traceback" not in err
