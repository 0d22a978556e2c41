"""Notifiers: the I/O edge that hands a rendered AlertMessage to one destination.

`Notifier.send` returns on acknowledgement and raises `DeliveryError(retryable=…)` otherwise.
Email is tgmon's own (apprise's email plugin sends one format and derives the plain part from
the HTML; tgmon sends its own plain and HTML parts); the signed webhook is tgmon's own; every
other service goes through apprise. Error texts pass through a `Redactor` so no password,
secret or URL token reaches a log or the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import smtplib
import ssl
import warnings
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from urllib.parse import unquote, urlsplit

import apprise
import httpx

with warnings.catch_warnings():
    # apprise loads its PGP helper, which imports the deprecated `imghdr`, on first use
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import apprise.utils.pgp  # noqa: F401
    except ImportError:
        pass

from monitor.alerts.render import AlertMessage
from monitor.config.settings import AlertSettings, RouteSettings
from monitor.core.errors import ConfigError, DeliveryError

USER_AGENT = "tgmon/0.1"
_RETRYABLE_HTTP = {408, 429}


class Notifier(Protocol):
    """One configured destination."""

    name: str

    def send(self, message: AlertMessage) -> None: ...


class Redactor:
    """Replaces known secret strings (and their URL-quoted forms) with ****."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        found = {s for s in secrets if s and len(s) >= 3}
        found |= {unquote(s) for s in found}
        self.secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return text


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return get() if get is not None else None


def _url_secrets(url: str) -> list[str]:
    """The parts of a URL that may be credentials: password, user, path and query tokens."""
    parts = urlsplit(url)
    found = [url, parts.password or "", parts.username or ""]
    found += [p for p in re.split(r"[/?&=,]", parts.path + "?" + parts.query) if len(p) >= 6]
    return found


