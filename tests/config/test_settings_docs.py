"""Every setting does something: each documented key exists and is read, each key is documented.

The README's reference table is generated from the settings model; the hand-written section
tables must name real keys; and every key of the model (and so of the example config) must be
read somewhere outside the config package.
"""

from __future__ import annotations

import re
from pathlib import Path

from monitor.config.reference import setting_fields, settings_reference
from monitor.config.settings import bundled_path, load_settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
KEYS = [key for key, _ in setting_fields()]
# Read through a method of its section rather than by attribute: (key, the method's name).
READ_BY_METHOD = {
    "daemon.heartbeat_stale": "stale_after",
    "daemon.worker_id": "worker_name",
    "translation.limits.requests_per_minute": "limits_for",
    "translation.limits.chars_per_minute": "limits_for",
    "translation.limits.max_chars": "limits_for",
    "watchlists.paths": "watchlist_dirs",
    "database.url": "database_url",
}


def _code_outside_config() -> str:
    parts = []
    for folder in ("monitor", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.parent.name != "config" or folder != "monitor":
                parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_readme_reference_is_the_generated_one() -> None:
    block = README.split("<!-- settings-reference:begin -->\n")[1].split(
        "<!-- settings-reference:end -->"
    )[0]
    assert block == settings_reference(), "run `tgmon config reference` and paste it into README"


def test_every_setting_is_read_by_some_code() -> None:
    code = _code_outside_config()
    unread = []
    for key in KEYS:
        name = key.rsplit(".", 1)[-1]
        method = READ_BY_METHOD.get(key)
        if method is not None:
            found = re.search(rf"\.{method}\b", code)
        else:
            found = re.search(rf"\.{re.escape(name)}\b", code) or re.search(
                rf"[\"']{re.escape(name)}[\"']", code
            )
        if not found:
            unread.append(key)
    assert unread == []


def test_the_example_config_sets_only_keys_that_exist() -> None:
    load_settings(bundled_path("tgmon.example.toml"))  # unknown keys fail the load (extra=forbid)
    example = bundled_path("tgmon.example.toml").read_text(encoding="utf-8")
    assert "recheck_every" not in example


def test_hand_written_settings_tables_name_real_keys() -> None:
    section = ""
    unknown = []
    in_settings_table = False
    for line in README.splitlines():
        if line.startswith("#"):
            match = re.search(r"`\[+([a-z_.]+)\]+`", line)
            section = match.group(1) if match else ""
            in_settings_table = False
            continue
        if line.startswith("| key") and "default" in line:
            header = re.search(r"`\[+([a-z_.]+)\]+`", line)
            in_settings_table = "settings-reference" not in line
            if header:
                section = header.group(1)
            continue
        if not line.startswith("|"):
            in_settings_table = False
            continue
        if not in_settings_table or line.startswith("|---"):
            continue
        first = line.split("|")[1]
        cell_section = section  # `[[channels]]` `ref`, `poll` / `translation.provider`, `url`
        for token in re.findall(r"`([^`]+)`", first):
            if token.startswith("["):
                cell_section = token.strip("[]")
                continue
            if "<" in token or " " in token:
                continue
            candidates = {token, f"{cell_section}.{token}"} if cell_section else {token}
            found = [
                c for c in candidates if any(key == c or key.startswith(c + ".") for key in KEYS)
            ]
            if not found:
                unknown.append(f"{cell_section or '(top)'}: {token}")
            elif "." in token:  # `translation.provider`, `url`: the next names share its section
                cell_section = max(found, key=len).rsplit(".", 1)[0]
    assert unknown == []
