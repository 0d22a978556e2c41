"""tgmon login / whoami / channels through the CLI, with the Telethon double as the client."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from telethon import errors
from typer.testing import CliRunner

import monitor.cli.telegram as telegram_cli
from monitor.cli import app
from monitor.config.settings import load_settings
from monitor.core.errors import ConfigError, SessionError
from monitor.sources.telegram.client import SessionLock, build_client, session_path
from storage.database import Database
from storage.models import Post
from tests.support.telegram_double import FakeSession, FakeTelegramClient

API_HASH = "0123456789abcdef0123456789abcdef"
SESSION_STRING = "1BVtsOKABu5-SECRET-SESSION-STRING-zzzz"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> FakeTelegramClient:
    double = FakeTelegramClient()
    double.session = FakeSession(auth_key=b"k" * 256, string=SESSION_STRING)
    double.add_channel(101, "alpha", "Alpha")
    double.add_user(7, "ann_user")
    for n in range(6):
        double.post(101, f"post {n}")
    seen: dict[str, Any] = {}

    def factory(settings: Any, *, lock: Any = None, session_string: str | None = None) -> Any:
        seen["session_string"] = session_string
        if lock is not None:
            lock.acquire()
        return double

    monkeypatch.setattr(telegram_cli, "CLIENT_FACTORY", factory)
    return double


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[database]\nurl = "{db_url}"\n'
        f'[telegram]\napi_id = 12345\napi_hash = "{API_HASH}"\n',
        encoding="utf-8",
    )
    return path


def invoke(config: Path, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(app, ["-c", str(config), *args], input=input)


def test_whoami(client: FakeTelegramClient, config: Path) -> None:
    result = invoke(config, "whoami")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Analyst (@desk_analyst, id 42)"


@pytest.mark.parametrize(
    "error",
    [
        errors.AuthKeyUnregisteredError(request=None),
        errors.SessionRevokedError(request=None),
        errors.AuthKeyDuplicatedError(request=None),
        errors.UserDeactivatedError(request=None),
    ],
)
def test_revoked_session_exits_with_an_instruction(
    client: FakeTelegramClient, config: Path, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    client.revoke(error)
    with caplog.at_level(logging.DEBUG):
        result = invoke(config, "whoami")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: session revoked: run `tgmon login` again"
    assert client.calls.count("connect") == 1  # no retry loop
    everything = result.output + result.stderr + caplog.text
    assert API_HASH not in everything


def test_not_logged_in(client: FakeTelegramClient, config: Path) -> None:
    client.authorised = False
    client.session.auth_key = None
    result = invoke(config, "whoami")
    assert result.exit_code == 1
    assert "not logged in: run `tgmon login` first" in result.stderr


def test_login_string_with_two_step_password(client: FakeTelegramClient, config: Path) -> None:
    client.authorised = False
    client.session.auth_key = None
    client.password = "hunter2"
    result = invoke(config, "login", "--string", input="+441234567890\n12345\nhunter2\n")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.strip().splitlines()[-1] == SESSION_STRING
    assert "logged in as Analyst" in result.stderr
    assert "hunter2" not in result.stderr


def test_login_wrong_code_is_a_one_line_error(client: FakeTelegramClient, config: Path) -> None:
    client.authorised = False
    result = invoke(config, "login", input="+441234567890\n99999\n")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == "error: login refused: PhoneCodeInvalid"


def test_channels_add_list_disable_remove(
    client: FakeTelegramClient, config: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    result = invoke(config, "channels", "add", "https://t.me/alpha", "--backfill", "4")
    assert result.exit_code == 0, result.output + result.stderr
    assert "watching @alpha (id 101" in result.stdout and "4 post(s) stored" in result.stdout

    listing = invoke(config, "channels", "list")
    assert listing.exit_code == 0
    assert "@alpha" in listing.stdout and "ok" in listing.stdout
    assert "never polled" not in listing.stdout

    assert invoke(config, "channels", "disable", "@alpha").stdout.strip() == "disabled @alpha"
    assert "disabled" in invoke(config, "channels", "list").stdout
    assert invoke(config, "channels", "enable", "101").exit_code == 0
    assert invoke(config, "channels", "remove", "@alpha").exit_code == 0
    assert "@alpha" not in invoke(config, "channels", "list").stdout
    assert "removed" in invoke(config, "channels", "list", "--all").stdout
    with db.session() as s:
        assert len(s.exec(select(Post)).all()) == 4  # posts are kept


def test_channels_add_a_user_fails_cleanly(client: FakeTelegramClient, config: Path) -> None:
    result = invoke(config, "channels", "add", "@ann_user")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: @ann_user: is a user, not a channel"


def test_channels_add_rejects_bad_options(client: FakeTelegramClient, config: Path) -> None:
    result = invoke(config, "channels", "add", "@alpha", "--backfill", "5", "--since", "2026-01-01")
    assert result.exit_code == 2


def test_session_file_is_owner_only_and_locked(tmp_path: Path) -> None:
    settings = load_settings(
        _toml(tmp_path, f'[telegram]\napi_id = 1\napi_hash = "{API_HASH}"\n'),
        data_dir=tmp_path / "data",
    )
    old_umask = os.umask(0)  # even a permissive umask must not widen the session file
    try:
        lock = SessionLock(session_path(settings))
        client = build_client(settings, lock=lock)
    finally:
        os.umask(old_umask)
    path = session_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size > 0  # Telethon wrote its tables into our file
    with pytest.raises(SessionError, match="session in use by another tgmon"):
        SessionLock(path).acquire()
    client.session.close()
    lock.release()
    second = SessionLock(path)
    second.acquire()  # free again once the first owner let go
    second.release()


def _toml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "t.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_secrets_never_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGMON_TELEGRAM__SESSION_STRING", SESSION_STRING)
    config = _toml(tmp_path, f'[telegram]\napi_id = 1\napi_hash = "{API_HASH}"\n')
    shown = CliRunner().invoke(
        app, ["-c", str(config), "--data-dir", str(tmp_path), "config", "show"]
    )
    assert shown.exit_code == 0
    assert API_HASH not in shown.stdout and SESSION_STRING not in shown.stdout
    settings = load_settings(config, data_dir=tmp_path)
    with pytest.raises(ConfigError) as caught:
        build_client(settings)  # a malformed session string
    assert SESSION_STRING not in str(caught.value)
    assert "telegram.session_string" in str(caught.value)


def test_missing_api_credentials_name_the_variable(tmp_path: Path) -> None:
    settings = load_settings(_toml(tmp_path, ""), data_dir=tmp_path)
    with pytest.raises(ConfigError, match="TGMON_TELEGRAM__API_ID"):
        build_client(settings)


def test_custom_server_with_its_rsa_key_and_mtproxy(tmp_path: Path) -> None:
    import rsa as rsa_lib
    from telethon.crypto import rsa as telethon_rsa
    from telethon.network.connection import ConnectionTcpMTProxyRandomizedIntermediate

    public, _private = rsa_lib.newkeys(512)
    pem = public.save_pkcs1().decode()
    body = (
        f'[telegram]\napi_id = 1\napi_hash = "{API_HASH}"\nsession_string = ""\n'
        f'[telegram.server]\ndc_id = 2\nhost = "10.0.0.5"\nport = 8443\n'
        f'rsa_public_key = """{pem}"""\n'
        '[telegram.proxy]\ntype = "mtproxy"\nhost = "127.0.0.1"\nport = 9443\n'
        'secret = "dd00000000000000000000000000000000"\n'
    )
    settings = load_settings(_toml(tmp_path, body), data_dir=tmp_path)
    before = len(telethon_rsa._server_keys)
    client = build_client(settings)
    assert (client.session.dc_id, client.session.server_address, client.session.port) == (
        2,
        "10.0.0.5",
        8443,
    )
    assert len(telethon_rsa._server_keys) == before + 1
    assert client._connection is ConnectionTcpMTProxyRandomizedIntermediate


def test_a_bad_server_key_is_a_config_error(tmp_path: Path) -> None:
    body = (
        f'[telegram]\napi_id = 1\napi_hash = "{API_HASH}"\nsession_string = ""\n'
        '[telegram.server]\ndc_id = 2\nhost = "10.0.0.5"\nrsa_public_key = "not a key"\n'
    )
    settings = load_settings(_toml(tmp_path, body), data_dir=tmp_path)
    with pytest.raises(ConfigError, match="telegram.server.rsa_public_key"):
        build_client(settings)


def test_login_flood_wait_and_unreachable_are_one_line(
    client: FakeTelegramClient, config: Path
) -> None:
    client.authorised = False
    client.fail("send_code", errors.FloodWaitError(request=None, capture=600))
    result = invoke(config, "login", input="+441234567890\n")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "error: login: Telegram asks to wait 600s"
    client.fail("connect", ConnectionError("no route"))
    result = invoke(config, "login")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: cannot reach Telegram: ConnectionError"


def test_a_session_string_from_the_environment_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telethon.crypto import AuthKey
    from telethon.sessions import StringSession

    made = StringSession()
    made.set_dc(4, "149.154.167.92", 443)
    made.auth_key = AuthKey(b"\x07" * 256)
    monkeypatch.setenv("TGMON_TELEGRAM__SESSION_STRING", made.save())
    settings = load_settings(
        _toml(tmp_path, f'[telegram]\napi_id = 1\napi_hash = "{API_HASH}"\n'), data_dir=tmp_path
    )
    client = build_client(settings)
    assert isinstance(client.session, StringSession)
    assert (client.session.dc_id, client.session.auth_key.key) == (4, b"\x07" * 256)
    assert not session_path(settings).exists()  # no file for containers


def test_a_connection_closed_mid_handshake_is_one_line(
    client: FakeTelegramClient, config: Path
) -> None:
    import asyncio

    client.fail("connect", asyncio.IncompleteReadError(b"HTTP/1.1", 1_347_703_872))
    result = invoke(config, "whoami")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: cannot reach Telegram: IncompleteReadError"
