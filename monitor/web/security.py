"""Access to the desk: login (token or user + scrypt password), CSRF tokens, security headers.

Pure ASGI middleware, so it wraps every route, static files included. Secrets are compared in
constant time and never appear in responses or logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from monitor.config.web import WebSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 14, 8, 1
CSRF_COOKIE = "tgmon_csrf"
CSRF_FIELD = "csrf_token"
SECURITY_HEADERS = {
    # no inline script or style anywhere: htmx and the stylesheet are files under /static
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The `web.password_hash` value for a password (scrypt, random salt)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=2**SCRYPT_LOG_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_LOG_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored` (a value made by hash_password)."""
    try:
        _, log_n, r, p, salt, expected = stored.split("$")
        digest = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=2 ** int(log_n),
            r=int(r),
            p=int(p),
            dklen=len(expected) // 2,
            maxmem=128 * 1024 * 1024,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


class Credentials:
    """Checks one request's Authorization header against the configured token and user."""

    def __init__(self, web: WebSettings) -> None:
        self.token = web.token.get_secret_value() if web.token else None
        self.username = web.username
        self.password_hash = web.password_hash.get_secret_value() if web.password_hash else None
        self._accepted: set[str] = set()  # headers already verified: scrypt once, not per asset

    @property
    def required(self) -> bool:
        return self.token is not None or self.password_hash is not None

    def allows(self, authorization: str | None) -> bool:
        if not self.required:
            return True
        if not authorization:
            return False
        if authorization in self._accepted:
            return True
        ok = self._check(authorization)
        if ok and len(self._accepted) < 1000:
            self._accepted.add(authorization)
        return ok

    def _check(self, authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and self.token is not None:
            return hmac.compare_digest(value.encode(), self.token.encode())
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            if self.password_hash is not None and self.username is not None:
                if hmac.compare_digest(user.encode(), self.username.encode()):
                    return verify_password(password, self.password_hash)
            # a token also works as the password of any user (browsers can only ask for Basic)
            if self.token is not None:
                return hmac.compare_digest(password.encode(), self.token.encode())
        return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class SecurityMiddleware:
    """Adds the security headers to every response; asks for credentials when configured."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS.items():
                    if key.encode() not in present:
                        headers.append((key.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        if not self.credentials.allows(_header(scope, b"authorization")):
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"www-authenticate", b'Basic realm="tgmon desk", charset="UTF-8"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b"login required\n"})
            return
        await self.app(scope, receive, send_with_headers)


class CsrfTokens:
    """Per-browser CSRF tokens: a random cookie, and a form field that is its HMAC.

    The key lives only in this process, so a form from before a restart is refused (reload
    the page); a page on another site can neither read the cookie nor compute the field.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or secrets.token_bytes(32)

    @staticmethod
    def new_cookie() -> str:
        return secrets.token_urlsafe(24)

    def field_for(self, cookie: str) -> str:
        return hmac.new(self.key, cookie.encode(), hashlib.sha256).hexdigest()

    def valid(self, cookie: str | None, field: str | None) -> bool:
        if not cookie or not field:
            return False
        return hmac.compare_digest(self.field_for(cookie), field)
