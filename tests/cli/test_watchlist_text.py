"""`tgmon watchlist test NAME --text …` and `tgmon watchlist explain` on bad input."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from monitor.cli import app

AVIATION = 'name = "aviation"\n[[rules]]\nid = "helicopters"\nany = ["Ми-24", "Ка-52"]\n'


def setup(tmp_path: Path) -> Path:
    """A config whose database does not exist: --text must not need one."""
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "aviation.toml").write_text(AVIATION, encoding="utf-8")
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path}"\n[database]\nurl = "postgresql://nobody@127.0.0.1:1/none"\n'
        '[watchlists]\npaths = ["lists"]\n'
    )
    return cfg


def test_text_tries_a_list_on_a_sentence_without_a_database(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    result = CliRunner().invoke(
        app,
        ["-c", str(cfg), "watchlist", "test", "aviation", "--text", "Мі-24 і Ka-52 над Бахмутом"],
    )
    assert result.exit_code == 0, result.output
    assert "language: uk (detected" in result.output
    assert "rule 1 (helicopters): Ми-24, Ка-52 — found «Мі-24», «Ka-52»" in result.output
    assert "aviation: 1 rule(s) fired" in result.output


def test_text_from_stdin_and_the_pronoun_trap(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    result = CliRunner().invoke(
        app,
        ["-c", str(cfg), "watchlist", "test", "aviation", "--text", "-", "--language", "ru"],
        input="Нас 24 человека было в колонне",
    )
    assert result.exit_code == 0, result.output
    assert "language: ru (given)" in result.output
    assert "no rule fired" in result.output


def test_text_with_a_list_file_not_yet_saved(tmp_path: Path) -> None:
    draft = tmp_path / "draft.toml"
    draft.write_text('name = "draft"\n[[rules]]\nany = ["captured"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["watchlist", "test", str(draft), "--text", "Rebels are capturing Kidal"]
    )
    assert result.exit_code == 0, result.output
    assert "found «capturing»" in result.output


def test_bad_text_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cfg = setup(tmp_path)
    base = ["-c", str(cfg), "watchlist", "test", "aviation"]
    cases = [
        (["--text", "-"], b"\xff\xfe", "error: --text -: standard input is not UTF-8 (byte 0)"),
        (["--text", "   "], None, "error: --text: the text is empty"),
        (["--text", "x", "--since", "7d"], None, "error: --since applies to stored posts"),
        (["--text", "x", "--language", "RU!"], None, "error: --language: 'RU!' is not a"),
    ]
    for args, stdin, message in cases:
        result = CliRunner().invoke(app, base + args, input=stdin)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(message), result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_explain_of_a_term_without_letters_is_one_line_and_exit_2() -> None:
    result = CliRunner().invoke(app, ["watchlist", "explain", "!!!"])
    assert result.exit_code == 2
    assert result.output == "error: watchlist explain: term '!!!' has no letters or digits\n"


def test_explain_shows_the_added_ukrainian_spelling() -> None:
    result = CliRunner().invoke(app, ["watchlist", "explain", "Сирия"])
    assert result.exit_code == 0
    assert "added: сирія: uk spelling of «сирия»: in the uk dictionary as NOUN" in result.output
