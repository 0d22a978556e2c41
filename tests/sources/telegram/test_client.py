"""A SOCKS5 proxy in the config gives a Telethon client that will dial through it."""

from __future__ import annotations

from pathlib import Path

from telethon.sessions import StringSession

from monitor.config.settings import load_settings
from monitor.sources.telegram.client import build_client


def test_socks5_proxy_is_handed_to_telethon(tmp_path: Path) -> None:
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path}"\n[telegram]\napi_id = 1\napi_hash = "abc"\n'
        '[telegram.proxy]\ntype = "socks5"\nhost = "127.0.0.1"\nport = 1080\n',
        encoding="utf-8",
    )
    client = build_client(load_settings(cfg), session_string=StringSession().save())
    proxy = client._proxy  # what Telethon's connection will use
    assert proxy is not None
    values = proxy.values() if isinstance(proxy, dict) else proxy
    assert "127.0.0.1" in values and 1080 in values
