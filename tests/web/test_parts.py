"""The desk's pure parts: word diffs, SVG charts, CSRF tokens, credentials."""

from __future__ import annotations

import base64
import re

import pytest

from monitor.config.web import WebSettings
from monitor.web.charts import daily_bars, sparkline
from monitor.web.diff import DiffRun, word_diff
from monitor.web.security import Credentials, CsrfTokens, hash_password


@pytest.mark.parametrize(
    ("old", "new", "runs"),
    [
        ("один два три", "один два три", [("один два три", "same")]),
        ("колонна из 5 машин", "колонна из 7 машин",
         [("колонна из ", "same"), ("5 ", "del"), ("7 ", "ins"), ("машин", "same")]),
        ("Данные уточняются.", "Погибли 12 человек.",
         [("Данные уточняются.", "del"), ("Погибли 12 человек.", "ins")]),
        ("", "новый текст", [("новый текст", "ins")]),
        ("удалено", "", [("удалено", "del")]),
    ],
)
def test_word_diff(old: str, new: str, runs: list[tuple[str, str]]) -> None:
    assert word_diff(old, new) == [DiffRun(text, kind) for text, kind in runs]


def test_word_diff_rebuilds_both_versions() -> None:
    old, new = "Утром в Бамако тихо.\nВечером бой.", "Утром в Бамако бой.\nВечером тихо!"
    runs = word_diff(old, new)
    assert "".join(r.text for r in runs if r.kind != "ins") == old
    assert "".join(r.text for r in runs if r.kind != "del") == new


def test_daily_bars_scale_to_the_peak_and_name_each_day() -> None:
    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    svg = str(daily_bars(days, {"2026-11-01": 2, "2026-11-03": 4}, label="a<b"))
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([\d.]+)"', svg)]
    assert heights == [54.0, 0.0, 108.0]  # 140 high minus the labels: 108 px for the peak
    assert "<title>2026-11-02: 0</title>" in svg and "total 6" in svg
    assert "a&lt;b" in svg and "a<b" not in svg  # labels are escaped
    assert str(sparkline(days, {})).count('height="0.0"') == 3  # no posts: flat, no error


def test_csrf_field_is_bound_to_its_cookie_and_key() -> None:
    tokens = CsrfTokens(b"k" * 32)
    cookie = tokens.new_cookie()
    field = tokens.field_for(cookie)
    assert tokens.valid(cookie, field)
    assert not tokens.valid(tokens.new_cookie(), field)
    assert not tokens.valid(cookie, None) and not tokens.valid(None, field)
    assert not CsrfTokens(b"x" * 32).valid(cookie, field)  # a restart invalidates old forms


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        (None, False),
        ("", False),
        ("Bearer tok-123456", True),
        ("bearer tok-123456", True),
        ("Bearer tok-1234567", False),
        ("Basic " + base64.b64encode(b"anyone:tok-123456").decode(), True),
        ("Basic " + base64.b64encode(b"ana:pass phrase").decode(), True),
        ("Basic " + base64.b64encode(b"ana:wrong").decode(), False),
        ("Basic " + base64.b64encode(b"bob:pass phrase").decode(), False),
        ("Basic !!!not-base64", False),
        ("Digest whatever", False),
    ],
)
def test_credentials(header: str | None, allowed: bool) -> None:
    web = WebSettings(
        token="tok-123456", username="ana", password_hash=hash_password("pass phrase")
    )
    assert Credentials(web).allows(header) is allowed


def test_no_login_configured_means_open_on_loopback() -> None:
    assert Credentials(WebSettings()).allows(None)
