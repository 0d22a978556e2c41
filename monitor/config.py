"""Settings: one TOML file, overridden by TGMON_* environment variables, validated at load.

Precedence: CLI flag > TGMON_* env (nested with `__`) > tgmon.toml > defaults. Every field has a
description (shown by `tgmon config show`); secrets are SecretStr, masked when printed. A bad
value becomes one line naming the file (or variable), the key and the problem.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> timedelta:
    """Read '90', '90s', '5m', '24h', '7d', '2w' (or a number of seconds) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 24h, 7d)")
    number, unit = match.groups()
    return timedelta(seconds=float(number) * _UNIT_SECONDS[(unit or "s").lower()])


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class DatabaseSettings(Section):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/tgmon.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host:5432/tgmon",
    )


class TelegramSettings(Section):
    api_id: int | None = Field(default=None, description="From https://my.telegram.org → API tools")
    api_hash: SecretStr | None = Field(default=None, description="From https://my.telegram.org")
    session_string: SecretStr | None = Field(
        default=None,
        description="Telethon StringSession for containers (`tgmon login --string`)",
    )
    session_name: str = Field(default="tgmon", description="Session file name under data_dir")


class ChannelSettings(Section):
    ref: str = Field(description="@username, https://t.me/name link, or numeric channel id")
    poll: Duration = Field(default=timedelta(minutes=5), description="Polling interval")
    enabled: bool = Field(default=True, description="Watch this channel")
    join: bool = Field(default=False, description="Join the channel to receive live updates")
    backfill: int = Field(default=0, ge=0, description="Posts of history to fetch when first added")

    @field_validator("ref")
    @classmethod
    def _ref_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class TranslationSettings(Section):
    provider: Literal["google", "libre", "deepl", "mymemory", "none"] = Field(
        default="google", description="Who translates; `libre` keeps text on your own server"
    )
    url: str | None = Field(default=None, description="LibreTranslate server URL (provider libre)")
    api_key: SecretStr | None = Field(default=None, description="Provider API key, if it needs one")
    target: str = Field(default="en", description="Language to translate into")
    sources: list[str] | None = Field(
        default=None, description="Source languages to translate; empty means all but the target"
    )


class WatchlistSettings(Section):
    paths: list[Path] = Field(
        default_factory=lambda: [Path("watchlists")],
        description="Folders of watchlist *.toml files (relative to the config file)",
    )


class RouteSettings(Section):
    name: str = Field(description="Route name, used in logs and `alerts test-route`")
    url: SecretStr = Field(
        description="apprise URL (mailto://, slack://, ntfy://, …) or webhook+https://… for a "
        "signed tgmon webhook"
    )
    watchlists: list[str] = Field(default_factory=list, description="Only these lists; empty = all")
    min_severity: Literal["info", "warning", "critical"] = Field(
        default="info", description="Lowest severity this route receives"
    )


class AlertSettings(Section):
    routes: list[RouteSettings] = Field(default_factory=list, description="Where alerts go")


