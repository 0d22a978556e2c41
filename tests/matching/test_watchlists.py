"""Watchlist files: what loads, and the one-line errors users see for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.errors import WatchlistError
from monitor.matching.watchlists import load_watchlists, validate_watchlists

CONFIG = Path(__file__).resolve().parents[2] / "config" / "watchlists"

GOOD = """\
name = "wagner_mali"
description = "Wagner Group activity in Mali"
severity = "critical"
not = ["опера", "композитор", "opera", "composer"]

[[rules]]
all = ["Вагнер", "Мали"]

[[rules]]
id = "mali_ru"
any = ["Мали", { term = "ВСУ", exact = true }, { term = "Tinzaouaten", variants = ["Tinzawaten"] },
       { term = "Малі", match_case = true, translit = false }]
languages = ["ru", "zh-cn"]
channels = ["@Rybar", "https://t.me/grey_zone", -1001234567890, "42"]
text = "original"

[[rules]]
phrase = "Африканский корпус"

[[rules]]
near = { terms = ["ЧВК", "Мали"], within = 8 }

[[rules]]
regex = '\\bra-\\d{5}\\b'
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_watchlists_in_config_all_load() -> None:
    lists = load_watchlists([CONFIG])
    assert {w.name for w in lists} >= {"wagner_mali", "drones", "sahel", "airlift_africa"}
    assert all(w.source.endswith(".toml") for w in lists)
    topics = load_watchlists([Path(__file__).resolve().parents[1] / "data" / "matching" / "topics"])
    assert len(topics) == 5  # the benchmark's per-topic lists for the sample exports


def test_a_valid_file_becomes_rules_of_each_kind(tmp_path: Path) -> None:
    (watchlist,) = load_watchlists([write(tmp_path, "w.toml", GOOD)])
    assert watchlist.name == "wagner_mali"
    assert watchlist.severity == "critical"
    assert [t.term for t in watchlist.not_] == ["опера", "композитор", "opera", "composer"]
    assert [rule.kind for rule in watchlist.rules] == ["all", "any", "phrase", "near", "regex"]
    scoped = watchlist.rules[1]
    assert scoped.id == "mali_ru"
    assert scoped.languages == ("ru", "zh-cn")
    assert scoped.text == "original"
    # usernames lose @ and links, ids lose the Bot-API -100 prefix
    assert scoped.channels == ("rybar", "grey_zone", 1234567890, 42)
    assert scoped.any is not None
    assert scoped.any[1].exact is True
    assert scoped.any[2].spellings == ("Tinzaouaten", "Tinzawaten")
    assert scoped.any[3].match_case is True and scoped.any[3].translit is False
    assert watchlist.rules[3].near is not None and watchlist.rules[3].near.within == 8


def test_folders_are_read_in_name_order_and_files_can_be_given(tmp_path: Path) -> None:
    write(tmp_path, "b.toml", 'name = "b"\n[[rules]]\nany = ["x"]\n')
    write(tmp_path, "a.toml", 'name = "a"\n[[rules]]\nany = ["x"]\n')
    write(tmp_path, "notes.txt", "not a watchlist")
    extra = write(tmp_path / "..", "c.toml", 'name = "c"\n[[rules]]\nany = ["x"]\n')
    assert [w.name for w in load_watchlists([tmp_path, extra])] == ["a", "b", "c"]


