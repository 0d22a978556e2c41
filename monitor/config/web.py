"""`[web]`: where the analyst desk listens and who may read it.

Bound to loopback it is open to the local user; bound anywhere else it refuses to start unless
a token or a user with a hashed password is configured (checked by `exposure_problem`).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, model_validator

# scrypt$<log2 n>$<r>$<p>$<salt hex>$<hash hex>, written by `tgmon web --hash-password`
PASSWORD_HASH = re.compile(r"^scrypt\$\d{1,2}\$\d{1,2}\$\d{1,2}\$[0-9a-f]{16,}\$[0-9a-f]{32,}$")


def _seconds(value: object) -> timedelta:
    # the desk's own small reader, so this module does not import settings.py (which imports it)
    if isinstance(value, timedelta):
        return value
    text = str(value).strip().lower()
    unit = 60 if text.endswith("m") else 1
    number = text.rstrip("sm").strip()
    try:
        return timedelta(seconds=float(number) * unit)
    except ValueError:
        raise ValueError(f"not a duration: {value!r} (use e.g. 15s or 1m)") from None


class WebSettings(BaseModel):
    """The analyst desk (`tgmon web`, or the daemon with serve_with_daemon)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    host: str = Field(
        default="127.0.0.1",
        description="Address to listen on; anything but loopback requires token or user",
    )
    port: int = Field(default=8765, ge=1, le=65535, description="Port to listen on")
    token: SecretStr | None = Field(
        default=None,
        description="Access token for scripts and browsers (Authorization: Bearer …); "
        "prefer TGMON_WEB__TOKEN",
    )
    username: str | None = Field(default=None, description="User name for the login dialog")
    password_hash: SecretStr | None = Field(
        default=None,
        description="scrypt hash of the user's password, from `tgmon web --hash-password`",
    )
    serve_with_daemon: bool = Field(
        default=False, description="`tgmon run` serves the desk too, in the same process"
    )
    page_size: int = Field(default=50, ge=5, le=500, description="Rows per page of alerts/search")
    refresh: Annotated[timedelta, BeforeValidator(_seconds)] = Field(
        default=timedelta(seconds=15), description="How often the alerts page refreshes itself"
    )

    @model_validator(mode="after")
    def _user_needs_password(self) -> WebSettings:
        if (self.username is None) != (self.password_hash is None):
            raise ValueError("web.username and web.password_hash go together")
        if self.password_hash is not None and not PASSWORD_HASH.match(
            self.password_hash.get_secret_value()
        ):
            raise ValueError(
                "web.password_hash: not a tgmon scrypt hash (make one with "
                "`tgmon web --hash-password`)"
            )
        if self.refresh < timedelta(seconds=2):
            raise ValueError("web.refresh: at least 2s")
        return self

    @property
    def auth_configured(self) -> bool:
        return self.token is not None or self.password_hash is not None


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_problem(web: WebSettings) -> str | None:
    """Why the desk must not start as configured (bound beyond loopback, nobody to log in)."""
    if is_loopback(web.host) or web.auth_configured:
        return None
    return (
        f"web.host = {web.host!r} exposes the desk beyond this machine: set web.token or "
        "web.username + web.password_hash first (or bind 127.0.0.1)"
    )
