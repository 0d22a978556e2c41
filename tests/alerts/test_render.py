"""Pure rendering: highlighting spans, templates, escaping, and what an alert shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.alerts.render import AlertRenderer
from monitor.core.errors import ConfigError
from monitor.core.snippet import Segment, segments
from storage.models import Alert, Channel, Match, Post
from tests.support.alert_helpers import T0


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("abc", [], [("abc", False)]),
        ("", [], [("", False)]),
        ("Вагнер идёт", [[0, 6]], [("Вагнер", True), (" идёт", False)]),
        ("a Вагнер b", [[2, 8]], [("a ", False), ("Вагнер", True), (" b", False)]),
        ("abcdef", [[1, 3], [2, 5]], [("a", False), ("bcde", True), ("f", False)]),  # overlap
        ("abcdef", [[1, 2], [2, 3]], [("a", False), ("bc", True), ("def", False)]),  # touching
        ("abc", [[2, 99]], [("ab", False), ("c", True)]),  # clipped to the text
        ("abc", [[2, 1], [5, 9], [1]], [("abc", False)]),  # empty, outside, malformed
    ],
)
def test_highlight(text: str, spans: list[list[int]], expected: list[tuple[str, bool]]) -> None:
    assert segments(text, spans) == [Segment(t, h) for t, h in expected]


def _rows(**post: object) -> tuple[Alert, Post, Channel, list[Match]]:
    fields = {
        "id": 3,
        "channel_id": 5,
        "message_id": 9,
        "posted_at": T0,
        "text": "Вагнер <script>",
        "url": "https://t.me/ch/9",
    } | post
    return (
        Alert(
            id=1,
            watchlist="w",
            severity="info",
            post_id=3,
            dedupe_key="k",
            copies=[3],
            created_at=T0,
            reason="edited",
        ),
        Post(**fields),
        Channel(id=5, username="ch", title="Канал"),
        [
            Match(post_id=3, watchlist="w", rule="r", terms=["Вагнер"], spans=[[0, 6]]),
            Match(
                post_id=3,
                watchlist="w",
                rule="r2",
                terms=["wagner"],
                spans=[[0, 6]],
                text_source="translation",
            ),
        ],
    )


def test_message_shows_provenance_translation_and_reason() -> None:
    alert, post, channel, matches = _rows(
        translation="Wagner <script>",
        fwd_from_name="Origin",
        fwd_from_channel_id=77,
        fwd_from_message_id=4,
    )
    message = AlertRenderer().render(alert, post, channel, matches, [(post, channel)])
    assert message.subject == "[tgmon info] w (edited): @ch — wagner, Вагнер"
    assert "English: Wagner <script>" in message.text
    assert "Forwarded from: Origin (message 4)" in message.text
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert message.payload["forwarded_from"] == {
        "channel_id": 77,
        "message_id": 4,
        "name": "Origin",
    }
    assert message.payload["alert"]["reason"] == "edited"


def test_broken_user_template_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text("{{ alert.nope }}", encoding="utf-8")
    with pytest.raises(ConfigError, match="subject.txt.j2"):
        AlertRenderer(tmp_path).render(*_rows())
    (tmp_path / "subject.txt.j2").unlink()
    (tmp_path / "payload.json.j2").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="valid JSON"):
        AlertRenderer(tmp_path).render(*_rows())
    with pytest.raises(ConfigError, match="not a folder"):
        AlertRenderer(tmp_path / "missing")
