"""Notifiers against real local servers: aiosmtpd for email, an HTTP receiver for the rest."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.alerts.notifiers import (
    AppriseNotifier,
    EmailNotifier,
    WebhookNotifier,
    build_notifier,
    sign,
)
from monitor.alerts.render import AlertMessage, AlertRenderer
from monitor.config.settings import RouteSettings
from monitor.core.errors import ConfigError, DeliveryError
from storage.models import Alert, Channel, Match, Post
from tests.support.alert_helpers import T0, TEXT, Receiver

PASSWORD = "s3cr3t-pass#1"


def _message() -> AlertMessage:
    post = Post(
        id=1,
        channel_id=5,
        message_id=42,
        posted_at=T0,
        text=TEXT + " <b>&</b>",
        url="https://t.me/wagnerwatch/42",
        translation=None,
    )
    match = Match(
        post_id=1,
        watchlist="wagner",
        rule="wagner",
        severity="critical",
        terms=["Вагнера"],
        spans=[[9, 16]],
    )
    alert = Alert(
        id=7,
        watchlist="wagner",
        severity="critical",
        post_id=1,
        dedupe_key="k",
        copies=[1],
        created_at=T0,
    )
    channel = Channel(id=5, username="wagnerwatch", title="Вагнер наблюдение")
    return (
        AlertRenderer()
        .render(alert, post, channel, [match], [(post, channel)])
        .for_delivery("tgmon-7-abc")
    )


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"desk"
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    result = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"openssl cannot make a test certificate: {result.stderr[-200:]!r}")
    return cert, key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(
    request: pytest.FixtureRequest, tls_files: tuple[Path, Path]
) -> Iterator[tuple[_Sink, int]]:
    mode = getattr(request, "param", "plain")
    sink = _Sink()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_files)
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": _free_port(), "authenticator": _auth}
    if mode == "plain":
        kwargs["auth_require_tls"] = False
    elif mode == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    else:
        kwargs.update(ssl_context=context, auth_require_tls=False)  # the socket is TLS already
    controller = Controller(sink, **kwargs)
    controller.start()
    yield sink, kwargs["port"]
    controller.stop()


@pytest.mark.parametrize("smtp", ["plain", "starttls", "ssl"], indirect=True)
def test_email_has_both_parts_cyrillic_headers_and_highlights(
    smtp: tuple[_Sink, int], request: pytest.FixtureRequest, tls_files: tuple[Path, Path]
) -> None:
    sink, port = smtp
    security = {"plain": "none", "starttls": "starttls", "ssl": "ssl"}[
        request.node.callspec.params["smtp"]
    ]
    notifier = EmailNotifier(
        "mail",
        "127.0.0.1",
        port,
        security,
        "tgmon@example.org",
        ["a@example.org", "b@example.org"],
        username="desk",
        password=PASSWORD,
        ca_file=str(tls_files[0]),
    )
    notifier.send(_message())
    envelope = sink.messages[0]
    assert sorted(envelope.rcpt_tos) == ["a@example.org", "b@example.org"]
    mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert mail["Subject"].startswith("[tgmon critical] wagner: @wagnerwatch")
    assert "Вагнера" in mail["Subject"]
    assert mail["X-Tgmon-Idempotency-Key"] == "tgmon-7-abc"
    assert mail["Message-ID"] == "<tgmon-7-abc@tgmon>"  # the same on every retry
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Колонна «**Вагнера**» замечена" in plain
    assert "English: translation unavailable: not ready" in plain
    assert "<mark>Вагнера</mark>" in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>&</b>" not in html  # autoescaped
    assert 'href="https://t.me/wagnerwatch/42"' in html


def test_wrong_smtp_password_is_not_retryable_and_never_shown(smtp: tuple[_Sink, int]) -> None:
    _, port = smtp
    notifier = EmailNotifier(
        "mail",
        "127.0.0.1",
        port,
        "none",
        "t@example.org",
        ["a@example.org"],
        username="desk",
        password="wrong-password-xyz",
    )
    with pytest.raises(DeliveryError) as info:
        notifier.send(_message())
    assert info.value.retryable is False and "wrong-password-xyz" not in str(info.value)


def test_non_ascii_password_is_a_clear_permanent_error(smtp: tuple[_Sink, int]) -> None:
    _, port = smtp
    notifier = EmailNotifier(
        "mail",
        "127.0.0.1",
        port,
        "none",
        "t@example.org",
        ["a@example.org"],
        username="desk",
        password="пароль-секрет",
    )
    with pytest.raises(DeliveryError, match="must be ASCII") as info:
        notifier.send(_message())
    assert info.value.retryable is False and "пароль" not in str(info.value)


def test_unreachable_smtp_is_retryable() -> None:
    notifier = EmailNotifier(
        "mail", "127.0.0.1", 1, "none", "t@example.org", ["a@example.org"], timeout=2
    )
    with pytest.raises(DeliveryError) as info:
        notifier.send(_message())
    assert info.value.retryable is True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def test_webhook_is_signed_keyed_and_follows_the_schema(receiver: Receiver) -> None:
    notifier = WebhookNotifier("hook", "webhook+" + receiver.url, "shared-secret", 5)
    notifier.send(_message())
    notifier.send(_message())  # a retry of the same delivery
    first, second = receiver.received
    expected = "sha256=" + hmac.new(b"shared-secret", first.body, hashlib.sha256).hexdigest()
    assert first.headers["X-Tgmon-Signature"] == expected == sign(first.body, "shared-secret")
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == "tgmon-7-abc"
    payload = first.json()
    assert payload["schema"] == "tgmon.alert/1"
    assert set(payload) == {
        "schema",
        "alert",
        "post",
        "forwarded_from",
        "english",
        "matches",
        "copies",
        "idempotency_key",
    }
    assert payload["english"]["status"] == "pending" and payload["english"]["text"] is None
    assert payload["english"]["note"].startswith("translation unavailable")
    assert "translation_provider" in payload["post"]
    assert payload["alert"] == {
        "id": 7,
        "watchlist": "wagner",
        "severity": "critical",
        "reason": "new",
        "created_at": T0.isoformat(),
    }
    assert payload["post"]["url"] == "https://t.me/wagnerwatch/42"
    assert payload["post"]["text"].startswith("Колонна")
    assert payload["matches"][0]["spans"] == [[9, 16]]
    assert payload["copies"][0]["url"] == "https://t.me/wagnerwatch/42"


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (503, True), (408, True), (429, True), (400, False), (404, False), (410, False)],
)
def test_webhook_status_decides_retry(receiver: Receiver, status: int, retryable: bool) -> None:
    receiver.respond = lambda _r: status
    with pytest.raises(DeliveryError) as info:
        WebhookNotifier("hook", receiver.url + "?token=tok-secret-123", None, 5).send(_message())
    assert info.value.retryable is retryable
    assert str(status) in str(info.value) and "tok-secret-123" not in str(info.value)


def test_apprise_json_url_delivers_to_a_local_server(receiver: Receiver) -> None:
    url = receiver.url.replace("http://", "json://user:apprise-pass@")
    notifier = build_notifier(RouteSettings(name="ap", url=url))
    assert isinstance(notifier, AppriseNotifier)
    assert "apprise-pass" not in notifier.display
    notifier.send(_message())
    body = receiver.received[0].json()
    assert body["title"].startswith("[tgmon critical] wagner")
    assert "**Вагнера**" in body["message"]


def test_apprise_failure_has_a_reason_without_secrets(receiver: Receiver) -> None:
    receiver.respond = lambda _r: 500
    url = receiver.url.replace("http://", "json://user:apprise-pass@") + "?token=abcdef123456"
    with pytest.raises(DeliveryError) as info:
        AppriseNotifier("ap", url).send(_message())
    text = str(info.value)
    assert "500" in text and "apprise-pass" not in text and "abcdef123456" not in text


def test_ntfy_url_to_a_local_receiver(receiver: Receiver) -> None:
    host = receiver.url.removeprefix("http://").removesuffix("/hook")
    AppriseNotifier("ntfy", f"ntfy://{host}/tgmon-alerts").send(_message())
    sent = receiver.received[0].json()
    assert sent["topic"] == "tgmon-alerts" and "**Вагнера**" in sent["message"]


@pytest.mark.parametrize(
    ("route", "problem"),
    [
        ({"url": "smtp://127.0.0.1"}, "mail_from and mail_to"),
        ({"kind": "email"}, "smtp://host"),
        ({"kind": "webhook", "secret": "s3cret"}, "required"),
        ({"url": "webhook+ftp://x", "secret": "s3cret"}, "http(s)"),
        ({"url": "notaservice://x"}, "not a valid apprise URL"),
    ],
)
def test_bad_routes_are_config_errors(route: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        build_notifier(RouteSettings(name="r", **route))


def test_payload_json_is_stable() -> None:
    assert json.loads(json.dumps(_message().payload))["schema"] == "tgmon.alert/1"
