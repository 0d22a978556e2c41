"""`tgmon search/show/export/stats` through typer's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner, Result

from monitor.cli import app
from monitor.cli.core import parse_when
from monitor.core.errors import InputError
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.services.records import RECORD_FIELDS
from storage.database import Database
from storage.models import Alert, Channel, Delivery, Match, Post
from storage.post_detail import PostRef, parse_post_ref
from storage.posts import ensure_channel, mark_deleted, upsert_posts

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def cli(db: Database, tmp_path: Path) -> list[str]:
    """Global options pointing the CLI at the seeded test database."""
    config = tmp_path / "tgmon.toml"
    config.write_text(f'[database]\nurl = "{db.url}"\n', encoding="utf-8")
    with db.session() as s:
        ensure_channel(s, ChannelInfo(101, "rybar", "Рыбарь"))
        ensure_channel(s, ChannelInfo(202, None, "Private"))
        upsert_posts(
            s,
            [
                ChannelPost(101, 1, NOW - timedelta(days=1), text="Колонна техники у Курска"),
                ChannelPost(101, 2, NOW - timedelta(hours=5), text="Сбито пять беспилотников"),
                ChannelPost(
                    101, 3, NOW - timedelta(hours=4), text="Ответ про Курск", reply_to_message_id=1
                ),
                ChannelPost(
                    202,
                    7,
                    NOW - timedelta(hours=3),
                    text="Переслано: колонна у Курска",
                    fwd_from_channel_id=101,
                    fwd_from_message_id=1,
                    fwd_from_name="Рыбарь",
                ),
            ],
        )
    with db.session() as s:
        upsert_posts(
            s,
            [ChannelPost(101, 1, NOW - timedelta(days=1), text="Колонна бронетехники у Белгорода")],
        )
        mark_deleted(s, 101, [2])
        post_id = s.execute(
            select(Post.id).where(Post.message_id == 1, Post.channel_id == 101)  # type: ignore[arg-type]
        ).scalar_one()
        s.add(Match(post_id=post_id, watchlist="convoys", rule="колонна", terms=["колонна"]))
        alert = Alert(watchlist="convoys", post_id=post_id, dedupe_key="k1")
        s.add(alert)
        s.flush()
        s.add(Delivery(alert_id=alert.id, route="ops-mail", idempotency_key="i1", status="sent"))
        channel = s.get(Channel, 202)
        assert channel is not None
        channel.error = "ChannelPrivateError: the channel is private"
        channel.error_at = NOW
    return ["-c", str(config), "--data-dir", str(tmp_path)]


def run(args: list[str]) -> Result:
    return CliRunner().invoke(app, args)


def test_search_table_highlights_hits(cli: list[str]) -> None:
    result = run([*cli, "search", "курск"])
    assert result.exit_code == 0, result.output
    assert "[Курска]" in result.output and "[Курск]" in result.output
    assert "https://t.me/rybar/3" in result.output
    assert "\x1b[" not in result.output  # not a terminal: no colour codes
    assert "results 1–2" in result.output and "more" not in result.output
    paged = run([*cli, "search", "курск", "-n", "1"])
    assert "results 1–1; more with --offset 1" in paged.output


def test_search_json_jsonl_csv_have_stable_fields(cli: list[str], tmp_path: Path) -> None:
    as_json = json.loads(run([*cli, "search", "колонна", "-f", "json"]).output)
    assert [r["message_id"] for r in as_json] == [7, 1]
    assert all(tuple(r) == RECORD_FIELDS for r in as_json)
    assert as_json[1]["matched_words"] == ["Колонна"]
    assert as_json[1]["versions"] == 2
    lines = run([*cli, "search", "колонна", "-C", "rybar", "-f", "jsonl"]).output.splitlines()
    assert [json.loads(line)["channel"] for line in lines] == ["rybar"]
    out = tmp_path / "hits.csv"
    result = run([*cli, "search", "беспилотник", "--deleted", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == RECORD_FIELDS
    assert rows[0]["deleted_at"] and rows[0]["matched_words"] == "беспилотников"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "6h"], [2, 3, 7]),
        (["--until", "270m"], [1, 2]),
        (["--edited"], [1]),
        (["--forwarded-from", "rybar"], [7]),
        (["--watchlist", "convoys"], [1]),
        (["-C", "202"], [7]),
    ],
)
def test_search_filters_from_the_command_line(
    cli: list[str], args: list[str], expected: list[int]
) -> None:
    result = run([*cli, "search", "курск OR беспилотник OR белгород", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(r["message_id"] for r in json.loads(result.output)) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", '"курск'], "error: query: unclosed quote at position 1"),
        (["search", "курск AND"], "has nothing after it"),
        (["search", "x", "-C", "nobody"], "@nobody: not stored"),
        (["search", "x", "--since", "yesterday"], "not a date or age"),
        (["search", "x", "-o", "out.txt"], "--output needs --format json, jsonl or csv"),
        (["show", "rybar"], "expected CHANNEL/MESSAGE_ID"),
        (["show", "rybar/999"], "rybar/999: not stored"),
        (["stats", "--days", "0"], "--days must be between"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: list[str], args: list[str], message: str) -> None:
    result = run([*cli, *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_show_prints_versions_diff_matches_alerts_forwards_replies(cli: list[str]) -> None:
    result = run([*cli, "show", "https://t.me/rybar/1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Колонна бронетехники у Белгорода" in out
    assert "[-техники-]" in out and "{+бронетехники+}" in out
    assert "convoys / колонна" in out
    assert "ops-mail=sent" in out
    assert "forwarded by" in out and "202/7" in out
    assert "replies" in out and "@rybar/3" in out


def test_show_deleted_and_json(cli: list[str]) -> None:
    assert "DELETED" in run([*cli, "show", "@rybar/2"]).output
    detail = json.loads(run([*cli, "show", "t.me/c/202/7", "-f", "json"]).output)
    assert detail["post"]["fwd_from_name"] == "Рыбарь"
    assert [v["version"] for v in detail["versions"]] == [1]


def test_export_streams_to_files(cli: list[str], tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    result = run([*cli, "export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(r["channel_id"], r["message_id"]) for r in records] == [
        (101, 1),
        (101, 2),
        (101, 3),
        (202, 7),
    ]
    query_csv = tmp_path / "q.csv"
    run([*cli, "export", "-q", "колонна", "-w", "convoys", "-o", str(query_csv)])
    rows = list(csv.DictReader(io.StringIO(query_csv.read_text(encoding="utf-8"))))
    assert [r["message_id"] for r in rows] == ["1"]


def test_stats_table_and_json(cli: list[str]) -> None:
    result = run([*cli, "stats", "--days", "3"])
    assert result.exit_code == 0, result.output
    assert "@rybar" in result.output and "convoys" in result.output
    assert "ChannelPrivateError" in result.output
    figures = json.loads(run([*cli, "stats", "-f", "json"]).output)
    assert sum(figures["posts_per_day"]["@rybar"].values()) == 3
    assert figures["translation_status"] == {"pending": 4}
    assert figures["delivery_status"] == {"sent": 1}
    assert figures["top_watchlists"] == [["convoys", 1, 1]]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("rybar/123", PostRef("rybar", 123)),
        ("@rybar/123", PostRef("rybar", 123)),
        ("https://t.me/rybar/123", PostRef("rybar", 123)),
        ("https://t.me/s/rybar/123?single", PostRef("rybar", 123)),
        ("http://telegram.me/rybar/123/", PostRef("rybar", 123)),
        ("https://t.me/c/1234567/89", PostRef("1234567", 89)),
        ("1234567/89", PostRef("1234567", 89)),
    ],
)
def test_parse_post_ref(ref: str, expected: PostRef) -> None:
    assert parse_post_ref(ref) == expected


def test_parse_when() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert parse_when("7d", now=now) == now - timedelta(days=7)
    assert parse_when("2026-11-20", now=now) == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_when("2026-11-20", end_of_day=True) == datetime(2026, 11, 21, tzinfo=UTC)
    assert parse_when("2026-11-20T10:30") == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    with pytest.raises(InputError):
        parse_when("last week")


def test_every_search_command_has_help_with_an_example() -> None:
    root = typer.main.get_command(app)
    commands = root.commands  # type: ignore[attr-defined]
    for name in ("search", "show", "export", "stats"):
        result = run([name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, name
        assert "Example:" in (commands[name].help or ""), name


def test_a_hit_in_the_translation_shows_the_translation(cli: list[str], db: Database) -> None:
    from sqlalchemy import update

    from storage.search import refresh_search_text

    with db.session() as s:
        post_id = s.execute(
            select(Post.id).where(Post.message_id == 3)  # type: ignore[arg-type]
        ).scalar_one()
        s.execute(
            update(Post).where(Post.id == post_id).values(translation="A reply about Kursk")  # type: ignore[arg-type]
        )
        refresh_search_text(s, [post_id])
    result = run([*cli, "search", "reply"])
    assert result.exit_code == 0, result.output
    assert "[reply]" in result.output and "translation" in result.output
    record = json.loads(run([*cli, "search", "reply", "-f", "json"]).output)[0]
    assert record["snippet"] == "A reply about Kursk" and record["matched_words"] == ["reply"]


def test_translation_off_is_not_a_backlog(cli: list[str], tmp_path: Path) -> None:
    config = Path(cli[cli.index("-c") + 1]) if "-c" in cli else None
    assert config is not None
    config.write_text(config.read_text() + '[translation]\nprovider = "none"\n', encoding="utf-8")
    shown = run([*cli, "show", "rybar/1"])
    assert shown.exit_code == 0, shown.output
    assert "translation off" in shown.output and "translation (pending)" not in shown.output
    stats = run([*cli, "stats"])
    assert "Translation backlog: translation off" in stats.output
    assert "pending" not in stats.output.split("Translation backlog")[1].splitlines()[0]
    as_json = json.loads(run([*cli, "stats", "-f", "json"]).output)
    assert as_json["translation_off"] is True and "pending" not in as_json["translation_status"]


@pytest.mark.parametrize("columns", [60, 80])
def test_narrow_terminal_gives_the_post_its_width_and_names_channels(
    cli: list[str], columns: int
) -> None:
    result = CliRunner().invoke(app, [*cli, "search", "курск"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= columns for line in lines)
    assert "│ Private" in result.output and "│ 202 " not in result.output  # title, not id
    # the post column takes at least half the terminal, not a 10-character strip
    post_column = lines[0].split("┳")[2]
    assert len(post_column) >= columns // 2
