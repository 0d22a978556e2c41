"""Configuration: TOML + TGMON_* env, validated, one-line errors naming the file or variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config.settings import load_settings, masked_dump, parse_duration
from monitor.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_example_loads_when_no_file_is_given(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.source_path.name == "tgmon.example.toml"
    assert settings.translation.provider == "google"
    assert settings.watchlist_dirs()[0] == settings.source_path.parent / "watchlists"


def test_local_tgmon_toml_wins_over_the_example(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, 'data_dir = "here"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings().data_dir == Path("here")


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch) -> None:
    path = write(
        tmp_path, '[translation]\nprovider = "google"\n[database]\nurl = "sqlite:///a.db"\n'
    )
    monkeypatch.setenv("TGMON_TRANSLATION__PROVIDER", "libre")
    monkeypatch.setenv("TGMON_TRANSLATION__URL", "http://127.0.0.1:5000/")
    monkeypatch.setenv("TGMON_DATABASE__URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("TGMON_DATA_DIR", "/srv/tgmon")
    settings = load_settings(path)
    assert settings.translation.provider == "libre"
    assert settings.translation.url == "http://127.0.0.1:5000/"
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.data_dir == Path("/srv/tgmon")


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, f'data_dir = "{tmp_path / "d"}"\n'))
    assert settings.database_url == f"sqlite:///{tmp_path / 'd' / 'tgmon.db'}"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[telegram]\napi_id = "abc"\n',
            r"tgmon\.toml: telegram\.api_id: Input should be a valid integer",
        ),
        (
            '[translation]\nprovider = "yandex"\n',
            r"tgmon\.toml: translation\.provider: Input should be",
        ),
        ('[translaton]\nprovider = "google"\n', r"tgmon\.toml: translaton: unknown key"),
        (
            '[[channels]]\nref = "@a"\npoll = "soon"\n',
            r"tgmon\.toml: channels\[0\]\.poll: .*not a duration",
        ),
        ('[[channels]]\npoll = "5m"\n', r"tgmon\.toml: channels\[0\]\.ref: Field required"),
        ('data_dir = "x"\nfoo = = 1\n', r"tgmon\.toml: invalid TOML: .*line 2"),
    ],
)
def test_invalid_config_is_one_line_naming_file_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(write(tmp_path, toml))
    assert "\n" not in str(info.value)


def test_bad_environment_value_names_the_variable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TGMON_TELEGRAM__API_ID", "twelve")
    with pytest.raises(ConfigError, match=r"^TGMON_TELEGRAM__API_ID: telegram\.api_id: "):
        load_settings(write(tmp_path, ""))


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_secrets_are_masked_when_shown(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[telegram]\napi_id = 1\napi_hash = "0123456789abcdef"\n'
        '[translation]\napi_key = "sk-secret"\n'
        '[[alerts.routes]]\nname = "desk"\nurl = "mailtos://u:hunter2@smtp.example.org"\n',
    )
    shown = str(masked_dump(load_settings(path)))
    for secret in ("0123456789abcdef", "sk-secret", "hunter2"):
        assert secret not in shown


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("30s", 30),
        ("5m", 300),
        ("24h", 86400),
        ("7d", 604800),
        ("1.5h", 5400),
        (12, 12),
    ],
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_default_watchlist_folder_may_be_absent_but_a_configured_one_may_not(
    tmp_path: Path,
) -> None:
    from monitor.core.errors import WatchlistError
    from monitor.matching.watchlists import load_watchlists

    assert load_settings(write(tmp_path, "")).watchlist_dirs() == []
    settings = load_settings(write(tmp_path, '[watchlists]\npaths = ["lists"]\n'))
    with pytest.raises(WatchlistError, match="lists: no such watchlist file or folder"):
        load_watchlists(settings.watchlist_dirs())


def test_a_webhook_route_without_a_secret_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[alerts.routes]]\nname = "siem"\nurl = "webhook+https://h/x"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == (
        f"{path}: alerts.routes[0]: webhook routes need a `secret` to sign X-Tgmon-Signature"
    )
