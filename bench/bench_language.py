"""Measure the language stage: accuracy on the labelled set, ru↔uk errors, speed, cold start.

Both statistical backends run over the same posts (letter rules are shared), so the table
shows what lingua buys over seeded langdetect. `holdout.jsonl` was written after the main
rules and never used to tune them; it is reported apart because the labelled set did guide them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.results import write_section
from monitor.language import DEFAULT_BACKEND, STATISTICAL_BACKENDS, Detection, _detect

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "language"
LANGUAGES = ("ru", "uk", "be", "bg", "en", "fr", "ar", "und")
MIN_CALLS = 20_000
_RUSSIAN_ONLY = re.compile("[ыэъЫЭЪ]")


@dataclass(frozen=True)
class Post:
    text: str
    lang: str


def load(name: str) -> list[Post]:
    """Read one labelled file of {"text", "lang"} lines."""
    path = DATA / name
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Post(**json.loads(line)) for line in lines if line.strip()]


def _pct(good: int, total: int) -> str:
    return f"{100 * good / total:.1f} % ({good}/{total})" if total else "–"


def accuracy_table(posts: list[Post], backend: str) -> tuple[str, dict[str, int]]:
    """Accuracy figures and error counts for one backend, as markdown rows."""
    found = [(post, _detect(post.text, backend)) for post in posts]

    def acc(selected: list[tuple[Post, Detection]]) -> str:
        return _pct(sum(p.lang == d.lang for p, d in selected), len(selected))

    ru_uk = [(p, d) for p, d in found if p.lang in ("ru", "uk")]
    rows = [
        ("all posts", acc(found)),
        ("ru + uk", acc(ru_uk)),
        ("ru + uk, 40+ chars (target ≥ 97 %)", acc([x for x in ru_uk if len(x[0].text) >= 40])),
        ("ru + uk, under 40 chars", acc([x for x in ru_uk if len(x[0].text) < 40])),
        ("all posts under 40 chars", acc([x for x in found if len(x[0].text) < 40])),
    ]
    rows += [(f"`{lang}`", acc([x for x in found if x[0].lang == lang])) for lang in LANGUAGES]
    errors = {
        "ru → uk": sum(p.lang == "ru" and d.lang == "uk" for p, d in found),
        "uk → ru": sum(p.lang == "uk" and d.lang == "ru" for p, d in found),
        "uk on ru with ы/э/ъ (target 0)": sum(
            p.lang == "ru" and d.lang == "uk" and bool(_RUSSIAN_ONLY.search(p.text))
            for p, d in found
        ),
        "mk anywhere": sum(d.lang == "mk" for _p, d in found),
    }
    return "\n".join(f"| {name} | {value} |" for name, value in rows), errors


def rule_precision(posts: list[Post]) -> str:
    """How often each deciding step was right: the basis of RULE_CONFIDENCE."""
    fired: Counter[tuple[str, str]] = Counter()
    right: Counter[tuple[str, str]] = Counter()
    for post in posts:
        found = _detect(post.text, DEFAULT_BACKEND)
        fired[(found.method, found.lang)] += 1
        right[(found.method, found.lang)] += post.lang == found.lang
    lines = ["| step | label | right/fired | (right+1)/(fired+2) |", "|---|---|---|---|"]
    for (method, lang), count in sorted(fired.items()):
        good = right[(method, lang)]
        lines.append(f"| {method} | `{lang}` | {good}/{count} | {(good + 1) / (count + 2):.3f} |")
    return "\n".join(lines)


def throughput(posts: list[Post], backend: str) -> tuple[float, float]:
    """Posts per wall-clock second and per CPU second, over at least MIN_CALLS calls.

    CPU time is the steadier figure when other processes share the machine.
    """
    texts = [post.text for post in posts]
    repeats = -(-MIN_CALLS // len(texts))
    for text in texts:  # models loaded before the clock starts; cold start is measured apart
        _detect(text, backend)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        for text in texts:
            _detect(text, backend)
    calls = repeats * len(texts)
    return calls / (time.perf_counter() - start), calls / (time.process_time() - cpu_start)


def langdetect_trials(posts: list[Post]) -> str:
    """Accuracy and speed of the langdetect backend by number of averaged trials."""
    import monitor.language as language

    chosen = language._LANGDETECT_TRIALS
    lines = ["| trials | accuracy (all posts) | posts/s |", "|---|---|---|"]
    try:
        for trials in (1, 3, 7):
            language._LANGDETECT_TRIALS = trials
            start = time.perf_counter()
            found = [_detect(post.text, "langdetect").lang for _ in range(5) for post in posts]
            rate = len(found) / (time.perf_counter() - start)
            first = zip(found[: len(posts)], posts, strict=True)
            good = sum(lang == post.lang for lang, post in first)
            mark = " (used)" if trials == chosen else ""
            lines.append(f"| {trials}{mark} | {_pct(good, len(posts))} | {rate:,.0f} |")
    finally:
        language._LANGDETECT_TRIALS = chosen
    return "\n".join(lines)


def long_post_rates(posts: list[Post], backend: str) -> str:
    """Speed and accuracy on long posts, built by joining labelled posts of one language."""
    by_lang: dict[str, list[str]] = {}
    for post in posts:
        by_lang.setdefault(post.lang, []).append(post.text)
    results = []
    for size in (10, 40):
        joined = [
            Post(" ".join(texts[i : i + size]), lang)
            for lang in ("ru", "uk", "en")
            for texts in [by_lang[lang]]
            for i in range(0, len(texts) - size, size // 2)
        ]
        calls, start, cpu_start = 0, time.perf_counter(), time.process_time()
        while calls < 5_000:
            for post in joined:
                _detect(post.text, backend)
            calls += len(joined)
        rate = calls / (time.perf_counter() - start)
        cpu_rate = calls / (time.process_time() - cpu_start)
        good = sum(_detect(p.text, backend).lang == p.lang for p in joined)
        chars = sum(len(p.text) for p in joined) // len(joined)
        results.append(
            f"~{chars:,} chars: {rate:,.0f} posts/s ({cpu_rate:,.0f} per CPU s), "
            f"{_pct(good, len(joined))} right"
        )
    return " · ".join(results)


_COLD = """
import time, psutil
t0 = time.perf_counter()
from monitor.language import _detect
t1 = time.perf_counter()
_detect("Сегодня в Курске снова слышны взрывы, работает ПВО", "{backend}")
t2 = time.perf_counter()
_detect("Звонок в дверь: кто там", "{backend}")
t3 = time.perf_counter()
_detect("The ministry said the convoy reached the border", "{backend}")
t4 = time.perf_counter()
rss = psutil.Process().memory_info().rss / 2**20
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, rss)
"""


def cold_start(backend: str) -> str:
    """Time import and first calls in a fresh interpreter (models load on first use)."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", _COLD.format(backend=backend)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    imp, letters, cyr, latin, rss = (float(x) for x in out)
    return (
        f"import {imp * 1000:.0f} ms · first call settled by letters {letters * 1000:.0f} ms · "
        f"first statistical Cyrillic call {cyr * 1000:.0f} ms · first Latin call "
        f"{latin * 1000:.0f} ms · RSS after them {rss:.0f} MB"
    )


