"""The root of the settings tree: every section, the database URL and the watchlist folders."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.config.alerts import AlertSettings
from monitor.config.base import Section
from monitor.config.daemon import DaemonSettings
from monitor.config.sources import SourcesSettings
from monitor.config.telegram import ChannelSettings, TelegramSettings
from monitor.config.translation import TranslationSettings
from monitor.config.web import WebSettings


class DatabaseSettings(Section):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/tgmon.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host:5432/tgmon",
    )


class WatchlistSettings(Section):
    paths: list[Path] = Field(
        default_factory=lambda: [Path("watchlists")],
        description="Folders of watchlist *.toml files (relative to the config file)",
    )


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
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
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
