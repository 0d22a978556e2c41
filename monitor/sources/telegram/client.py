"""Build the Telethon client from Settings: session (file or string), proxy, custom server.

One process owns a session: a file session is created with mode 0600 before Telethon writes
to it and guarded by an exclusive lock, so a second tgmon gets a clear SessionError instead of
"database is locked". Containers use a StringSession and need no file at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telethon import TelegramClient, errors
from telethon.crypto import rsa
from telethon.network.connection import (
    ConnectionTcpFull,
    ConnectionTcpMTProxyRandomizedIntermediate,
)
from telethon.sessions import SQLiteSession, StringSession

from monitor.config.settings import Settings
from monitor.core.errors import ConfigError, SessionError, SourceError

SESSION_GONE = (
    errors.AuthKeyUnregisteredError,
    errors.SessionRevokedError,
    errors.AuthKeyDuplicatedError,
    errors.UserDeactivatedError,
    errors.UserDeactivatedBanError,
    errors.SessionExpiredError,
)
REVOKED_MESSAGE = "session revoked: run `tgmon login` again"
# A dropped or refused connection: Telethon raises IncompleteReadError (an EOFError) when the
# other end closes mid-handshake, e.g. a captive proxy answering HTTP.
NETWORK_ERRORS = (ConnectionError, OSError, EOFError, asyncio.TimeoutError)


def session_path(settings: Settings) -> Path:
    """Where the file session lives: <data_dir>/<session_name>.session."""
    return settings.data_dir / f"{settings.telegram.session_name}.session"


def prepare_session_file(path: Path) -> None:
    """Create the session file owner-only before Telethon opens it, and tighten an old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class SessionLock:
    """An exclusive lock beside the session file; held for as long as the client is used."""

    def __init__(self, session_file: Path) -> None:
        self.path = session_file.with_name(session_file.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise SessionError(
                f"{self.path.with_suffix('')}: session in use by another tgmon (pid {holder}); "
                "stop it, or give this process its own session_string"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _credentials(settings: Settings) -> tuple[int, str]:
    tg = settings.telegram
    if tg.api_id is None:
        raise ConfigError("telegram.api_id: not set (tgmon.toml or TGMON_TELEGRAM__API_ID)")
    if tg.api_hash is None or not tg.api_hash.get_secret_value():
        raise ConfigError("telegram.api_hash: not set (tgmon.toml or TGMON_TELEGRAM__API_HASH)")
    return tg.api_id, tg.api_hash.get_secret_value()


def _proxy(settings: Settings) -> tuple[Any, Any]:
    """(connection class, proxy argument) for Telethon."""
    proxy = settings.telegram.proxy
    if proxy is None:
        return ConnectionTcpFull, None
    if proxy.type == "mtproxy":
        if proxy.secret is None:
            raise ConfigError("telegram.proxy.secret: an MTProxy needs its secret")
        return ConnectionTcpMTProxyRandomizedIntermediate, (
            proxy.host,
            proxy.port,
            proxy.secret.get_secret_value(),
        )
    try:
        import python_socks  # noqa: F401  (Telethon needs it for SOCKS/HTTP proxies)
    except ImportError:
        raise ConfigError(
            f"telegram.proxy.type: {proxy.type} proxies need `pip install python-socks[asyncio]`"
        ) from None
    return ConnectionTcpFull, {
        "proxy_type": proxy.type,
        "addr": proxy.host,
        "port": proxy.port,
        "username": proxy.username,
        "password": proxy.password.get_secret_value() if proxy.password else None,
        "rdns": True,
    }


def _apply_server(settings: Settings, session: Any) -> None:
    server = settings.telegram.server
    if server is None:
        return
    if server.rsa_public_key:
        try:
            rsa.add_key(server.rsa_public_key.encode(), old=False)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "telegram.server.rsa_public_key: not a PEM RSA public key "
                "(-----BEGIN RSA PUBLIC KEY-----)"
            ) from exc
    session.set_dc(server.dc_id, server.host, server.port)


def build_client(
    settings: Settings, *, session_string: str | None = None, lock: SessionLock | None = None
) -> TelegramClient:
    """A configured, not yet connected client. Pass `lock` to guard a file session."""
    api_id, api_hash = _credentials(settings)
    tg = settings.telegram
    session: Any
    if session_string is not None:
        session = StringSession(session_string)
    elif tg.session_string is not None:
        try:
            session = StringSession(tg.session_string.get_secret_value())
        except ValueError:
            raise ConfigError(
                "telegram.session_string: not a Telethon session string (`tgmon login --string`)"
            ) from None
    else:
        path = session_path(settings)
        if lock is not None:
            lock.acquire()
        prepare_session_file(path)
        session = SQLiteSession(str(path))
        os.chmod(path, 0o600)
    _apply_server(settings, session)
    connection, proxy = _proxy(settings)
    with warnings.catch_warnings():
        # Telethon warns "proxy ignored" without python-socks even for an MTProxy, which its
        # own connection class handles without python-socks.
        warnings.filterwarnings("ignore", message="proxy argument will be ignored")
        return TelegramClient(
            session,
            api_id,
            api_hash,
            connection=connection,
            proxy=proxy,
            flood_sleep_threshold=0,  # every FloodWait reaches tgmon: logged, counted, per channel
            auto_reconnect=True,
            connection_retries=5,
            retry_delay=2,
        )


async def connect_authorised(client: Any) -> None:
    """Connect and check the session is logged in.

    SessionError (stop; never retry) when the session is missing or revoked; SourceError when
    Telegram cannot be reached (worth retrying later).

    Telethon reports a revoked key as "not authorised"; a session that had a key before
    connecting was logged in once, so that case is a revocation.
    """
    had_key = getattr(getattr(client, "session", None), "auth_key", None) is not None
    try:
        await client.connect()
        authorised = await client.is_user_authorized()
    except SESSION_GONE:
        raise SessionError(REVOKED_MESSAGE) from None
    except NETWORK_ERRORS as exc:
        raise SourceError(f"cannot reach Telegram: {type(exc).__name__}") from None
    if not authorised:
        raise SessionError(REVOKED_MESSAGE if had_key else "not logged in: run `tgmon login` first")


ClientFactory = Callable[..., Any]


@asynccontextmanager
async def connected_client(
    settings: Settings, *, factory: ClientFactory = build_client
) -> AsyncIterator[Any]:
    """A logged-in client owned by this process; disconnected and unlocked on exit."""
    lock = None if settings.telegram.session_string else SessionLock(session_path(settings))
    client = None
    try:
        client = factory(settings, lock=lock)
        await connect_authorised(client)
        yield client
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                await client.disconnect()
        if lock is not None:
            lock.release()


def require_credentials(settings: Settings) -> None:
    """Fail before connecting when the API keys or the login session are missing."""
    tg = settings.telegram
    if tg.api_id is None or tg.api_hash is None:
        raise ConfigError(
            "telegram.api_id and telegram.api_hash are required for `tgmon run` "
            "(from https://my.telegram.org; or TGMON_TELEGRAM__API_ID / TGMON_TELEGRAM__API_HASH)"
        )
    session_file = settings.data_dir / f"{tg.session_name}.session"
    if tg.session_string is None and not session_file.is_file():
        raise SessionError(
            f"no Telegram session: neither telegram.session_string nor {session_file} exists; "
            "log in once with `tgmon login` (containers: `tgmon login --string`, then set "
            "TGMON_TELEGRAM__SESSION_STRING)"
        )
