"""Alert settings: routes (destinations), policy per watchlist, retries and leases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from monitor.config.base import Duration, Section

Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}


class RouteSettings(Section):
    """One destination. `kind` is read from the URL when not given: `webhook+https://…` is a
    signed tgmon webhook, `smtp://` / `smtps://` / `smtp+starttls://` is tgmon's own email
    (plain + HTML parts), anything else is an apprise URL."""

    name: str = Field(description="Route name, used in logs and `alerts test-route`")
    kind: Literal["apprise", "webhook", "email"] | None = Field(
        default=None, description="apprise | webhook | email; inferred from the URL when empty"
    )
    url: SecretStr | None = Field(
        default=None,
        description="apprise URL (slack://, ntfy://, tgram://, …), webhook+https://… for a signed "
        "tgmon webhook, or smtp[s]://host[:port] / smtp+starttls://host for email",
    )
    secret: SecretStr | None = Field(
        default=None, description="Webhook: shared secret for the X-Tgmon-Signature HMAC"
    )
    timeout: Duration = Field(default=timedelta(seconds=10), description="Per-send time limit")
    username: str | None = Field(default=None, description="Email: SMTP login")
    password: SecretStr | None = Field(default=None, description="Email: SMTP password")
    mail_from: str | None = Field(default=None, description="Email: From address")
    mail_to: list[str] = Field(default_factory=list, description="Email: recipients")
    ca_file: Path | None = Field(
        default=None, description="Email: CA bundle to trust for TLS (self-signed servers)"
    )
    watchlists: list[str] = Field(default_factory=list, description="Only these lists; empty = all")
    min_severity: Severity = Field(
        default="info", description="Lowest severity this route receives"
    )
    digest: Duration | None = Field(
        default=None, description="Send one digest message per this interval instead of one each"
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _webhooks_are_signed(self) -> RouteSettings:
        # Receivers verify X-Tgmon-Signature; an unsigned webhook could be forged by anyone.
        if self.resolved_kind == "webhook" and self.secret is None:
            raise ValueError("webhook routes need a `secret` to sign X-Tgmon-Signature")
        return self

    @property
    def resolved_kind(self) -> str:
        """The route's kind, inferred from its URL scheme when not set."""
        if self.kind:
            return self.kind
        url = self.url.get_secret_value() if self.url else ""
        scheme = url.split("://", 1)[0].lower()
        if scheme.startswith("webhook+"):
            return "webhook"
        if scheme in ("smtp", "smtps", "smtp+starttls"):
            return "email"
        return "apprise"

    def accepts(self, watchlist: str, severity: str) -> bool:
        """Whether an alert of this watchlist and severity goes to this route."""
        if self.watchlists and watchlist not in self.watchlists:
            return False
        return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK[self.min_severity]


class AlertPolicy(Section):
    """When a watchlist alerts: edits, deletions, duplicates and rate."""

    on_edited: bool = Field(default=True, description="Alert when an edit makes a post match")
    on_deleted: bool = Field(
        default=False, description="Alert (reason `deleted`) when a post that matched is deleted"
    )
    dedupe_window: Duration = Field(
        default=timedelta(hours=48),
        description="Copies of the same story within this window join the first alert",
    )
    cooldown: Duration = Field(
        default=timedelta(0),
        description="After an alert, further alerts of the list within this time are recorded "
        "as `suppressed` (not sent); 0 = off",
    )


class AlertSettings(Section):
    routes: list[RouteSettings] = Field(default_factory=list, description="Where alerts go")
    policy: AlertPolicy = Field(
        default_factory=AlertPolicy, description="Alert policy of every watchlist by default"
    )
    watchlists: dict[str, AlertPolicy] = Field(
        default_factory=dict, description="Per-watchlist policy, replacing `policy` for that list"
    )
    templates_dir: Path | None = Field(
        default=None,
        description="Folder with subject.txt.j2, body.txt.j2, body.html.j2, payload.json.j2 "
        "overriding the built-in templates",
    )
    translation_wait: Duration = Field(
        default=timedelta(minutes=5),
        description="Hold a post's alert until its English exists, at most this long "
        "(0 = send at once); then it goes out saying why the English is missing",
    )
    max_attempts: int = Field(default=8, ge=1, description="Attempts before a dead letter")
    backoff: Duration = Field(
        default=timedelta(seconds=30), description="First retry delay; doubles each attempt"
    )
    backoff_max: Duration = Field(default=timedelta(hours=1), description="Longest retry delay")
    lease: Duration = Field(
        default=timedelta(minutes=2),
        description="How long a dispatcher owns a claimed delivery before another may take it",
    )

    @field_validator("routes")
    @classmethod
    def _unique_names(cls, routes: list[RouteSettings]) -> list[RouteSettings]:
        names = [r.name for r in routes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate route name(s): {', '.join(dupes)}")
        return routes

    @model_validator(mode="after")
    def _lease_outlasts_sends(self) -> AlertSettings:
        # A dispatcher stops starting sends at half the lease; one send must fit in the rest.
        slowest = max((r.timeout for r in self.routes), default=timedelta(0))
        if self.lease < 2 * slowest:
            raise ValueError(f"lease must be at least twice the longest route timeout ({slowest})")
        return self

    def policy_for(self, watchlist: str) -> AlertPolicy:
        return self.watchlists.get(watchlist, self.policy)

    def route(self, name: str) -> RouteSettings | None:
        return next((r for r in self.routes if r.name == name), None)
