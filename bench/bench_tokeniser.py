"""The store path's text keys (dedupe hash + search_text) per post, with the shared tokeniser.

Issue 11 made the search index split words with `monitor.core.text.word_spans` on the original
text and `fold_word` per word (cached per distinct word). This times `storage.posts._text_keys`,
the one call the store path makes per post text, over seeded synthetic posts: a cold pass
(empty word caches, as after a start) and a warm pass, each in a fresh process state order.
"""

from __future__ import annotations

import os
import time

from bench.results import write_section
from bench.synthetic import PostGenerator, SyntheticConfig
from storage.posts import _text_keys

POSTS = int(os.environ.get("TGMON_BENCH_TOKENISER_POSTS", "20000"))


def _rate(texts: list[str]) -> float:
    """Posts per second of `_text_keys` over `texts`."""
    started = time.perf_counter()
    for text in texts:
        _text_keys(text, "content_hash", "search_text")
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    config = SyntheticConfig(posts=POSTS)
    texts = [post.text for post in PostGenerator(config).posts()]
    # a tenth of real posts carry a glued hashtag or a Ukrainian apostrophe; give them some
    texts = [t + (" #ВагнерГрупп м'ясо" if i % 10 == 0 else "") for i, t in enumerate(texts)]
    load = os.getloadavg()[0]
    cold = _rate(texts)
    warm = _rate(texts)
    body = (
        f"- {POSTS:,} synthetic posts (ru/uk/en, 12-45 words), load average at start {load:.1f}\n\n"
        "| pass | posts/s |\n|---|---:|\n"
        f"| cold (empty word caches) | {cold:,.0f} |\n| warm | {warm:,.0f} |\n"
    )
    print(body)
    if not os.environ.get("TGMON_BENCH_NO_WRITE"):
        write_section("tokeniser", "Store path text keys (hash + search_text) per post", body)
