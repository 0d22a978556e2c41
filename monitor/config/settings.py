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
from datetime import datetime, timedelta
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
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.config.web import WebSettings
from monitor.core.errors import ConfigError

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


class TelegramSettings(Section):
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
    recheck_window: int = Field(
        default=50, ge=0, description="Newest posts re-read to notice edits, counters, deletions"
    )
    recheck_every: Duration = Field(
        default=timedelta(minutes=30), description="How often the recheck window is re-read"
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

    @field_validator("ref")
    @classmethod
    def _ref_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class ProviderLimits(Section):
    """One provider's limits; a field left empty takes the built-in default for that provider."""

    requests_per_minute: int | None = Field(
        default=None, ge=0, description="Requests per minute per worker (0 = no limit)"
    )
    chars_per_minute: int | None = Field(
        default=None, ge=0, description="Characters per minute per worker (0 = no limit)"
    )
    max_chars: int | None = Field(
        default=None, ge=50, description="Longest piece sent in one request; longer posts are split"
    )


# Built-in limits: what each service tolerates without a paid plan (mymemory: 500 *bytes*).
PROVIDER_LIMITS: dict[str, ProviderLimits] = {
    "google": ProviderLimits(requests_per_minute=30, chars_per_minute=0, max_chars=2000),
    "libre": ProviderLimits(requests_per_minute=0, chars_per_minute=0, max_chars=2000),
    "deepl": ProviderLimits(requests_per_minute=60, chars_per_minute=0, max_chars=4000),
    "mymemory": ProviderLimits(requests_per_minute=20, chars_per_minute=0, max_chars=240),
    "none": ProviderLimits(requests_per_minute=0, chars_per_minute=0, max_chars=2000),
}

TranslationProviderName = Literal["google", "libre", "deepl", "mymemory", "none"]


class TranslationSettings(Section):
    provider: TranslationProviderName = Field(
        default="google", description="Who translates; `libre` keeps text on your own server"
    )
    url: str | None = Field(default=None, description="LibreTranslate server URL (provider libre)")
    api_key: SecretStr | None = Field(default=None, description="Provider API key, if it needs one")
    target: str = Field(default="en", description="Language to translate into")
    sources: list[str] | None = Field(
        default=None, description="Source languages to translate; empty means all but the target"
    )
    mode: Literal["all", "matched"] = Field(
        default="all",
        description="Translate every post, or only posts with a live watchlist match",
    )
    timeout: Duration = Field(
        default=timedelta(seconds=20), description="Give up on one provider request after this"
    )
    batch_size: int = Field(default=20, ge=1, le=1000, description="Posts claimed per batch")
    max_attempts: int = Field(
        default=5, ge=1, description="Per-post failures before a post is marked failed"
    )
    backoff: Duration = Field(
        default=timedelta(seconds=30),
        description="First wait after a provider outage or a post failure; doubles each time",
    )
    max_backoff: Duration = Field(
        default=timedelta(hours=1), description="Longest wait between retries"
    )
    claim_lease: Duration = Field(
        default=timedelta(minutes=10),
        description="How long a worker owns claimed posts before others may retry them",
    )
    daily_char_budget: int = Field(
        default=0, ge=0, description="Characters sent to the provider per UTC day (0 = no limit)"
    )
    limits: dict[TranslationProviderName, ProviderLimits] = Field(
        default_factory=dict,
        description="Per-provider rate limits and request size, e.g. [translation.limits.libre]",
    )

    @field_validator("target")
    @classmethod
    def _target_code(cls, value: str) -> str:
        value = value.strip().lower()
        if not value or value in ("auto", "und"):
            raise ValueError("must be a language code such as en")
        return value

    @field_validator("sources")
    @classmethod
    def _source_codes(cls, value: list[str] | None) -> list[str] | None:
        codes = [v.strip().lower() for v in value or () if v.strip()]
        return codes or None

    def limits_for(self, provider: str) -> ProviderLimits:
        """The effective limits of a provider: configured values over the built-in ones."""
        base = PROVIDER_LIMITS.get(provider, PROVIDER_LIMITS["none"])
        own = self.limits.get(provider)  # type: ignore[call-overload]
        if own is None:
            return base
        return ProviderLimits(
            **{
                name: getattr(own, name) if getattr(own, name) is not None else getattr(base, name)
                for name in ProviderLimits.model_fields
            }
        )


class WatchlistSettings(Section):
    paths: list[Path] = Field(
        default_factory=lambda: [Path("watchlists")],
        description="Folders of watchlist *.toml files (relative to the config file)",
    )


Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}


