"""Translation settings: provider, target, budget, retries and per-provider limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from monitor.config.base import Duration, Section


class ProviderLimits(Section):
    """One provider's limits; a field left empty takes the built-in default for that provider."""

    requests_per_minute: int | None = Field(
        default=None, ge=0, description="Requests per minute per worker (0 = no limit)"
    )
    chars_per_minute: int | None = Field(
        default=None, ge=0, description="Characters per minute per worker (0 = no limit)"
    )
    max_chars: int | None = Field(
        default=None, ge=50, description="Longest piece sent in one request; longer posts are split"
    )


# Built-in limits: what each service tolerates without a paid plan (mymemory: 500 *bytes*).
PROVIDER_LIMITS: dict[str, ProviderLimits] = {
    "google": ProviderLimits(requests_per_minute=30, chars_per_minute=0, max_chars=2000),
    "libre": ProviderLimits(requests_per_minute=0, chars_per_minute=0, max_chars=2000),
    "deepl": ProviderLimits(requests_per_minute=60, chars_per_minute=0, max_chars=4000),
    "mymemory": ProviderLimits(requests_per_minute=20, chars_per_minute=0, max_chars=240),
    "none": ProviderLimits(requests_per_minute=0, chars_per_minute=0, max_chars=2000),
}

TranslationProviderName = Literal["google", "libre", "deepl", "mymemory", "none"]


class TranslationSettings(Section):
    provider: TranslationProviderName = Field(
        default="google", description="Who translates; `libre` keeps text on your own server"
    )
    url: str | None = Field(default=None, description="LibreTranslate server URL (provider libre)")
    api_key: SecretStr | None = Field(default=None, description="Provider API key, if it needs one")
    target: str = Field(default="en", description="Language to translate into")
    sources: list[str] | None = Field(
        default=None, description="Source languages to translate; empty means all but the target"
    )
    mode: Literal["all", "matched"] = Field(
        default="all",
        description="Translate every post, or only posts with a live watchlist match",
    )
    timeout: Duration = Field(
        default=timedelta(seconds=20), description="Give up on one provider request after this"
    )
    batch_size: int = Field(default=20, ge=1, le=1000, description="Posts claimed per batch")
    max_attempts: int = Field(
        default=5, ge=1, description="Per-post failures before a post is marked failed"
    )
    backoff: Duration = Field(
        default=timedelta(seconds=30),
        description="First wait after a provider outage or a post failure; doubles each time",
    )
    max_backoff: Duration = Field(
        default=timedelta(hours=1), description="Longest wait between retries"
    )
    claim_lease: Duration = Field(
        default=timedelta(minutes=10),
        description="How long a worker owns claimed posts before others may retry them",
    )
    daily_char_budget: int = Field(
        default=0, ge=0, description="Characters sent to the provider per UTC day (0 = no limit)"
    )
    limits: dict[TranslationProviderName, ProviderLimits] = Field(
        default_factory=dict,
        description="Per-provider rate limits and request size, e.g. [translation.limits.libre]",
    )

    @field_validator("target")
    @classmethod
    def _target_code(cls, value: str) -> str:
        value = value.strip().lower()
        if not value or value in ("auto", "und"):
            raise ValueError("must be a language code such as en")
        return value

    @field_validator("sources")
    @classmethod
    def _source_codes(cls, value: list[str] | None) -> list[str] | None:
        codes = [v.strip().lower() for v in value or () if v.strip()]
        return codes or None

    def limits_for(self, provider: str) -> ProviderLimits:
        """The effective limits of a provider: configured values over the built-in ones."""
        base = PROVIDER_LIMITS.get(provider, PROVIDER_LIMITS["none"])
        own = self.limits.get(provider)  # type: ignore[call-overload]
        if own is None:
            return base
        return ProviderLimits(
            **{
                name: getattr(own, name) if getattr(own, name) is not None else getattr(base, name)
                for name in ProviderLimits.model_fields
            }
        )
