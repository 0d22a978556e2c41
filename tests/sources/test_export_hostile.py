"""Hostile exports (issue 13 items 6 and 12): deep nesting, nested entity text, non-objects in
`messages`, private chats — each counted and named, never a crash or a silent loss."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner, Result

from monitor.cli import app
from monitor.sources.export import MAX_MESSAGE_DEPTH, read_export
from storage.database import Database
from storage.models import Post
from tests.support.exports import chat, message, write_export


def deep_entity(levels: int, text: str = "глубоко") -> dict:
    """A text entity whose text is nested `levels` lists-of-objects deep."""
    node: object = text
    for _ in range(levels):
        node = [{"type": "italic", "text": node}]
    return {"type": "bold", "text": node}


def write_raw(tmp_path: Path, messages_json: str, kind: str = "public_channel") -> Path:
    """An export whose `messages` array is given as raw JSON text (json.dumps would recurse)."""
    folder = tmp_path / "exp"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "result.json"
    path.write_text(
        f'{{"name": "Sample", "type": "{kind}", "id": 42, "messages": [{messages_json}]}}',
        encoding="utf-8",
    )
    return path


def test_nested_entity_text_is_stored_as_text_not_a_repr(tmp_path: Path) -> None:
    msg = message(1, "x")
    msg["text_entities"] = [{"type": "plain", "text": "Бойцы "}, deep_entity(2, "Вагнер")]
    (item,) = read_export(write_export(tmp_path, chat([msg])))
    assert item.post is not None
    assert item.post.text == "Бойцы Вагнер"
    assert [(e.type, e.offset, e.length) for e in item.post.entities] == [("bold", 6, 6)]


def test_text_entities_nested_thousands_deep_is_one_bad_message(tmp_path: Path) -> None:
    deep = '{"type": "bold", "text": ' + '[{"type": "italic", "text": ' * 5000 + '"x"'
    deep += "}]" * 5000 + "}"
    good = json.dumps(message(2, "fine"))
    hostile = json.dumps(message(1, "x"))[:-1] + f', "text_entities": [{deep}]}}'
    items = list(read_export(write_raw(tmp_path, f"{hostile}, {good}")))
    assert items[0].error == f"nested more than {MAX_MESSAGE_DEPTH} levels deep"
    assert items[1].post is not None and items[1].post.text == "fine"


def test_non_objects_in_messages_are_counted_as_bad(tmp_path: Path) -> None:
    good = json.dumps(message(1, "a"))
    items = list(read_export(write_raw(tmp_path, f'42, "str", null, [1], true, {good}')))
    assert [i.error for i in items[:5]] == [
        "message is a number, not an object",
        "message is a string, not an object",
        "message is null, not an object",
        "message is a list, not an object",
        "message is a boolean, not an object",
    ]
    assert [i.index for i in items] == [0, 1, 2, 3, 4, 5]
    assert items[5].post is not None


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def config_for(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n[database]\nurl = "{url}"\n')
    return path


def test_import_counts_non_objects_and_deep_messages_and_keeps_the_rest(
    db: Database, tmp_path: Path
) -> None:
    deep = '{"type": "bold", "text": ' + "[" * 3000 + '"x"' + "]" * 3000 + "}"
    hostile = json.dumps(message(3, "x"))[:-1] + f', "text_entities": [{deep}]}}'
    good = ", ".join(json.dumps(message(i, f"post {i}")) for i in (1, 2))
    export = write_raw(tmp_path, f"{good}, 42, null, {hostile}")
    cfg = config_for(tmp_path, db.url)

    strict = run("-c", str(cfg), "import", str(export))
    assert strict.exit_code == 2
    assert strict.output.strip().splitlines()[-1] == (
        f"error: {export}: message #2: message is a number, not an object "
        "(use --skip-bad to import the rest)"
    )

    lenient = run("-c", str(cfg), "import", str(export), "--skip-bad")
    assert lenient.exit_code == 0, lenient.output
    assert "3 bad message(s) skipped" in lenient.output
    assert f"skipped: {export}: message #4: nested more than 64 levels deep" in lenient.output
    with db.read_session() as session:
        stored = session.execute(select(Post.message_id, Post.text)).all()
    assert sorted(stored) == [(1, "post 1"), (2, "post 2")]


def test_import_of_a_private_chat_says_why_nothing_was_imported(
    db: Database, tmp_path: Path
) -> None:
    export = write_raw(tmp_path, json.dumps(message(1, "hi")), kind="personal_chat")
    result = run("-c", str(config_for(tmp_path, db.url)), "import", str(export))
    assert result.exit_code == 0, result.output
    assert "0 channel(s)" in result.output
    assert "1 chat(s) not imported (not a channel or group)" in result.output
    assert (
        f"not imported: {export}: Sample: personal_chat: tgmon imports channels and groups only"
        in result.output
    )