class RouteSettings(Section):
    """One destination. `kind` is read from the URL when not given: `webhook+https://…` is a
    signed tgmon webhook, `smtp://` / `smtps://` / `smtp+starttls://` is tgmon's own email
    (plain + HTML parts), anything else is an apprise URL."""

    name: str = Field(description="Route name, used in logs and `alerts test-route`")
    kind: Literal["apprise", "webhook", "email"] | None = Field(
        default=None, description="apprise | webhook | email; inferred from the URL when empty"
    )
    url: SecretStr | None = Field(
        default=None,
        description="apprise URL (slack://, ntfy://, tgram://, …), webhook+https://… for a signed "
        "tgmon webhook, or smtp[s]://host[:port] / smtp+starttls://host for email",
    )
    secret: SecretStr | None = Field(
        default=None, description="Webhook: shared secret for the X-Tgmon-Signature HMAC"
    )
    timeout: Duration = Field(default=timedelta(seconds=10), description="Per-send time limit")
    username: str | None = Field(default=None, description="Email: SMTP login")
    password: SecretStr | None = Field(default=None, description="Email: SMTP password")
    mail_from: str | None = Field(default=None, description="Email: From address")
    mail_to: list[str] = Field(default_factory=list, description="Email: recipients")
    ca_file: Path | None = Field(
        default=None, description="Email: CA bundle to trust for TLS (self-signed servers)"
    )
    watchlists: list[str] = Field(default_factory=list, description="Only these lists; empty = all")
    min_severity: Severity = Field(
        default="info", description="Lowest severity this route receives"
    )
    digest: Duration | None = Field(
        default=None, description="Send one digest message per this interval instead of one each"
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _webhooks_are_signed(self) -> RouteSettings:
        # Receivers verify X-Tgmon-Signature; an unsigned webhook could be forged by anyone.
        if self.resolved_kind == "webhook" and self.secret is None:
            raise ValueError("webhook routes need a `secret` to sign X-Tgmon-Signature")
        return self

    @property
    def resolved_kind(self) -> str:
        """The route's kind, inferred from its URL scheme when not set."""
        if self.kind:
            return self.kind
        url = self.url.get_secret_value() if self.url else ""
        scheme = url.split("://", 1)[0].lower()
        if scheme.startswith("webhook+"):
            return "webhook"
        if scheme in ("smtp", "smtps", "smtp+starttls"):
            return "email"
        return "apprise"

    def accepts(self, watchlist: str, severity: str) -> bool:
        """Whether an alert of this watchlist and severity goes to this route."""
        if self.watchlists and watchlist not in self.watchlists:
            return False
        return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK[self.min_severity]


class AlertPolicy(Section):
    """When a watchlist alerts: edits, deletions, duplicates and rate."""

    on_edited: bool = Field(default=True, description="Alert when an edit makes a post match")
    on_deleted: bool = Field(
        default=False, description="Alert (reason `deleted`) when a post that matched is deleted"
    )
    dedupe_window: Duration = Field(
        default=timedelta(hours=48),
        description="Copies of the same story within this window join the first alert",
    )
    cooldown: Duration = Field(
        default=timedelta(0),
        description="After an alert, further alerts of the list within this time are recorded "
        "as `suppressed` (not sent); 0 = off",
    )


class AlertSettings(Section):
    routes: list[RouteSettings] = Field(default_factory=list, description="Where alerts go")
    policy: AlertPolicy = Field(
        default_factory=AlertPolicy, description="Alert policy of every watchlist by default"
    )
    watchlists: dict[str, AlertPolicy] = Field(
        default_factory=dict, description="Per-watchlist policy, replacing `policy` for that list"
    )
    templates_dir: Path | None = Field(
        default=None,
        description="Folder with subject.txt.j2, body.txt.j2, body.html.j2, payload.json.j2 "
        "overriding the built-in templates",
    )
    max_attempts: int = Field(default=8, ge=1, description="Attempts before a dead letter")
    backoff: Duration = Field(
        default=timedelta(seconds=30), description="First retry delay; doubles each attempt"
    )
    backoff_max: Duration = Field(default=timedelta(hours=1), description="Longest retry delay")
    lease: Duration = Field(
        default=timedelta(minutes=2),
        description="How long a dispatcher owns a claimed delivery before another may take it",
    )

    @field_validator("routes")
    @classmethod
    def _unique_names(cls, routes: list[RouteSettings]) -> list[RouteSettings]:
        names = [r.name for r in routes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate route name(s): {', '.join(dupes)}")
        return routes

    @model_validator(mode="after")
    def _lease_outlasts_sends(self) -> AlertSettings:
        # A dispatcher stops starting sends at half the lease; one send must fit in the rest.
        slowest = max((r.timeout for r in self.routes), default=timedelta(0))
        if self.lease < 2 * slowest:
            raise ValueError(f"lease must be at least twice the longest route timeout ({slowest})")
        return self

    def policy_for(self, watchlist: str) -> AlertPolicy:
        return self.watchlists.get(watchlist, self.policy)

    def route(self, name: str) -> RouteSettings | None:
        return next((r for r in self.routes if r.name == name), None)


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
    web: WebSettings = Field(default_factory=WebSettings)

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
        """Watchlist folders; the default one may be absent (no lists), a configured one not."""
        base = self._source_path.parent if self._source_path else Path.cwd()
        dirs = [p if p.is_absolute() else (base / p) for p in self.watchlists.paths]
        if "paths" not in self.watchlists.model_fields_set:
            dirs = [d for d in dirs if d.exists()]
        return dirs


def bundled_path(*parts: str) -> Path:
    """Find a file shipped in config/: inside an installed wheel, or beside the source tree."""
    packaged = Path(__file__).resolve().parents[1] / "bundled"
    root = packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "config"
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
        elif err["type"] == "value_error":  # our own validators: their message, no prefix
            message = str(err.get("ctx", {}).get("error", message))
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
