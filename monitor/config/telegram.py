"""Telegram settings: the account, its proxy or custom server, and the channels to watch.

ChannelSettings lives here on its own so a channel's source-specific fields can grow beside it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from monitor.config.base import Duration, Section
from monitor.config.sources import SourceKind


class ProxySettings(Section):
    type: Literal["socks5", "http", "mtproxy"] = Field(
        default="socks5", description="socks5, http or mtproxy"
    )
    host: str = Field(description="Proxy host name or address")
    port: int = Field(ge=1, le=65535, description="Proxy port")
    username: str | None = Field(default=None, description="SOCKS5/HTTP user name, if any")
    password: SecretStr | None = Field(default=None, description="SOCKS5/HTTP password, if any")
    secret: SecretStr | None = Field(default=None, description="MTProxy secret (hex)")


class ServerSettings(Section):
    dc_id: int = Field(ge=1, description="Data centre id of the server to connect to first")
    host: str = Field(description="Server address (test DC or a self-hosted MTProto server)")
    port: int = Field(default=443, ge=1, le=65535, description="Server port")
    rsa_public_key: str | None = Field(
        default=None,
        description="PEM (-----BEGIN RSA PUBLIC KEY-----) of a self-hosted server; "
        "not needed for Telegram's own test servers",
    )


_MOVED = {  # keys that lived here once: say where they went instead of "unknown key"
    "recheck_window": "daemon.recheck_window",
    "recheck_every": "daemon.recheck_interval",
}


class TelegramSettings(Section):
    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, home in _MOVED.items():
                if key in data:
                    raise ValueError(f"telegram.{key} moved to {home}: set it there")
        return data

    api_id: int | None = Field(default=None, description="From https://my.telegram.org → API tools")
    api_hash: SecretStr | None = Field(default=None, description="From https://my.telegram.org")
    session_string: SecretStr | None = Field(
        default=None,
        description="Telethon StringSession for containers (`tgmon login --string`)",
    )
    session_name: str = Field(default="tgmon", description="Session file name under data_dir")
    proxy: ProxySettings | None = Field(default=None, description="Connect through this proxy")
    server: ServerSettings | None = Field(
        default=None, description="Custom server (test DC / private deployment); empty = Telegram"
    )
    requests_per_minute: float = Field(
        default=30.0, gt=0, description="Request budget for the account (token bucket rate)"
    )
    request_burst: int = Field(default=10, ge=1, description="Requests allowed in one burst")
    flood_wait_jitter: Duration = Field(
        default=timedelta(seconds=5), description="Extra random wait added to each FloodWait"
    )
    batch_size: int = Field(default=100, ge=1, le=1000, description="Posts stored per batch")
    download_media: bool = Field(default=False, description="Download photos/documents")
    media_max_bytes: int = Field(
        default=20_000_000, ge=0, description="Skip media downloads larger than this"
    )


class ChannelSettings(Section):
    ref: str = Field(description="@username, https://t.me/name link, or numeric channel id")
    poll: Duration = Field(default=timedelta(minutes=5), description="Polling interval")
    enabled: bool = Field(default=True, description="Watch this channel")
    join: bool = Field(default=False, description="Join the channel to receive live updates")
    backfill: int = Field(default=0, ge=0, description="Posts of history to fetch when first added")
    since: datetime | None = Field(
        default=None, description="Fetch history back to this date when first added (UTC)"
    )
    source: SourceKind | None = Field(
        default=None,
        description="Read through a Telegram account or the public web preview "
        "(default: [sources] default)",
    )

    @field_validator("ref")
    @classmethod
    def _ref_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()
