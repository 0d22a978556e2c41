"""DeepTranslator (deep-translator underneath) against a real local LibreTranslate-like server."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from monitor.config.settings import TranslationSettings
from monitor.core.errors import ConfigError, TranslationError
from monitor.translation.providers import DeepTranslator, TranslationOutage, translator_for
from tests.support.libre_server import FakeLibreTranslate

KEY = "sk-libre-3b9f0c7e41"


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


def test_translates_and_sends_fields_as_a_form_body(libre: FakeLibreTranslate) -> None:
    translator = DeepTranslator("libre", url=libre.url.rstrip("/"), timeout=5)
    assert translator.translate("привет мир", "ru", "en") == "EN:hello world"
    sent = libre.behaviour.received[-1]
    assert (sent.q, sent.source, sent.target) == ("привет мир", "ru", "en")
    assert sent.path_with_query == "/translate"  # nothing in the URL
    assert sent.api_key is None  # no dummy key sent


def test_ukrainian_passes_although_deep_translator_does_not_list_it(
    libre: FakeLibreTranslate,
) -> None:
    translator = DeepTranslator("libre", url=libre.url, timeout=5)
    assert translator.translate("вітаю світ", "uk", "en") == "EN:greetings world"
    assert translator.translate("привет", "auto", "en") == "EN:hello"


def test_api_key_is_sent_but_never_in_errors_or_logs(
    libre: FakeLibreTranslate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    translator = DeepTranslator("libre", url=libre.url, api_key=KEY, timeout=5)
    assert translator.translate("мир", "ru", "en") == "EN:world"
    assert libre.behaviour.received[-1].api_key == KEY
    libre.behaviour.api_key = "another-key"  # deep-translator puts the key in this error
    with pytest.raises(TranslationOutage) as refused:
        translator.translate("мир", "ru", "en")
    libre.stop()
    with pytest.raises(TranslationOutage) as down:
        translator.translate("мир", "ru", "en")
    for exc in (refused.value, down.value):
        assert KEY not in str(exc) and KEY not in repr(exc)
        assert exc.__cause__ is None and exc.__suppress_context__
    assert "refused the API key" in str(refused.value)
    assert KEY not in caplog.text
    assert KEY not in repr(translator)


def test_connection_refused_is_a_retryable_outage(libre: FakeLibreTranslate) -> None:
    translator = DeepTranslator("libre", url=libre.url, timeout=5)
    libre.stop()
    with pytest.raises(TranslationOutage) as info:
        translator.translate("мир", "ru", "en")
    assert info.value.retryable and not info.value.suspect_post
    assert "cannot connect" in str(info.value)


def test_a_slow_server_does_not_hang_the_call(libre: FakeLibreTranslate) -> None:
    libre.behaviour.slow = True  # holds the request for 30 s
    translator = DeepTranslator("libre", url=libre.url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(TranslationOutage) as info:
        translator.translate("мир", "ru", "en")
    # Not a timing assertion: only proof that it gave up long before the server answered.
    assert time.monotonic() - started < 10
    assert info.value.suspect_post and "no answer within 0.3s" in str(info.value)


@pytest.mark.parametrize(
    ("status", "outage", "suspect"),
    [(500, True, True), (503, True, True), (429, True, False), (403, True, False)],
)
def test_http_errors_that_affect_everyone_are_outages(
    libre: FakeLibreTranslate, status: int, outage: bool, suspect: bool
) -> None:
    libre.behaviour.fail_status = status
    translator = DeepTranslator("libre", url=libre.url, timeout=5)
    with pytest.raises(TranslationOutage) as info:
        translator.translate("мир", "ru", "en")
    assert info.value.suspect_post is suspect


def test_a_rejected_text_fails_that_post_only(libre: FakeLibreTranslate) -> None:
    libre.behaviour.max_chars = 3
    translator = DeepTranslator("libre", url=libre.url, timeout=5)
    with pytest.raises(TranslationError) as info:
        translator.translate("привет", "ru", "en")
    assert not info.value.retryable and not isinstance(info.value, TranslationOutage)
    assert "HTTP 400" in str(info.value)


def test_pieces_over_max_chars_are_refused_before_sending(libre: FakeLibreTranslate) -> None:
    translator = DeepTranslator("libre", url=libre.url, timeout=5, max_chars=50)
    with pytest.raises(TranslationError):
        translator.translate("а" * 51, "ru", "en")
    assert libre.translate_requests == 0


def test_configuration_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match="translation.url"):
        translator_for(TranslationSettings(provider="libre"))
    with pytest.raises(ConfigError, match="translation.api_key"):
        translator_for(TranslationSettings(provider="deepl"))
    with pytest.raises(ConfigError, match="provider none"):
        translator_for(TranslationSettings(provider="none"))
    built = translator_for(
        TranslationSettings(provider="libre", url="http://127.0.0.1:9", timeout="7s")  # type: ignore[arg-type]
    )
    assert (built.url, built.timeout, built.max_chars) == ("http://127.0.0.1:9/", 7.0, 2000)


def test_deep_translator_outside_tgmon_is_left_alone(libre: FakeLibreTranslate) -> None:
    from deep_translator import LibreTranslator

    DeepTranslator("libre", url=libre.url)  # installs the call control
    plain = LibreTranslator(source="ru", target="en", api_key="x", custom_url=libre.url)
    assert plain.translate("мир") == "EN:world"
    assert "api_key=x" in libre.behaviour.received[-1].path_with_query  # library's own way


def test_deepl_gets_its_key_in_a_header_and_no_auto_source(
    libre: FakeLibreTranslate, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deep_translator import constants

    # Point deep-translator's DeepL address at the local server; the adapter code runs as is.
    monkeypatch.setitem(constants.BASE_URLS, "DEEPL_FREE", libre.url + "{version}/")
    translator = DeepTranslator("deepl", api_key="deepl-key-1234:fx", timeout=5)
    assert translator.translate("привет мир", "auto", "en") == "EN:hello world"
    path, auth, fields = libre.deepl_requests[-1]
    assert path == "/v2/translate" and auth == "DeepL-Auth-Key deepl-key-1234:fx"
    assert fields == {"text": "привет мир", "target_lang": "EN"}
    translator.translate("мир", "ru", "en")
    assert libre.deepl_requests[-1][2]["source_lang"] == "RU"
