"""Logging: JSON lines off a terminal, human lines on one, configured secrets never shown."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from monitor.cli.logs import MASK, SecretFilter, configured_secrets, setup_logging
from monitor.config.settings import Settings

API_HASH = "0123456789abcdef0123456789abcdef"
SESSION = "1BVtsOK8Bu3-very-long-session-string"
SMTP_PASSWORD = "hunter2smtp"
WEBHOOK_SECRET = "whsec_abcdef"
DB_PASSWORD = "pgpass-9"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        telegram={"api_id": 1, "api_hash": API_HASH, "session_string": SESSION},
        translation={"api_key": "deepl-key-123"},
        alerts={
            "routes": [
                {"name": "mail", "url": f"mailtos://desk:{SMTP_PASSWORD}@smtp.example.org"},
                {
                    "name": "hook",
                    "url": f"webhook+https://h.example.org/in?secret={WEBHOOK_SECRET}",
                    "secret": WEBHOOK_SECRET,
                },
            ]
        },
        database={"url": f"postgresql+psycopg://tgmon:{DB_PASSWORD}@db:5432/tgmon"},
    )


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_every_configured_secret_is_collected(settings: Settings) -> None:
    secrets = configured_secrets(settings)
    for value in (API_HASH, SESSION, SMTP_PASSWORD, WEBHOOK_SECRET, DB_PASSWORD, "deepl-key-123"):
        assert value in secrets


@pytest.mark.parametrize(
    "message",
    [
        f"connecting with hash {API_HASH}",
        f"session {SESSION} rejected",
        f"SMTP login failed for desk:{SMTP_PASSWORD}@smtp.example.org",
        f"POST https://h.example.org/in?secret={WEBHOOK_SECRET} -> 500",
        f"could not connect to postgresql://tgmon:{DB_PASSWORD}@db/tgmon",
    ],
)
def test_json_lines_mask_secrets_in_messages(
    settings: Settings, restore_root: None, message: str
) -> None:
    out = io.StringIO()
    setup_logging(settings, stream=out, json_lines=True)
    logging.getLogger("monitor.test").warning("%s", message, extra={"route": message})
    entry = json.loads(out.getvalue().strip())
    assert MASK in entry["msg"] and MASK in entry["route"]
    for secret in configured_secrets(settings):
        assert secret not in out.getvalue()


def test_tracebacks_are_masked_too(settings: Settings, restore_root: None) -> None:
    out = io.StringIO()
    setup_logging(settings, stream=out, json_lines=True)
    try:
        raise RuntimeError(f"auth failed with {API_HASH}")
    except RuntimeError:
        logging.getLogger("telethon.network").exception("connection lost")
    entry = json.loads(out.getvalue().strip())
    assert "RuntimeError" in entry["exc"]
    assert API_HASH not in out.getvalue()


def test_human_format_on_a_terminal(settings: Settings, restore_root: None) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    setup_logging(settings, stream=out)
    logging.getLogger("monitor.daemon").info("channel %s: %d new", 42, 3, extra={"channel_id": 42})
    line = out.getvalue()
    assert "INFO" in line and "channel 42: 3 new" in line and "channel_id=42" in line
    assert not line.startswith("{")


def test_not_a_terminal_means_json(settings: Settings, restore_root: None) -> None:
    out = io.StringIO()
    setup_logging(settings, stream=out)
    logging.getLogger("monitor.daemon").info("started", extra={"worker": "w1"})
    entry = json.loads(out.getvalue())
    assert entry["level"] == "info" and entry["worker"] == "w1" and entry["msg"] == "started"


def test_short_values_are_not_treated_as_secrets() -> None:
    f = SecretFilter(["ab", "", "longer-secret"])
    assert f.redact("ab longer-secret") == f"ab {MASK}"
