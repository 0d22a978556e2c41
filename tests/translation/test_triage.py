"""Which posts are sent for translation, and from which language (pure decisions)."""

from __future__ import annotations

import pytest

from monitor.translation.triage import Need, translation_need


@pytest.mark.parametrize(
    ("text", "language", "sources", "need"),
    [
        ("Привет", "ru", None, Need(source="ru")),
        ("Привет", "RU", None, Need(source="ru")),
        ("Вітаю", "uk", ["ru", "uk"], Need(source="uk")),
        ("Hello", "en", None, Need(skip_reason="already in en")),
        ("Hello", "en-GB", None, Need(skip_reason="already in en")),
        ("Сәлем", "kk", ["ru", "uk"], Need(skip_reason="kk not in translation.sources")),
        ("ок", "und", None, Need(skip_reason="language undetermined")),
        ("", "ru", None, Need(skip_reason="no text")),
        ("   \n", None, None, Need(skip_reason="no text")),
        ("https://t.me/a/1 @channel #tag 2024", "ru", None, Need(skip_reason="no text")),
        ("Привет", None, None, Need(source="auto")),
        ("Привет", None, ["uk"], Need(source="auto")),
    ],
)
def test_translation_need(
    text: str, language: str | None, sources: list[str] | None, need: Need
) -> None:
    assert translation_need(text, None, language, target="en", sources=sources) == need
