"""The translation seam: a `Translator` protocol and its deep-translator implementation.

deep-translator 1.11.4 calls the module-level `requests.get/post` (a new connection each
time) with no timeout, puts LibreTranslate's api_key and the whole text in the URL, lets
`requests` errors escape raw and puts the API key into some of its exception messages.
`DeepTranslator` fixes that at the one place it can: the `requests` name inside
deep-translator's provider modules is replaced by `_CallControl`, which — only during a tgmon
call — sends through a keep-alive session with the timeout, sends LibreTranslate's fields as
a form body and DeepL's key as a header, and remembers the HTTP status. Errors become
`TranslationError` (one line, key scrubbed):

    TranslationError(retryable=False)   this post failed (bad input, 4xx, no translation)
    └── TranslationOutage (retryable)   the provider is down or refusing everyone: back off
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from monitor.config.settings import TranslationSettings
from monitor.core.errors import ConfigError, TranslationError


class Translator(Protocol):
    """Anything that turns one piece of text into the target language."""

    name: str  # the provider, part of the cache key
    max_chars: int  # longest piece `translate` accepts

    def translate(self, text: str, source: str, target: str) -> str: ...


class TranslationOutage(TranslationError):
    """The provider is unreachable, overloaded or refuses the key: every post would fail.

    `suspect_post` is set when the post itself may be the cause (a timeout, an HTTP 5xx):
    the post is then charged an attempt, so a text that crashes the server ends as failed
    instead of blocking the backlog.
    """

    def __init__(self, message: str, *, suspect_post: bool = False) -> None:
        super().__init__(message, retryable=True)
        self.suspect_post = suspect_post


@dataclass
class _CallOptions:
    timeout: float
    provider: str
    api_key: str | None
    session: requests.Session
    status: int | None = None


_CALL: contextvars.ContextVar[_CallOptions | None] = contextvars.ContextVar(
    "tgmon_translation_call", default=None
)


class _CallControl:
    """Stands in for `requests` inside deep-translator; changes nothing outside tgmon calls."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return self._send("GET", url, params, kwargs)

    def post(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return self._send("POST", url, params, kwargs)

    def _send(
        self, method: str, url: str, params: Any, kwargs: dict[str, Any]
    ) -> requests.Response:
        options = _CALL.get()
        if options is None:
            return requests.request(method, url, params=params, **kwargs)
        kwargs["timeout"] = options.timeout
        if options.provider == "libre" and method == "POST":
            # Form body, not query string: keeps the key out of URLs and logs, and long
            # Cyrillic text (6 URL bytes per letter) under servers' request-line limits.
            kwargs["data"], params = params, None
        elif options.provider == "deepl" and isinstance(params, dict):
            fields = {k: v for k, v in params.items() if k != "auth_key"}
            if fields.get("source_lang") == "auto":
                del fields["source_lang"]  # DeepL detects the source when none is given
            for lang in ("source_lang", "target_lang"):
                if lang in fields:
                    fields[lang] = str(fields[lang]).upper()  # DeepL's documented spelling
            headers = dict(kwargs.pop("headers", None) or {})
            headers["Authorization"] = f"DeepL-Auth-Key {options.api_key or ''}"
            method, kwargs["data"], kwargs["headers"], params = "POST", fields, headers, None
        response = options.session.request(method, url, params=params, **kwargs)
        options.status = response.status_code
        return response


_INSTALL_LOCK = threading.Lock()
_installed = False


def _install_call_control() -> None:
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return
        from deep_translator import deepl, google, libre, mymemory

        for module in (deepl, google, libre, mymemory):
            module.requests = _CallControl()  # type: ignore[attr-defined]
        _installed = True


# deep-translator's own spelling of a few codes (Google uses old/regional codes).
_GOOGLE_CODES = {"zh": "zh-CN", "he": "iw", "jv": "jw"}


class DeepTranslator:
    """One deep-translator provider with a timeout, a size limit and tgmon's errors."""

    def __init__(
        self,
        provider: str,
        *,
        url: str | None = None,
        api_key: str | None = None,
        timeout: float = 20.0,
        max_chars: int = 2000,
    ) -> None:
        if provider not in ("google", "libre", "deepl", "mymemory"):
            raise ConfigError(f"translation.provider: no translator for {provider!r}")
        if provider == "libre" and not url:
            raise ConfigError("translation.url: provider libre needs the LibreTranslate URL")
        if provider == "deepl" and not api_key:
            raise ConfigError("translation.api_key: provider deepl needs an API key")
        if url is not None and provider != "libre":
            raise ConfigError("translation.url: only provider libre takes a URL")
        self.name = provider
        self.url = url.rstrip("/") + "/" if url else None
        self._api_key = api_key
        self.timeout = timeout
        self.max_chars = max_chars
        self._local = threading.local()  # one keep-alive session per thread
        _install_call_control()

    def __repr__(self) -> str:
        where = f", url={self.url!r}" if self.url else ""
        return f"DeepTranslator({self.name!r}{where})"

    def _engine(self, source: str, target: str) -> Any:
        from deep_translator import (
            DeeplTranslator,
            GoogleTranslator,
            LibreTranslator,
            MyMemoryTranslator,
        )

        engine: Any
        if self.name == "libre":
            # The library insists on a key string even for servers that need none.
            engine = LibreTranslator(
                source="auto", target="en", api_key=self._api_key or "-", custom_url=self.url
            )
            if not self._api_key:
                engine.api_key = None  # but do not send the dummy
        elif self.name == "deepl":
            engine = DeeplTranslator(
                source="auto",
                target="en",
                api_key=self._api_key,
                use_free_api=(self._api_key or "").endswith(":fx"),
            )
        elif self.name == "mymemory":
            engine = MyMemoryTranslator(source="auto", target="en")
        else:
            engine = GoogleTranslator(source="auto", target="en")
            source, target = _GOOGLE_CODES.get(source, source), _GOOGLE_CODES.get(target, target)
        # The setters skip deep-translator's own language lists, which miss e.g. Ukrainian
        # for LibreTranslate; the server is the judge of what it supports.
        engine.source, engine.target = source, target
        return engine

    def translate(self, text: str, source: str, target: str) -> str:
        """Translate one piece (at most `max_chars`); raise TranslationError on any failure."""
        if len(text) > self.max_chars:
            raise TranslationError(
                f"{self.name}: piece of {len(text)} characters exceeds max_chars {self.max_chars}",
                retryable=False,
            )
        options = _CallOptions(self.timeout, self.name, self._api_key, self._session())
        token = _CALL.set(options)
        try:
            result = self._engine(source, target).translate(text)
        except TranslationError:
            raise
        except Exception as exc:  # deep-translator raises bare Exceptions of many kinds
            raise self._map_error(exc, options.status) from None
        finally:
            _CALL.reset(token)
        if not isinstance(result, str) or (not result.strip() and text.strip()):
            raise TranslationError(f"{self.name}: returned no translation", retryable=False)
        return result

    def _session(self) -> requests.Session:
        """This thread's HTTP session: reuses connections (a TLS handshake per post is slow)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def close(self) -> None:
        """Close this thread's connections (the others close when their threads end)."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def _map_error(self, exc: Exception, status: int | None) -> TranslationError:
        from deep_translator import exceptions as dt

        where = self.name if not self.url else f"{self.name} at {self.url}"
        if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
            return TranslationOutage(
                f"{where}: no answer within {self.timeout:g}s", suspect_post=True
            )
        if isinstance(exc, requests.ConnectionError):
            return TranslationOutage(f"{where}: cannot connect ({type(exc).__name__})")
        if isinstance(exc, requests.RequestException):
            return TranslationOutage(f"{where}: request failed ({type(exc).__name__})")
        if isinstance(exc, dt.AuthorizationException) or status in (401, 403):
            return TranslationOutage(f"{where}: refused the API key (HTTP {status or 403})")
        if isinstance(exc, dt.TooManyRequests) or status == 429:
            return TranslationOutage(f"{where}: too many requests (HTTP 429)")
        if status is not None and status >= 500:
            return TranslationOutage(f"{where}: server error HTTP {status}", suspect_post=True)
        if status is not None and status >= 400:
            return TranslationError(f"{where}: rejected the text (HTTP {status})", retryable=False)
        if isinstance(exc, dt.LanguageNotSupportedException):
            return TranslationError(f"{where}: language not supported", retryable=False)
        if isinstance(exc, dt.NotValidLength | dt.NotValidPayload):
            return TranslationError(f"{where}: text too long for the provider", retryable=False)
        if isinstance(exc, dt.TranslationNotFound):
            return TranslationError(f"{where}: returned no translation", retryable=False)
        detail = scrub(type(exc).__name__, self._api_key)
        return TranslationError(f"{where}: unexpected answer ({detail})", retryable=False)


def scrub(message: str, secret: str | None) -> str:
    """Remove a secret from a message (defence in depth: messages are built without it)."""
    if secret and len(secret) >= 4:
        return message.replace(secret, "***")
    return message


def translator_for(settings: TranslationSettings, provider: str | None = None) -> DeepTranslator:
    """Build the configured translator (or `provider`, overriding the config)."""
    name = provider or settings.provider
    if name == "none":
        raise ConfigError("translation.provider: translation is turned off (provider none)")
    limits = settings.limits_for(name)
    key = settings.api_key.get_secret_value() if settings.api_key else None
    return DeepTranslator(
        name,
        url=settings.url if name == "libre" else None,
        api_key=key,
        timeout=settings.timeout.total_seconds(),
        max_chars=limits.max_chars or 2000,
    )
