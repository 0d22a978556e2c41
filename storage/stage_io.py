"""What the language and match stages read and write on stored posts (their SQL lives here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from storage.models import Channel, Post

_IN_CHUNK = 500
_POST = Post.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MatchTarget:
    """One stored text of a post as the matcher sees it."""

    post_id: int
    version: int
    text: str | None
    language: str | None  # of this text: the post's, or the translation's target language
    channel_id: int
    username: str | None


def match_targets(
    session: Session, post_ids: Sequence[int], source: str, translation_language: str
) -> list[MatchTarget]:
    """The original text (source "original") or the English of each post, with what scopes it."""
    text_column = _POST.c.text if source == "original" else _POST.c.translation
    channel = Channel.__table__  # type: ignore[attr-defined]
    out: list[MatchTarget] = []
    for start in range(0, len(post_ids), _IN_CHUNK):
        rows = session.execute(
            select(
                _POST.c.id,
                _POST.c.version_count,
                text_column,
                _POST.c.language,
                _POST.c.channel_id,
                channel.c.username,
            )
            .join(channel, channel.c.id == _POST.c.channel_id)
            .where(_POST.c.id.in_(post_ids[start : start + _IN_CHUNK]))
        ).all()
        for post_id, version, text, language, channel_id, username in rows:
            lang = language if source == "original" else translation_language
            out.append(MatchTarget(post_id, version, text, lang, channel_id, username))
    return out


def set_languages(session: Session, detections: Sequence[tuple[int, str, float]]) -> None:
    """Store each (post id, language, confidence); one driver executemany on SQLite."""
    if not detections:
        return
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(
            "UPDATE post SET language = ?, language_confidence = ? WHERE id = ?",
            [(lang, confidence, post_id) for post_id, lang, confidence in detections],
        )
        return
    session.execute(
        _SET_LANGUAGE,
        [
            {"b_id": post_id, "b_lang": lang, "b_conf": confidence}
            for post_id, lang, confidence in detections
        ],
    )


_SET_LANGUAGE = (
    update(_POST)
    .where(_POST.c.id == bindparam("b_id"))
    .values(language=bindparam("b_lang"), language_confidence=bindparam("b_conf"))
)
