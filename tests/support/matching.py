"""One watchlist term as a one-rule list, for the matching tests: does it fire on a text?"""

from __future__ import annotations

from typing import Any

from monitor.matching.matcher import Matcher, compile_matcher
from monitor.matching.watchlists import Watchlist


def term_matcher(*terms: Any, **rule: Any) -> Matcher:
    """A list named "t" with one `any` rule over the terms (plus any other rule keys)."""
    rules = [{"any": list(terms), **rule}]
    return compile_matcher([Watchlist.model_validate({"name": "t", "rules": rules})])


def fires(term: Any, text: str, language: str | None = None) -> bool:
    """Whether a list holding only this term fires on the text (of this language, if given)."""
    return bool(term_matcher(term).match(text, language=language))
