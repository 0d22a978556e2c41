"""Pure alert rendering: an Alert with its Post and Matches → an AlertMessage (no I/O).

Subject, plain and HTML bodies and the webhook payload are Jinja2 templates
(monitor/alerts/templates/), each overridable by a file of the same name in
`alerts.templates_dir`. HTML is autoescaped; matched terms are highlighted from the spans the
matcher stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from monitor.core.errors import ConfigError
from monitor.core.snippet import segments
from storage.models import Alert, Channel, Match, Post

SCHEMA = "tgmon.alert/1"
DIGEST_SCHEMA = "tgmon.alert-digest/1"
BUILTIN_TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_NAMES = ("subject.txt.j2", "body.txt.j2", "body.html.j2", "payload.json.j2")


@dataclass(frozen=True)
class AlertMessage:
    """One rendered alert (or digest), ready for any Notifier."""

    subject: str
    text: str
    html: str
    payload: dict[str, Any]
    alert_ids: tuple[int, ...] = ()
    severity: str = "info"
    idempotency_key: str = ""
    extra_headers: dict[str, str] = field(default_factory=dict)

    def for_delivery(self, idempotency_key: str) -> AlertMessage:
        return replace(self, idempotency_key=idempotency_key)


@dataclass(frozen=True)
class TranslationState:
    """What the dispatcher knows about translation when an alert goes out."""

    off: bool = False  # translation.provider = none
    outage_since: datetime | None = None  # the provider has failed since then (backing off)
    outage_error: str | None = None


def english_of(post: Post, state: TranslationState) -> dict[str, Any] | None:
    """The English for a reader who may not know the post's language, or why there is none.

    None when the post needs no translation (already English, or no words): no English line.
    """
    status = post.translation_status
    if status == "skipped":
        return None
    english: dict[str, Any] = {
        "text": post.translation,
        "provider": post.translation_provider,
        "status": "done" if post.translation else ("off" if state.off else status),
        "note": None,
    }
    if post.translation:
        return english
    if state.off:
        english["note"] = "translation off (translation.provider = none)"
    elif status == "failed":
        english["note"] = f"translation unavailable: {post.translation_error or 'it failed'}"
    elif state.outage_since is not None:
        english["note"] = (
            f"translation unavailable: provider unreachable since "
            f"{state.outage_since:%Y-%m-%d %H:%M} UTC"
            + (f" ({state.outage_error})" if state.outage_error else "")
        )
    else:
        english["note"] = "translation unavailable: not ready within alerts.translation_wait"
    return english


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _channel_name(channel: Channel | None, channel_id: int) -> str:
    if channel is not None and channel.username:
        return f"@{channel.username}"
    if channel is not None and channel.title:
        return channel.title
    return str(channel_id)


def alert_context(
    alert: Alert,
    post: Post,
    channel: Channel | None,
    matches: Sequence[Match],
    copies: Sequence[tuple[Post, Channel | None]] = (),
    translation: TranslationState | None = None,
) -> dict[str, Any]:
    """The template variables for one alert (README: What an alert shows)."""
    original_spans = [s for m in matches if m.text_source == "original" for s in m.spans]
    terms = sorted({t for m in matches for t in m.terms})
    forwarded = None
    if post.fwd_from_channel_id is not None or post.fwd_from_name:
        forwarded = {
            "channel_id": post.fwd_from_channel_id,
            "message_id": post.fwd_from_message_id,
            "name": post.fwd_from_name,
        }
    return {
        "english": english_of(post, translation or TranslationState()),
        "alert": {
            "id": alert.id,
            "watchlist": alert.watchlist,
            "severity": alert.severity,
            "reason": alert.reason,
            "created_at": _iso(alert.created_at),
        },
        "channel": {
            "id": post.channel_id,
            "name": _channel_name(channel, post.channel_id),
            "username": channel.username if channel else None,
            "title": channel.title if channel else None,
        },
        "post": {
            "channel_id": post.channel_id,
            "message_id": post.message_id,
            "url": post.url,
            "posted_at": _iso(post.posted_at),
            "edited_at": _iso(post.edited_at),
            "deleted_at": _iso(post.deleted_at),
            "text": post.text,
            "language": post.language,
            "translation": post.translation,
            "translation_status": post.translation_status,
            "translation_provider": post.translation_provider,
        },
        "forwarded_from": forwarded,
        "segments": segments(post.text, original_spans),
        "terms": terms,
        "rules": sorted({m.rule for m in matches}),
        "matches": [
            {
                "rule": m.rule,
                "terms": list(m.terms),
                "spans": [list(s) for s in m.spans],
                "text_source": m.text_source,
                "severity": m.severity,
            }
            for m in matches
        ],
        "copies": [
            {
                "post_id": c.id,
                "channel_id": c.channel_id,
                "channel": _channel_name(ch, c.channel_id),
                "message_id": c.message_id,
                "url": c.url,
                "posted_at": _iso(c.posted_at),
            }
            for c, ch in copies
        ],
    }


class AlertRenderer:
    """Renders alerts with the built-in templates, or the user's where a file overrides one."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(BUILTIN_TEMPLATES))]
        if templates_dir is not None:
            if not templates_dir.is_dir():
                raise ConfigError(f"alerts.templates_dir: not a folder: {templates_dir}")
            loaders.insert(0, FileSystemLoader(str(templates_dir)))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(
                enabled_extensions=("html.j2", "html"), default_for_string=False, default=False
            ),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
        )

    def render(
        self,
        alert: Alert,
        post: Post,
        channel: Channel | None,
        matches: Sequence[Match],
        copies: Sequence[tuple[Post, Channel | None]] = (),
        translation: TranslationState | None = None,
    ) -> AlertMessage:
        """Render one alert; a broken user template is a ConfigError naming the file."""
        context = alert_context(alert, post, channel, matches, copies, translation)
        subject = " ".join(self._render("subject.txt.j2", context).split())
        payload_text = self._render("payload.json.j2", context)
        try:
            payload = json.loads(payload_text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"payload.json.j2: does not render valid JSON: {exc}") from exc
        return AlertMessage(
            subject=subject,
            text=self._render("body.txt.j2", context).strip() + "\n",
            html=self._render("body.html.j2", context),
            payload=payload,
            alert_ids=(alert.id,) if alert.id is not None else (),
            severity=alert.severity,
        )

    def _render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except TemplateError as exc:
            raise ConfigError(f"alert template {name}: {exc}") from exc


_RANK = {"info": 0, "warning": 1, "critical": 2}


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


def _body_of(html: str) -> str:
    """The inside of a rendered page's <body>, to place several alerts in one digest page."""
    found = _BODY.search(html)
    return found.group(1) if found else html


def combine_digest(route: str, messages: Sequence[AlertMessage]) -> AlertMessage:
    """Fold several alerts into one digest message (one per route per digest interval)."""
    if len(messages) == 1:
        return messages[0]
    severity = max((m.severity for m in messages), key=lambda s: _RANK.get(s, 0))
    rule = "\n" + "-" * 60 + "\n"
    html_parts = "<hr>".join(f"<section>{_body_of(m.html)}</section>" for m in messages)
    return AlertMessage(
        subject=f"[tgmon {severity}] digest: {len(messages)} alerts ({route})",
        text=rule.join(f"{m.subject}\n\n{m.text}" for m in messages),
        html=f"<!doctype html><html><body>{html_parts}</body></html>",
        payload={"schema": DIGEST_SCHEMA, "alerts": [m.payload for m in messages]},
        alert_ids=tuple(i for m in messages for i in m.alert_ids),
        severity=severity,
    )