def main() -> None:
    labelled = load("labelled.jsonl")
    holdout = load("holdout.jsonl")
    counts = Counter(post.lang for post in labelled)
    parts = [
        f"Labelled set: {len(labelled)} posts "
        + ", ".join(f"{lang} {counts[lang]}" for lang in LANGUAGES)
        + f"; {sum(len(p.text) < 40 for p in labelled)} under 40 chars. "
        f"Hold-out set (written after the main rules; never used to tune them): "
        f"{len(holdout)} posts. "
        f"Default backend: **{DEFAULT_BACKEND}**. Load average at start "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min): speeds fall when "
        "other work shares the 2 cores.",
    ]
    for backend in STATISTICAL_BACKENDS:
        table, errors = accuracy_table(labelled, backend)
        rate, cpu_rate = throughput(labelled, backend)
        parts.append(
            f"### Letter rules + {backend}\n\n| labelled set | accuracy |\n|---|---|\n{table}\n\n"
            + " · ".join(f"{name}: **{value}**" for name, value in errors.items())
            + f"\n\nSpeed: **{rate:,.0f} posts/s** wall clock, {cpu_rate:,.0f} per CPU second "
            f"(one process, ≥ {MIN_CALLS:,} calls)  \n"
            f"Long posts (joined ru/uk/en posts): {long_post_rates(labelled, backend)}  \n"
            f"Cold start: {cold_start(backend)}"
        )
        if holdout:
            table, errors = accuracy_table(holdout, backend)
            parts.append(
                f"Hold-out set, {backend}:\n\n| hold-out | accuracy |\n|---|---|\n{table}\n\n"
                + " · ".join(f"{name}: **{value}**" for name, value in errors.items())
            )
    parts.append("### langdetect: averaged trials (default 7)\n\n" + langdetect_trials(labelled))
    parts.append(
        "### Which step decided (default backend, labelled set)\n\n" + rule_precision(labelled)
    )
    body = "\n\n".join(parts)
    print(body)
    write_section("language", "Language detection", body)


if __name__ == "__main__":
    main()