class WebhookNotifier:
    """POSTs the tgmon.alert/1 JSON payload, HMAC-signed, with a stable Idempotency-Key."""

    def __init__(
        self,
        name: str,
        url: str,
        secret: str | None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = name
        self.url = url.removeprefix("webhook+")
        self.secret = secret
        self.timeout = timeout
        self.client = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
        self.redact = Redactor([*_url_secrets(self.url), secret])
        parts = urlsplit(self.url)
        self.display = (
            f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"
        )

    def body(self, message: AlertMessage) -> bytes:
        payload = {**message.payload, "idempotency_key": message.idempotency_key}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send(self, message: AlertMessage) -> None:
        body = self.body(message)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
        }
        if self.secret:
            headers["X-Tgmon-Signature"] = sign(body, self.secret)
        try:
            response = self.client.post(
                self.url, content=body, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as exc:
            raise DeliveryError(
                f"webhook {self.display}: timed out ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            reason = self.redact(str(exc)) or type(exc).__name__
            raise DeliveryError(f"webhook {self.display}: {reason}") from None
        status = response.status_code
        if 200 <= status < 300:
            return
        retryable = status >= 500 or status in _RETRYABLE_HTTP
        raise DeliveryError(
            f"webhook {self.display}: HTTP {status} {response.reason_phrase}", retryable=retryable
        )

    def close(self) -> None:
        self.client.close()


def sign(body: bytes, secret: str) -> str:
    """X-Tgmon-Signature: sha256=<hex HMAC-SHA256 of the raw body with the shared secret>."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class EmailNotifier:
    """Sends a multipart/alternative mail (plain + HTML) over SMTP, STARTTLS or SSL."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        security: str,
        mail_from: str,
        mail_to: list[str],
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        ca_file: str | None = None,
    ) -> None:
        self.name, self.host, self.port, self.security = name, host, port, security
        self.mail_from, self.mail_to = mail_from, mail_to
        self.username, self.password, self.timeout = username, password, timeout
        self.tls = ssl.create_default_context(cafile=ca_file)
        self.redact = Redactor([password])

    def build(self, message: AlertMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.mail_from
        mail["To"] = ", ".join(self.mail_to)
        mail["Date"] = formatdate(localtime=False)
        # A retry of the same delivery keeps its Message-ID, so mail clients fold duplicates.
        key = re.sub(r"[^A-Za-z0-9._-]", "", message.idempotency_key)
        mail["Message-ID"] = f"<{key}@tgmon>" if key else make_msgid(domain="tgmon")
        if message.idempotency_key:
            mail["X-Tgmon-Idempotency-Key"] = message.idempotency_key
        mail["X-Tgmon-Severity"] = message.severity
        mail.set_content(message.text, charset="utf-8")
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
        return mail

    def send(self, message: AlertMessage) -> None:
        mail = self.build(message)
        where = f"smtp {self.host}:{self.port}"
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self.tls
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=self.tls)
                if self.username and self.password:
                    client.login(self.username, self.password)
                refused = client.send_message(mail)
        except UnicodeEncodeError:  # smtplib sends AUTH in ASCII only
            raise DeliveryError(
                f"{where}: SMTP username and password must be ASCII", retryable=False
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{where}: login refused ({exc.smtp_code})", retryable=False
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"{where}: recipients refused: {', '.join(exc.recipients)}", retryable=False
            ) from None
        except smtplib.SMTPResponseException as exc:
            raw = exc.smtp_error
            text = self.redact(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)
            raise DeliveryError(
                f"{where}: {exc.smtp_code} {text}", retryable=exc.smtp_code < 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = self.redact(str(exc)) or type(exc).__name__
            raise DeliveryError(f"{where}: {reason}") from None
        if refused:
            raise DeliveryError(f"{where}: refused {', '.join(refused)}", retryable=False)


class AppriseNotifier:
    """Any service apprise supports, one URL per instance; apprise's log gives the reason."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
        if not plugin:
            raise ConfigError(f"alerts.routes[{name}].url: not a valid apprise URL")
        self.display = plugin.url(privacy=True)
        self.redact = Redactor(_url_secrets(url))
        self.apprise = apprise.Apprise()
        self.apprise.add(plugin)

    def send(self, message: AlertMessage) -> None:
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = self.apprise.notify(
                title=message.subject, body=message.text, body_format=apprise.NotifyFormat.TEXT
            )
            log_text = captured.getvalue()
        if not ok:
            lines = [line.strip() for line in log_text.splitlines() if line.strip()]
            reason = self.redact(" | ".join(lines[-3:]))[:300] or "apprise reported failure"
            raise DeliveryError(f"apprise {self.display.split('://')[0]}: {reason}")


def _email_notifier(route: RouteSettings) -> EmailNotifier:
    where = f"alerts.routes[{route.name}]"
    url = _secret(route.url) or ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    security = {"smtps": "ssl", "smtp+starttls": "starttls"}.get(scheme, "none")
    if not parts.hostname:
        raise ConfigError(
            f"{where}.url: email needs smtp://host[:port] (or smtps://, smtp+starttls://)"
        )
    if not route.mail_from or not route.mail_to:
        raise ConfigError(f"{where}: email needs mail_from and mail_to")
    port = parts.port or {"ssl": 465, "starttls": 587}.get(security, 25)
    return EmailNotifier(
        route.name,
        parts.hostname,
        port,
        security,
        route.mail_from,
        route.mail_to,
        username=route.username or (unquote(parts.username) if parts.username else None),
        password=_secret(route.password) or (unquote(parts.password) if parts.password else None),
        timeout=route.timeout.total_seconds(),
        ca_file=str(route.ca_file) if route.ca_file else None,
    )


def build_notifier(route: RouteSettings) -> Notifier:
    """The notifier for one configured route; a bad route is a ConfigError naming it."""
    url = _secret(route.url)
    kind = route.resolved_kind
    if kind == "email":
        return _email_notifier(route)
    if not url:
        raise ConfigError(f"alerts.routes[{route.name}].url: required for a {kind} route")
    if kind == "webhook":
        if not url.removeprefix("webhook+").startswith(("http://", "https://")):
            raise ConfigError(f"alerts.routes[{route.name}].url: webhook needs http(s)://")
        return WebhookNotifier(
            route.name, url, _secret(route.secret), route.timeout.total_seconds()
        )
    return AppriseNotifier(route.name, url)


def build_notifiers(settings: AlertSettings) -> dict[str, Notifier]:
    """A notifier for each configured route, by route name."""
    return {route.name: build_notifier(route) for route in settings.routes}


def describe_route(route: RouteSettings) -> str:
    """The route's destination with secrets masked, for `alerts` listings and logs."""
    url = _secret(route.url) or ""
    if route.resolved_kind == "apprise":
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
        return plugin.url(privacy=True) if plugin else "<invalid apprise url>"
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path if route.kind != 'email' else ''}"
