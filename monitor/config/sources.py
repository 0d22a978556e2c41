"""Settings of the sources: which one a channel is read through, and how the web one behaves.

A channel is read either through a Telegram account (`telegram`, needs api_id + login) or through
the public web preview `https://t.me/s/<username>` (`web`, needs nothing). `[sources] default`
picks the kind for channels that do not name one with `source = "..."` in `[[channels]]`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from monitor.config.base import Duration, Section

SourceKind = Literal["telegram", "web"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("telegram", "web")

# A browser's User-Agent plus our name: t.me serves the full preview to browsers, and the
# operator of a busy host can still tell tgmon's requests apart.
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 tgmon/0.1"
)


class WebSourceSettings(Section):
    """How tgmon reads the public web preview (t.me/s/<username>): politeness and retries."""

    base_url: str = Field(
        default="https://t.me",
        description="Where the web preview is served (https://t.me; tests use a local server)",
    )
    user_agent: str = Field(default=DEFAULT_USER_AGENT, description="User-Agent header sent")
    requests_per_minute: float = Field(
        default=20, gt=0, description="Average page requests per minute to one host"
    )
    request_burst: int = Field(default=5, ge=1, description="Page requests allowed in one burst")
    jitter: Duration = Field(
        default=timedelta(seconds=1.5),
        description="Up to this random pause before each request, so polls do not line up",
    )
    timeout: Duration = Field(default=timedelta(seconds=20), description="Per-request time limit")
    max_retries: int = Field(
        default=4, ge=0, description="Retries of one page after 429, 5xx or a network error"
    )
    max_backoff: Duration = Field(
        default=timedelta(minutes=10),
        description="Longest pause between retries (a longer Retry-After pauses the channel)",
    )
    deleted_after_looks: int = Field(
        default=3,
        ge=1,
        description="A post is marked deleted after missing from this many consecutive looks "
        "at a page that should show it",
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/")


class SourcesSettings(Section):
    """Which source reads a channel by default, and the web preview source's settings."""

    default: SourceKind = Field(
        default="telegram",
        description="Source of channels without their own `source`: telegram (account) or web",
    )
    web: WebSourceSettings = Field(
        default_factory=WebSourceSettings, description="The public web preview source"
    )


def channel_kind(source: SourceKind | None, default: SourceKind) -> SourceKind:
    """The kind a channel is read with: its own `source`, else `[sources] default`."""
    return source or default
