"""Who may reach the desk: binding rules, password hashes, [web] settings, the CLI, the daemon."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from monitor.cli import app as cli
from monitor.config.settings import load_settings
from monitor.config.web import WebSettings, exposure_problem, is_loopback
from monitor.core.errors import ConfigError
from monitor.web.security import hash_password, verify_password
from monitor.web.serve import bind
from monitor.wiring import build_app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False),
     ("192.168.1.20", False), ("desk.example.org", False)],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_binding_beyond_loopback_needs_authentication() -> None:
    problem = exposure_problem(WebSettings(host="0.0.0.0"))
    assert problem is not None and "web.token" in problem
    with pytest.raises(ConfigError, match="exposes the desk"):
        bind(WebSettings(host="0.0.0.0", port=_free_port()))
    assert exposure_problem(WebSettings(host="0.0.0.0", token="t0ken-of-some-length")) is None
    sock = bind(WebSettings(host="0.0.0.0", port=_free_port(), token="t0ken-of-some-length"))
    sock.close()


def test_a_taken_port_is_one_config_error() -> None:
    first = bind(WebSettings(port=_free_port()))
    try:
        port = first.getsockname()[1]
        with pytest.raises(ConfigError, match=f"web.port {port} on 127.0.0.1: cannot listen"):
            bind(WebSettings(port=port))
    finally:
        first.close()


def test_password_hashes_verify_and_differ_per_salt() -> None:
    one, two = hash_password("s3cret pass"), hash_password("s3cret pass")
    assert one != two and one.startswith("scrypt$14$8$1$")
    assert verify_password("s3cret pass", one) and verify_password("s3cret pass", two)
    assert not verify_password("wrong", one)
    assert not verify_password("s3cret pass", "scrypt$garbage")


def test_web_settings_are_validated_at_load(tmp_path: Path) -> None:
    config = tmp_path / "tgmon.toml"
    config.write_text('[web]\nusername = "analyst"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", str(config), "web"])
    assert result.exit_code == 2
    assert "web.username and web.password_hash go together" in result.output
    config.write_text('[web]\nusername = "a"\npassword_hash = "hunter2"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", str(config), "web"])
    assert result.exit_code == 2 and "not a tgmon scrypt hash" in result.output
    assert "hunter2" not in result.output
    good = hash_password("correct horse")
    config.write_text(
        f'[web]\nhost = "0.0.0.0"\nport = 9000\nusername = "a"\npassword_hash = "{good}"\n'
        'serve_with_daemon = true\npage_size = 20\nrefresh = "30s"\n',
        encoding="utf-8",
    )
    web = load_settings(config).web
    assert (web.host, web.port, web.page_size, web.refresh.total_seconds()) == (
        "0.0.0.0", 9000, 20, 30.0
    )
    assert web.serve_with_daemon and web.auth_configured


def test_cli_refuses_an_exposed_desk_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "tgmon.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-c", str(config), "web", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("error: web.host = '0.0.0.0' exposes")
    assert not (tmp_path / "data").exists()  # refused before opening anything


def test_cli_hashes_a_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["web", "--hash-password"], input="long enough\nlong enough\n")
    assert result.exit_code == 0
    stored = result.output.strip().splitlines()[-1]
    assert verify_password("long enough", stored)
    short = CliRunner().invoke(cli, ["web", "--hash-password"], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output


def test_daemon_serves_the_desk_when_asked(tmp_path: Path) -> None:
    """App._start_desk (used by App.serve) listens on [web] host/port until cancelled."""
    port = _free_port()
    config = tmp_path / "tgmon.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[web]\nport = {port}\nserve_with_daemon = true\n',
        encoding="utf-8",
    )
    app = build_app(load_settings(config))

    async def scenario() -> tuple[int, str]:
        task = app._start_desk()
        assert task is not None
        try:
            async with httpx.AsyncClient() as client:
                for _ in range(50):
                    try:
                        response = await client.get(f"http://127.0.0.1:{port}/channels")
                        return response.status_code, response.text
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
            raise AssertionError("desk never answered")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    try:
        status, text = asyncio.run(scenario())
    finally:
        app.close()
    assert status == 200 and "no channels stored yet" in text
    with socket.socket() as again:  # the port is free again once the daemon stops
        again.bind(("127.0.0.1", port))


ROOT = Path(__file__).parents[2]


def test_every_web_setting_is_documented_and_read() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    desk = readme[readme.index("## The analyst desk") :]
    example = (ROOT / "config" / "tgmon.example.toml").read_text(encoding="utf-8")
    web_example = example[example.index("[web]") :]
    readers = "".join(  # where the desk's settings are read: the desk, its CLI, the daemon
        path.read_text(encoding="utf-8")
        for path in [
            *(ROOT / "monitor" / "web").glob("*.py"),
            ROOT / "monitor" / "cli" / "web.py",
            ROOT / "monitor" / "wiring.py",
        ]
    )
    for key in WebSettings.model_fields:
        assert f"`{key}`" in desk, f"README's [web] table lacks {key}"
        assert f"# {key} =" in web_example, f"tgmon.example.toml's [web] lacks {key}"
        assert re.search(rf"\.{key}\b", readers), f"web.{key} is documented but never read"


def test_the_container_exposes_the_desk() -> None:
    port = WebSettings().port
    assert f"EXPOSE {port}" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert f'"127.0.0.1:{port}:{port}"' in compose
    assert 'TGMON_WEB__SERVE_WITH_DAEMON: "true"' in compose and "TGMON_WEB__TOKEN" in compose
