"""Hostile and broken watchlists (issue 13): regex rules cannot hang, the loader never crashes.

Regex rules run on google-re2 (linear time); what RE2 cannot run is a validation error with
file, line and rule. The loader is fuzzed with hypothesis: every input ends in a list or a
`WatchlistError` — never another exception, never longer than the deadline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from monitor.core.errors import TgmonError, WatchlistError
from monitor.matching.matcher import compile_matcher
from monitor.matching.watchlists import load_watchlists, validate_watchlists

FUZZ = settings(
    max_examples=80,
    deadline=timedelta(seconds=15),  # the bound: one load + compile + match, on a busy machine
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def write(tmp_path: Path, text: str, name: str = "x.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def match_in_a_child_process(path: Path, post: str, seconds: float = 60.0) -> str:
    """Load the list and match POST in a child process, killed if it does not return.

    A process, not a thread: Python's regex engine holds the GIL while it backtracks.
    """
    code = (
        "import sys; from pathlib import Path\n"
        "from monitor.matching.matcher import compile_matcher\n"
        "from monitor.matching.watchlists import load_watchlists\n"
        "matcher = compile_matcher(load_watchlists([Path(sys.argv[1])]))\n"
        "print(len(matcher.match(sys.stdin.read())))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            input=post,
            capture_output=True,
            text=True,
            timeout=seconds,
            cwd=Path(__file__).parents[2],
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("still running: a catastrophic backtrack?") from None
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)+$", r"(a|aa)+b", r"(.*a){20}"])
def test_patterns_that_backtrack_in_python_validate_and_run_in_linear_time(
    tmp_path: Path, pattern: str
) -> None:
    source = f'name = "x"\n[[rules]]\nregex = {json.dumps(pattern)}\n'
    path = write(tmp_path, source)
    assert len(load_watchlists([path])) == 1  # valid: RE2 can run it
    assert match_in_a_child_process(path, "a" * 40 + "!" + " слово" * 2000) in {"0", "1"}


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (r"(?<=ЧВК )вагнер", "rule 1 (r): regex: invalid perl operator in '(?<=': lookarounds"),
        (r"(\w)\1", r"rule 1 (r): regex: invalid escape sequence in '\\1': backreferences"),
        (r"ми\b-24", r"rule 1 (r): regex: \b is only supported at the start or end"),
        ("a{1001}", "rule 1 (r): regex: invalid repetition size in '{1001}'"),
    ],
)
def test_what_re2_cannot_run_is_a_validation_error_with_file_line_and_rule(
    tmp_path: Path, pattern: str, message: str
) -> None:
    source = f'name = "x"\n[[rules]]\nid = "r"\nregex = {json.dumps(pattern)}\n'
    path = write(tmp_path, source)
    lists, errors = validate_watchlists([path])
    assert lists == []
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:4: {message}"), errors[0]
    with pytest.raises(WatchlistError):
        load_watchlists([path])


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"\bмали\b", "Мали, мали и малина", ["Мали", "мали"]),  # Unicode word boundaries
        (r"\bra-\d{5}\b", "борт RA-78830 и RA-123456", ["RA-78830"]),
        (r"вагнер\w*", "Вагнеровцы ушли", ["Вагнеровцы"]),
        (r"[\w-]+ский", "вагнер-ский", ["вагнер-ский"]),
    ],
)
def test_regex_rules_keep_unicode_word_semantics(
    tmp_path: Path, pattern: str, text: str, found: list[str]
) -> None:
    source = f'name = "x"\n[[rules]]\nregex = {json.dumps(pattern)}\n'
    (watchlist,) = load_watchlists([write(tmp_path, source)])
    hits = compile_matcher([watchlist]).match(text)
    assert [text[a:b] for hit in hits for a, b in hit.spans] == found


# --- fuzzing ---------------------------------------------------------------------------

KEYS = [
    "name", "description", "severity", "not", "rules", "any", "all", "phrase", "near", "regex",
    "terms", "within", "term", "exact", "translit", "match_case", "variants", "channels",
    "languages", "text", "id",
]  # fmt: skip
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24) | st.sampled_from(
    ["Ми-24", "БпЛА", "Мали", "captured", "(a+)+$", "", "!!!", "@rybar", "uk", "both", "x"]
)
SCALARS = st.one_of(TEXT, st.integers(-(2**63), 2**63 - 1), st.booleans())
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)
RULES = st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4), max_size=3)
DOCUMENTS = st.fixed_dictionaries(
    {"rules": RULES}, optional={"name": TEXT | st.just("fuzz"), "not": VALUES, "severity": TEXT}
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(document: dict[str, Any]) -> str:
    lines = [f"{key} = {toml_value(value)}" for key, value in document.items() if key != "rules"]
    for rule in document["rules"]:
        lines.append("[[rules]]")
        lines.extend(f"{json.dumps(key)} = {toml_value(value)}" for key, value in rule.items())
    return "\n".join(lines) + "\n"


def load_compile_and_match(path: Path) -> None:
    """A list or a WatchlistError; a list that loads must compile and match without error."""
    try:
        lists = load_watchlists([path])
    except WatchlistError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    matcher = compile_matcher(lists)
    for text in ("Ми-24 над Малі, БпЛА", "captured aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", ""):
        matcher.match(text, language="uk")


@FUZZ
@given(document=DOCUMENTS)
def test_fuzzed_watchlists_load_or_fail_with_one_line(tmp_path: Path, document: Any) -> None:
    load_compile_and_match(write(tmp_path, toml_document(document)))


@FUZZ
@given(source=st.text(max_size=300) | st.binary(max_size=300))
def test_fuzzed_bytes_load_or_fail_with_one_line(tmp_path: Path, source: str | bytes) -> None:
    path = tmp_path / "x.toml"
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source, encoding="utf-8", errors="surrogatepass")
    load_compile_and_match(path)


@FUZZ
@given(term=TEXT)
@example(term="𗀀A")  # a letter with no Unicode name once crashed the dictionary look-up
def test_fuzzed_terms_explain_or_fail_with_one_line(term: str) -> None:
    from monitor.matching.explain import explain_term

    try:
        lines = explain_term(term)
    except TgmonError as exc:
        assert exc.exit_code == 2 and "\n" not in str(exc)
    else:
        assert all(isinstance(line, str) for line in lines)