class DaemonSettings(Section):
    worker_id: str | None = Field(
        default=None,
        description="This worker's name in the database (heartbeat, channel leases); "
        "empty means the host name. Give each worker of a shared database its own.",
    )
    heartbeat: Duration = Field(
        default=timedelta(seconds=30), description="How often the worker records it is alive"
    )
    heartbeat_stale: Duration | None = Field(
        default=None,
        description="A heartbeat older than this means the worker is dead (default 3× heartbeat)",
    )
    stuck_after: Duration = Field(
        default=timedelta(minutes=15),
        description="A job running longer than this makes `tgmon health` fail",
    )
    catch_up_stuck_after: Duration = Field(
        default=timedelta(hours=2),
        description="The same limit for the start-up catch-up of all channels",
    )
    poll_jitter: Duration = Field(
        default=timedelta(seconds=15),
        description="Random delay added to each poll so channels do not all poll at once",
    )
    misfire_grace: Duration = Field(
        default=timedelta(minutes=1),
        description="A job that could not start on time still runs if this late; else skipped",
    )
    recheck_window: int = Field(
        default=50, ge=0, description="Recent posts per channel re-read to notice edits/deletions"
    )
    recheck_interval: Duration = Field(
        default=timedelta(minutes=30), description="How often the recent posts are re-read"
    )
    translation_interval: Duration = Field(
        default=timedelta(seconds=30), description="How often pending translations are drained"
    )
    alerts_interval: Duration = Field(
        default=timedelta(seconds=15), description="How often due alerts are dispatched"
    )
    retention_interval: Duration = Field(
        default=timedelta(hours=24), description="How often the retention job runs"
    )
    translation_cache_max_age: Duration | None = Field(
        default=None,
        description="Prune cached translations older than this; empty keeps them "
        "(posts are evidence and are never pruned)",
    )
    lease_period: Duration = Field(
        default=timedelta(seconds=90),
        description="PostgreSQL with several workers: how long a channel lease lasts without "
        "renewal; a dead worker's channels move to the others within this time",
    )
    max_backoff: Duration = Field(
        default=timedelta(minutes=5), description="Longest pause before retrying a failing job"
    )
    shutdown_grace: Duration = Field(
        default=timedelta(seconds=8),
        description="On SIGTERM, how long running jobs may take to finish their batch",
    )
    http_host: str = Field(
        default="127.0.0.1", description="Address of the /healthz and /metrics endpoint"
    )
    http_port: int | None = Field(
        default=None, ge=0, le=65535, description="Port for /healthz and /metrics; empty = off"
    )

    def stale_after(self) -> timedelta:
        return self.heartbeat_stale or 3 * self.heartbeat

    def worker_name(self) -> str:
        return self.worker_id or socket.gethostname()


class Settings(BaseSettings):
    """Everything tgmon can be told, from one TOML file and TGMON_* variables."""

    model_config = SettingsConfigDict(
        env_prefix="TGMON_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(default=Path("data"), description="Database, session, media")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Least severe log level shown"
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    channels: list[ChannelSettings] = Field(default_factory=list, description="Channels to watch")
    translation: TranslationSettings = Field(default_factory=TranslationSettings)
    watchlists: WatchlistSettings = Field(default_factory=WatchlistSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)

    # Where the file came from; relative paths in it are read against its folder.
    _source_path: Path | None = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # File values arrive as init kwargs; the environment must beat them.
        return (env_settings, init_settings)

    @property
    def source_path(self) -> Path | None:
        return self._source_path

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'tgmon.db').resolve()}"

    def watchlist_dirs(self) -> list[Path]:
        base = self._source_path.parent if self._source_path else Path.cwd()
        return [p if p.is_absolute() else (base / p) for p in self.watchlists.paths]


def bundled_path(*parts: str) -> Path:
    """Find a file shipped in config/: inside an installed wheel, or beside the source tree."""
    packaged = Path(__file__).parent / "bundled"
    root = packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "config"
    return root.joinpath(*parts)


def default_config_path() -> Path:
    """./tgmon.toml when present, else the bundled example."""
    local = Path("tgmon.toml")
    return local if local.is_file() else bundled_path("tgmon.example.toml")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _where(loc: tuple[int | str, ...], data: dict[str, Any], path: Path) -> str:
    """Name the origin of a bad value: the file, or the environment variable that set it."""
    node: Any = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            env = "TGMON_" + "__".join(str(p).upper() for p in loc if isinstance(p, str))
            return env if any(k.upper().startswith(env) for k in os.environ) else str(path)
    return str(path)


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate settings; raise ConfigError with one line on the first problem."""
    source = path if path is not None else default_config_path()
    data = _read_toml(source)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key (check spelling)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{_where(loc, data, source)}: {_dotted(loc)}: {message}{more}") from None
    settings._source_path = source.resolve()
    for key, value in overrides.items():
        if value is not None:
            setattr(settings, key, value)
    return settings


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, secrets masked, for `tgmon config show`."""
    return settings.model_dump(mode="json")
