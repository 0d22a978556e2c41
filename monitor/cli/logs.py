"""Logging for the daemon: JSON lines for machines, short lines for people, secrets masked.

`setup_logging` picks JSON when stderr is not a terminal (containers, systemd, files) and a
human format otherwise. `SecretFilter` sits on the handler of every command (`reset_logging`
too), so every record — tgmon's own, httpx's, Telethon's, SQLAlchemy's, at any level,
tracebacks included — has configured secrets replaced by `***`, and so do URL passwords and
secret-looking query values (`?token=…`) nobody configured.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from monitor.config.settings import Settings

MASK = "***"
_MIN_SECRET_LEN = 4  # shorter values would mask ordinary words
_SECRET_QUERY_KEYS = ("pass", "secret", "token", "key", "auth", "sig")
# `?token=…`, `&api_key=…`, `;sig=…`: the value up to the next separator.
_SECRET_QUERY = re.compile(
    r"(?i)([?&;][^=&;\s#?\"'<>]*(?:" + "|".join(_SECRET_QUERY_KEYS) + r")[^=&;\s#?\"'<>]*=)"
    r"([^&;\s#\"'<>]+)"
)
# `scheme://user:password@host`: the password.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)([^@\s/]+)@")


def mask_secret_patterns(text: str) -> str:
    """Mask what looks like a secret whoever logged it: URL passwords and `?token=` values."""
    if "=" in text:
        text = _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, text)
    if "@" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    return text


# Attributes every LogRecord has; anything else was passed in `extra=` and is context.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def _url_secrets(url: str) -> list[str]:
    """The whole URL plus its password and secret-looking query values."""
    found = [url]
    try:
        parts = urlsplit(url)
        if parts.password:
            found.append(parts.password)
        for key, value in parse_qsl(parts.query):
            if any(word in key.lower() for word in _SECRET_QUERY_KEYS):
                found.append(value)
    except ValueError:
        pass
    return found


def configured_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold: API hash, session, keys, route URLs, DB password."""
    values: list[str] = []

    def add(secret: SecretStr | None) -> None:
        if secret is not None:
            values.append(secret.get_secret_value())

    add(settings.telegram.api_hash)
    add(settings.telegram.session_string)
    add(settings.translation.api_key)
    if settings.telegram.proxy is not None:
        add(settings.telegram.proxy.password)
        add(settings.telegram.proxy.secret)
    for route in settings.alerts.routes:
        if route.url is not None:
            values.extend(_url_secrets(route.url.get_secret_value()))
        add(route.secret)
        add(route.password)
    if settings.database.url:
        try:
            password = make_url(settings.database.url).password
        except ArgumentError:
            password = None
        if password:
            values.append(str(password))
    return values


class SecretFilter(logging.Filter):
    """Replace configured secrets in a record's message, arguments, context and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        unique = {s for s in secrets if s and len(s) >= _MIN_SECRET_LEN}
        # Longest first, so a URL is masked whole before its password is looked for.
        self.secrets = sorted(unique, key=len, reverse=True)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these too (the settings are loaded after logging is set up)."""
        self.secrets = SecretFilter([*self.secrets, *secrets]).secrets

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_secret_patterns(text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


def context_of(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra=` fields of a record (job, channel_id, ...)."""
    return {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(context_of(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class HumanFormatter(logging.Formatter):
    """`12:00:01 INFO  daemon: message  channel_id=123 job=poll` for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = context_of(record)
        if context:
            head, sep, tail = line.partition("\n")
            extra = " ".join(f"{k}={v}" for k, v in context.items())
            line = f"{head}  {extra}{sep}{tail}"
        return line


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now, not the one at setup (tests swap it per command)."""

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def reset_logging(*, debug: bool = False) -> None:
    """Start a command with plain logging: warnings (or everything with --debug) on stderr.

    Drops the handler a previous `tgmon run` in the same process installed, and leaves other
    handlers (pytest's, an embedding application's) alone.
    """
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "tgmon", False):
            root.removeHandler(old)
    if not any(getattr(h, "tgmon", False) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(SecretFilter(()))
        handler.tgmon = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


def mask_configured_secrets(settings: Settings) -> None:
    """Teach the command's log handler the secrets of the settings just loaded."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "tgmon", False):
            for log_filter in handler.filters:
                if isinstance(log_filter, SecretFilter):
                    log_filter.add(configured_secrets(settings))


def setup_logging(
    settings: Settings,
    *,
    stream: IO[str] | None = None,
    json_lines: bool | None = None,
    debug: bool = False,
) -> logging.Handler:
    """Route all logging to one handler on `stream` (stderr), formatted and redacted."""
    out = stream if stream is not None else sys.stderr
    if json_lines is None:
        json_lines = not (hasattr(out, "isatty") and out.isatty())
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    )
    handler.setFormatter(JsonFormatter() if json_lines else HumanFormatter())
    handler.addFilter(SecretFilter(configured_secrets(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler.tgmon = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else settings.log_level.upper())
    # Telethon and APScheduler are chatty at INFO; their warnings still come through.
    for noisy in ("telethon", "apscheduler", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.WARNING)
    return handler
