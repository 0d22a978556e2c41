"""Every log line masks secrets, whatever the level or library (issue 13 item 5).

httpx logs each request's full URL at INFO; with `--debug` a webhook's `?token=…` went to
stderr in full. The handler every command installs masks configured secrets and anything that
looks like one (URL passwords, secret-named query values), before and after settings load.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import monitor.cli
from monitor.cli.logs import SecretFilter, mask_secret_patterns, reset_logging
from storage.database import Database
from tests.support.alert_helpers import Receiver

TOKEN = "tok-9f8e7d6c5b4a"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_debug_request_log_of_a_webhook_masks_its_token(
    db: Database, receiver: Receiver, tmp_path: Path, restore_root: None
) -> None:
    config = tmp_path / "tgmon.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\n[database]\nurl = "{db.url}"\n'
        f'[[alerts.routes]]\nname = "hook"\nurl = "webhook+{receiver.url}?token={TOKEN}"\n'
        'secret = "topsecret-signing"\ntimeout = "2s"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        monitor.cli.app, ["--debug", "-c", str(config), "alerts", "test-route", "hook"]
    )
    assert result.exit_code == 0, result.output
    assert receiver.received and receiver.received[0].path == f"/hook?token={TOKEN}"
    assert "HTTP Request: POST" in result.output  # httpx did log the request ...
    assert TOKEN not in result.output  # ... without the token
    assert "topsecret-signing" not in result.output


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR])
@pytest.mark.parametrize("library", ["httpx", "httpcore.http11", "apprise", "telethon", "x.y"])
def test_unconfigured_secrets_in_any_library_log_are_masked(
    restore_root: None, level: int, library: str
) -> None:
    """Before any settings are loaded, a command's handler already masks secret-looking URLs."""
    reset_logging(debug=True)
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "tgmon", False))
    out = io.StringIO()  # the command's handler writes to sys.stderr: read through its filters
    probe = logging.StreamHandler(out)
    probe.filters = handler.filters
    logging.getLogger().addHandler(probe)
    logger = logging.getLogger(library)
    own_level = logger.level
    logger.setLevel(logging.NOTSET)  # an earlier `tgmon run` in this process may quiet it
    logger.log(
        level,
        "HTTP Request: POST %s %s",
        f"https://hooks.example/x?channel=ops&access_token={TOKEN}",
        f"postgresql+psycopg://tgmon:{TOKEN}@db:5432/tgmon",
    )
    logger.setLevel(own_level)
    text = out.getvalue()
    assert TOKEN not in text
    assert "access_token=***" in text and "tgmon:***@db" in text and "channel=ops" in text


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("GET https://h/x?token=abc123&page=2", "GET https://h/x?token=***&page=2"),
        ("https://h/x?api_key=k1;sig=s2#top", "https://h/x?api_key=***;sig=***#top"),
        ("smtp://me:pa55word@mail.example:587", "smtp://me:***@mail.example:587"),
        ("ntfy://user:hunter2@ntfy.sh/topic", "ntfy://user:***@ntfy.sh/topic"),
        ("write to a@b.example; key points: none", "write to a@b.example; key points: none"),
        ("?page=2&sort=new", "?page=2&sort=new"),
    ],
)
def test_secret_patterns(line: str, masked: str) -> None:
    assert mask_secret_patterns(line) == masked


def test_filter_masks_exception_text_by_pattern() -> None:
    record = logging.LogRecord("httpx", logging.ERROR, "", 0, "boom", None, None)
    try:
        raise RuntimeError(f"cannot reach https://h/x?token={TOKEN}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    SecretFilter(()).filter(record)
    assert record.exc_text is not None and TOKEN not in record.exc_text
