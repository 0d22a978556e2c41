"""Settings: one TOML file, overridden by TGMON_* environment variables, validated at load.

Precedence: CLI flag > TGMON_* env (nested with `__`) > tgmon.toml > defaults. Every field has a
description (shown by `tgmon config show`); secrets are SecretStr, masked when printed.

This module is the public face of the config package: import from here. The sections live in
one module per topic (base, telegram, translation, alerts, daemon, root), the loading and its
one-line errors in loader.py.
"""

from __future__ import annotations

from monitor.config.alerts import (
    SEVERITY_RANK,
    AlertPolicy,
    AlertSettings,
    RouteSettings,
    Severity,
)
from monitor.config.base import Duration, Section, parse_duration
from monitor.config.daemon import DaemonSettings
from monitor.config.loader import (
    bundled_path,
    check_data_dir,
    default_config_path,
    load_settings,
    masked_dump,
    prepare_data_dir,
)
from monitor.config.root import DatabaseSettings, Settings, WatchlistSettings
from monitor.config.telegram import (
    ChannelSettings,
    ProxySettings,
    ServerSettings,
    TelegramSettings,
)
from monitor.config.translation import (
    PROVIDER_LIMITS,
    ProviderLimits,
    TranslationProviderName,
    TranslationSettings,
)

__all__ = [
    "PROVIDER_LIMITS",
    "SEVERITY_RANK",
    "AlertPolicy",
    "AlertSettings",
    "ChannelSettings",
    "DaemonSettings",
    "DatabaseSettings",
    "Duration",
    "ProviderLimits",
    "ProxySettings",
    "RouteSettings",
    "Section",
    "ServerSettings",
    "Settings",
    "Severity",
    "TelegramSettings",
    "TranslationProviderName",
    "TranslationSettings",
    "WatchlistSettings",
    "bundled_path",
    "check_data_dir",
    "default_config_path",
    "load_settings",
    "masked_dump",
    "prepare_data_dir",
    "parse_duration",
]