BAD_FILES = [
    pytest.param(
        'name = "x"\ncolour = "red"\n[[rules]]\nany = ["a"]\n',
        "x.toml:2: colour: unknown key",
        id="unknown list key",
    ),
    pytest.param(
        'name = "x"\nseverity = "urgent"\n[[rules]]\nany = ["a"]\n',
        "x.toml:2: severity: Input should be 'info', 'warning' or 'critical'",
        id="bad severity",
    ),
    pytest.param(
        'description = "no name"\n[[rules]]\nany = ["a"]\n',
        "x.toml:1: name: required key is missing",
        id="missing name",
    ),
    pytest.param('name = "x"\n', "x.toml:1: rules: required key is missing", id="no rules"),
    pytest.param(
        'name = "x"\n[[rules]]\nany = ["a"]\n\n[[rules]]\nid = "tail"\nregex = "[ab"\n',
        "x.toml:7: rule 2 (tail): regex: missing ] in '[ab'",
        id="bad regex",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nregex = "a*"\n',
        "x.toml:3: rule 1: regex: pattern matches the empty string, so it would match every post",
        id="regex matching everything",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = []\n',
        "x.toml:3: rule 1: any: must not be empty",
        id="empty term list",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = ["a", ""]\n',
        "x.toml:3: rule 1: any[2].term: term '' has no letters or digits",
        id="empty term",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = "Вагнер"\n',
        "x.toml:3: rule 1: any: Input should be a valid tuple",
        id="string not list",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = [{ term = "a", exakt = true }]\n',
        "x.toml:3: rule 1: any[1].exakt: unknown key",
        id="unknown term option",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = [{ term = "a", exact = "yes" }]\n',
        "x.toml:3: rule 1: any[1].exact: Input should be a valid boolean",
        id="option of wrong type",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nname = "both"\nany = ["a"]\nall = ["b"]\n',
        "x.toml:2: rule 1 (both): needs exactly one of any, all, phrase, near, regex "
        "(found any, all)",
        id="two kinds",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nlanguages = ["ru"]\n',
        "x.toml:2: rule 1: needs exactly one of any, all, phrase, near, regex (found none)",
        id="no kind",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nnear = { terms = ["a"], within = 3 }\n',
        "x.toml:3: rule 1: near.terms: needs 2 terms",
        id="near with one term",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = ["a"]\nlanguages = ["Russian"]\n',
        "x.toml:4: rule 1: languages: 'Russian' is not a lower-case ISO 639 language "
        "code like 'ru'",
        id="bad language",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = ["a"]\nchannels = ["not a channel!"]\n',
        "x.toml:4: rule 1: channels: 'not a channel!' is neither a channel username "
        "nor a numeric id",
        id="bad channel",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = ["a"]\ntext = "translated"\n',
        "x.toml:4: rule 1: text: Input should be 'original', 'translation' or 'both'",
        id="bad text scope",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nid = "r"\nany = ["a"]\n[[rules]]\nid = "r"\nany = ["b"]\n',
        "x.toml:6: rule 2 (r): id: duplicate rule id 'r'",
        id="duplicate rule id",
    ),
    pytest.param(
        'name = "x"\nrules = [\n  { any = ["a"] },\n  { any = [] },\n]\n',
        "x.toml:2: rule 2: any: must not be empty",
        id="rules as inline array",
    ),
    pytest.param(
        'name = "x"\n[[rules]]\nany = ["a"]\n[rules.near]\nterms = ["a"]\n',
        "x.toml:4: rule 1: near.terms: needs 2 terms",
        id="near as sub-table",
    ),
    pytest.param(
        'name = "x"\n[[rules]\nany = ["a"]\n',
        "x.toml:2: invalid TOML: Expected ']]' at the end of an array declaration",
        id="toml syntax",
    ),
]


@pytest.mark.parametrize(("source", "expected"), BAD_FILES)
def test_each_mistake_is_one_line_naming_file_line_and_rule(
    tmp_path: Path, source: str, expected: str
) -> None:
    path = write(tmp_path, "x.toml", source)
    with pytest.raises(WatchlistError) as caught:
        load_watchlists([path])
    assert str(caught.value) == f"{tmp_path}/{expected}"
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_validate_reports_every_error_in_every_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.toml",
        (
            'name = "a"\n'
            "[[rules]]\n"
            'any = ["Вагнер"]\n'
            "\n"
            "[[rules]]\n"
            'regex = "(unclosed"\n'
            "colour = 1\n"
            "\n"
            "[[rules]]\n"
            "all = []\n"
        ),
    )
    write(tmp_path, "b.toml", 'name = "b"\nseverity = "loud"\n[[rules]]\nany = ["x"]\n')
    write(tmp_path, "c.toml", 'name = "c"\n[[rules]]\nany = ["x"]\n')
    lists, errors = validate_watchlists([tmp_path])
    assert errors == [
        f"{tmp_path}/a.toml:6: rule 2: regex: missing ) in '(unclosed'",
        f"{tmp_path}/a.toml:7: rule 2: colour: unknown key",
        f"{tmp_path}/a.toml:10: rule 3: all: must not be empty",
        f"{tmp_path}/b.toml:2: severity: Input should be 'info', 'warning' or 'critical'",
    ]
    assert [w.name for w in lists] == ["c"]
    with pytest.raises(WatchlistError, match=r"a\.toml:6: .* \(and 3 more: run `tgmon watchlist"):
        load_watchlists([tmp_path])


def test_duplicate_list_names_across_files_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", 'name = "dup"\n[[rules]]\nany = ["x"]\n')
    write(tmp_path, "b.toml", '# second\nname = "dup"\n[[rules]]\nany = ["y"]\n')
    _, errors = validate_watchlists([tmp_path])
    assert errors == [
        f"{tmp_path}/b.toml:2: name: duplicate watchlist name 'dup' (also in {first})"
    ]


def test_a_file_that_is_not_utf8_is_reported_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_bytes(b'name = "\xff"\n')
    _, errors = validate_watchlists([tmp_path])
    assert errors[0].startswith(f"{tmp_path}/x.toml: cannot read: UnicodeDecodeError")


def test_a_missing_path_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="nowhere: no such watchlist file or folder"):
        load_watchlists([tmp_path / "nowhere"])
