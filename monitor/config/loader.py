"""Load settings: read tgmon.toml, overlay TGMON_* variables, validate, name the bad value.

A bad value becomes one line naming the file (or variable), the key and the problem.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from monitor.config.root import Settings
from monitor.core.errors import ConfigError


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
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {_not_utf8(path, exc)}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> str:
    """Say where a file stops being UTF-8: line and column, as an editor shows them."""
    head = exc.object[: exc.start]
    line = head.count(b"\n") + 1
    column = exc.start - (head.rfind(b"\n") + 1) + 1
    return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at line {line}, column {column})"


def _check_environment() -> None:
    """Refuse TGMON_* values holding bytes that are not UTF-8 (they fail later, far away)."""
    for key, value in os.environ.items():
        if key.upper().startswith("TGMON_") and any("\udc80" <= ch <= "\udcff" for ch in value):
            raise ConfigError(f"{key}: not UTF-8 text: {os.fsencode(value)!r}")


def _env_error(exc: SettingsError) -> str:
    """Name the TGMON_* variable pydantic-settings could not parse as JSON."""
    text = str(exc)
    field = text.split('"')[1] if text.count('"') >= 2 else ""
    names = sorted(
        k
        for k in os.environ
        if k.upper() == f"TGMON_{field.upper()}" or k.upper().startswith(f"TGMON_{field.upper()}__")
    )
    where = names[0] if names else f"TGMON_{field.upper()}"
    cause = exc.__cause__
    detail = f": {cause}" if isinstance(cause, ValueError) else ""
    return f"{where}: not valid JSON{detail}"


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
    _check_environment()
    try:
        settings = Settings(**data)
    except SettingsError as exc:  # a TGMON_* value that should be JSON and is not
        raise ConfigError(_env_error(exc)) from None
    except RecursionError:
        raise ConfigError(f"{source}: values nested too deeply") from None
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


def check_data_dir(path: Path) -> None:
    """Raise ConfigError unless `path` is, or can be made, a folder tgmon can write in."""
    if path.exists():
        if not path.is_dir():
            raise ConfigError(f"data_dir: {path} is a file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ConfigError(f"data_dir: {path} is not writable")
        return
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"data_dir: {path} cannot be created: {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"data_dir: {path} cannot be created: {parent} is not writable")


def prepare_data_dir(path: Path) -> Path:
    """Create the data folder if needed; a file in the way or no permission is a ConfigError."""
    check_data_dir(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"data_dir: {path} cannot be created: {exc.strerror}") from None
    return path


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, secrets masked, for `tgmon config show`."""
    return settings.model_dump(mode="json")
