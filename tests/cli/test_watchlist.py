"""`tgmon watchlist validate | test | rematch` through the command line."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import func, select
from typer.testing import CliRunner

from monitor.cli import app
from storage.database import Database
from storage.models import Match
from tests.support.exports import chat, message, write_export


def setup(tmp_path: Path, url: str, lists: dict[str, str]) -> Path:
    folder = tmp_path / "lists"
    folder.mkdir(parents=True)
    for name, text in lists.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path}"\n[database]\nurl = "{url}"\n[watchlists]\npaths = ["lists"]\n'
    )
    return cfg


def run(cfg: Path, *args: str):
    return CliRunner().invoke(app, ["-c", str(cfg), *args])


DRONES = 'name = "drones"\nseverity = "warning"\n[[rules]]\nany = ["беспилотник"]\n'


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    bad = 'name = "bad"\n[[rules]]\nany = ["x"]\n\n[[rules]]\nregex = "(unclosed"\n'
    url = f"sqlite:///{tmp_path}/x.db"
    cfg = setup(tmp_path, url, {"drones": DRONES, "bad": bad, "worse": "name = 5\n"})
    result = run(cfg, "watchlist", "validate")
    assert result.exit_code == 2
    assert "bad.toml:6: rule 2: regex: missing )" in result.output
    assert "worse.toml:1" in result.output
    ok = setup(tmp_path / "ok", url, {"drones": DRONES})
    result = run(ok, "watchlist", "validate")
    assert result.exit_code == 0 and "1 watchlist(s), 1 rule(s) OK" in result.output


def test_test_is_a_dry_run_and_rematch_records(db: Database, tmp_path: Path) -> None:
    cfg = setup(tmp_path, db.url, {})
    export = chat([message(1, "Беспилотники атаковали склад"), message(2, "Тишина")])
    assert run(cfg, "import", str(write_export(tmp_path / "exp", export))).exit_code == 0
    (tmp_path / "lists" / "drones.toml").write_text(DRONES, encoding="utf-8")

    result = run(cfg, "watchlist", "test", "drones")
    assert result.exit_code == 0, result.output
    assert (
        "Беспилотники атаковали склад" in result.output and "1 post(s) would fire" in result.output
    )
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Match)).one() == 0

    result = run(cfg, "watchlist", "rematch", "drones")
    assert "2 post(s) checked, 1 new match(es)" in result.output
    with db.session() as s:
        assert s.exec(select(Match.watchlist)).all() == ["drones"]

    unknown = run(cfg, "watchlist", "test", "nope")
    assert unknown.exit_code == 2 and "no watchlist named 'nope' (have: drones)" in unknown.output


def test_explain_shows_forms_and_the_ukrainian_block() -> None:
    result = CliRunner().invoke(app, ["watchlist", "explain", "Мали"])
    assert result.exit_code == 0
    assert (
        "малийский" in result.output.replace("мали- + {", "малийский {") or "мали-" in result.output
    )
    assert "not in posts in: мали (uk)" in result.output
