"""Property tests over the config loader: for any tgmon.toml and TGMON_* values, Settings or a
one-line ConfigError — never another exception, never a hang."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.config.settings import Settings, load_settings
from monitor.core.errors import ConfigError

FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow],
)
SECTIONS: dict[str, list[str]] = {
    "": ["data_dir", "log_level"],
    "database": ["url"],
    "telegram": [
        "api_id",
        "api_hash",
        "session_string",
        "requests_per_minute",
        "request_burst",
        "flood_wait_jitter",
        "recheck_window",
        "batch_size",
        "media_max_bytes",
        "proxy",
        "server",
    ],
    "translation": [
        "provider",
        "url",
        "target",
        "sources",
        "mode",
        "timeout",
        "batch_size",
        "daily_char_budget",
        "limits",
        "backoff",
        "max_backoff",
    ],
    "watchlists": ["paths"],
    "alerts": [
        "routes",
        "policy",
        "watchlists",
        "templates_dir",
        "max_attempts",
        "backoff",
        "lease",
        "backoff_max",
    ],
    "daemon": [
        "worker_id",
        "heartbeat",
        "heartbeat_stale",
        "poll_jitter",
        "http_port",
        "lease_period",
        "shutdown_grace",
        "recheck_window",
    ],
}
scalars = st.one_of(
    st.integers(-(2**64), 2**64),
    st.floats(),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "30s",
            "5m",
            "99999999999999999d",
            "-5m",
            "0",
            "1e400",
            "en",
            "auto",
            "postgresql+psycopg://u:p@h/db",
            "sqlite:///nope/x.db",
            "libre",
            "smtp://h",
            "webhook+https://h/x",
            "not a url",
            "\x00",
            "",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "url", "ref", "secret", "timeout", "kind", "x"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
routes = st.lists(
    st.fixed_dictionaries(
        {"name": st.text(max_size=5)},
        optional={"url": scalars, "secret": scalars, "timeout": scalars, "kind": scalars},
    ),
    max_size=3,
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string (lone surrogates: invalid TOML, fine)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(doc: dict[str, dict[str, Any]]) -> str:
    lines = [f"{k} = {toml_value(v)}" for k, v in doc.get("", {}).items()]
    for section, body in doc.items():
        if section and body:
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {toml_value(v)}" for k, v in body.items())
    return "\n".join(lines) + "\n"


documents = st.fixed_dictionaries(
    {
        section: st.dictionaries(st.sampled_from(keys), values, max_size=3)
        for section, keys in SECTIONS.items()
    }
)


@contextmanager
def config_file(data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tgmon.toml"
        path.write_bytes(data)
        yield path


def load_or_config_error(path: Path) -> Settings | None:
    try:
        return load_settings(path)
    except ConfigError as exc:
        assert "\n" not in str(exc), str(exc)
        return None


@FUZZ
@given(doc=documents, route_list=routes)
def test_any_document(doc: dict[str, dict[str, Any]], route_list: list[dict[str, Any]]) -> None:
    text = toml_text(doc)
    if route_list:
        text += "".join(
            "[[alerts.routes]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in r.items())
            for r in route_list
        )
    with config_file(text.encode("utf-8", "surrogatepass")) as path:
        load_or_config_error(path)


@FUZZ
@given(data=st.binary(max_size=200))
def test_any_bytes(data: bytes) -> None:
    with config_file(data) as path:
        load_or_config_error(path)


ENV_KEYS = [
    "TGMON_DATA_DIR",
    "TGMON_LOG_LEVEL",
    "TGMON_TELEGRAM__API_ID",
    "TGMON_ALERTS__ROUTES",
    "TGMON_TELEGRAM",
    "TGMON_CHANNELS",
    "TGMON_DAEMON__HEARTBEAT",
    "TGMON_TRANSLATION__LIMITS",
    "TGMON_ALERTS__POLICY__COOLDOWN",
    "TGMON_WATCHLISTS__PATHS",
    "TGMON_DATABASE__URL",
]


@FUZZ
@given(
    env=st.dictionaries(st.sampled_from(ENV_KEYS), st.text(max_size=40) | values.map(json.dumps))
)
def test_any_environment(env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if "\x00" not in v}  # the OS refuses NUL in env
    saved = {k: os.environ.get(k) for k in env}
    try:
        for key, value in env.items():  # lone surrogates cannot cross into the OS either
            os.environ[key] = value.encode("utf-8", "replace").decode("utf-8")
        with config_file(b"") as path:
            load_or_config_error(path)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
